"""Partitioned history, measured: ``python -m bench.partitions --size small|medium``.

On a fresh database holding the bench fleet (``bench.fleet``: servers with their parts, then
dispositions with their custody events), measures:

* the partitioning migrations' work on that data: each table is first turned back into a
  plain table (untimed), then ``inventory.partitioning.partition_table`` runs as the
  migrations run it, timed, with the rows it moved;
* ingest (the bench's ingest benchmark, ``bench.ingest_workload``) with partitioned events,
  then with a plain events table, then partitioned again, in the same run, each beside its
  binary COPY reference: the ratio of partitioned to plain;
* the plans (``EXPLAIN ANALYZE``) of the events feed by recorded time, a month's metrics
  and the compliance report's exceptions of a month: which partitions they read;
* the maintenance job (``create_ahead`` for a month with none ahead).

Writes ``bench/out/partitions-SIZE.json`` and the plans beside it (``partitions-SIZE-plans.txt``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import time
from pathlib import Path

from tqdm import tqdm

from .__main__ import OUT, SIZES, _token
from .db import bench_url, connect, drop_database, recreate_database, table_size

EVENTS, DISPOSITIONS = "inventory_lifecycleevent", "circularity_disposition"
KEYS = {EVENTS: "recorded_at", DISPOSITIONS: "decided_at"}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.partitions", description=__doc__)
    parser.add_argument("--size", choices=["small", "medium"], default="small")
    parser.add_argument("--dispositions", type=int, default=None, help="default: the size's first count")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--out", type=Path, default=OUT, help="directory for the results (default bench/out)")
    args = parser.parse_args(argv)
    plan = SIZES[args.size]
    url = bench_url(f"{args.size}_partitions")
    print(f"bench.partitions: size {args.size}; database {url}", flush=True)
    recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        results, plans = run(url, plan, args.dispositions or plan["dispositions"][0])
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(url)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"partitions-{args.size}.json").write_text(json.dumps(results, indent=2, default=str))
    (args.out / f"partitions-{args.size}-plans.txt").write_text(plans)
    print(json.dumps(results, indent=2, default=str))


def run(url: str, plan: dict, dispositions: int) -> tuple[dict, str]:
    from inventory.models import Asset

    from . import fleet as fleet_module
    from .metrics_workloads import grow_dispositions

    conn = connect(url)
    servers = plan["servers"]
    with tqdm(total=servers, desc="assets (servers)", unit="server") as bar:
        fleet = fleet_module.load_assets(conn, servers, progress=lambda n: bar.update(n - bar.n))
    with tqdm(total=dispositions, desc="dispositions", unit="row") as bar:
        grow_dispositions(conn, fleet, dispositions, 0, servers, progress=lambda n: bar.update(n - bar.n))
    results = {"servers": servers, "assets": Asset.objects.count(), "dispositions": dispositions}

    results["migration"] = {table: migrate_timed(conn, table) for table in (EVENTS, DISPOSITIONS)}
    results["ingest"] = ingest_both_ways(conn, fleet, _token(), plan)
    results["maintenance_seconds"] = maintenance_seconds()
    plans = explain_plans()
    results["plans"] = {name: summary for name, (summary, _) in plans.items()}
    conn.close()
    text = "\n\n".join(f"== {name}\n{summary}\n{body}" for name, (summary, body) in plans.items())
    return results, text


def _convert(partitioned: bool, table: str) -> float:
    """Turn ``table`` plain or partitioned as the migrations do, in one transaction; seconds."""
    from django.db import connection, transaction

    from inventory.partitioning import partition_table, unpartition_table

    started = time.perf_counter()
    with transaction.atomic(), connection.schema_editor(atomic=False) as editor:
        if partitioned:
            partition_table(editor, table, KEYS[table])
        else:
            unpartition_table(editor, table, KEYS[table])
    return time.perf_counter() - started


def migrate_timed(conn, table: str) -> dict:
    rows = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    size = table_size(conn, table)
    conn.commit()
    _convert(False, table)
    seconds = _convert(True, table)
    months = conn.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = %s::regclass", [table]).fetchone()[0]
    conn.commit()
    print(f"bench.partitions: partitioned {table}: {rows} rows in {seconds:.1f} s, {months} partitions", flush=True)
    return {"rows": rows, "bytes": size, "seconds": round(seconds, 2), "partitions": months}


def ingest_both_ways(conn, fleet, token: str, plan: dict) -> dict:
    """Partitioned, plain, partitioned: three runs of the ingest benchmark on fresh servers."""
    from django.test import Client

    from .ingest_workload import ingest_figure

    batches, per_batch = plan["ingest"]
    # Four alternating runs on fresh servers each: fewer batches (or smaller) than the size's plan.
    order = (True, False, True, False)
    batches = max(1, min(batches, fleet.servers // (len(order) * per_batch)))
    per_batch = min(per_batch, fleet.servers // (len(order) * batches))
    runs, server = [], 0
    warm = Client(HTTP_AUTHORIZATION=f"Token {token}")  # the process's first requests, unmeasured
    for _ in range(3):
        warm.get("/api/v1/events/", {"page_size": 1})
    for partitioned in order:
        conversion = _convert(partitioned, EVENTS) if runs else None
        figure = ingest_figure(conn, fleet, token, batches=batches, batch_size=per_batch, first_server=server)
        server += batches * per_batch
        runs.append(
            {
                "partitioned": partitioned,
                "events_per_s": round(figure.ours),
                "copy_events_per_s": round(figure.reference),
                "of_copy": round(figure.ratio, 4),
                "conversion_seconds": None if conversion is None else round(conversion, 2),
            }
        )
        print(f"bench.partitions: ingest {runs[-1]}", flush=True)
    if not runs[-1]["partitioned"]:
        _convert(True, EVENTS)  # leave the history as the migrations make it

    def mean(key: str, partitioned: bool) -> float:
        return statistics.mean(run[key] for run in runs if run["partitioned"] is partitioned)

    return {
        "batches": batches,
        "servers_per_batch": per_batch,
        "runs": runs,
        "ratio_events_per_s": round(mean("events_per_s", True) / mean("events_per_s", False), 3),
        "ratio_of_copy": round(mean("of_copy", True) / mean("of_copy", False), 3),
    }


def maintenance_seconds() -> float:
    """The beat job's work when a whole new window of months is missing (4 months × 2 tables)."""
    from inventory.partitions import create_ahead

    started = time.perf_counter()
    created = create_ahead(now=dt.datetime(2040, 1, 1, tzinfo=dt.UTC))
    seconds = time.perf_counter() - started
    assert len(created) == 8, created
    started = time.perf_counter()
    assert create_ahead(now=dt.datetime(2040, 1, 1, tzinfo=dt.UTC)) == []
    return {"create_8_partitions_s": round(seconds, 3), "nothing_to_do_s": round(time.perf_counter() - started, 4)}


def explain_plans() -> dict[str, tuple[str, str]]:
    """name -> (which partitions the plan reads, the plan's text)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from circularity.exceptions import uncertified_dispositions
    from circularity.models import Disposition

    # The month the fleet was loaded in (its events' recorded_at), as an integrator reading
    # back a month of history would ask.
    first, until = dt.datetime(2024, 7, 1, tzinfo=dt.UTC), dt.datetime(2024, 8, 1, tzinfo=dt.UTC)
    client = Client(HTTP_AUTHORIZATION=f"Token {_token_of_bench()}")
    with CaptureQueriesContext(connection) as queries:
        window = {"recorded_after": first.isoformat(), "recorded_before": until.isoformat()}
        client.get("/api/v1/events/", window)
    feed = [q["sql"] for q in queries.captured_queries if f'FROM "{EVENTS}"' in q["sql"]][0]
    march, april = dt.datetime(2024, 3, 1, tzinfo=dt.UTC), dt.datetime(2024, 4, 1, tzinfo=dt.UTC)
    month_rows = Disposition.objects.filter(decided_at__gte=march, decided_at__lt=april)
    from django.db.models import Count, Sum

    metrics = month_rows.values("center_id").annotate(units=Count("id"), mass=Sum("mass_kg"))
    exceptions = uncertified_dispositions(first=march, until=april)
    statements = {
        "events feed, recorded in July 2024 (GET /api/v1/events/?recorded_after=…&recorded_before=…)": (feed, None),
        "a month's dispositions by center (the metrics' shape), March 2024": metrics.query.sql_with_params(),
        "the report's uncertified dispositions of March 2024 (count)": exceptions.values("id").query.sql_with_params(),
    }
    plans = {}
    with connection.cursor() as cursor:
        for name, (sql, params) in statements.items():
            if name.startswith("the report"):
                cursor.execute("SET jit = off")  # as the report runs it (circularity.exceptions)
            cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) {sql}", params)
            body = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            tree = cursor.fetchone()[0]
            tree = (json.loads(tree) if isinstance(tree, str) else tree)[0]["Plan"]
            outer = sorted({node["Relation Name"] for node in _outer_nodes(tree) if "Relation Name" in node})
            plans[name] = (f"partitions the query's own scan reads (outside subqueries): {', '.join(outer)}", body)
    return plans


def _outer_nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        if child.get("Parent Relationship") != "SubPlan":
            yield from _outer_nodes(child)


def _token_of_bench() -> str:
    from rest_framework.authtoken.models import Token

    return Token.objects.get(user__username="bench").key


if __name__ == "__main__":
    main()
