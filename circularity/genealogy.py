"""A part's genealogy (SPEC section 9): the parents it was installed in, and its lives.

Read from the append-only history alone: each ``install`` event opens an installation
(the parent, the moment in), the next ``remove`` event closes it (the moment out). A part
registered already installed in its parent has no ``install`` event: that installation
starts with the part's first event. *Lives* are the custody cycles that ended in
``reuse``: the part's own ``reuse`` dispositions (as a part of a tree or on its own).
Three queries, whatever the length of the history.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from inventory.choices import Action
from inventory.models import Asset, LifecycleEvent

from .choices import Route
from .models import Disposition


class Installation(NamedTuple):
    parent: str
    installed_at: dt.datetime
    removed_at: dt.datetime | None


class Genealogy(NamedTuple):
    lives: int
    installations: list[Installation]


def genealogy(asset: Asset) -> Genealogy:
    moves = (
        LifecycleEvent.objects.filter(asset=asset, action__in=[Action.INSTALL, Action.REMOVE])
        .order_by("occurred_at", "id")
        .values_list("action", "parent__serial_number", "occurred_at")
    )
    installations: list[Installation] = []
    open_one: tuple[str, dt.datetime] | None = None
    for action, parent, moment in moves:
        if action == Action.INSTALL:
            open_one = (parent, moment)
            continue
        if open_one is None and not installations:  # registered inside this parent
            open_one = (parent, _first_moment(asset))
        if open_one is not None:
            installations.append(Installation(open_one[0], open_one[1], moment))
            open_one = None
    if open_one is not None:
        installations.append(Installation(open_one[0], open_one[1], None))
    elif not installations and asset.parent_id is not None:  # registered inside, never moved
        parent = Asset.objects.filter(pk=asset.parent_id).values_list("serial_number", flat=True).get()
        installations.append(Installation(parent, _first_moment(asset), None))
    lives = Disposition.objects.filter(asset=asset, route=Route.REUSE).count()
    return Genealogy(lives, installations)


def _first_moment(asset: Asset) -> dt.datetime:
    return (
        LifecycleEvent.objects.filter(asset=asset).order_by("occurred_at", "id").values_list("occurred_at", flat=True)
    ).first()


__all__ = ["Genealogy", "Installation", "genealogy"]
