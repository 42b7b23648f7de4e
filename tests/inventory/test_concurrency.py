"""Two writers on one asset (PostgreSQL): exactly one wins, the history stays consistent."""

import pytest

from inventory import lifecycle
from inventory.choices import Source, Status
from inventory.errors import TransitionRefused
from inventory.models import Asset, LifecycleEvent
from tests.concurrency import race
from tests.factories import AssetFactory, PartModelFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("attempt", range(5))
def test_conflicting_transitions_on_one_asset_one_wins(attempt, when):
    server = AssetFactory(status=Status.DECOMMISSIONED)
    parts = [AssetFactory(status=Status.DECOMMISSIONED, site=server.site, parent=server) for _ in range(3)]

    def ship():
        return lifecycle.transition(server.serial_number, to=Status.IN_TRANSIT, occurred_at=when, source=Source.API)

    def undo():
        return lifecycle.transition(server.serial_number, to=Status.DEPLOYED, occurred_at=when, source=Source.ADMIN)

    results, errors = race(ship, undo)
    assert sum(r is not None for r in results) == 1
    refused = [e for e in errors if e is not None]
    assert len(refused) == 1 and isinstance(refused[0], TransitionRefused)
    # The winner's state holds for the whole tree, and each asset's history is one step.
    final = {a.status for a in Asset.objects.filter(pk__in=[server.pk, *(p.pk for p in parts)])}
    assert len(final) == 1
    (state,) = final
    for asset in [server, *parts]:
        assert list(LifecycleEvent.objects.filter(asset=asset).values_list("from_status", "to_status")) == [
            (Status.DECOMMISSIONED, state)
        ]


def test_batches_over_the_same_assets_in_opposite_orders_do_not_deadlock(when):
    model = PartModelFactory()
    assets = [AssetFactory(status=Status.DEPLOYED, part_model=model) for _ in range(20)]
    serials = [a.serial_number for a in assets]

    def forward():
        return lifecycle.transition_many(
            [lifecycle.TransitionRequest(s, Status.MISSING, when) for s in serials], source=Source.API
        )

    def backward():
        return lifecycle.transition_many(
            [lifecycle.TransitionRequest(s, Status.DECOMMISSIONED, when) for s in reversed(serials)],
            source=Source.API,
        )

    results, errors = race(forward, backward)
    # Locks are taken in primary-key order whatever the batch order, so neither deadlocks: the
    # second batch runs after the first and is applied or refused whole.
    assert any(r is not None for r in results)
    assert all(e is None or isinstance(e, lifecycle.BatchRefused) for e in errors)
    statuses = set(Asset.objects.values_list("status", flat=True))
    assert len(statuses) == 1


@pytest.mark.parametrize("attempt", range(3))
def test_taking_a_part_out_while_its_server_is_decommissioned_keeps_one_history(attempt, when):
    """The part is either decommissioned with its server and then removed, or removed first and
    left deployed: never written by both at once (a tree is locked by its top)."""
    server = AssetFactory(status=Status.DEPLOYED)
    part = AssetFactory(status=Status.DEPLOYED, site=server.site, parent=server)

    def decommission():
        return lifecycle.transition(server.serial_number, to=Status.DECOMMISSIONED, occurred_at=when, source=Source.API)

    def take_out():
        return lifecycle.remove(part.serial_number, occurred_at=when, source=Source.ADMIN)

    results, errors = race(decommission, take_out)
    assert errors == [None, None]
    part.refresh_from_db()
    events = LifecycleEvent.objects.filter(asset=part).order_by("recorded_at", "id")
    history = list(events.values_list("action", "from_status", "to_status"))
    for (_, _, before), (_, after, _) in zip(history, history[1:], strict=False):
        assert before == after  # each event starts where the previous one ended
    # Once out of the server, the part is no longer moved by the server's cascade.
    assert history[-1][0] == "remove"
    assert part.parent_id is None
    assert part.status == history[-1][2]
