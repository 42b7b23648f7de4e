"""A batch of transitions applied on the server: one statement moves every tree and appends
its events (PostgreSQL; issue 14, "Faster ingest", step 1).

``transition_many`` checks and applies a batch in Python: it reads every asset of every
tree (20,000 rows for 1,000 servers), builds an event tuple per asset, sends the new
values back in an ``UPDATE`` and the events by ``COPY``. Here Python reads and checks the
*tops* of the trees only — the same checks, by the same code (``batch._Batch._check``:
the transition table, campus custody, a component moving with its parent), plus the
order of history against the latest moment of each tree, read in one grouped query —
and one statement does the rest from arrays of one element per request:

* a recursive CTE expands each top into its tree (``parent_id`` index);
* a CTE reads each member's state *before* the change (every CTE of a statement sees
  the same snapshot);
* ``UPDATE`` writes the new state of every member (the columns the request changes,
  the others set to themselves: an unchanged indexed column keeps the update HOT);
* ``INSERT … SELECT`` appends one event per member, with the location of the member
  after the change (its center's code unless it is back in stock, else its site's),
  the request's ``external_id`` on the top's own event, in request order, top first.

It is an optimistic path. Whenever the batch is not a set of distinct top-level assets
that every check accepts — an unknown serial, a refused transition, an event earlier
than its tree, one asset named twice (requests of a batch apply in order) — it writes
nothing and returns ``None``, and ``transition_many`` runs the Python path in the same
transaction, which refuses (or applies) exactly as before with the same errors. So the
rules and their messages have one home; this module only writes faster.

The partitioned events table (external ids in a table of their own) changes the
``INSERT`` only: it is the one statement here that names the events' columns.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from datetime import datetime

from django.conf import settings
from django.db import connection

from ..choices import Action, Status
from ..errors import LifecycleError
from ..locks import lock_assets
from ..models import Asset, LifecycleEvent
from .batch import _COLUMNS, TransitionRequest, _Batch, _load_before_missing, _Locked

KEEP, SET, CLEAR = 0, 1, 2
_ABSENT = object()


def enabled() -> bool:
    """Batches are applied on the server on PostgreSQL when ``LIFECYCLE_APPLY_ON_SERVER`` is on."""
    return connection.vendor == "postgresql" and settings.LIFECYCLE_APPLY_ON_SERVER


def apply_on_server(
    requests: Sequence[TransitionRequest], *, source: str, actor_id: int | None, disposition: bool, now: datetime
) -> StoredEvents | None:
    """Apply the batch in one statement, or return ``None`` having written nothing.

    Call inside the batch's transaction, after its moments were checked.
    """
    serials = [request.serial_number for request in requests]
    if len(set(serials)) != len(serials):
        return None
    found = lock_assets(Asset.objects.filter(serial_number__any=serials), values=_COLUMNS)
    if len(found) != len(serials):
        return None
    rows = {values[0]: _Locked(*values) for values in found}
    _load_before_missing(rows)
    batch = _Batch(rows)
    trees = _trees(list(rows))
    arrays: tuple[list, ...] = tuple([] for _ in range(10))
    member_ids: list[int] = []
    member_requests: list[int] = []
    for ordinal, request in enumerate(requests):
        root = batch.by_serial[request.serial_number]
        try:
            changes = batch._check(request, root, disposition=disposition)
        except LifecycleError:
            return None
        moment, members = trees[root.pk]
        if moment is not None and request.occurred_at < moment:
            return None
        member_ids.extend(members)
        member_requests.extend([ordinal + 1] * len(members))  # SQL arrays count from 1
        center = changes.get("center")
        decommissioned = changes.get("decommissioned_at", _ABSENT)
        values = (
            root.pk,
            request.to,
            request.occurred_at,
            request.note,
            request.external_id,
            changes["site"].pk if "site" in changes else None,
            KEEP if "center" not in changes else (SET if center is not None else CLEAR),
            center.pk if center is not None else None,
            "deployed_at" in changes,
            KEEP if decommissioned is _ABSENT else (SET if decommissioned is not None else CLEAR),
        )
        for array, value in zip(arrays, values, strict=True):
            array.append(value)
    keys = _apply(arrays, member_ids, member_requests, source=source, actor_id=actor_id, now=now)
    return StoredEvents(keys, connection.alias)


def _trees(root_ids: list[int]) -> dict[int, tuple[datetime | None, list[int]]]:
    """Each tree, by the id of its top: its latest ``last_event_at`` and its members' ids,
    the top first, then by depth and id (one statement)."""
    table = connection.ops.quote_name(Asset._meta.db_table)
    with connection.cursor() as cursor, _planner_settings(cursor, **PLANNED_BY_KEYS):
        cursor.execute(
            f"""
            WITH RECURSIVE tree (root, id, depth, moment) AS (
                SELECT id, id, 0, last_event_at FROM {table} WHERE id = ANY(%s)
                UNION ALL
                SELECT tree.root, a.id, tree.depth + 1, a.last_event_at
                FROM {table} a JOIN tree ON a.parent_id = tree.id
            )
            SELECT root, max(moment), array_agg(id ORDER BY depth, id) FROM tree GROUP BY root
            """,
            [root_ids],
        )
        return {root: (moment, members) for root, moment, members in cursor.fetchall()}


def _apply(
    arrays: tuple[list, ...],
    member_ids: list[int],
    member_requests: list[int],
    *,
    source: str,
    actor_id: int | None,
    now: datetime,
) -> list[tuple[int, int]]:
    """Move every member and append its events; return ``(event id, asset id)`` in event order.

    ``arrays`` hold one value per request; each member names its request by its position
    in them. Every row source is an array of known length, so the planner's estimates are
    exact (a recursive CTE here made it guess millions of rows)."""
    quote = connection.ops.quote_name
    assets = quote(Asset._meta.db_table)
    events = quote(LifecycleEvent._meta.db_table)
    site_table = quote(Asset._meta.get_field("site").related_model._meta.db_table)
    center_table = quote(Asset._meta.get_field("center").related_model._meta.db_table)
    statement = f"""
        WITH member AS MATERIALIZED (
            SELECT m.id, m.seq, a.status AS from_status, r.*
            FROM unnest(%s::bigint[], %s::integer[]) WITH ORDINALITY AS m (id, k, seq)
            JOIN {assets} a ON a.id = m.id
            JOIN unnest(
                %s::bigint[], %s::varchar[], %s::timestamptz[], %s::text[], %s::varchar[], %s::bigint[],
                %s::smallint[], %s::bigint[], %s::boolean[], %s::smallint[]
            ) WITH ORDINALITY AS r (root, to_status, occurred_at, note, external_id, site_id, center_mode,
                                    center_id, deploys, decommission_mode, k) ON r.k = m.k
        ), moved AS (
            UPDATE {assets} a SET
                status = m.to_status,
                last_event_at = m.occurred_at,
                updated_at = %s,
                site_id = coalesce(m.site_id, a.site_id),
                center_id = CASE m.center_mode WHEN {SET} THEN m.center_id WHEN {CLEAR} THEN NULL ELSE a.center_id END,
                deployed_at = CASE WHEN m.deploys THEN m.occurred_at ELSE a.deployed_at END,
                decommissioned_at = CASE m.decommission_mode
                    WHEN {SET} THEN m.occurred_at WHEN {CLEAR} THEN NULL ELSE a.decommissioned_at END
            FROM member m
            WHERE a.id = m.id
            RETURNING a.id, a.site_id, a.center_id
        )
        INSERT INTO {events} (asset_id, action, from_status, to_status, parent_id, occurred_at, recorded_at,
                              actor_id, source, location, note, external_id)
        SELECT m.id, %s, m.from_status, m.to_status, NULL, m.occurred_at, %s, %s, %s,
               CASE WHEN m.to_status <> %s AND moved.center_id IS NOT NULL THEN c.code ELSE s.code END,
               m.note, CASE WHEN m.id = m.root THEN m.external_id END
        FROM member m
        JOIN moved ON moved.id = m.id
        JOIN {site_table} s ON s.id = moved.site_id
        LEFT JOIN {center_table} c ON c.id = moved.center_id
        ORDER BY m.seq
        RETURNING id, asset_id
    """
    params = [member_ids, member_requests, *arrays, now, Action.TRANSITION.value, now, actor_id, source]
    params.append(Status.IN_STOCK.value)
    with connection.cursor() as cursor, _planner_settings(cursor, jit="off"):
        cursor.execute(statement, params)
        keys = cursor.fetchall()
    return sorted(keys)


# The planner cannot estimate a recursive CTE's rows (it guessed two million members for
# 20,000): it hashed the whole assets table and compiled the statement (JIT, a second) to
# run it in a quarter of that. Walking trees follows keys (a parent's id to its parts'
# ``parent_id``), so index lookups in nested loops are the plan at any fleet size.
PLANNED_BY_KEYS = {"jit": "off", "enable_hashjoin": "off", "enable_mergejoin": "off"}


@contextlib.contextmanager
def _planner_settings(cursor, **values):
    """Planner settings for the statements run inside, then back to what the session had."""
    names = list(values)
    cursor.execute(
        "SELECT " + ", ".join("current_setting(%s), set_config(%s, %s, true)" for _ in names),
        [value for name in names for value in (name, name, values[name])],
    )
    row = cursor.fetchone()
    before = dict(zip(names, row[::2], strict=True))
    yield  # on an error the batch's savepoint (or transaction) is rolled back, and these settings with it
    cursor.execute(
        "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in names),
        [value for name in names for value in (name, before[name])],
    )


class StoredEvents(Sequence):
    """The events a server-side batch wrote, known by ``(id, asset id)``; read from the
    database (one query) the first time an event itself is asked for. The API reads the
    ids only (``event_keys``)."""

    __slots__ = ("_alias", "_events", "_keys")

    def __init__(self, keys: list[tuple[int, int]], alias: str):
        self._keys = keys
        self._alias = alias
        self._events: list[LifecycleEvent] | None = None

    def keys(self) -> list[tuple[int, int]]:
        return self._keys

    def _load(self) -> list[LifecycleEvent]:
        if self._events is None:
            found = LifecycleEvent.objects.using(self._alias).in_bulk([event_id for event_id, _ in self._keys])
            self._events = [found[event_id] for event_id, _ in self._keys]
        return self._events

    def __len__(self) -> int:
        return len(self._keys)

    def __getitem__(self, index):
        return self._load()[index]

    def __iter__(self) -> Iterator[LifecycleEvent]:
        return iter(self._load())

    def __repr__(self) -> str:
        return f"<StoredEvents: {len(self._keys)} events>"
