"""Invariants of the spec, checked over an existing database (``manage.py check_data``).

Each ``Check`` is one set-based SQL statement run over a range of primary keys of its
driving table at a time (``CHUNK`` ids), so a 1 M-asset fleet is scanned in bounded
pieces with progress to show, and never row by row in Python. A check returns the rows
that break its invariant, each with its key (serial number, id). Moments are read back as
text: a value PostgreSQL stores but Python cannot hold (1 BC) is reported, not crashed on.

This module holds the machinery and the inventory's invariants; ``circularity.integrity``
adds those of dispositions, records and targets (``inventory`` imports nothing of it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from . import moments, partitions
from .choices import TERMINAL_STATUSES, Action, Status
from .lifecycle.table import ALLOWED, DISPOSITION_TARGETS, PART_MOVE_STATUSES
from .models import Asset, LifecycleEvent
from .registration import REGISTRATION_STATUSES

CHUNK = 100_000  # ids of the driving table per statement

ASSETS = Asset._meta.db_table
EVENTS = LifecycleEvent._meta.db_table


@dataclass(frozen=True)
class Check:
    """An invariant: ``sql`` selects the rows breaking it among ids ``%(lo)s`` … ``%(hi)s``
    of ``table``; ``describe`` renders one such row (a tuple) with its key. A check of the
    schema itself (``table`` ``None``: the partitions) runs once, not by ranges of ids."""

    name: str
    invariant: str
    table: str | None
    sql: str
    describe: Callable[[tuple], str]


@dataclass(frozen=True)
class Violation:
    check: Check
    detail: str


def bounds(now: dt.datetime) -> dict:
    """The parameters every check may use: the range of a moment (SPEC section 2, "Time"),
    in the form the database stores them (text on SQLite)."""
    ops = connection.ops
    return {
        "earliest": ops.adapt_datetimefield_value(moments.EARLIEST),
        "latest": ops.adapt_datetimefield_value(now + moments.FUTURE_TOLERANCE),
        "first_day": ops.adapt_datefield_value(moments.FIRST_DAY),
        "last_day": ops.adapt_datefield_value((now.astimezone(dt.UTC) + dt.timedelta(days=1)).date()),
    }


def run_checks(checks: Sequence[Check], *, progress: Callable[[Check, int], None] | None = None) -> Iterator[Violation]:
    """Run every check, chunk by chunk; yield each violation as it is found.

    ``progress(check, ids_done)`` is called after each chunk.
    """
    params = bounds(timezone.now())
    with connection.cursor() as cursor:
        for check in checks:
            if check.table is None:
                cursor.execute(check.sql, params)
                for row in cursor.fetchall():
                    yield Violation(check, check.describe(row))
                continue
            cursor.execute(f"SELECT MIN(id), MAX(id) FROM {check.table}")
            low, high = cursor.fetchone()
            if low is None:
                continue
            for lo in range(low, high + 1, CHUNK):
                hi = min(lo + CHUNK - 1, high)
                cursor.execute(check.sql, {**params, "lo": lo, "hi": hi})
                for row in cursor.fetchall():
                    yield Violation(check, check.describe(row))
                if progress is not None:
                    progress(check, hi - lo + 1)


def id_span(table: str | None) -> int:
    if table is None:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(id), MAX(id) FROM {table}")
        low, high = cursor.fetchone()
    return 0 if low is None else high - low + 1


def literals(values) -> str:
    """Constants of the code (states, routes) as an SQL list: they are ours, never input."""
    return ", ".join(f"'{value}'" for value in sorted(values))


def text(column: str) -> str:
    return f"CAST({column} AS TEXT)"


def out_of_range(column: str) -> str:
    return f"({column} < %(earliest)s OR {column} > %(latest)s)"


def _allowed_transitions() -> set[str]:
    """Every ``from>to`` a transition event may record: the table, dispositions, found
    again (from ``missing`` to the state it left), and registration (``s>s``)."""
    pairs = {f"{current}>{to}" for current, targets in ALLOWED.items() for to in targets}
    pairs |= {f"{Status.AT_CIRCULAR_CENTER}>{to}" for to in DISPOSITION_TARGETS}
    pairs |= {f"{Status.MISSING}>{state}" for state in Status.values if state not in TERMINAL_STATUSES}
    pairs |= {f"{state}>{state}" for state in REGISTRATION_STATUSES}
    return pairs


def _moments_of_assets(row) -> str:
    _, serial, *values = row
    named = [
        f"{name} {value}"
        for name, value in zip(("deployed_at", "decommissioned_at", "last_event_at"), values, strict=True)
        if value
    ]
    return f"{serial} (asset {row[0]}): {', '.join(named)}"


def inventory_checks() -> list[Check]:
    in_range = "a.id BETWEEN %(lo)s AND %(hi)s"
    moment_columns = ("a.deployed_at", "a.decommissioned_at", "a.last_event_at")
    last_event = f"""
        SELECT asset_id, to_status, occurred_at,
               ROW_NUMBER() OVER (PARTITION BY asset_id ORDER BY occurred_at DESC, id DESC) AS position
        FROM {EVENTS} WHERE asset_id BETWEEN %(lo)s AND %(hi)s"""
    return [
        Check(
            "event_moment_out_of_range",
            "every event occurred between 1990-01-01T00:00Z and five minutes after now",
            EVENTS,
            f"""SELECT e.id, a.serial_number, {text("e.occurred_at")}
                FROM {EVENTS} e JOIN {ASSETS} a ON a.id = e.asset_id
                WHERE e.id BETWEEN %(lo)s AND %(hi)s AND {out_of_range("e.occurred_at")}""",
            lambda row: f"{row[1]} (event {row[0]}): occurred_at {row[2]}",
        ),
        Check(
            "asset_moment_out_of_range",
            "an asset's deployed_at, decommissioned_at and latest-event moment lie in range",
            ASSETS,
            f"""SELECT a.id, a.serial_number, {", ".join(text(c) for c in moment_columns)}
                FROM {ASSETS} a
                WHERE {in_range} AND ({" OR ".join(out_of_range(c) for c in moment_columns)})""",
            _moments_of_assets,
        ),
        Check(
            "asset_without_history",
            "every asset has at least one event (its registration)",
            ASSETS,
            f"""SELECT a.id, a.serial_number FROM {ASSETS} a
                WHERE {in_range} AND NOT EXISTS (SELECT 1 FROM {EVENTS} e WHERE e.asset_id = a.id)""",
            lambda row: f"{row[1]} (asset {row[0]}): no event",
        ),
        Check(
            "status_not_last_event",
            "an asset's status is the to_status of its last event in (occurred_at, id) order",
            ASSETS,
            f"""SELECT a.id, a.serial_number, a.status, e.to_status, {text("e.occurred_at")}
                FROM {ASSETS} a JOIN ({last_event}) e ON e.asset_id = a.id AND e.position = 1
                WHERE {in_range} AND a.status <> e.to_status""",
            lambda row: f"{row[1]} (asset {row[0]}): status {row[2]}, its last event (at {row[4]}) says {row[3]}",
        ),
        Check(
            "history_out_of_order",
            "in (occurred_at, id) order, each event starts from the state the previous one left",
            ASSETS,
            f"""SELECT e.id, a.serial_number, {text("e.occurred_at")}, e.from_status, e.previous
                FROM (SELECT id, asset_id, occurred_at, from_status,
                             LAG(to_status) OVER (PARTITION BY asset_id ORDER BY occurred_at, id) AS previous
                      FROM {EVENTS} WHERE asset_id BETWEEN %(lo)s AND %(hi)s) e
                JOIN {ASSETS} a ON a.id = e.asset_id
                WHERE e.previous IS NOT NULL AND e.from_status <> e.previous""",
            lambda row: f"{row[1]} (event {row[0]} at {row[2]}): from {row[3]}, but the event before it left {row[4]}",
        ),
        Check(
            "latest_event_moment_stale",
            "an asset's last_event_at is the latest moment of its events (as the asset or as a parent)",
            ASSETS,
            f"""SELECT a.id, a.serial_number, {text("a.last_event_at")}, {text("m.latest")}
                FROM {ASSETS} a LEFT JOIN (
                    SELECT id, MAX(occurred_at) AS latest FROM (
                        SELECT asset_id AS id, occurred_at FROM {EVENTS} WHERE asset_id BETWEEN %(lo)s AND %(hi)s
                        UNION ALL
                        SELECT parent_id AS id, occurred_at FROM {EVENTS} WHERE parent_id BETWEEN %(lo)s AND %(hi)s
                    ) named GROUP BY id
                ) m ON m.id = a.id
                WHERE {in_range}
                  AND NOT (a.last_event_at = m.latest OR (a.last_event_at IS NULL AND m.latest IS NULL))""",
            lambda row: f"{row[1]} (asset {row[0]}): last_event_at {row[2]}, its events say {row[3]}",
        ),
        Check(
            "component_differs_from_parent",
            "a component shares its parent's state, site and circular center",
            ASSETS,
            f"""SELECT a.id, a.serial_number, a.status, p.serial_number, p.status
                FROM {ASSETS} a JOIN {ASSETS} p ON p.id = a.parent_id
                WHERE {in_range} AND (a.status <> p.status OR a.site_id <> p.site_id
                      OR NOT (a.center_id = p.center_id OR (a.center_id IS NULL AND p.center_id IS NULL)))""",
            lambda row: f"{row[1]} (asset {row[0]}): {row[2]}, installed in {row[3]} which is {row[4]} (or elsewhere)",
        ),
        Check(
            "event_not_in_table",
            "every transition event is one the table allows; an installation or removal changes no state",
            EVENTS,
            f"""SELECT e.id, a.serial_number, e.action, e.from_status, e.to_status
                FROM {EVENTS} e JOIN {ASSETS} a ON a.id = e.asset_id
                WHERE e.id BETWEEN %(lo)s AND %(hi)s AND CASE
                    WHEN e.action = '{Action.TRANSITION}'
                        THEN (e.from_status || '>' || e.to_status) NOT IN ({literals(_allowed_transitions())})
                    ELSE e.from_status <> e.to_status OR e.to_status NOT IN ({literals(PART_MOVE_STATUSES)})
                END""",
            lambda row: f"{row[1]} (event {row[0]}): {row[2]} {row[3]} → {row[4]}",
        ),
        *partition_checks(),
    ]


def partition_checks() -> list[Check]:
    """The partitioned tables (PostgreSQL) have their months ahead, each partition guarded."""
    tables = [model._meta.db_table for model in partitions.partitioned_models()]
    if connection.vendor != "postgresql" or not tables:
        return []
    partitioned = f"""
        SELECT t.relname AS name, t.oid FROM pg_class t
        WHERE t.relkind = 'p' AND t.relname IN ({literals(tables)}) AND t.relnamespace = 'public'::regnamespace"""
    attached = "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = t.oid"
    this_month = "date_trunc('month', now() AT TIME ZONE 'UTC')"
    return [
        Check(
            "partitions_ahead",
            f"every partitioned table has a partition for the current month and the {partitions.AHEAD} after it "
            "(manage.py create_partitions; the beat job does it daily)",
            None,
            f"""SELECT t.name, to_char(m, 'YYYY-MM') FROM ({partitioned}) t
                CROSS JOIN generate_series({this_month}, {this_month} + interval '{partitions.AHEAD} months',
                                           interval '1 month') m
                WHERE t.name || '_p' || to_char(m, 'YYYYMM') NOT IN ({attached})
                ORDER BY 1, 2""",
            lambda row: f"{row[0]}: no partition for {row[1]}",
        ),
        Check(
            "partition_unguarded",
            "every partition of an append-only table refuses TRUNCATE (its own trigger; row triggers are cloned)",
            None,
            f"""SELECT t.name, c.relname FROM ({partitioned}) t
                JOIN pg_inherits i ON i.inhparent = t.oid JOIN pg_class c ON c.oid = i.inhrelid
                WHERE NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid
                                  AND g.tgname = c.relname || '_no_truncate')
                ORDER BY 1, 2""",
            lambda row: f"{row[0]}: partition {row[1]} accepts TRUNCATE",
        ),
    ]


__all__ = ["CHUNK", "Check", "Violation", "id_span", "inventory_checks", "literals", "run_checks", "text"]
