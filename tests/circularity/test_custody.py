"""Shipments: decommissioned assets go in transit, and arrive at the center (with their parts)."""

import datetime as dt

import pytest

from circularity import custody
from circularity.errors import CustodyRefused
from inventory import lifecycle
from inventory.choices import Action, Source, Status
from inventory.errors import AssetNotFound, BatchRefused
from inventory.models import LifecycleEvent
from tests.circularity.helpers import campus, utc
from tests.factories import AssetFactory, SiteFactory

pytestmark = pytest.mark.django_db
SHIPPED = utc(2022, 3, 1, 9)
RECEIVED = utc(2022, 3, 3, 15)


@pytest.fixture
def decommissioned():
    site, center = campus()
    server = AssetFactory(status=Status.DECOMMISSIONED, site=site)
    part = AssetFactory(status=Status.DECOMMISSIONED, site=site, parent=server)
    return site, center, server, part


def test_ship_then_receive_moves_the_tree_with_one_event_per_asset(decommissioned):
    site, center, server, part = decommissioned
    shipment = custody.ship(
        assets=[server.serial_number],
        from_site=site,
        to_center=center,
        shipped_at=SHIPPED,
        source=Source.ADMIN,
        tracking_ref="TRK-1",
    )
    part.refresh_from_db()
    assert part.status == Status.IN_TRANSIT
    custody.receive(shipment=shipment, received_at=RECEIVED, source=Source.ADMIN)
    for asset in (server, part):
        asset.refresh_from_db()
        assert (asset.status, asset.center) == (Status.AT_CIRCULAR_CENTER, center)
        assert list(asset.events.values_list("to_status", "location")) == [
            (Status.IN_TRANSIT, site.code),
            (Status.AT_CIRCULAR_CENTER, center.code),
        ]
    shipment.refresh_from_db()
    assert shipment.received_at == RECEIVED and list(shipment.assets.all()) == [server]


def test_a_shipment_is_received_once(decommissioned):
    site, center, server, _ = decommissioned
    shipment = custody.ship(assets=[server], from_site=site, to_center=center, shipped_at=SHIPPED, source=Source.API)
    custody.receive(shipment=shipment, received_at=RECEIVED, source=Source.API)
    with pytest.raises(CustodyRefused, match="already received"):
        custody.receive(shipment=shipment, received_at=RECEIVED, source=Source.API)


def test_assets_lost_on_the_way_stay_missing(decommissioned):
    site, center, server, _ = decommissioned
    other = AssetFactory(status=Status.DECOMMISSIONED, site=site)
    shipment = custody.ship(
        assets=[server, other], from_site=site, to_center=center, shipped_at=SHIPPED, source=Source.API
    )
    lifecycle.transition(other, to=Status.MISSING, occurred_at=SHIPPED + dt.timedelta(days=1), source=Source.API)
    custody.receive(shipment=shipment, received_at=RECEIVED, source=Source.API)
    other.refresh_from_db()
    assert other.status == Status.MISSING


def test_ship_refuses_assets_from_another_site_and_writes_nothing(decommissioned):
    site, center, server, _ = decommissioned
    stranger = AssetFactory(status=Status.DECOMMISSIONED, site=SiteFactory())
    with pytest.raises(CustodyRefused, match=stranger.serial_number):
        custody.ship(assets=[server, stranger], from_site=site, to_center=center, shipped_at=SHIPPED, source=Source.API)
    assert not LifecycleEvent.objects.exists()


def test_ship_refuses_assets_that_are_not_decommissioned(decommissioned):
    site, center, server, _ = decommissioned
    deployed = AssetFactory(status=Status.DEPLOYED, site=site)
    with pytest.raises(BatchRefused) as refused:
        custody.ship(assets=[server, deployed], from_site=site, to_center=center, shipped_at=SHIPPED, source=Source.API)
    (error,) = refused.value.errors.values()
    assert error.asset == deployed.serial_number
    server.refresh_from_db()
    assert server.status == Status.DECOMMISSIONED


def test_ship_refuses_unknown_serials_and_empty_shipments(decommissioned):
    site, center, _, _ = decommissioned
    with pytest.raises(AssetNotFound):
        custody.ship(assets=["NOPE"], from_site=site, to_center=center, shipped_at=SHIPPED, source=Source.API)
    with pytest.raises(CustodyRefused, match="at least one"):
        custody.ship(assets=[], from_site=site, to_center=center, shipped_at=SHIPPED, source=Source.API)


def test_receipt_before_shipping_is_refused(decommissioned):
    site, center, server, _ = decommissioned
    shipment = custody.ship(assets=[server], from_site=site, to_center=center, shipped_at=SHIPPED, source=Source.API)
    with pytest.raises(CustodyRefused, match="before it was shipped"):
        custody.receive(shipment=shipment, received_at=SHIPPED - dt.timedelta(days=1), source=Source.API)
    assert not LifecycleEvent.objects.filter(action=Action.TRANSITION, to_status=Status.AT_CIRCULAR_CENTER).exists()
