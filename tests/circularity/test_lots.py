"""Lots (SPEC section 9): one center, vendor and route; weight ticket against recorded mass."""

import datetime as dt
from decimal import Decimal

import pytest

from circularity import lots
from circularity.choices import Route
from circularity.errors import LotRefused
from circularity.metrics.lots import with_weights
from circularity.models import Lot, LotItem
from tests.circularity.custody_support import certified_vendor, dispositioned, lot_of
from tests.circularity.helpers import utc
from tests.factories import CircularCenterFactory, SiteFactory

pytestmark = pytest.mark.django_db
WHEN = utc(2024, 6, 3, 9)


@pytest.fixture
def center():
    return CircularCenterFactory(code="AMS-CC", sites=[SiteFactory(code="AMS05")], onsite_routes=[])


@pytest.fixture
def vendor():
    return certified_vendor()


def weighed(lot):
    return with_weights(Lot.objects.filter(pk=lot.pk)).get()


@pytest.mark.parametrize(
    "gross, outside",
    [("115", False), ("115.001", True), ("105", False), ("104.999", True)],
    ids=["5%-over", "just-over", "5%-under", "just-under"],
)
def test_a_lot_is_flagged_only_beyond_the_weight_tolerance(center, vendor, gross, outside):
    rows = dispositioned(center, vendor, [40, 60], WHEN)  # 100 kg recorded; tare 10 kg
    lot = weighed(lot_of(center, vendor, rows, gross=gross))
    assert lot.recorded_kg == Decimal("100")
    assert lot.net_kg_ == Decimal(gross) - 10
    assert lot.outside_tolerance is outside


def test_the_tolerance_is_a_setting(center, vendor, settings):
    settings.LOT_WEIGHT_TOLERANCE = Decimal("0.10")
    rows = dispositioned(center, vendor, [100], WHEN)
    assert weighed(lot_of(center, vendor, rows, gross="119")).outside_tolerance is False


def test_a_lot_with_nothing_recorded_is_flagged_when_the_scale_reads_anything(center, vendor):
    lot = lots.lot_create(
        code="EMPTY",
        center=center,
        vendor=vendor,
        route=Route.RECYCLE,
        shipped_at=WHEN,
        gross_kg=Decimal("12"),
        tare_kg=Decimal("10"),
    )
    assert weighed(lot).outside_tolerance is True


def test_a_lot_refuses_a_disposition_of_another_route_vendor_or_center_and_writes_nothing(center, vendor):
    other_vendor = certified_vendor(code="OTHER")
    other_center = CircularCenterFactory(code="DUB-CC", sites=[SiteFactory(code="DUB07")], onsite_routes=[])
    ours = dispositioned(center, vendor, [10], WHEN)
    theirs = dispositioned(center, other_vendor, [10], WHEN)
    elsewhere = dispositioned(other_center, vendor, [10], WHEN)
    for intruder in (theirs, elsewhere):
        with pytest.raises(LotRefused) as refused:
            lot_of(center, vendor, ours + intruder, gross="30", code=f"LOT-{intruder[0].pk}")
        assert refused.value.dispositions == [intruder[0].pk]
        assert "one center, vendor and route (AMS-CC, RECYCLER, recycle)" in refused.value.reason
    assert not Lot.objects.exists() and not LotItem.objects.exists()


def test_a_disposition_travels_in_one_lot_only(center, vendor):
    rows = dispositioned(center, vendor, [10], WHEN)
    lot_of(center, vendor, rows, gross="20")
    with pytest.raises(LotRefused, match="in a lot already"):
        lot_of(center, vendor, rows, gross="20", code="LOT-2")


def test_a_disposition_decided_after_the_lot_shipped_is_refused(center, vendor):
    rows = dispositioned(center, vendor, [10], WHEN)
    with pytest.raises(LotRefused, match="decided after the lot shipped"):
        lot_of(center, vendor, rows, gross="20", shipped=WHEN - dt.timedelta(hours=1))


def test_a_lot_goes_to_a_vendor_that_takes_its_route(center, vendor):
    with pytest.raises(LotRefused, match="does not take resale"):
        lot_of(center, vendor, [], gross="20", route=Route.RESALE, shipped=WHEN)
