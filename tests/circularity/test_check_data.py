"""``manage.py check_data`` finds every kind of row that breaks the spec, with its key.

The bad rows are written the way only a bug or a raw SQL client could: past the services,
past the append-only guards of dispositions and sanitizations (``rewrite``), and past the
check constraints where those would refuse them (dropped in the test's own transaction on
PostgreSQL, ignored on SQLite; both rolled back).
"""

import contextlib
import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import QuerySet

from circularity import dispositions
from circularity.models import Disposition, PackagingRecord, SanitizationRecord, Shipment, Target
from inventory import lifecycle, partitions
from inventory.choices import Action, Category, Source, Status
from inventory.models import Asset, LifecycleEvent
from inventory.registration import register_assets
from tests.factories import AssetFactory, CircularCenterFactory, PartModelFactory, SanitizationFactory, SiteFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2022, 1, 1, 12, tzinfo=dt.UTC)
FAR = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)  # the columns hold it; the clock says it has not happened


def hours(n):
    return T0 + dt.timedelta(hours=n)


@contextlib.contextmanager
def constraints_off(table: str, *names: str):
    """Let a bad row past the check constraints, for this test's transaction only."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks: ALTER may run
            for name in names:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
            yield
        else:
            cursor.execute("PRAGMA ignore_check_constraints = ON")
            try:
                yield
            finally:
                cursor.execute("PRAGMA ignore_check_constraints = OFF")


@contextlib.contextmanager
def triggers_off():
    """Let this test's transaction past the append-only triggers (a superuser's
    ``session_replication_role``, as a raw SQL client with that right could)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            yield
        finally:
            cursor.execute("SET LOCAL session_replication_role = origin")


def rewrite(queryset, **values):
    """Update append-only rows past the ORM's refusal and the database's triggers."""
    with triggers_off():
        QuerySet.update(queryset, **values)


def erase(queryset):
    """Delete append-only rows past the ORM's refusal and the database's triggers."""
    with triggers_off():
        QuerySet.delete(queryset)


@pytest.fixture
def fleet():
    """A consistent little fleet, built through the services: a server and its drive
    decommissioned, shipped and received; a second server recycled; a third reused."""
    site = SiteFactory(code="AMS05")
    center = CircularCenterFactory(code="AMS-CC", sites=[site])
    assets = {}
    for serial in ("SRV-1", "SRV-2", "SRV-3"):
        server = Asset(
            serial_number=serial, part_model=PartModelFactory(), site=site, status=Status.DEPLOYED, deployed_at=T0
        )
        drive = Asset(
            serial_number=f"{serial}-SSD",
            part_model=PartModelFactory(category=Category.SSD),
            site=site,
            status=Status.DEPLOYED,
            deployed_at=T0,
        )
        register_assets([server], source=Source.API)
        drive.parent = server
        register_assets([drive], source=Source.API)
        assets[serial], assets[f"{serial}-SSD"] = server, drive
    lifecycle.transition("SRV-1", to=Status.DECOMMISSIONED, occurred_at=hours(1), source=Source.API)
    for serial, route in (("SRV-2", "recycle"), ("SRV-3", "reuse")):
        lifecycle.transition(serial, to=Status.DECOMMISSIONED, occurred_at=hours(1), source=Source.API)
        lifecycle.transition(
            serial, to=Status.AT_CIRCULAR_CENTER, center=center, occurred_at=hours(2), source=Source.API
        )
        SanitizationFactory(asset=assets[f"{serial}-SSD"], performed_at=hours(2))
        dispositions.record_disposition(
            asset=serial,
            center=center,
            route=route,
            decided_at=hours(3),
            to_site=site if route == "reuse" else None,
            source=Source.API,
        )
    Target.objects.all().delete()
    Target.objects.create(
        metric="reuse_recycle_rate",
        comparison="gte",
        target_value=Decimal("0.9"),
        target_fiscal_year=2030,
        baseline_fiscal_year=2022,
        baseline_value=Decimal("0.82"),
    )
    return {"site": site, "center": center, **assets}


def check(*names: str) -> str:
    out = StringIO()
    call_command("check_data", *[f"--check={name}" for name in names], stdout=out)
    return out.getvalue()


def found(name: str) -> str:
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("check_data", f"--check={name}", stdout=out)
    assert refused.value.returncode == 1
    assert str(refused.value).endswith(f"({name} 1).")
    text = out.getvalue()
    assert text.splitlines()[0].startswith(f"{name}: ")
    return text


def event(asset, from_status, to_status, occurred_at, action=Action.TRANSITION):
    LifecycleEvent.objects.bulk_create(
        [
            LifecycleEvent(
                asset=asset,
                action=action,
                from_status=from_status,
                to_status=to_status,
                occurred_at=occurred_at,
                source=Source.API,
                location="AMS05",
            )
        ]
    )


def test_a_consistent_fleet_is_clean_and_exits_0(fleet):
    # PostgreSQL adds the partitions' two (tests/inventory/test_partitions.py).
    count = 18 if connection.vendor == "postgresql" else 16
    assert check().startswith(f"Clean: {count} invariant(s) hold.")


def test_the_checks_are_listed_with_their_invariants():
    out = StringIO()
    call_command("check_data", "--list", stdout=out)
    assert "status_not_last_event: an asset's status is the to_status of its last event" in out.getvalue()


def test_an_unknown_check_is_refused_by_name():
    with pytest.raises(CommandError, match="Unknown check"):
        call_command("check_data", "--check=nonsense")


def test_an_event_in_the_future_is_found_with_its_key(fleet):
    event(fleet["SRV-1"], Status.DECOMMISSIONED, Status.DECOMMISSIONED, FAR)
    assert "SRV-1 (event " in found("event_moment_out_of_range")


def test_an_asset_moment_out_of_range_is_found(fleet):
    Asset.objects.filter(pk=fleet["SRV-1"].pk).update(decommissioned_at=FAR)
    text = found("asset_moment_out_of_range")
    assert f"SRV-1 (asset {fleet['SRV-1'].pk}): deployed_at" in text and "decommissioned_at 2099-01-01" in text


def test_an_asset_without_history_is_found():
    asset = AssetFactory(serial_number="GHOST")
    assert f"GHOST (asset {asset.pk}): no event" in found("asset_without_history")


def test_a_status_that_is_not_the_last_events_is_found(fleet):
    Asset.objects.filter(serial_number__startswith="SRV-1").update(status=Status.MISSING)
    out = StringIO()  # two rows: the server and its drive
    with pytest.raises(CommandError):
        call_command("check_data", "--check=status_not_last_event", stdout=out)
    text = out.getvalue()
    assert "SRV-1 (asset" in text and "status missing, its last event (at 2022-01-01 13:00:00" in text


def test_an_event_recorded_out_of_order_is_found(fleet):
    event(fleet["SRV-1"], Status.DEPLOYED, Status.MISSING, hours(0.5))
    assert "SRV-1 (event " in found("history_out_of_order")


def test_a_stale_latest_event_moment_is_found(fleet):
    Asset.objects.filter(pk=fleet["SRV-1"].pk).update(last_event_at=T0)
    assert "SRV-1 (asset" in found("latest_event_moment_stale")


def test_a_component_in_another_state_than_its_parent_is_found(fleet):
    Asset.objects.filter(pk=fleet["SRV-1-SSD"].pk).update(status=Status.DEPLOYED)
    assert "SRV-1-SSD (asset" in found("component_differs_from_parent")


def test_a_transition_the_table_does_not_allow_is_found(fleet):
    event(fleet["SRV-1"], Status.DECOMMISSIONED, Status.RECYCLED, hours(9))
    assert "SRV-1 (event " in found("event_not_in_table")


def test_a_disposition_in_the_future_is_found(fleet):
    partitions.ensure_partitions(Disposition, [FAR])  # the month a raw client would need on PostgreSQL
    rewrite(Disposition.objects.filter(asset=fleet["SRV-2"]), decided_at=FAR)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("check_data", "--check=disposition_moment_out_of_range", stdout=out)
    assert "SRV-2 (disposition" in out.getvalue()


def test_records_out_of_range_are_found(fleet):
    rewrite(SanitizationRecord.objects.filter(asset=fleet["SRV-2-SSD"]), performed_at=FAR)
    assert "SRV-2-SSD (sanitization" in found("sanitization_moment_out_of_range")
    shipment = Shipment.objects.create(from_site=fleet["site"], to_center=fleet["center"], shipped_at=FAR)
    assert f"shipment {shipment.pk}" in found("shipment_moment_out_of_range")
    record = PackagingRecord.objects.create(
        received_on=dt.date(2099, 1, 1),
        site=fleet["site"],
        supplier="Co",
        package_count=1,
        packaging_mass_g=Decimal("10"),
        single_use_plastic_g=Decimal("1"),
    )
    assert f"packaging record {record.pk}: received_on 2099-01-01" in found("packaging_day_out_of_range")


def test_a_target_with_baseline_fiscal_year_0_is_found(fleet):
    """The exact poison of issue 10 §2, had it been written before the constraint existed."""
    with constraints_off("circularity_target", "target_baseline_fiscal_year_in_range"):
        Target.objects.update(baseline_fiscal_year=0)
    assert "FY2030 from baseline FY0" in found("target_out_of_range")


def test_a_terminal_asset_without_its_disposition_is_found(fleet):
    erase(Disposition.objects.filter(asset=fleet["SRV-2"]))
    assert "SRV-2 (asset" in found("terminal_without_its_disposition")


def test_a_terminal_disposition_whose_asset_left_that_state_is_found(fleet):
    Asset.objects.filter(pk=fleet["SRV-2"].pk).update(status=Status.IN_STOCK)
    assert "SRV-2 (disposition" in found("disposition_not_in_asset_state")


def test_a_disposition_without_the_event_that_moved_its_asset_is_found(fleet):
    """Reuse cycles included: the reused server's disposition must have moved it too."""
    rewrite(Disposition.objects.filter(asset=fleet["SRV-3"]), decided_at=hours(4))
    assert "SRV-3 (disposition" in found("disposition_without_its_event")


@pytest.mark.postgres
def test_a_year_1_bc_moment_is_reported_not_crashed_on(fleet):
    """What the bulk endpoint committed before issue 10: PostgreSQL stores it, Python cannot read it."""
    with constraints_off("inventory_asset", "asset_decommissioned_at_in_range"), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inventory_asset SET decommissioned_at = '0001-12-31 10:00:00+00 BC' WHERE serial_number = %s",
            ["SRV-1"],
        )
    assert "decommissioned_at 0001-12-31 10:00:00+00 BC" in found("asset_moment_out_of_range")
