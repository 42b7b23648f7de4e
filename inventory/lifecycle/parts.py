"""Parts: install into a parent, remove from one, dismantle a whole asset at a center."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .. import moments
from ..choices import Action, Status
from ..errors import AssetNotFound, EventOutOfOrder, PartMoveRefused, TransitionRefused
from ..locks import lock_assets
from ..models import Asset, LifecycleEvent
from .batch import transition
from .table import PART_MOVE_STATUSES, allowed_next

_RELATIONS = ("site", "center", "parent", "part_model")


def install(
    asset: Asset | str,
    *,
    parent: Asset | str,
    occurred_at: datetime,
    source: str,
    actor=None,
    note: str = "",
) -> list[LifecycleEvent]:
    """Install a top-level asset into ``parent`` at the same site or circular center.

    A part whose state differs from its parent's takes the parent's state by an ordinary
    transition first (a spare ``in_stock`` DIMM installed in a ``deployed`` server becomes
    ``deployed``), with an event of its own.
    """
    serial, parent_serial = serial_of(asset), serial_of(parent)
    moments.check_moment(occurred_at, field="occurred_at")
    with transaction.atomic():
        locked = _lock_with_tops([serial, parent_serial])
        part, host = _get(locked, serial), _get(locked, parent_serial)
        if part.pk == host.pk:
            raise PartMoveRefused(serial, "an asset cannot be installed in itself")
        if part.parent_id is not None:
            raise PartMoveRefused(serial, f"it is already installed in {part.parent.serial_number}; remove it first")
        for candidate in (part, host):
            if candidate.status not in PART_MOVE_STATUSES:
                raise PartMoveRefused(
                    candidate.serial_number, f"it is {candidate.status}; parts move only at a site or circular center"
                )
        if part.site_id != host.site_id or part.center_id != host.center_id:
            raise PartMoveRefused(serial, f"it is at {location(part)} and {parent_serial} is at {location(host)}")
        if _is_descendant(host, of=part):
            raise PartMoveRefused(serial, f"{parent_serial} is installed in it; that would make a loop")
        # Two trees meet: the part's (it is top-level) and the one its new parent is in.
        _check_order(serial, occurred_at, tops=[part.pk, _top_of(host, locked).pk])
        events = []
        if part.status != host.status:
            allowed = allowed_next(part.status)
            if host.status not in allowed:
                reason = f"its parent {parent_serial} is {host.status}"
                raise TransitionRefused(serial, part.status, host.status, allowed, reason=reason)
            events += transition(
                part, to=host.status, occurred_at=occurred_at, source=source, actor=actor, note=note, center=host.center
            )
            part.refresh_from_db()
        now = timezone.now()
        Asset.objects.filter(pk=part.pk).update(parent=host, last_event_at=occurred_at, updated_at=now)
        Asset.objects.filter(pk=host.pk).update(last_event_at=occurred_at, updated_at=now)
        events.append(_part_move(part, Action.INSTALL, host.pk, occurred_at, actor, source, note))
        events[-1].save()
        return events


def remove(
    asset: Asset | str,
    *,
    occurred_at: datetime,
    source: str,
    actor=None,
    note: str = "",
) -> LifecycleEvent:
    """Take a component out of its parent; it stays where it is, in the same state."""
    serial = serial_of(asset)
    moments.check_moment(occurred_at, field="occurred_at")
    with transaction.atomic():
        locked = _lock_with_tops([serial])
        part = _get(locked, serial)
        if part.parent_id is None:
            raise PartMoveRefused(serial, "it is not installed in another asset")
        if part.status not in PART_MOVE_STATUSES:
            raise PartMoveRefused(serial, f"it is {part.status}; parts move only at a site or circular center")
        _check_order(serial, occurred_at, tops=[_top_of(part, locked).pk])
        now = timezone.now()
        Asset.objects.filter(pk=part.pk).update(parent=None, last_event_at=occurred_at, updated_at=now)
        Asset.objects.filter(pk=part.parent_id).update(last_event_at=occurred_at, updated_at=now)
        event = _part_move(part, Action.REMOVE, part.parent_id, occurred_at, actor, source, note)
        event.save()
        return event


def dismantle(
    asset: Asset | str,
    *,
    occurred_at: datetime,
    source: str,
    actor=None,
    note: str = "",
) -> list[LifecycleEvent]:
    """Harvest an asset at a circular center: remove everything installed in it.

    Every part, however deep, becomes a top-level asset still ``at_circular_center``, to
    get a disposition of its own; so does the emptied asset.
    """
    serial = serial_of(asset)
    moments.check_moment(occurred_at, field="occurred_at")
    with transaction.atomic():
        root, *parts = lock_tree(serial)
        if root.parent_id is not None:
            raise PartMoveRefused(serial, f"it is installed in {root.parent.serial_number}; remove it first")
        if root.status != Status.AT_CIRCULAR_CENTER:
            raise PartMoveRefused(serial, f"it is {root.status}; only an asset at a circular center is dismantled")
        if not parts:
            raise PartMoveRefused(serial, "nothing is installed in it")
        _refuse_earlier(serial, occurred_at, [root, *parts])
        note = note or f"Dismantled from {serial}"
        events = [_part_move(part, Action.REMOVE, part.parent_id, occurred_at, actor, source, note) for part in parts]
        now = timezone.now()
        part_ids = [part.pk for part in parts]
        Asset.objects.filter(pk__in=part_ids).update(parent=None, last_event_at=occurred_at, updated_at=now)
        # Every member is named by a removal: as the part, or as the parent it leaves.
        Asset.objects.filter(pk=root.pk).update(last_event_at=occurred_at, updated_at=now)
        return LifecycleEvent.objects.bulk_create(events)


def _part_move(part: Asset, action: str, parent_id: int, occurred_at, actor, source: str, note: str) -> LifecycleEvent:
    """The (unsaved) event of a part installed in, or removed from, ``parent_id``: its state
    and location do not change."""
    return LifecycleEvent(
        asset=part,
        action=action,
        from_status=part.status,
        to_status=part.status,
        parent_id=parent_id,
        occurred_at=occurred_at,
        actor=actor,
        source=source,
        location=location(part),
        note=note,
    )


def lock_tree(asset: Asset | str) -> list[Asset]:
    """Lock an asset and everything installed in it (call inside a transaction).

    Returns the assets, with their site, center, parent and part model, the named one
    first; raises ``AssetNotFound``. For services (dispositions) that check a whole tree
    before changing it through ``transition()``.
    """
    serial = serial_of(asset)
    roots = lock_assets(Asset.objects.filter(serial_number=serial).select_related(*_RELATIONS))
    if not roots:
        raise AssetNotFound(serial)
    found, level = list(roots), [roots[0].pk]
    while level:
        children = lock_assets(Asset.objects.filter(parent_id__in=level).select_related(*_RELATIONS))
        found.extend(children)
        level = [child.pk for child in children]
    return found


def tree_of(asset: Asset) -> list[Asset]:
    """The asset and everything installed in it, recursively (one query per level)."""
    found, level = [asset], [asset.pk]
    while level:
        children = list(Asset.objects.filter(parent_id__in=level).select_related("part_model").order_by("pk"))
        found.extend(children)
        level = [child.pk for child in children]
    return found


def serial_of(asset: Asset | str) -> str:
    return asset.serial_number if isinstance(asset, Asset) else asset


def location(asset: Asset) -> str:
    """The code of the center holding the asset, or else of its site."""
    if asset.center_id is not None and asset.status != Status.IN_STOCK:
        return asset.center.code
    return asset.site.code


def _lock_with_tops(serials: list[str]) -> dict[str, Asset]:
    """Lock the named assets and every asset they are installed in, up to the tree tops.

    Transitions lock a tree by its top (``batch._lock_rows``); moving a part must hold
    that lock too, or a cascade could write a part that is being taken out. Keyed by
    serial number; refused if a part moved between reading the chain and locking it.
    """
    ids = set(Asset.objects.filter(serial_number__in=serials).values_list("pk", flat=True))
    frontier = set(ids)
    while frontier:
        parents = set(Asset.objects.filter(pk__in=frontier, parent__isnull=False).values_list("parent_id", flat=True))
        frontier = parents - ids
        ids |= frontier
    locked = lock_assets(Asset.objects.filter(pk__in=ids).select_related(*_RELATIONS))
    for asset in locked:
        if asset.parent_id is not None and asset.parent_id not in ids:
            raise PartMoveRefused(asset.serial_number, "it was moved by someone else meanwhile; try again")
    return {asset.serial_number: asset for asset in locked}


def _get(locked: dict[str, Asset], serial: str) -> Asset:
    try:
        return locked[serial]
    except KeyError:
        raise AssetNotFound(serial) from None


def _top_of(asset: Asset, locked: dict[str, Asset]) -> Asset:
    """The top of the tree ``asset`` is in, from the chain ``_lock_with_tops`` locked."""
    by_pk = {candidate.pk: candidate for candidate in locked.values()}
    while asset.parent_id is not None:
        asset = by_pk[asset.parent_id]
    return asset


def _check_order(serial: str, occurred_at: datetime, *, tops: list[int]) -> None:
    """Refuse an event earlier than the latest event of the trees headed by ``tops``.

    Reads ``last_event_at`` of every asset in them, one query per level (trees are a
    server and its parts: two or three levels). The tops are locked, so their trees hold.
    """
    members: list[Asset] = []
    level = list(dict.fromkeys(tops))
    query = Asset.objects.only("pk", "serial_number", "last_event_at")
    found = list(query.filter(pk__in=level))
    while found:
        members.extend(found)
        found = list(query.filter(parent_id__in=[member.pk for member in found]))
    _refuse_earlier(serial, occurred_at, members)


def _refuse_earlier(serial: str, occurred_at: datetime, members: Iterable[Asset]) -> None:
    dated = [member for member in members if member.last_event_at is not None]
    if not dated:
        return
    latest = max(dated, key=lambda member: member.last_event_at)
    if occurred_at < latest.last_event_at:
        raise EventOutOfOrder(serial, occurred_at, latest.last_event_at, latest.serial_number)


def _is_descendant(candidate: Asset, *, of: Asset) -> bool:
    """Whether ``candidate`` sits somewhere inside ``of`` (walking up from candidate)."""
    parent_id, seen = candidate.parent_id, set()
    while parent_id is not None and parent_id not in seen:
        if parent_id == of.pk:
            return True
        seen.add(parent_id)
        parent_id = Asset.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    return False
