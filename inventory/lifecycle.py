"""THE transition table, and the only code that changes ``Asset.status`` or ``Asset.parent``.

Every entry point (admin, API, CSV import, jobs, the circularity services) calls the
functions here: ``transition()`` / ``transition_many()``, ``install()``, ``remove()`` and
``dismantle()``. Each one, in a single database transaction:

* locks the assets it changes (``SELECT ... FOR UPDATE`` in primary-key order, so two
  writers on one asset serialise and batches never deadlock on each other),
* checks the rules of SPEC section 2 against the locked, current rows,
* writes the new state and one append-only ``LifecycleEvent`` per asset changed,
* or, when any check fails, raises a ``LifecycleError`` and writes nothing.

A component installed in a parent shares its parent's state and location: transitions
are made on the top-level asset and cascade to everything installed in it, each asset
getting its own event. To change a component on its own, remove it first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .choices import TERMINAL_STATUSES, Action, Source, Status
from .errors import AssetNotFound, BatchRefused, LifecycleError, PartMoveRefused, TransitionRefused
from .locks import lock_assets
from .models import Asset, LifecycleEvent, Site

# The ordinary transitions (SPEC section 2). `missing` goes back to the state it left.
ALLOWED: dict[str, frozenset[str]] = {
    Status.IN_STOCK: frozenset({Status.DEPLOYED, Status.DECOMMISSIONED, Status.MISSING}),
    Status.DEPLOYED: frozenset({Status.DECOMMISSIONED, Status.MISSING}),
    Status.DECOMMISSIONED: frozenset({Status.IN_TRANSIT, Status.AT_CIRCULAR_CENTER, Status.DEPLOYED, Status.MISSING}),
    Status.IN_TRANSIT: frozenset({Status.AT_CIRCULAR_CENTER, Status.MISSING}),
    Status.AT_CIRCULAR_CENTER: frozenset({Status.MISSING}),
    Status.MISSING: frozenset(),
    Status.RESOLD: frozenset(),
    Status.RECYCLED: frozenset(),
    Status.DISPOSED: frozenset(),
}

# Where a disposition (SPEC section 3) takes an asset from `at_circular_center`. Only
# `circularity.dispositions` asks for these, with ``disposition=True``.
DISPOSITION_TARGETS = frozenset({Status.IN_STOCK, Status.RESOLD, Status.RECYCLED, Status.DISPOSED})

# States in which an asset sits at a site or center, so parts can be moved in and out.
PART_MOVE_STATUSES = frozenset({Status.IN_STOCK, Status.DEPLOYED, Status.DECOMMISSIONED, Status.AT_CIRCULAR_CENTER})

# Clocks of integrating systems drift; an event further in the future is a mistake.
FUTURE_TOLERANCE = timedelta(minutes=5)


def allowed_next(current: str, *, before_missing: str | None = None) -> frozenset[str]:
    """The states an asset in ``current`` may move to by an ordinary transition."""
    if current == Status.MISSING:
        return frozenset({before_missing}) if before_missing else frozenset()
    return ALLOWED[current]


@dataclass(frozen=True)
class TransitionRequest:
    """One requested change of state of a top-level asset (and everything installed in it).

    ``asset`` is an ``Asset`` or a serial number. ``center`` is required to arrive at a
    circular center; ``site`` is the site an asset returns to when a disposition reuses it.
    """

    asset: Asset | str
    to: str
    occurred_at: datetime
    center: Any = None
    site: Site | None = None
    note: str = ""
    external_id: str | None = None

    @property
    def serial_number(self) -> str:
        return self.asset.serial_number if isinstance(self.asset, Asset) else self.asset


@dataclass
class _State:
    """The working copy of one locked asset while a batch is checked."""

    asset: Asset
    status: str
    site_id: int
    center_id: int | None
    before_missing: str | None = None
    changes: dict[str, Any] = field(default_factory=dict)


def transition(
    asset: Asset | str,
    *,
    to: str,
    occurred_at: datetime,
    source: str,
    actor=None,
    center=None,
    site: Site | None = None,
    note: str = "",
    external_id: str | None = None,
    disposition: bool = False,
) -> list[LifecycleEvent]:
    """Move one top-level asset, and everything installed in it, to state ``to``.

    Returns the events written, the asset's own first. Raises ``TransitionRefused`` (or
    ``AssetNotFound``) and writes nothing when the rules refuse.
    """
    request = TransitionRequest(
        asset=asset,
        to=to,
        occurred_at=occurred_at,
        center=center,
        site=site,
        note=note,
        external_id=external_id,
    )
    try:
        return transition_many([request], source=source, actor=actor, disposition=disposition)
    except BatchRefused as refused:
        raise refused.errors[0] from None


def transition_many(
    requests: Sequence[TransitionRequest],
    *,
    source: str,
    actor=None,
    disposition: bool = False,
) -> list[LifecycleEvent]:
    """Apply a batch of transitions: all of them, or none.

    Requests apply in order, so one batch may move an asset several steps. Every refused
    request is reported in one ``BatchRefused`` (its index mapped to the error).
    """
    if not requests:
        return []
    with transaction.atomic():
        states = _lock_trees({request.serial_number for request in requests}, full=False)
        _load_before_missing(states)
        now = timezone.now()
        errors: dict[int, LifecycleError] = {}
        events: list[LifecycleEvent] = []
        context = _BatchContext(states)
        for index, request in enumerate(requests):
            try:
                events.extend(_apply(request, context, now=now, source=source, actor=actor, disposition=disposition))
            except LifecycleError as error:
                errors[index] = error
        if errors:
            raise BatchRefused(errors)
        _write_changes(states.values())
        return insert_events(events)


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
    serial, parent_serial = _serial(asset), _serial(parent)
    with transaction.atomic():
        locked = {
            a.serial_number: a for a in lock_assets(Asset.objects.filter(serial_number__in=[serial, parent_serial]))
        }
        part, host = _get(locked, serial), _get(locked, parent_serial)
        _check_occurred_at(serial, occurred_at)
        if part.pk == host.pk:
            raise PartMoveRefused(serial, "an asset cannot be installed in itself")
        if part.parent_id is not None:
            raise PartMoveRefused(serial, f"it is already installed in {part.parent.serial_number}; remove it first")
        for candidate in (part, host):
            if candidate.status not in PART_MOVE_STATUSES:
                raise PartMoveRefused(
                    candidate.serial_number,
                    f"it is {candidate.status}; parts move only at a site or circular center",
                )
        if part.site_id != host.site_id or part.center_id != host.center_id:
            raise PartMoveRefused(serial, f"it is at {_location(part)} and {parent_serial} is at {_location(host)}")
        if _is_descendant(host, of=part):
            raise PartMoveRefused(serial, f"{parent_serial} is installed in it; that would make a loop")
        events = []
        if part.status != host.status:
            allowed = allowed_next(part.status)
            if host.status not in allowed:
                raise TransitionRefused(
                    serial,
                    part.status,
                    host.status,
                    allowed,
                    reason=f"its parent {parent_serial} is {host.status}",
                )
            events.extend(
                transition(
                    part,
                    to=host.status,
                    occurred_at=occurred_at,
                    source=source,
                    actor=actor,
                    note=note,
                    center=host.center,
                )
            )
            part.refresh_from_db()
        Asset.objects.filter(pk=part.pk).update(parent=host, updated_at=timezone.now())
        events.append(
            LifecycleEvent.objects.create(
                asset=part,
                action=Action.INSTALL,
                from_status=part.status,
                to_status=part.status,
                parent=host,
                occurred_at=occurred_at,
                actor=actor,
                source=source,
                location=_location(part),
                note=note,
            )
        )
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
    serial = _serial(asset)
    with transaction.atomic():
        part = _get({a.serial_number: a for a in lock_assets(Asset.objects.filter(serial_number=serial))}, serial)
        _check_occurred_at(serial, occurred_at)
        if part.parent_id is None:
            raise PartMoveRefused(serial, "it is not installed in another asset")
        if part.status not in PART_MOVE_STATUSES:
            raise PartMoveRefused(serial, f"it is {part.status}; parts move only at a site or circular center")
        return _detach(part, occurred_at=occurred_at, source=source, actor=actor, note=note)


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
    serial = _serial(asset)
    with transaction.atomic():
        states = _lock_trees({serial})
        root = next(state.asset for state in states.values() if state.asset.serial_number == serial)
        _check_occurred_at(serial, occurred_at)
        if root.parent_id is not None:
            raise PartMoveRefused(serial, f"it is installed in {root.parent.serial_number}; remove it first")
        if root.status != Status.AT_CIRCULAR_CENTER:
            raise PartMoveRefused(serial, f"it is {root.status}; only an asset at a circular center is dismantled")
        parts = [state.asset for state in states.values() if state.asset.pk != root.pk]
        if not parts:
            raise PartMoveRefused(serial, "nothing is installed in it")
        by_pk = {a.pk: a for a in [root, *parts]}
        events = [
            LifecycleEvent(
                asset=part,
                action=Action.REMOVE,
                from_status=part.status,
                to_status=part.status,
                parent=by_pk[part.parent_id],
                occurred_at=occurred_at,
                actor=actor,
                source=source,
                location=_location(part),
                note=note or f"Dismantled from {serial}",
            )
            for part in parts
        ]
        Asset.objects.filter(pk__in=[p.pk for p in parts]).update(parent=None, updated_at=timezone.now())
        return LifecycleEvent.objects.bulk_create(events)


def lock_tree(asset: Asset | str) -> list[Asset]:
    """Lock an asset and everything installed in it (call inside a transaction).

    Returns the assets with the named one first; raises ``AssetNotFound``. For services
    (dispositions) that check a whole tree before changing it through ``transition()``.
    """
    serial = _serial(asset)
    states = _lock_trees({serial}, full=True)
    assets = [state.asset for state in states.values()]
    root = next((a for a in assets if a.serial_number == serial), None)
    if root is None:
        raise AssetNotFound(serial)
    return [root, *(a for a in assets if a.pk != root.pk)]


def tree_of(asset: Asset) -> list[Asset]:
    """The asset and everything installed in it, recursively (one query per level)."""
    found, level = [asset], [asset.pk]
    while level:
        children = list(Asset.objects.filter(parent_id__in=level).select_related("part_model").order_by("pk"))
        found.extend(children)
        level = [child.pk for child in children]
    return found


# --- internals ------------------------------------------------------------------------


def _serial(asset: Asset | str) -> str:
    return asset.serial_number if isinstance(asset, Asset) else asset


def _get(locked: dict[str, Asset], serial: str) -> Asset:
    try:
        return locked[serial]
    except KeyError:
        raise AssetNotFound(serial) from None


def _location(asset: Asset) -> str:
    if asset.center_id is not None and asset.status != Status.IN_STOCK:
        return asset.center.code
    return asset.site.code


def _check_occurred_at(serial: str, occurred_at: datetime) -> None:
    if occurred_at is None or timezone.is_naive(occurred_at):
        raise PartMoveRefused(serial, "occurred_at must be a date and time with a time zone")
    if occurred_at > timezone.now() + FUTURE_TOLERANCE:
        raise PartMoveRefused(serial, f"occurred_at {occurred_at.isoformat()} is in the future")


# What a transition needs of each locked asset; services that inspect a tree ask for more.
_TRANSITION_FIELDS = ("id", "serial_number", "parent_id", "site_id", "center_id", "status")
_FULL_RELATIONS = ("site", "center", "parent", "part_model")


def _lock_trees(serials: Iterable[str], *, full: bool = True) -> dict[int, _State]:
    """Lock the named assets and everything installed in them; key the states by pk.

    ``full`` loads each asset with its site, center, parent and part model; without it only
    the columns a transition reads are loaded, which keeps a 20,000-asset batch cheap.
    """

    def locked(queryset):
        if full:
            return lock_assets(queryset.select_related(*_FULL_RELATIONS))
        return lock_assets(queryset.only(*_TRANSITION_FIELDS))

    roots = locked(Asset.objects.filter(serial_number__in=list(serials)))
    states = {a.pk: _State(asset=a, status=a.status, site_id=a.site_id, center_id=a.center_id) for a in roots}
    level = list(states)
    while level:
        children = locked(Asset.objects.filter(parent_id__in=level))
        level = []
        for child in children:
            if child.pk not in states:
                states[child.pk] = _State(
                    asset=child, status=child.status, site_id=child.site_id, center_id=child.center_id
                )
                level.append(child.pk)
    return states


def _load_before_missing(states: dict[int, _State]) -> None:
    """For each missing asset, the state it was in when it went missing (one query)."""
    missing = [pk for pk, state in states.items() if state.status == Status.MISSING]
    if not missing:
        return
    rows = (
        LifecycleEvent.objects.filter(asset_id__in=missing, action=Action.TRANSITION, to_status=Status.MISSING)
        .order_by("asset_id", "-occurred_at", "-id")
        .values_list("asset_id", "from_status")
    )
    for asset_id, from_status in rows:
        if states[asset_id].before_missing is None:
            states[asset_id].before_missing = from_status


class _BatchContext:
    """The locked trees of a batch, indexed once: by serial number and by parent."""

    def __init__(self, states: dict[int, _State]):
        self.states = states
        self.by_serial = {state.asset.serial_number: state for state in states.values()}
        self.children: dict[int, list[int]] = defaultdict(list)
        for pk, state in states.items():
            if state.asset.parent_id is not None:
                self.children[state.asset.parent_id].append(pk)
        self._served: dict[int, frozenset[int]] = {}
        # Codes for event locations: two small queries, not a join per asset.
        self.site_codes = dict(
            Site.objects.filter(pk__in={s.site_id for s in states.values()}).values_list("pk", "code")
        )
        self.center_codes = _center_codes({s.center_id for s in states.values() if s.center_id})

    def parent_serial(self, state: _State) -> str:
        parent = self.states.get(state.asset.parent_id)
        if parent is not None:
            return parent.asset.serial_number
        return Asset.objects.filter(pk=state.asset.parent_id).values_list("serial_number", flat=True).first()

    def subtree(self, root_pk: int) -> list[int]:
        found, stack = [], [root_pk]
        while stack:
            pk = stack.pop()
            found.append(pk)
            stack.extend(sorted(self.children.get(pk, ()), reverse=True))
        return found

    def served_site_ids(self, center) -> frozenset[int]:
        if center.pk not in self._served:
            self._served[center.pk] = frozenset(center.sites.values_list("pk", flat=True))
        return self._served[center.pk]


def _apply(request, context: _BatchContext, *, now, source, actor, disposition) -> list[LifecycleEvent]:
    """Check one request against the working states; on success update them, return events."""
    serial = request.serial_number
    root = context.by_serial.get(serial)
    if root is None:
        raise AssetNotFound(serial)
    current, to = root.status, request.to
    allowed = allowed_next(current, before_missing=root.before_missing)

    def refuse(reason: str = ""):
        raise TransitionRefused(serial, current, to, allowed, reason)

    if to not in Status.values:
        refuse(f"{to!r} is not a state (states: {', '.join(Status.values)})")
    if request.occurred_at is None or timezone.is_naive(request.occurred_at):
        refuse("occurred_at must be a date and time with a time zone")
    if request.occurred_at > now + FUTURE_TOLERANCE:
        refuse(f"occurred_at {request.occurred_at.isoformat()} is in the future")
    if root.asset.parent_id is not None:
        refuse(
            f"it is installed in {context.parent_serial(root)}; a component moves with its parent "
            "(remove it first to move it on its own)"
        )
    by_disposition = disposition and current == Status.AT_CIRCULAR_CENTER and to in DISPOSITION_TARGETS
    if not by_disposition and to not in allowed:
        if current == Status.AT_CIRCULAR_CENTER and to in DISPOSITION_TARGETS:
            refuse("an asset leaves a circular center only by a disposition (reuse, resale, recycle, ...)")
        if current in TERMINAL_STATUSES:
            refuse("that is a terminal state")
        refuse()

    changes: dict[str, Any] = {"status": to}
    center = request.center
    if to == Status.AT_CIRCULAR_CENTER and current != Status.MISSING:
        if center is None:
            refuse("name the circular center it arrives at")
        if current == Status.DECOMMISSIONED and root.site_id not in context.served_site_ids(center):
            site_code = context.site_codes[root.site_id]
            refuse(f"circular center {center.code} does not serve site {site_code}; ship it there")
        changes["center"] = center
    elif current == Status.MISSING:
        pass  # found again where it was
    elif to == Status.IN_STOCK:
        if request.site is None:
            refuse("name the site it returns to")
        changes.update(site=request.site, center=None, decommissioned_at=None)
    if current == Status.MISSING:
        pass  # found again: its timestamps stand
    elif to == Status.DEPLOYED:
        changes["deployed_at"] = request.occurred_at
        if current == Status.DECOMMISSIONED:
            changes["decommissioned_at"] = None  # the decommissioning is undone
    elif to == Status.DECOMMISSIONED:
        changes["decommissioned_at"] = request.occurred_at

    events = []
    for pk in context.subtree(root.asset.pk):
        state = context.states[pk]
        from_status = state.status
        if to == Status.MISSING:
            state.before_missing = from_status
        state.status = to
        state.changes.update(changes)
        if "site" in changes:
            state.site_id = changes["site"].pk
        if "center" in changes:
            state.center_id = changes["center"].pk if changes["center"] else None
        events.append(
            LifecycleEvent(
                asset_id=pk,
                action=Action.TRANSITION,
                from_status=from_status,
                to_status=to,
                occurred_at=request.occurred_at,
                actor=actor,
                source=source,
                location=_event_location(state, changes, context),
                note=request.note,
                external_id=request.external_id if pk == root.asset.pk else None,
            )
        )
    return events


def _event_location(state: _State, changes: dict[str, Any], context: _BatchContext) -> str:
    """The code of the center holding the asset after the change, or else of its site."""
    if state.status != Status.IN_STOCK:
        if "center" in changes and changes["center"] is not None:
            return changes["center"].code
        if "center" not in changes and state.center_id is not None:
            return context.center_codes[state.center_id]
    if "site" in changes:
        return changes["site"].code
    return context.site_codes[state.site_id]


def _center_codes(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    model = Asset._meta.get_field("center").related_model
    return dict(model.objects.filter(pk__in=ids).values_list("pk", "code"))


def insert_events(events: list[LifecycleEvent]) -> list[LifecycleEvent]:
    """Append events: by binary COPY on PostgreSQL for big batches, else ``bulk_create``.

    COPY writes a burst of events several times faster than multi-row INSERTs; the ids
    are reserved from the table's sequence first so the caller gets saved events back.
    """
    if connection.vendor != "postgresql" or len(events) < COPY_THRESHOLD:
        return LifecycleEvent.objects.bulk_create(events, batch_size=2000)
    recorded_at = timezone.now()
    table = LifecycleEvent._meta.db_table
    with connection.wrap_database_errors, connection.cursor() as cursor:
        cursor.execute(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [len(events)]
        )
        ids = [row[0] for row in cursor.fetchall()]
        with cursor.cursor.copy(f"COPY {table} ({', '.join(_EVENT_COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(_EVENT_TYPES)
            for event_id, event in zip(ids, events, strict=True):
                event.id = event_id
                event.recorded_at = recorded_at
                event._state.adding = False
                copy.write_row(
                    (
                        event_id,
                        event.asset_id,
                        event.action,
                        event.from_status,
                        event.to_status,
                        event.parent_id,
                        event.occurred_at,
                        recorded_at,
                        event.actor_id,
                        event.source,
                        event.location,
                        event.note,
                        event.external_id,
                    )
                )
    return events


COPY_THRESHOLD = 500
_EVENT_COLUMNS = (
    "id",
    "asset_id",
    "action",
    "from_status",
    "to_status",
    "parent_id",
    "occurred_at",
    "recorded_at",
    "actor_id",
    "source",
    "location",
    "note",
    "external_id",
)
_EVENT_TYPES = [
    "int8",
    "int8",
    "varchar",
    "varchar",
    "varchar",
    "int8",
    "timestamptz",
    "timestamptz",
    "int4",
    "varchar",
    "varchar",
    "text",
    "varchar",
]


def _write_changes(states: Iterable[_State]) -> None:
    """Write the new field values: one UPDATE per distinct set of values, not one per row."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for state in states:
        if state.changes:
            key = tuple(sorted((name, _db_value(value)) for name, value in state.changes.items()))
            groups[key].append(state.asset.pk)
    now = timezone.now()
    for key, pks in groups.items():
        values = {(f"{name}_id" if name in ("site", "center") else name): value for name, value in key}
        Asset.objects.filter(pk__in=pks).update(**values, updated_at=now)


def _db_value(value):
    return value.pk if hasattr(value, "pk") else value


def _is_descendant(candidate: Asset, *, of: Asset) -> bool:
    """Whether ``candidate`` sits somewhere inside ``of`` (walking up from candidate)."""
    parent_id = candidate.parent_id
    seen = set()
    while parent_id is not None and parent_id not in seen:
        if parent_id == of.pk:
            return True
        seen.add(parent_id)
        parent_id = Asset.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    return False


def _detach(part: Asset, *, occurred_at, source, actor, note) -> LifecycleEvent:
    parent = part.parent
    Asset.objects.filter(pk=part.pk).update(parent=None, updated_at=timezone.now())
    return LifecycleEvent.objects.create(
        asset=part,
        action=Action.REMOVE,
        from_status=part.status,
        to_status=part.status,
        parent=parent,
        occurred_at=occurred_at,
        actor=actor,
        source=source,
        location=_location(part),
        note=note,
    )


__all__ = [
    "ALLOWED",
    "DISPOSITION_TARGETS",
    "Source",
    "TransitionRequest",
    "allowed_next",
    "dismantle",
    "install",
    "lock_tree",
    "remove",
    "transition",
    "transition_many",
    "tree_of",
]
