"""The transition table of SPEC section 2, pair by pair, and the rules around it."""

import datetime as dt

import pytest

from inventory import lifecycle
from inventory.choices import Action, Category, Source, Status
from inventory.errors import AssetNotFound, BatchRefused, MomentRefused, PartMoveRefused, TransitionRefused
from inventory.lifecycle import ALLOWED, TransitionRequest
from inventory.models import Asset, LifecycleEvent
from tests.factories import AssetFactory, CircularCenterFactory, PartModelFactory, SiteFactory

pytestmark = pytest.mark.django_db

ORDINARY_STATES = [s for s in Status.values if s != Status.MISSING]
ALLOWED_PAIRS = [(frm, to) for frm in ORDINARY_STATES for to in sorted(ALLOWED[frm])]
REFUSED_PAIRS = [(frm, to) for frm in ORDINARY_STATES for to in Status.values if to not in ALLOWED[frm]]


def make_asset(status, **kwargs):
    site = kwargs.pop("site", None) or SiteFactory()
    center = None
    if status == Status.AT_CIRCULAR_CENTER:
        center = CircularCenterFactory(sites=[site])
    return AssetFactory(status=status, site=site, center=center, **kwargs)


def target_kwargs(asset, to):
    """What a caller must name for ``to``: the center on the asset's campus."""
    if to == Status.AT_CIRCULAR_CENTER:
        return {"center": asset.center or CircularCenterFactory(sites=[asset.site])}
    return {}


def test_the_table_is_the_spec():
    assert ALLOWED == {
        "in_stock": {"deployed", "decommissioned", "missing"},
        "deployed": {"decommissioned", "missing"},
        "decommissioned": {"in_transit", "at_circular_center", "deployed", "missing"},
        "in_transit": {"at_circular_center", "missing"},
        "at_circular_center": {"missing"},
        "missing": set(),
        "resold": set(),
        "recycled": set(),
        "disposed": set(),
    }


@pytest.mark.parametrize(("frm", "to"), ALLOWED_PAIRS)
def test_allowed_transition_changes_state_and_writes_one_event(frm, to, when):
    asset = make_asset(frm)
    events = lifecycle.transition(asset, to=to, occurred_at=when, source=Source.API, **target_kwargs(asset, to))
    asset.refresh_from_db()
    assert asset.status == to
    assert len(events) == 1
    event = LifecycleEvent.objects.get(asset=asset)
    assert (event.action, event.from_status, event.to_status) == (Action.TRANSITION, frm, to)
    assert event.occurred_at == when and event.source == Source.API


@pytest.mark.parametrize(("frm", "to"), REFUSED_PAIRS)
def test_refused_transition_names_asset_state_and_allowed_and_writes_nothing(frm, to, when):
    asset = make_asset(frm)
    with pytest.raises(TransitionRefused) as refused:
        lifecycle.transition(asset, to=to, occurred_at=when, source=Source.ADMIN, **target_kwargs(asset, to))
    error = refused.value
    assert (error.asset, error.current, error.requested) == (asset.serial_number, frm, to)
    assert error.allowed == sorted(ALLOWED[frm])
    assert asset.serial_number in str(error) and frm in str(error)
    asset.refresh_from_db()
    assert asset.status == frm
    assert not LifecycleEvent.objects.exists()


@pytest.mark.parametrize(
    "before", [Status.IN_STOCK, Status.DEPLOYED, Status.DECOMMISSIONED, Status.IN_TRANSIT, Status.AT_CIRCULAR_CENTER]
)
def test_missing_asset_found_again_returns_to_the_state_it_left(before, when):
    asset = make_asset(before)
    lifecycle.transition(asset, to=Status.MISSING, occurred_at=when, source=Source.ADMIN)
    others = [s for s in Status.values if s not in (before, Status.MISSING)]
    for other in others:
        with pytest.raises(TransitionRefused) as refused:
            lifecycle.transition(asset, to=other, occurred_at=when, source=Source.ADMIN, **target_kwargs(asset, other))
        assert refused.value.allowed == [before]
    lifecycle.transition(asset, to=before, occurred_at=when + dt.timedelta(days=1), source=Source.ADMIN)
    asset.refresh_from_db()
    assert asset.status == before
    assert list(asset.events.values_list("to_status", flat=True)) == [Status.MISSING, before]


def test_leaving_a_circular_center_needs_a_disposition(when):
    asset = make_asset(Status.AT_CIRCULAR_CENTER)
    with pytest.raises(TransitionRefused, match="only by a disposition"):
        lifecycle.transition(asset, to=Status.RECYCLED, occurred_at=when, source=Source.API)
    lifecycle.transition(asset, to=Status.RECYCLED, occurred_at=when, source=Source.JOB, disposition=True)
    asset.refresh_from_db()
    assert asset.status == Status.RECYCLED


def test_arriving_at_a_center_from_a_site_needs_a_center_on_the_same_campus(when):
    asset = make_asset(Status.DECOMMISSIONED)
    elsewhere = CircularCenterFactory(sites=[SiteFactory()])
    with pytest.raises(TransitionRefused, match="does not serve site"):
        lifecycle.transition(asset, to=Status.AT_CIRCULAR_CENTER, center=elsewhere, occurred_at=when, source=Source.API)
    with pytest.raises(TransitionRefused, match="name the circular center"):
        lifecycle.transition(asset, to=Status.AT_CIRCULAR_CENTER, occurred_at=when, source=Source.API)


def test_in_transit_asset_may_arrive_at_any_center(when):
    asset = make_asset(Status.IN_TRANSIT)
    far_away = CircularCenterFactory(sites=[SiteFactory()])
    lifecycle.transition(asset, to=Status.AT_CIRCULAR_CENTER, center=far_away, occurred_at=when, source=Source.API)
    asset.refresh_from_db()
    assert asset.center == far_away
    assert asset.events.get().location == far_away.code


def test_timestamps_follow_the_lifecycle(when):
    asset = make_asset(Status.IN_STOCK, deployed_at=None)
    lifecycle.transition(asset, to=Status.DEPLOYED, occurred_at=when, source=Source.API)
    later = when + dt.timedelta(days=400)
    lifecycle.transition(asset, to=Status.DECOMMISSIONED, occurred_at=later, source=Source.API)
    asset.refresh_from_db()
    assert (asset.deployed_at, asset.decommissioned_at) == (when, later)
    lifecycle.transition(asset, to=Status.DEPLOYED, occurred_at=later, source=Source.API, note="undo")
    asset.refresh_from_db()
    assert asset.decommissioned_at is None


def test_naive_or_future_times_are_refused(when):
    asset = make_asset(Status.DEPLOYED)
    with pytest.raises(MomentRefused, match="time zone"):
        lifecycle.transition(asset, to=Status.DECOMMISSIONED, occurred_at=when.replace(tzinfo=None), source=Source.API)
    with pytest.raises(MomentRefused, match="in the future"):
        lifecycle.transition(
            asset, to=Status.DECOMMISSIONED, occurred_at=dt.datetime(2999, 1, 1, tzinfo=dt.UTC), source=Source.API
        )


def test_unknown_serial_number_is_reported(when):
    with pytest.raises(AssetNotFound, match="NOPE"):
        lifecycle.transition("NOPE", to=Status.DEPLOYED, occurred_at=when, source=Source.API)


def build_server(status=Status.DEPLOYED, components=(Category.CPU, Category.MEMORY, Category.SSD)):
    server = make_asset(status, part_model=PartModelFactory(category=Category.SERVER))
    parts = [
        AssetFactory(
            status=status,
            site=server.site,
            center=server.center,
            parent=server,
            part_model=PartModelFactory(category=category),
        )
        for category in components
    ]
    return server, parts


def test_decommissioning_a_server_moves_everything_installed_in_it(when):
    server, parts = build_server()
    nested = AssetFactory(status=Status.DEPLOYED, site=server.site, parent=parts[0])
    events = lifecycle.transition(
        server, to=Status.DECOMMISSIONED, occurred_at=when, source=Source.API, external_id="ticket-1"
    )
    assert len(events) == 5
    assert set(Asset.objects.values_list("status", flat=True)) == {Status.DECOMMISSIONED}
    for asset in [server, *parts, nested]:
        event = asset.events.get()
        assert (event.from_status, event.to_status) == (Status.DEPLOYED, Status.DECOMMISSIONED)
    # The integrating system's key is kept once, on the asset it named.
    assert LifecycleEvent.objects.get(external_id="ticket-1").asset == server


def test_a_component_moves_with_its_parent_not_on_its_own(when):
    server, parts = build_server()
    with pytest.raises(TransitionRefused, match=f"installed in {server.serial_number}"):
        lifecycle.transition(parts[0], to=Status.DECOMMISSIONED, occurred_at=when, source=Source.API)


def test_batch_applies_in_order_or_not_at_all(when):
    a, b = make_asset(Status.DEPLOYED), make_asset(Status.DEPLOYED)
    center = CircularCenterFactory(sites=[a.site])
    lifecycle.transition_many(
        [
            TransitionRequest(a, Status.DECOMMISSIONED, when),
            TransitionRequest(a, Status.AT_CIRCULAR_CENTER, when, center=center),
            TransitionRequest(b, Status.DECOMMISSIONED, when),
        ],
        source=Source.API,
    )
    a.refresh_from_db()
    assert a.status == Status.AT_CIRCULAR_CENTER and a.center == center
    with pytest.raises(BatchRefused) as refused:
        lifecycle.transition_many(
            [
                TransitionRequest(b, Status.IN_TRANSIT, when),
                TransitionRequest(a, Status.DEPLOYED, when),
                TransitionRequest("GHOST", Status.DEPLOYED, when),
            ],
            source=Source.API,
        )
    assert set(refused.value.errors) == {1, 2}
    b.refresh_from_db()
    assert b.status == Status.DECOMMISSIONED  # item 0 was fine, but the batch wrote nothing
    assert LifecycleEvent.objects.count() == 3


def test_remove_and_install_a_part_at_the_same_site(when):
    server, parts = build_server()
    other, _ = build_server(components=())
    other.site = server.site
    other.save()
    lifecycle.remove(parts[0], occurred_at=when, source=Source.ADMIN)
    parts[0].refresh_from_db()
    assert parts[0].parent is None and parts[0].status == Status.DEPLOYED
    lifecycle.install(parts[0], parent=other, occurred_at=when, source=Source.ADMIN)
    parts[0].refresh_from_db()
    assert parts[0].parent == other
    actions = list(parts[0].events.values_list("action", "parent__serial_number"))
    assert actions == [(Action.REMOVE, server.serial_number), (Action.INSTALL, other.serial_number)]


def test_a_spare_installed_in_a_deployed_server_is_deployed_with_it(when):
    server, _ = build_server(components=())
    spare = make_asset(Status.IN_STOCK, site=server.site)
    lifecycle.install(spare, parent=server, occurred_at=when, source=Source.ADMIN)
    spare.refresh_from_db()
    assert spare.status == Status.DEPLOYED and spare.parent == server
    assert list(spare.events.values_list("action", flat=True)) == [Action.TRANSITION, Action.INSTALL]


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("other_site", "is at"),
        ("loop", "loop"),
        ("in_transit", "parts move only"),
        ("already_installed", "remove it first"),
        ("itself", "in itself"),
    ],
)
def test_install_refusals(case, message, when):
    server, parts = build_server()
    part = make_asset(Status.DEPLOYED, site=server.site)
    parent = server
    if case == "other_site":
        part = make_asset(Status.DEPLOYED)
    elif case == "loop":
        part, parent = server, parts[0]
    elif case == "in_transit":
        part = make_asset(Status.IN_TRANSIT, site=server.site)
    elif case == "already_installed":
        part = parts[1]
    elif case == "itself":
        parent = part
    with pytest.raises(PartMoveRefused, match=message):
        lifecycle.install(part, parent=parent, occurred_at=when, source=Source.ADMIN)
    assert not LifecycleEvent.objects.exists()


def test_remove_refuses_a_top_level_asset(when):
    asset = make_asset(Status.DEPLOYED)
    with pytest.raises(PartMoveRefused, match="not installed"):
        lifecycle.remove(asset, occurred_at=when, source=Source.ADMIN)


def test_dismantle_at_a_center_frees_every_part(when):
    server, parts = build_server(status=Status.AT_CIRCULAR_CENTER)
    nested = AssetFactory(status=Status.AT_CIRCULAR_CENTER, site=server.site, center=server.center, parent=parts[0])
    events = lifecycle.dismantle(server, occurred_at=when, source=Source.ADMIN)
    assert len(events) == 4
    assert not Asset.objects.filter(parent__isnull=False).exists()
    assert set(Asset.objects.values_list("status", flat=True)) == {Status.AT_CIRCULAR_CENTER}
    assert nested.events.get().parent == parts[0]


def test_dismantle_only_at_a_center(when):
    server, _ = build_server(status=Status.DECOMMISSIONED)
    with pytest.raises(PartMoveRefused, match="only an asset at a circular center"):
        lifecycle.dismantle(server, occurred_at=when, source=Source.ADMIN)


def test_a_data_hall_burst_writes_every_event_with_its_id(when):
    """Hundreds of cascaded events in one batch (written by COPY on PostgreSQL)."""
    site = SiteFactory()
    servers = []
    for _ in range(30):
        server = AssetFactory(status=Status.DEPLOYED, site=site)
        for _ in range(19):
            AssetFactory(status=Status.DEPLOYED, site=site, parent=server)
        servers.append(server)
    requests = [
        TransitionRequest(s.serial_number, Status.DECOMMISSIONED, when, external_id=f"x-{s.pk}") for s in servers
    ]
    events = lifecycle.transition_many(requests, source=Source.API)
    assert len(events) == 600 == LifecycleEvent.objects.count()
    assert len({e.pk for e in events}) == 600 and all(e.pk for e in events)
    stored = LifecycleEvent.objects.get(pk=events[0].pk)
    assert (stored.asset_id, stored.to_status, stored.location, stored.external_id) == (
        servers[0].pk,
        Status.DECOMMISSIONED,
        site.code,
        f"x-{servers[0].pk}",
    )
    assert stored.recorded_at is not None
    assert set(Asset.objects.values_list("status", flat=True)) == {Status.DECOMMISSIONED}
    # The events read back as saved models, by index, slice and iteration, and their keys
    # without building them; all agree with the table.
    assert lifecycle.event_keys(events) == list(LifecycleEvent.objects.order_by("pk").values_list("pk", "asset_id"))
    assert [e.pk for e in events[-2:]] == [e.pk for e in list(events)[-2:]]
    assert events[599]._state.adding is False and events[599].asset_id == events[599].asset.pk


def test_an_external_id_is_applied_once(when):
    from django.db import IntegrityError

    a, b = make_asset(Status.DEPLOYED), make_asset(Status.DEPLOYED)
    lifecycle.transition(a, to=Status.DECOMMISSIONED, occurred_at=when, source=Source.API, external_id="k-1")
    with pytest.raises(IntegrityError):
        lifecycle.transition(b, to=Status.DECOMMISSIONED, occurred_at=when, source=Source.API, external_id="k-1")
    b.refresh_from_db()
    assert b.status == Status.DEPLOYED
