"""Bulk ingest through ``POST /api/v1/events/`` against a binary COPY of the same event rows."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid

from django.test import Client

from .fleet import TREE, Fleet
from .measure import Figure, human

# Every column the API writes (``id`` comes from the table's sequence in both runs).
EVENT_COLUMNS = (
    "asset_id",
    "action",
    "from_status",
    "to_status",
    "occurred_at",
    "recorded_at",
    "source",
    "location",
    "note",
    "external_id",
    "actor_id",
    "parent_id",
)
COPY_TYPES = ["int8", "varchar", "varchar", "varchar", "timestamptz", "timestamptz", "varchar", "varchar", "text"]
COPY_TYPES += ["varchar", "int4", "int8"]


def ingest_figure(conn, fleet: Fleet, token: str, *, batches: int, batch_size: int, first_server: int = 0) -> Figure:
    """Decommission ``batches × batch_size`` deployed servers (each cascades to its 19 parts).

    Each API batch is followed by the reference's COPY of the rows it wrote, in a
    transaction of the same size, so the two alternate and share whatever the machine
    does meanwhile (checkpoints, autovacuum): a single COPY of every row at the end swung
    from 42,000 to 69,000 rows/s between two runs.
    """
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    updates_before = asset_updates(conn)
    events = 0
    elapsed = copy_elapsed = 0.0
    server = first_server
    for _ in range(batches):
        api_seconds, reference_seconds = timed_batch(conn, client, fleet, server, batch_size)
        elapsed += api_seconds
        copy_elapsed += reference_seconds
        server += batch_size
        events += batch_size * TREE
    updated, hot = (after - before for after, before in zip(asset_updates(conn), updates_before, strict=True))
    ours = events / elapsed
    reference = events / copy_elapsed
    ratio = ours / reference
    return Figure(
        workload=f"bulk ingest: POST /api/v1/events/, batches of {human(batch_size)} server transitions",
        size=f"{human(batches * batch_size)} servers → {human(events)} events",
        ours=ours,
        reference=reference,
        unit="events/s",
        ratio=ratio,
        goal="≥ 25 % of binary COPY's rows per second",
        met=ratio >= 0.25,
        note=(
            f"each transition cascades to the server's {TREE - 1} parts: {TREE} events; "
            f"asset row updates kept on their page (HOT): {hot:,} of {updated:,}"
        ),
    )


def timed_batch(conn, client, fleet: Fleet, first_server: int, batch_size: int) -> tuple[float, float]:
    """Seconds the API takes to decommission ``batch_size`` servers from ``first_server`` on,
    and seconds the reference COPY of the rows it wrote takes right after."""
    occurred = dt.datetime(2024, 6, 1, tzinfo=dt.UTC).isoformat()
    body = [
        {
            "asset": fleet.serial(fleet.server_id(server)),
            "to": "decommissioned",
            "occurred_at": occurred,
            "external_id": f"bench-{uuid.uuid4()}",
        }
        for server in range(first_server, first_server + batch_size)
    ]
    payload = json.dumps(body)
    last_event = conn.execute("SELECT coalesce(max(id), 0) FROM inventory_lifecycleevent").fetchone()[0]
    conn.commit()
    started = time.perf_counter()
    response = client.post("/api/v1/events/", payload, content_type="application/json")
    elapsed = time.perf_counter() - started
    if response.status_code not in (200, 201):
        raise RuntimeError(f"ingest answered {response.status_code}: {response.content[:500]!r}")
    return elapsed, copy_seconds(conn, after_event=last_event, expected=batch_size * TREE)


def asset_updates(conn) -> tuple[int, int]:
    """Rows updated in the assets table so far, and how many of them were HOT updates
    (the new version on the same page, no index touched): ``pg_stat_user_tables``."""
    from django.db import connection

    with connection.cursor() as cursor:  # the API's session: send its counters now
        cursor.execute("SELECT pg_stat_force_next_flush()")
    connection.close()  # a session flushes its counters when it ends
    time.sleep(0.5)
    conn.execute("SELECT pg_stat_clear_snapshot()")
    row = conn.execute(
        "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'inventory_asset'"
    ).fetchone()
    conn.commit()
    return row


def copy_seconds(conn, *, after_event: int, expected: int) -> float:
    """Seconds a binary COPY of the very event rows the API wrote takes, into the same table.

    The rows are read back first (untimed) and copied as they are: same assets, states,
    times, actor (so the same foreign-key checks at commit), locations and notes; the
    ``external_id`` of each request's own event gets a prefix, so the copies take the
    unique index's entries as the originals did without colliding with them. The copies
    are deleted afterwards (untimed; the append-only trigger is bypassed for this bench
    session only), so the fleet's history stays as the API wrote it: one event per change.
    """
    columns = ", ".join(EVENT_COLUMNS)
    rows = conn.execute(
        f"SELECT {columns} FROM inventory_lifecycleevent WHERE id > %s ORDER BY id", [after_event]
    ).fetchall()
    conn.commit()
    if len(rows) != expected:
        raise RuntimeError(f"ingest wrote {len(rows)} events; expected {expected}")
    key = EVENT_COLUMNS.index("external_id")
    rows = [(*row[:key], f"copy-{row[key]}" if row[key] else None, *row[key + 1 :]) for row in rows]
    last_original = conn.execute("SELECT MAX(id) FROM inventory_lifecycleevent").fetchone()[0]
    conn.commit()
    started = time.perf_counter()
    statement = f"COPY inventory_lifecycleevent ({columns}) FROM STDIN (FORMAT BINARY)"
    with conn.cursor() as cur, cur.copy(statement) as copy:
        copy.set_types(COPY_TYPES)
        for row in rows:
            copy.write_row(row)
    conn.commit()
    elapsed = time.perf_counter() - started
    conn.execute("SET session_replication_role = replica")  # triggers off: the copies go
    conn.execute("DELETE FROM inventory_lifecycleevent WHERE id > %s", [last_original])
    conn.execute("SET session_replication_role = DEFAULT")
    conn.commit()
    return elapsed
