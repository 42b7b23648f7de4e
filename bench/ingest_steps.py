"""The gain of each step of issue 14's "Faster ingest", measured in one run:
``python -m bench.ingest_steps --size medium [--rounds 3]``.

One fleet is loaded (as ``make bench`` loads it), then batches of server decommissionings
go through ``POST /api/v1/events/`` in three variants, interleaved round after round, each
batch followed by the reference COPY of the rows it wrote (``ingest_workload``):

* ``before``: a transition is not a HOT update (the ``(status, site)`` index the assets
  table had is built again before the batch, untimed, and dropped after) and the batch
  is checked and written from Python (``LIFECYCLE_APPLY_ON_SERVER`` off);
* ``hot``: the table as migrated (no index on a column a transition changes, fill
  factor 50), the batch written from Python;
* ``hot + server``: the table as migrated, the batch applied by one statement
  (``inventory/lifecycle/ingest.py``).

The machine is shared, so each variant's figure is its ratio to the COPYs run beside its
own batches; the medians over the rounds are printed.
"""

from __future__ import annotations

import argparse
import os
import statistics

from django.test import Client, override_settings

from .db import bench_url, connect, drop_database, recreate_database

VARIANTS = ("before", "hot", "hot + server")
STATUS_INDEX = "CREATE INDEX bench_asset_status_site_idx ON inventory_asset (status, site_id)"


def main(argv=None) -> None:
    from . import __main__ as runner

    parser = argparse.ArgumentParser(prog="python -m bench.ingest_steps", description=__doc__)
    parser.add_argument("--size", choices=sorted(runner.SIZES), default="medium")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=1000, help="servers per batch (20 events each)")
    args = parser.parse_args(argv)
    plan = runner.SIZES[args.size]
    if args.rounds * len(VARIANTS) * args.batch > plan["servers"]:
        raise SystemExit(f"{args.size}: {plan['servers']} servers, not enough for {args.rounds} rounds")
    url = bench_url(args.size) + "_steps"
    recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from . import fleet as fleet_module
    from .ingest_workload import asset_updates, timed_batch

    call_command("migrate", verbosity=0)
    conn = connect(url)
    try:
        fleet = fleet_module.load_assets(conn, plan["servers"])
        client = Client(HTTP_AUTHORIZATION=f"Token {runner._token()}")
        ratios: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
        rates: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
        hot: dict[str, list[tuple[int, int]]] = {variant: [] for variant in VARIANTS}
        server = 0
        for round_number in range(args.rounds):
            for variant in VARIANTS:
                if variant == "before":
                    conn.execute(STATUS_INDEX)
                    conn.commit()
                before = asset_updates(conn)
                with override_settings(LIFECYCLE_APPLY_ON_SERVER=variant == "hot + server"):
                    api, reference = timed_batch(conn, client, fleet, server, args.batch)
                after = asset_updates(conn)
                if variant == "before":
                    conn.execute("DROP INDEX bench_asset_status_site_idx")
                    conn.commit()
                server += args.batch
                events = args.batch * fleet_module.TREE
                rates[variant].append(events / api)
                ratios[variant].append(reference / api)
                hot[variant].append((after[0] - before[0], after[1] - before[1]))
                print(
                    f"round {round_number + 1} {variant:<13} {events / api:9,.0f} events/s "
                    f"COPY {events / reference:9,.0f} rows/s ratio {reference / api:.3f} "
                    f"HOT {after[1] - before[1]:,} of {after[0] - before[0]:,}",
                    flush=True,
                )
        print("median over the rounds:")
        for variant in VARIANTS:
            print(
                f"  {variant:<13} {statistics.median(rates[variant]):9,.0f} events/s, "
                f"ratio to COPY {statistics.median(ratios[variant]):.3f} "
                f"(rounds: {', '.join(f'{r:.3f}' for r in ratios[variant])})"
            )
    finally:
        conn.close()
        from django.db import connections

        connections.close_all()
        drop_database(url)


if __name__ == "__main__":
    main()
