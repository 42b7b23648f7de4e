"""History never contradicts state (SPEC section 2 "Time"), in the inventory's services.

An asset's history is ordered by (occurred_at, recording order) and its status is the last
event's ``to_status``: so an event earlier than the asset's latest event, or than the
latest event of the tree it moves with, is refused naming that moment; registration takes
the given ``deployed_at``; and every moment a service takes is judged by the one rule.
"""

import datetime as dt

import pytest

from inventory import lifecycle
from inventory.choices import Action, Category, Source, Status
from inventory.errors import BatchRefused, EventOutOfOrder, MomentRefused
from inventory.integrity import inventory_checks, run_checks
from inventory.lifecycle import TransitionRequest
from inventory.models import Asset, LifecycleEvent
from inventory.registration import register_assets
from tests.factories import AssetFactory, CircularCenterFactory, PartModelFactory, SiteFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2022, 1, 1, 12, tzinfo=dt.UTC)


def hours(n: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=n)


def register(serial, *, status=Status.DEPLOYED, parent=None, site=None, category=Category.SERVER, at=T0):
    asset = Asset(
        serial_number=serial,
        part_model=PartModelFactory(category=category),
        site=site or (parent.site if parent else SiteFactory(code="AMS05")),
        parent=parent,
        status=status,
        deployed_at=at,
    )
    register_assets([asset], source=Source.API)
    return asset


def nothing_breaks():
    """The inventory's invariants hold (``manage.py check_data``'s own checks)."""
    assert [v.detail for v in run_checks(inventory_checks())] == []


# --- registration -----------------------------------------------------------------------------


def test_an_asset_registered_with_deployed_at_is_registered_at_that_moment():
    register("SRV-1", at=T0)
    event = LifecycleEvent.objects.get()
    assert event.occurred_at == T0
    assert Asset.objects.get().last_event_at == T0


def test_an_asset_registered_without_a_moment_is_registered_now_and_nothing_earlier_can_follow():
    asset = Asset(serial_number="SRV-1", part_model=PartModelFactory(), site=SiteFactory(), status=Status.IN_STOCK)
    (event,) = register_assets([asset], source=Source.API)
    assert event.occurred_at > dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    with pytest.raises(EventOutOfOrder) as refused:
        lifecycle.transition("SRV-1", to=Status.DEPLOYED, occurred_at=T0, source=Source.API)
    assert refused.value.latest == event.occurred_at


@pytest.mark.parametrize("field", ["deployed_at", "occurred_at"])
def test_registration_refuses_what_is_not_a_moment_naming_the_field(field):
    asset = Asset(serial_number="SRV-1", part_model=PartModelFactory(), site=SiteFactory(), status=Status.DEPLOYED)
    kwargs = {}
    if field == "deployed_at":
        asset.deployed_at = dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=14)))
    else:
        kwargs["occurred_at"] = dt.datetime(2022, 1, 1)  # naive
    with pytest.raises(MomentRefused) as refused:
        register_assets([asset], source=Source.API, **kwargs)
    assert refused.value.field == field
    assert not Asset.objects.exists()


# --- transitions --------------------------------------------------------------------------------


def test_a_transition_earlier_than_the_assets_latest_event_is_refused_naming_that_moment():
    register("SRV-1", at=hours(0))
    lifecycle.transition("SRV-1", to=Status.DECOMMISSIONED, occurred_at=hours(10), source=Source.API)
    with pytest.raises(EventOutOfOrder) as refused:
        lifecycle.transition("SRV-1", to=Status.DEPLOYED, occurred_at=hours(5), source=Source.API)
    assert (refused.value.asset, refused.value.latest, refused.value.latest_asset) == ("SRV-1", hours(10), "SRV-1")
    assert "2022-01-01T22:00:00Z" in str(refused.value)
    assert refused.value.as_dict()["latest"] == "2022-01-01T22:00:00Z"
    assert Asset.objects.get().status == Status.DECOMMISSIONED
    assert LifecycleEvent.objects.count() == 2
    nothing_breaks()


def test_an_event_at_the_very_moment_of_the_latest_comes_after_it_in_recording_order():
    register("SRV-1", at=hours(0))
    lifecycle.transition("SRV-1", to=Status.DECOMMISSIONED, occurred_at=hours(1), source=Source.API)
    lifecycle.transition("SRV-1", to=Status.DEPLOYED, occurred_at=hours(1), source=Source.API)
    assert Asset.objects.get().status == Status.DEPLOYED
    nothing_breaks()


def test_a_cascade_counts_the_latest_event_of_every_part_it_moves():
    server = register("SRV-1", at=hours(0))
    register("CPU-1", parent=server, category=Category.CPU, at=hours(6))
    with pytest.raises(EventOutOfOrder) as refused:
        lifecycle.transition("SRV-1", to=Status.DECOMMISSIONED, occurred_at=hours(3), source=Source.API)
    assert (refused.value.latest, refused.value.latest_asset) == (hours(6), "CPU-1")
    assert "the latest event of its tree (CPU-1)" in str(refused.value)
    lifecycle.transition("SRV-1", to=Status.DECOMMISSIONED, occurred_at=hours(6), source=Source.API)
    nothing_breaks()


def test_a_batch_applies_in_order_and_refuses_an_item_earlier_than_one_before_it():
    register("SRV-1", at=hours(0))
    register("SRV-2", site=Asset.objects.get().site, at=hours(0))
    requests = [
        TransitionRequest("SRV-1", Status.DECOMMISSIONED, hours(5)),
        TransitionRequest("SRV-2", Status.DECOMMISSIONED, hours(1)),
        TransitionRequest("SRV-1", Status.DEPLOYED, hours(4)),
    ]
    with pytest.raises(BatchRefused) as refused:
        lifecycle.transition_many(requests, source=Source.API)
    assert list(refused.value.errors) == [2]
    assert isinstance(refused.value.errors[2], EventOutOfOrder)
    assert refused.value.errors[2].latest == hours(5)
    assert LifecycleEvent.objects.count() == 2  # the registrations only: all or nothing


def test_a_batch_at_many_moments_writes_each_trees_own_values():
    site = SiteFactory(code="AMS05")
    servers = [register(f"SRV-{n}", site=site, at=hours(0)) for n in range(3)]
    register("CPU-0", parent=servers[0], category=Category.CPU, at=hours(0))
    requests = [TransitionRequest(f"SRV-{n}", Status.DECOMMISSIONED, hours(n + 1)) for n in range(3)]
    requests.append(TransitionRequest("SRV-2", Status.MISSING, hours(9)))
    lifecycle.transition_many(requests, source=Source.API)
    rows = {
        serial: rest
        for serial, *rest in Asset.objects.values_list("serial_number", "status", "decommissioned_at", "last_event_at")
    }
    assert rows == {
        "SRV-0": [Status.DECOMMISSIONED, hours(1), hours(1)],
        "CPU-0": [Status.DECOMMISSIONED, hours(1), hours(1)],
        "SRV-1": [Status.DECOMMISSIONED, hours(2), hours(2)],
        "SRV-2": [Status.MISSING, hours(3), hours(9)],
    }
    nothing_breaks()


def test_a_batch_with_a_bad_moment_is_refused_before_anything_is_locked_or_written():
    register("SRV-1", at=hours(0))
    requests = [
        TransitionRequest("SRV-1", Status.DECOMMISSIONED, hours(5)),
        TransitionRequest("NOPE", Status.DECOMMISSIONED, dt.datetime(1989, 1, 1, tzinfo=dt.UTC)),
    ]
    with pytest.raises(BatchRefused) as refused:
        lifecycle.transition_many(requests, source=Source.API)
    assert list(refused.value.errors) == [1]
    assert refused.value.errors[1].field == "occurred_at"


# --- parts: install, remove, dismantle ----------------------------------------------------------


def test_install_counts_the_latest_event_of_both_trees():
    site = SiteFactory(code="AMS05")
    server = register("SRV-1", site=site, at=hours(0))
    register("DIMM-0", parent=server, category=Category.MEMORY, at=hours(8))
    register("DIMM-1", site=site, category=Category.MEMORY, at=hours(2))
    with pytest.raises(EventOutOfOrder) as refused:
        lifecycle.install("DIMM-1", parent="SRV-1", occurred_at=hours(4), source=Source.API)
    assert (refused.value.latest, refused.value.latest_asset) == (hours(8), "DIMM-0")
    lifecycle.install("DIMM-1", parent="SRV-1", occurred_at=hours(9), source=Source.API)
    assert Asset.objects.get(serial_number="SRV-1").last_event_at == hours(9)  # named as the parent
    nothing_breaks()


def test_removal_counts_the_latest_event_of_the_whole_tree():
    server = register("SRV-1", at=hours(0))
    register("DIMM-0", parent=server, category=Category.MEMORY, at=hours(0))
    register("DIMM-1", parent=server, category=Category.MEMORY, at=hours(7))
    with pytest.raises(EventOutOfOrder) as refused:
        lifecycle.remove("DIMM-0", occurred_at=hours(3), source=Source.API)
    assert refused.value.latest_asset == "DIMM-1"
    lifecycle.remove("DIMM-0", occurred_at=hours(7), source=Source.API)
    nothing_breaks()


def test_a_parent_cannot_move_before_a_part_left_it():
    server = register("SRV-1", at=hours(0))
    register("DIMM-0", parent=server, category=Category.MEMORY, at=hours(0))
    lifecycle.remove("DIMM-0", occurred_at=hours(5), source=Source.API)
    with pytest.raises(EventOutOfOrder):
        lifecycle.transition("SRV-1", to=Status.DECOMMISSIONED, occurred_at=hours(4), source=Source.API)


def test_dismantling_counts_the_tree_and_dates_the_chassis_with_it():
    site = SiteFactory(code="AMS05")
    center = CircularCenterFactory(code="AMS-CC", sites=[site])
    server = register("SRV-1", site=site, at=hours(0))
    register("SSD-1", parent=server, category=Category.SSD, at=hours(0))
    lifecycle.transition("SRV-1", to=Status.DECOMMISSIONED, occurred_at=hours(1), source=Source.API)
    lifecycle.transition("SRV-1", to=Status.AT_CIRCULAR_CENTER, center=center, occurred_at=hours(6), source=Source.API)
    with pytest.raises(EventOutOfOrder):
        lifecycle.dismantle("SRV-1", occurred_at=hours(2), source=Source.API)
    lifecycle.dismantle("SRV-1", occurred_at=hours(7), source=Source.API)
    assert set(Asset.objects.values_list("last_event_at", flat=True)) == {hours(7)}
    nothing_breaks()


# --- every service judges its moment by the one rule --------------------------------------------

BAD = [
    pytest.param(dt.datetime(2022, 1, 1), "has no time zone", id="naive"),
    pytest.param(dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=14))), "before 1990", id="1 BC in UTC"),
    pytest.param(dt.datetime(1989, 12, 31, tzinfo=dt.UTC), "before 1990", id="1989"),
    pytest.param(dt.datetime(2999, 1, 1, tzinfo=dt.UTC), "in the future", id="future"),
    pytest.param(None, "is not a date and time", id="none"),
]


@pytest.mark.parametrize(("moment", "reason"), BAD)
def test_every_lifecycle_service_refuses_what_is_not_a_moment_before_writing(moment, reason):
    site = SiteFactory(code="AMS05")
    center = CircularCenterFactory(code="AMS-CC", sites=[site])
    server = AssetFactory(serial_number="SRV-1", site=site, status=Status.AT_CIRCULAR_CENTER, center=center)
    AssetFactory(serial_number="SSD-1", site=site, status=Status.AT_CIRCULAR_CENTER, center=center, parent=server)
    AssetFactory(serial_number="SPARE", site=site, status=Status.AT_CIRCULAR_CENTER, center=center)
    calls = [
        lambda: lifecycle.transition("SRV-1", to=Status.MISSING, occurred_at=moment, source=Source.API),
        lambda: lifecycle.transition_many([TransitionRequest("SRV-1", Status.MISSING, moment)], source=Source.API),
        lambda: lifecycle.install("SPARE", parent="SRV-1", occurred_at=moment, source=Source.API),
        lambda: lifecycle.remove("SSD-1", occurred_at=moment, source=Source.API),
        lambda: lifecycle.dismantle("SRV-1", occurred_at=moment, source=Source.API),
    ]
    for call in calls:
        with pytest.raises((MomentRefused, BatchRefused)) as refused:
            call()
        error = refused.value.errors[0] if isinstance(refused.value, BatchRefused) else refused.value
        assert isinstance(error, MomentRefused) and error.field == "occurred_at"
        assert reason in error.sentence
    assert not LifecycleEvent.objects.exists()


def test_the_install_event_and_the_part_move_keep_the_history_readable():
    site = SiteFactory(code="AMS05")
    server = register("SRV-1", site=site, at=hours(0))
    register("DIMM-1", site=site, status=Status.IN_STOCK, category=Category.MEMORY, at=hours(1))
    lifecycle.install("DIMM-1", parent="SRV-1", occurred_at=hours(2), source=Source.API)
    actions = list(
        LifecycleEvent.objects.filter(asset__serial_number="DIMM-1").values_list("action", "to_status", "occurred_at")
    )
    assert actions == [
        (Action.TRANSITION, Status.IN_STOCK, hours(1)),
        (Action.TRANSITION, Status.DEPLOYED, hours(2)),
        (Action.INSTALL, Status.DEPLOYED, hours(2)),
    ]
    assert server.pk == Asset.objects.get(serial_number="DIMM-1").parent_id
    nothing_breaks()
