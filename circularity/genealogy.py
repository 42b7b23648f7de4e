"""A part's genealogy (SPEC section 9): the parents it was installed in, and its lives.

Read from the append-only history alone: each ``install`` event opens an installation
(the parent, the moment in), the next ``remove`` event closes it (the moment out). A part
registered already installed in its parent has no ``install`` event: that installation
starts with the part's first event. *Lives* are the custody cycles that ended in
``reuse``: the part's own ``reuse`` dispositions (as a part of a tree or on its own).
Four queries, whatever the length of the history.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db.models import OuterRef, Subquery

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
    first_event = LifecycleEvent.objects.filter(asset_id=OuterRef("pk")).order_by("occurred_at", "id")
    parent_now, first_moment = (
        Asset.objects.filter(pk=asset.pk)
        .annotate(first=Subquery(first_event.values("occurred_at")[:1]))
        .values_list("parent__serial_number", "first")
        .get()
    )
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
            open_one = (parent, first_moment)
        if open_one is not None:
            installations.append(Installation(open_one[0], open_one[1], moment))
            open_one = None
    if open_one is not None:
        installations.append(Installation(open_one[0], open_one[1], None))
    elif not installations and parent_now is not None:  # registered inside, never moved
        installations.append(Installation(parent_now, first_moment, None))
    lives = Disposition.objects.filter(asset=asset, route=Route.REUSE).count()
    return Genealogy(lives, installations)


__all__ = ["Genealogy", "Installation", "genealogy"]
