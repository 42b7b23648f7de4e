"""Migrations 0012-0014: free-text vendor names of past dispositions become ``Vendor`` rows
(uncertified), every disposition keeps who took it, and dispositions stay append-only."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from circularity.choices import Route
from circularity.dispositions import record_disposition
from circularity.errors import DownstreamRefused

BEFORE = [("circularity", "0012_vendors_lots_evidence")]
AFTER = [("circularity", "0014_disposition_vendor_is_a_vendor")]
WHEN = dt.datetime(2022, 3, 1, tzinfo=dt.UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest_schema():
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def old_dispositions(apps):
    Site, Center = apps.get_model("inventory", "Site"), apps.get_model("circularity", "CircularCenter")
    PartModel, Asset = apps.get_model("inventory", "PartModel"), apps.get_model("inventory", "Asset")
    Disposition = apps.get_model("circularity", "Disposition")
    site = Site.objects.create(code="AMS05", name="A", region="r", country="NL")
    center = Center.objects.create(code="AMS-CC", name="C")
    part_model = PartModel.objects.create(
        manufacturer="C", model_number="M", category="psu", mass_kg=Decimal("2"), data_bearing=False
    )
    texts = [
        ("Fabrikam Recycling", Route.RECYCLE),
        ("Fabrikam Recycling", Route.RESALE),
        ("Fabrikam Recycling", Route.RECYCLE),
        ("Fabrikam Recycling!", Route.LANDFILL),  # another spelling: another vendor, same code stem
        ("", Route.REUSE),
        ("", Route.RECYCLE),
    ]
    for n, (vendor, route) in enumerate(texts):
        asset = Asset.objects.create(serial_number=f"PSU-{n}", part_model=part_model, site=site, status="recycled")
        Disposition.objects.create(
            asset=asset,
            tree_root=asset,
            center=center,
            site=site,
            category="psu",
            route=route,
            decided_at=WHEN,
            mass_kg=Decimal("2"),
            to_site=site if route == Route.REUSE else None,
            vendor=vendor,
        )


@pytest.mark.django_db(transaction=True)
def test_free_text_vendors_become_uncertified_vendors_and_no_disposition_loses_its_vendor(back_to_the_latest_schema):
    old_dispositions(migrate(BEFORE))
    new = migrate(AFTER)
    Vendor, Disposition = new.get_model("circularity", "Vendor"), new.get_model("circularity", "Disposition")
    vendors = {v.code: (v.name, v.routes, v.migrated_from_text) for v in Vendor.objects.all()}
    assert vendors == {
        "FABRIKAM-RECYCLING": ("Fabrikam Recycling", ["recycle", "resale"], True),
        "FABRIKAM-RECYCLING-2": ("Fabrikam Recycling!", ["landfill"], True),
    }
    assert not new.get_model("circularity", "VendorCertification").objects.exists()
    linked = dict(Disposition.objects.values_list("asset__serial_number", "vendor__code"))
    assert linked == {
        "PSU-0": "FABRIKAM-RECYCLING",
        "PSU-1": "FABRIKAM-RECYCLING",
        "PSU-2": "FABRIKAM-RECYCLING",
        "PSU-3": "FABRIKAM-RECYCLING-2",
        "PSU-4": None,
        "PSU-5": None,
    }


@pytest.mark.django_db(transaction=True)
def test_a_migrated_vendor_is_uncertified_for_new_dispositions(back_to_the_latest_schema):
    old_dispositions(migrate(BEFORE))
    migrate(AFTER)
    from circularity.models import CircularCenter, Vendor
    from inventory.models import Asset

    asset = Asset.objects.create(
        serial_number="PSU-NEW",
        part_model_id=Asset.objects.get(serial_number="PSU-0").part_model_id,
        site_id=Asset.objects.get(serial_number="PSU-0").site_id,
        center=CircularCenter.objects.get(code="AMS-CC"),
        status="at_circular_center",
    )
    with pytest.raises(DownstreamRefused) as refused:
        record_disposition(
            asset=asset,
            center=CircularCenter.objects.get(code="AMS-CC"),
            route=Route.RECYCLE,
            decided_at=WHEN + dt.timedelta(days=1),
            vendor=Vendor.objects.get(code="FABRIKAM-RECYCLING"),
            source="api",
        )
    assert "holds no R2v3 or e-Stewards certification" in refused.value.missing


@pytest.mark.django_db(transaction=True)
def test_dispositions_are_append_only_again_after_the_migration(back_to_the_latest_schema):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's; .ci/run runs it")
    old_dispositions(migrate(BEFORE))
    migrate(AFTER)
    from django.db import DatabaseError

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE circularity_disposition SET certificate_id = 'edited'")
