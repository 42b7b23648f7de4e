"""Bulk ingest through ``POST /api/v1/events/`` against a binary COPY of the same event rows."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid

from django.test import Client

from .fleet import TREE, Fleet
from .measure import Figure, human

EVENT_COLUMNS = (
    "asset_id, action, from_status, to_status, occurred_at, recorded_at, source, location, note, external_id"
)


def ingest_figure(conn, fleet: Fleet, token: str, *, batches: int, batch_size: int, first_server: int = 0) -> Figure:
    """Decommission ``batches × batch_size`` deployed servers (each cascades to its 19 parts)."""
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    occurred = dt.datetime(2024, 6, 1, tzinfo=dt.UTC).isoformat()
    events = 0
    elapsed = 0.0
    server = first_server
    for _ in range(batches):
        body = []
        for _ in range(batch_size):
            serial = fleet.serial(fleet.server_id(server))
            body.append(
                {
                    "asset": serial,
                    "to": "decommissioned",
                    "occurred_at": occurred,
                    "external_id": f"bench-{uuid.uuid4()}",
                }
            )
            server += 1
        payload = json.dumps(body)
        started = time.perf_counter()
        response = client.post("/api/v1/events/", payload, content_type="application/json")
        elapsed += time.perf_counter() - started
        if response.status_code not in (200, 201):
            raise RuntimeError(f"ingest answered {response.status_code}: {response.content[:500]!r}")
        events += batch_size * TREE
    ours = events / elapsed
    reference = copy_rate(conn, fleet, events, first_asset=fleet.server_id(server))
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
        note=f"each transition cascades to the server's {TREE - 1} parts: {TREE} events",
    )


def copy_rate(conn, fleet: Fleet, rows: int, *, first_asset: int) -> float:
    """Rows per second of a binary COPY of as many event rows into the events table."""
    now = dt.datetime.now(dt.UTC)
    occurred = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
    started = time.perf_counter()
    statement = f"COPY inventory_lifecycleevent ({EVENT_COLUMNS}) FROM STDIN (FORMAT BINARY)"
    with conn.cursor() as cur, cur.copy(statement) as copy:
        copy.set_types(
            [
                "int8",
                "varchar",
                "varchar",
                "varchar",
                "timestamptz",
                "timestamptz",
                "varchar",
                "varchar",
                "text",
                "varchar",
            ]
        )
        for offset in range(rows):
            copy.write_row(
                (
                    first_asset + offset % (fleet.assets - first_asset),
                    "transition",
                    "deployed",
                    "decommissioned",
                    occurred,
                    now,
                    "api",
                    "AMS05",
                    "",
                    None,
                )
            )
    conn.commit()
    return rows / (time.perf_counter() - started)
