"""Transitions, one or a batch: lock the trees, check every request, write state and events.

A batch is set-based so that a data-hall decommissioning (thousands of servers, each with
its parts) costs a handful of statements: one ``SELECT ... FOR UPDATE`` per level of the
trees (in primary-key order), one query for the states of missing assets, one ``UPDATE``
per distinct set of new values, and one COPY of the events. On PostgreSQL a batch of
distinct tree tops that every check accepts is applied by one statement instead
(``ingest``); anything else comes here, so the rules and their errors have one home.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from assetlife.collector import paused_collection

from .. import moments
from ..choices import TERMINAL_STATUSES, Action, Status
from ..errors import AssetNotFound, BatchRefused, EventOutOfOrder, LifecycleError, MomentRefused, TransitionRefused
from ..locks import lock_assets
from ..models import Asset, LifecycleEvent, Site
from .events import insert_events
from .table import DISPOSITION_TARGETS, allowed_next


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


@dataclass(slots=True)
class _Locked:
    """The working copy of one locked asset while a batch is checked (a row, not a model).

    ``changes`` is the field values the batch writes. Every asset of a tree moves with its
    top, so the rows of a tree share one ``changes`` dict, replaced (never mutated) by each
    request on the tree: the writes are then grouped per tree, not per row.
    ``last_event_at`` is the moment of the asset's latest event (``Asset.last_event_at``).
    """

    pk: int
    serial_number: str
    parent_id: int | None
    site_id: int
    center_id: int | None
    status: str
    last_event_at: datetime | None
    before_missing: str | None = None
    changes: dict[str, Any] | None = None


_COLUMNS = ("id", "serial_number", "parent_id", "site_id", "center_id", "status", "last_event_at")


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
    request = TransitionRequest(asset, to, occurred_at, center=center, site=site, note=note, external_id=external_id)
    try:
        return list(_transition_many([request], source=source, actor=actor, disposition=disposition, on_server=False))
    except BatchRefused as refused:
        raise refused.errors[0] from None


def transition_many(
    requests: Sequence[TransitionRequest],
    *,
    source: str,
    actor=None,
    disposition: bool = False,
) -> Sequence[LifecycleEvent]:
    """Apply a batch of transitions: all of them, or none.

    Requests apply in order, so one batch may move an asset several steps. Every refused
    request is reported in one ``BatchRefused`` (its index mapped to the error). Returns
    the events written, request by request, each request's own asset first.

    Moments are checked first, before anything is locked (``inventory.moments``): a batch
    with a bad ``occurred_at`` is refused with only those errors (``MomentRefused``). An
    event earlier than the latest event of its tree is refused (``EventOutOfOrder``).
    """
    return _transition_many(requests, source=source, actor=actor, disposition=disposition, on_server=True)


def _transition_many(requests, *, source, actor, disposition, on_server: bool) -> Sequence[LifecycleEvent]:
    if not requests:
        return []
    now = timezone.now()
    _check_moments(requests, now)
    with paused_collection(), transaction.atomic():
        if on_server and ingest.enabled():
            # One statement for the whole batch when every check passes (``ingest``);
            # otherwise it writes nothing and the batch is checked and applied here.
            actor_id = actor.pk if actor is not None else None
            written = ingest.apply_on_server(
                requests, source=source, actor_id=actor_id, disposition=disposition, now=now
            )
            if written is not None:
                return written
        batch = _Batch(_lock_rows({request.serial_number for request in requests}))
        actor_id = actor.pk if actor is not None else None
        errors: dict[int, LifecycleError] = {}
        rows: list[tuple] = []
        for index, request in enumerate(requests):
            try:
                rows.extend(batch.apply(request, source=source, actor_id=actor_id, disposition=disposition))
            except LifecycleError as error:
                errors[index] = error
        if errors:
            raise BatchRefused(errors)
        _write_changes(batch.rows.values())
        return insert_events(rows)


def _check_moments(requests: Sequence[TransitionRequest], now: datetime) -> None:
    errors: dict[int, LifecycleError] = {}
    for index, request in enumerate(requests):
        try:
            moments.check_moment(request.occurred_at, field="occurred_at", now=now)
        except MomentRefused as error:
            errors[index] = error
    if errors:
        raise BatchRefused(errors)


def _lock_rows(serials: Iterable[str]) -> dict[int, _Locked]:
    """Lock the named assets and read everything installed in them, as plain rows keyed by pk.

    A tree is locked by locking its top-level asset: every writer of a tree's parts
    (a transition, ``remove``, ``install``, ``dismantle``, a disposition) first locks the
    top of that tree, so the parts need no row locks of their own here. That halves the
    writes of a data-hall burst: the parts' rows are written once, by the UPDATE.
    """
    found = lock_assets(Asset.objects.filter(serial_number__any=list(serials)), values=_COLUMNS)
    rows = {values[0]: _Locked(*values) for values in found}
    level = list(rows)
    while level:
        children = Asset.objects.filter(parent_id__any=level).order_by("pk").values_list(*_COLUMNS)
        level = []
        for values in children:
            if values[0] not in rows:
                rows[values[0]] = _Locked(*values)
                level.append(values[0])
    _load_before_missing(rows)
    return rows


def _load_before_missing(rows: dict[int, _Locked]) -> None:
    """For each missing asset, the state it was in when it went missing (one query)."""
    missing = [pk for pk, row in rows.items() if row.status == Status.MISSING]
    if not missing:
        return
    history = (
        LifecycleEvent.objects.filter(asset_id__any=missing, action=Action.TRANSITION, to_status=Status.MISSING)
        .order_by("asset_id", "-occurred_at", "-id")
        .values_list("asset_id", "from_status")
    )
    for asset_id, from_status in history:
        if rows[asset_id].before_missing is None:
            rows[asset_id].before_missing = from_status


class _Batch:
    """The locked trees of a batch, indexed once, and the checks of one request against them."""

    def __init__(self, rows: dict[int, _Locked]):
        self.rows = rows
        self.by_serial = {row.serial_number: row for row in rows.values()}
        self.children: dict[int, list[int]] = defaultdict(list)
        for pk, row in rows.items():
            if row.parent_id is not None:
                self.children[row.parent_id].append(pk)
        self._served: dict[int, frozenset[int]] = {}
        # Codes for event locations: two small queries, not a join per asset.
        self.site_codes = dict(Site.objects.filter(pk__in={r.site_id for r in rows.values()}).values_list("pk", "code"))
        self.center_codes = _center_codes({r.center_id for r in rows.values() if r.center_id})

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

    def parent_serial(self, row: _Locked) -> str:
        parent = self.rows.get(row.parent_id)
        if parent is not None:
            return parent.serial_number
        return Asset.objects.filter(pk=row.parent_id).values_list("serial_number", flat=True).first()

    def apply(self, request: TransitionRequest, *, source, actor_id, disposition) -> list[tuple]:
        """Check one request; on success update the working rows and return its event rows."""
        serial = request.serial_number
        root = self.by_serial.get(serial)
        if root is None:
            raise AssetNotFound(serial)
        changes = self._check(request, root, disposition=disposition)
        members = self.subtree(root.pk)
        to, occurred_at, note = request.to, request.occurred_at, request.note
        self._check_order(root, members, occurred_at)
        changes["last_event_at"] = occurred_at
        merged = {**(root.changes or {}), **changes}
        site, center = changes.get("site"), changes.get("center")  # center None: leaves its center
        locations: dict[tuple, str] = {}  # the rows of a tree mostly share one location
        events = []
        for pk in members:
            row = self.rows[pk]
            from_status = row.status
            if to == Status.MISSING:
                row.before_missing = from_status
            row.status = to
            row.last_event_at = occurred_at
            row.changes = merged
            if site is not None:
                row.site_id = site.pk
            if "center" in changes:
                row.center_id = center.pk if center is not None else None
            place = (row.site_id, row.center_id)
            location = locations.get(place)
            if location is None:
                location = locations[place] = self._location(row, changes)
            events.append(
                (
                    None,
                    pk,
                    Action.TRANSITION,
                    from_status,
                    to,
                    None,
                    occurred_at,
                    None,
                    actor_id,
                    source,
                    location,
                    note,
                    request.external_id if pk == root.pk else None,
                )
            )
        return events

    def _check_order(self, root: _Locked, members: list[int], occurred_at: datetime) -> None:
        """Refuse an event earlier than the latest event of the tree it moves (SPEC 2, "Time")."""
        latest = None
        for pk in members:
            row = self.rows[pk]
            if row.last_event_at is not None and (latest is None or row.last_event_at > latest.last_event_at):
                latest = row
        if latest is not None and occurred_at < latest.last_event_at:
            raise EventOutOfOrder(root.serial_number, occurred_at, latest.last_event_at, latest.serial_number)

    def _check(self, request: TransitionRequest, root: _Locked, *, disposition) -> dict[str, Any]:
        """Refuse the request, or return the field changes it makes to its tree."""
        current, to = root.status, request.to
        allowed = allowed_next(current, before_missing=root.before_missing)

        def refuse(reason: str = ""):
            raise TransitionRefused(root.serial_number, current, to, allowed, reason)

        if to not in Status.values:
            refuse(f"{to!r} is not a state (states: {', '.join(Status.values)})")
        if root.parent_id is not None:
            refuse(
                f"it is installed in {self.parent_serial(root)}; a component moves with its parent "
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
        if current == Status.MISSING:
            return changes  # found again where it was; its timestamps stand
        if to == Status.AT_CIRCULAR_CENTER:
            center = request.center
            if center is None:
                refuse("name the circular center it arrives at")
            if current == Status.DECOMMISSIONED and root.site_id not in self.served_site_ids(center):
                site_code = self.site_codes[root.site_id]
                refuse(f"circular center {center.code} does not serve site {site_code}; ship it there")
            changes["center"] = center
        elif to == Status.IN_STOCK:
            if request.site is None:
                refuse("name the site it returns to")
            changes.update(site=request.site, center=None, decommissioned_at=None)
        elif to == Status.DEPLOYED:
            changes["deployed_at"] = request.occurred_at
            if current == Status.DECOMMISSIONED:
                changes["decommissioned_at"] = None  # the decommissioning is undone
        elif to == Status.DECOMMISSIONED:
            changes["decommissioned_at"] = request.occurred_at
        return changes

    def _location(self, row: _Locked, changes: dict[str, Any]) -> str:
        """The code of the center holding the asset after the change, or else of its site."""
        if row.status != Status.IN_STOCK:
            if "center" in changes and changes["center"] is not None:
                return changes["center"].code
            if "center" not in changes and row.center_id is not None:
                return self.center_codes[row.center_id]
        if "site" in changes:
            return changes["site"].code
        return self.site_codes[row.site_id]


def _center_codes(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    model = Asset._meta.get_field("center").related_model
    return dict(model.objects.filter(pk__in=ids).values_list("pk", "code"))


def _write_changes(rows: Iterable[_Locked]) -> None:
    """Write the new field values: one UPDATE per distinct set of values, not one per row.

    On PostgreSQL, several sets of values are one UPDATE per set of *columns*, each row's
    values read from arrays: a batch of servers decommissioned at a thousand different
    moments (each its ``decommissioned_at`` and ``last_event_at``) is one statement.
    """
    groups: dict[tuple, list[int]] = defaultdict(list)
    keys: dict[int, tuple] = {}  # id of a shared ``changes`` dict -> its key, made once per tree
    for row in rows:
        if row.changes:
            key = keys.get(id(row.changes))
            if key is None:
                key = tuple(sorted((name, getattr(value, "pk", value)) for name, value in row.changes.items()))
                keys[id(row.changes)] = key
            groups[key].append(row.pk)
    now = timezone.now()
    if connection.vendor == "postgresql" and len(groups) > 1:
        _update_from_arrays(groups, now)
        return
    for key, pks in groups.items():
        values = {(f"{name}_id" if name in ("site", "center") else name): value for name, value in key}
        Asset.objects.filter(pk__any=pks).update(**values, updated_at=now)


def _update_from_arrays(groups: dict[tuple, list[int]], now: datetime) -> None:
    """One UPDATE per set of changed columns: each row's id with the number of its set of
    values, joined to those sets (``unnest … WITH ORDINALITY``). Only integers travel
    per row: adapting 20,000 moments per statement cost more than the statement."""
    by_columns: dict[tuple[str, ...], list[tuple]] = defaultdict(list)
    for key, pks in groups.items():
        by_columns[tuple(name for name, _ in key)].append((tuple(value for _, value in key), pks))
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for names, sets in by_columns.items():
            fields = [Asset._meta.get_field(name) for name in names]
            columns = [quote(field.column) for field in fields]
            ids, numbers = [], []
            for number, (_, pks) in enumerate(sets, start=1):
                ids.extend(pks)
                numbers.extend([number] * len(pks))
            values = [[values[position] for values, _ in sets] for position in range(len(names))]
            assignments = ", ".join(f"{column} = k.{column}" for column in columns)
            arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
            cursor.execute(
                f"UPDATE {quote(Asset._meta.db_table)} AS a SET {assignments}, {quote('updated_at')} = %s "
                "FROM unnest(%s::bigint[], %s::integer[]) AS v(id, number) "
                f"JOIN unnest({arrays}) WITH ORDINALITY AS k({', '.join(columns)}, number) ON k.number = v.number "
                "WHERE a.id = v.id",
                [now, ids, numbers, *values],
            )


from . import ingest  # noqa: E402  (ingest reuses this module's checks)
