"""History never contradicts state in the circularity services: custody and dispositions
refuse a moment earlier than the tree's latest event, and judge every moment by the one rule."""

import datetime as dt

import pytest

from circularity import custody, dispositions
from circularity.integrity import circularity_checks
from circularity.models import Disposition, SanitizationRecord, Shipment
from inventory import lifecycle
from inventory.choices import Category, Source, Status
from inventory.errors import BatchRefused, EventOutOfOrder, MomentRefused
from inventory.integrity import inventory_checks, run_checks
from inventory.models import Asset, LifecycleEvent
from inventory.registration import register_assets
from tests.factories import AssetFactory, CircularCenterFactory, PartModelFactory, SanitizationFactory, SiteFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2022, 1, 1, 12, tzinfo=dt.UTC)


def hours(n: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=n)


@pytest.fixture
def campus():
    site, far = SiteFactory(code="AMS05"), SiteFactory(code="DUB07")
    return site, CircularCenterFactory(code="AMS-CC", sites=[site]), far


def registered_server(site, serial="SRV-1", at=T0):
    server = Asset(
        serial_number=serial, part_model=PartModelFactory(), site=site, status=Status.DEPLOYED, deployed_at=at
    )
    register_assets([server], source=Source.API)
    drive = Asset(
        serial_number=f"{serial}-SSD",
        part_model=PartModelFactory(category=Category.SSD),
        site=site,
        parent=server,
        status=Status.DEPLOYED,
        deployed_at=at,
    )
    register_assets([drive], source=Source.API)
    return server, drive


def all_invariants_hold():
    assert [v.detail for v in run_checks([*inventory_checks(), *circularity_checks()])] == []


def test_a_shipment_before_the_decommissioning_is_refused_naming_its_moment(campus):
    site, center, _ = campus
    registered_server(site)
    lifecycle.transition("SRV-1", to=Status.DECOMMISSIONED, occurred_at=hours(10), source=Source.API)
    with pytest.raises(BatchRefused) as refused:
        custody.ship(assets=["SRV-1"], from_site=site, to_center=center, shipped_at=hours(9), source=Source.API)
    assert isinstance(refused.value.errors[0], EventOutOfOrder)
    assert refused.value.errors[0].latest == hours(10)
    assert not Shipment.objects.exists()


def test_a_receipt_before_a_part_went_missing_on_the_way_is_refused(campus):
    site, center, _ = campus
    registered_server(site)
    lifecycle.transition("SRV-1", to=Status.DECOMMISSIONED, occurred_at=hours(1), source=Source.API)
    shipment = custody.ship(assets=["SRV-1"], from_site=site, to_center=center, shipped_at=hours(2), source=Source.API)
    lifecycle.transition("SRV-1", to=Status.MISSING, occurred_at=hours(5), source=Source.API)
    lifecycle.transition("SRV-1", to=Status.IN_TRANSIT, occurred_at=hours(6), source=Source.API)  # found again
    with pytest.raises(BatchRefused) as refused:
        custody.receive(shipment=shipment, received_at=hours(4), source=Source.API)
    assert refused.value.errors[0].latest == hours(6)
    shipment.refresh_from_db()
    assert shipment.received_at is None
    custody.receive(shipment=shipment, received_at=hours(7), source=Source.API)
    all_invariants_hold()


def test_a_disposition_before_the_arrival_is_refused_and_writes_no_row(campus):
    site, center, _ = campus
    server, drive = registered_server(site)
    lifecycle.transition("SRV-1", to=Status.DECOMMISSIONED, occurred_at=hours(1), source=Source.API)
    lifecycle.transition("SRV-1", to=Status.AT_CIRCULAR_CENTER, center=center, occurred_at=hours(8), source=Source.API)
    SanitizationFactory(asset=drive, performed_at=hours(8))
    with pytest.raises(EventOutOfOrder) as refused:
        dispositions.record_disposition(
            asset="SRV-1", center=center, route="recycle", decided_at=hours(7), source=Source.API
        )
    assert refused.value.latest == hours(8)
    assert not Disposition.objects.exists()
    dispositions.record_disposition(
        asset="SRV-1", center=center, route="recycle", decided_at=hours(9), source=Source.API
    )
    all_invariants_hold()


def test_reuse_cycles_keep_history_and_dispositions_consistent(campus):
    site, center, _ = campus
    server, drive = registered_server(site)
    moment = 0
    for route in ("reuse", "reuse", "resale"):
        lifecycle.transition("SRV-1", to=Status.DECOMMISSIONED, occurred_at=hours(moment + 1), source=Source.API)
        lifecycle.transition(
            "SRV-1", to=Status.AT_CIRCULAR_CENTER, center=center, occurred_at=hours(moment + 2), source=Source.API
        )
        SanitizationFactory(asset=drive, performed_at=hours(moment + 2))
        dispositions.record_disposition(
            asset="SRV-1",
            center=center,
            route=route,
            decided_at=hours(moment + 3),
            to_site=site if route == "reuse" else None,
            source=Source.API,
        )
        moment += 3
    assert Disposition.objects.count() == 6
    assert Asset.objects.get(serial_number="SRV-1").status == Status.RESOLD
    all_invariants_hold()


BAD = [
    pytest.param(dt.datetime(2022, 1, 1), "has no time zone", id="naive"),
    pytest.param(dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=14))), "before 1990", id="1 BC in UTC"),
    pytest.param(dt.datetime(1989, 12, 31, tzinfo=dt.UTC), "before 1990", id="1989"),
    pytest.param(dt.datetime(2999, 1, 1, tzinfo=dt.UTC), "in the future", id="future"),
]


@pytest.mark.parametrize(("moment", "reason"), BAD)
def test_every_circularity_service_refuses_what_is_not_a_moment_naming_its_field(campus, moment, reason):
    site, center, _ = campus
    AssetFactory(serial_number="DECOM", site=site, status=Status.DECOMMISSIONED)
    AssetFactory(serial_number="AT-CC", site=site, status=Status.AT_CIRCULAR_CENTER, center=center)
    drive = AssetFactory(serial_number="SSD", site=site, status=Status.DEPLOYED)
    shipment = Shipment.objects.create(from_site=site, to_center=center, shipped_at=T0)
    shipment.assets.set([AssetFactory(site=site, status=Status.IN_TRANSIT)])
    calls = {
        "shipped_at": lambda: custody.ship(
            assets=["DECOM"], from_site=site, to_center=center, shipped_at=moment, source=Source.API
        ),
        "received_at": lambda: custody.receive(shipment=shipment, received_at=moment, source=Source.API),
        "decided_at": lambda: dispositions.record_disposition(
            asset="AT-CC", center=center, route="recycle", decided_at=moment, source=Source.API
        ),
        "performed_at": lambda: dispositions.record_sanitization(
            asset=drive, method="purge", performed_at=moment, performed_by="Tech", verified=False
        ),
    }
    for field, call in calls.items():
        with pytest.raises(MomentRefused) as refused:
            call()
        assert refused.value.field == field and reason in refused.value.sentence
    assert not LifecycleEvent.objects.exists()
    assert not (Disposition.objects.exists() or SanitizationRecord.objects.exists())
    assert Shipment.objects.count() == 1
