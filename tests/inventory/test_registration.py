"""Registering new assets: the first event of every history, and the guard on how assets start."""

import pytest

from inventory.choices import Action, Source, Status
from inventory.errors import TransitionRefused
from inventory.models import Asset, LifecycleEvent
from inventory.registration import register_assets
from tests.factories import AssetFactory, PartModelFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db


def new_asset(serial, **kwargs):
    kwargs.setdefault("site", SiteFactory(code="AMS05"))
    kwargs.setdefault("part_model", PartModelFactory())
    return Asset(serial_number=serial, **kwargs)


def test_registering_writes_each_asset_and_one_event_for_it(when):
    user = UserFactory()
    assets = [new_asset("A", status=Status.IN_STOCK), new_asset("B", status=Status.DEPLOYED)]
    events = register_assets(assets, source=Source.ADMIN, actor=user, occurred_at=when, notes=["one", "two"])
    assert all(asset.pk for asset in assets)
    assert [(e.asset.serial_number, e.action, e.from_status, e.to_status, e.note) for e in events] == [
        ("A", Action.TRANSITION, Status.IN_STOCK, Status.IN_STOCK, "one"),
        ("B", Action.TRANSITION, Status.DEPLOYED, Status.DEPLOYED, "two"),
    ]
    assert LifecycleEvent.objects.filter(occurred_at=when, actor=user, location="AMS05").count() == 2


@pytest.mark.parametrize("status", [Status.DECOMMISSIONED, Status.AT_CIRCULAR_CENTER, Status.RECYCLED])
def test_a_new_asset_cannot_start_past_deployment(status):
    with pytest.raises(TransitionRefused, match="enters the fleet in stock or deployed"):
        register_assets([new_asset("A", status=status)], source=Source.ADMIN)
    assert not Asset.objects.exists()


def test_a_new_component_shares_its_parents_state_and_site():
    site = SiteFactory(code="AMS05")
    server = AssetFactory(serial_number="SRV", site=site, status=Status.DEPLOYED)
    with pytest.raises(TransitionRefused, match="shares its parent's state and site"):
        register_assets([new_asset("SSD", site=site, parent=server, status=Status.IN_STOCK)], source=Source.IMPORT)
    with pytest.raises(TransitionRefused, match="shares its parent's state and site"):
        register_assets(
            [new_asset("SSD", site=SiteFactory(code="DUB01"), parent=server, status=Status.DEPLOYED)],
            source=Source.IMPORT,
        )
    register_assets([new_asset("SSD", site=site, parent=server, status=Status.DEPLOYED)], source=Source.IMPORT)
    assert Asset.objects.get(serial_number="SSD").parent == server
