"""How long the monthly compliance report takes to build, against the metric queries it needs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch python bench/compliance_report.py --load 1000000
    DATABASE_URL=... python bench/compliance_report.py             # measure only (data already loaded)

``--load N`` fills an EMPTY, migrated PostgreSQL database with N dispositions over the 36
months FY2020–FY2022 (one asset each; 25 % data-bearing with a purge certificate, 25 of
them without), 3,000 assets in transit and 500 missing, written with COPY. It then times,
for the report of 2022-03, live (no monthly snapshots) and with fresh snapshots:

* the metric queries alone: what the dashboard/API would run for the same content;
* ``build_report`` (every figure, the exceptions and the chart) and the rendering of the
  HTML, text, CSV and PDF.

Numbers are written to docs/reports.md by hand; see there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "assetlife.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

MONTH = dt.date(2022, 3, 1)
FIRST = dt.date(2019, 7, 1)
MONTHS = 36
ROUTES = [  # route, share, asset status
    ("reuse", 0.10, "in_stock"),
    ("resale", 0.35, "resold"),
    ("recycle", 0.37, "recycled"),
    ("incineration_energy_recovery", 0.08, "disposed"),
    ("incineration", 0.04, "disposed"),
    ("landfill", 0.06, "disposed"),
]
MODELS = [  # category, mass kg, data bearing, embodied kgCO2e, share
    ("server", "18.500", False, "1300", 0.08),
    ("memory", "0.030", False, "11", 0.30),
    ("cpu", "0.100", False, "25", 0.10),
    ("ssd", "0.090", True, "18", 0.17),
    ("hdd", "0.670", True, "30", 0.08),
    ("nic", "0.150", False, "9", 0.08),
    ("psu", "1.200", False, "20", 0.09),
    ("fan", "0.200", False, None, 0.10),
]


def copy(table: str, columns: list[str], rows) -> None:
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copier:
            for row in rows:
                copier.write_row(row)


def load(count: int) -> None:
    from circularity.models import CircularCenter, Disposition
    from inventory.models import Asset, PartModel, Site

    if Disposition.objects.exists() or Asset.objects.exists():
        raise SystemExit("--load needs an empty, migrated database")
    rng = random.Random(7)
    now = dt.datetime.now(dt.UTC)
    sites = [
        Site.objects.create(code=f"DC{i:02d}", name=f"Data center {i}", region="r", country="NL") for i in range(20)
    ]
    centers = []
    for i in range(10):
        center = CircularCenter.objects.create(code=f"CC{i:02d}", name=f"Circular center {i}")
        center.sites.set(sites[2 * i : 2 * i + 2])
        centers.append(center)
    models = [
        PartModel.objects.create(
            manufacturer="Bench",
            model_number=category,
            category=category,
            mass_kg=Decimal(mass),
            data_bearing=bearing,
            embodied_kgco2e=Decimal(embodied) if embodied else None,
        )
        for category, mass, bearing, embodied, _ in MODELS
    ]
    model_weights = [share for *_, share in MODELS]
    route_weights = [share for _, share, _ in ROUTES]
    assets, dispositions, sanitizations = [], [], []
    uncertified = set(rng.sample(range(count), 25))
    for i in range(count):
        site_index = rng.randrange(20)
        model = rng.choices(models, model_weights)[0]
        route, _, status = rng.choices(ROUTES, route_weights)[0]
        month = FIRST.month - 1 + rng.randrange(MONTHS)
        decided = dt.datetime(
            FIRST.year + month // 12, month % 12 + 1, rng.randint(1, 28), rng.randrange(24), tzinfo=dt.UTC
        )
        asset_id = i + 1
        center = centers[site_index // 2]
        to_site = sites[site_index].pk if route == "reuse" else None
        assets.append(
            (
                asset_id,
                f"B{asset_id:09d}",
                status,
                None,
                decided,
                now,
                now,
                center.pk if status != "in_stock" else None,
                None,
                model.pk,
                sites[site_index].pk,
            )
        )
        dispositions.append(
            (
                asset_id,
                model.category,
                route,
                decided,
                model.mass_kg,
                model.embodied_kgco2e,
                "",
                "",
                now,
                None,
                asset_id,
                center.pk,
                sites[site_index].pk,
                to_site,
                asset_id,
            )
        )
        if model.data_bearing and i not in uncertified:
            sanitizations.append(
                (asset_id, "purge", decided - dt.timedelta(days=1), "Bench", True, f"C{asset_id}", now, asset_id)
            )
    copy(
        "inventory_asset",
        [
            "id",
            "serial_number",
            "status",
            "deployed_at",
            "decommissioned_at",
            "created_at",
            "updated_at",
            "center_id",
            "parent_id",
            "part_model_id",
            "site_id",
        ],
        assets,
    )
    copy(
        "circularity_disposition",
        [
            "id",
            "category",
            "route",
            "decided_at",
            "mass_kg",
            "embodied_kgco2e",
            "vendor",
            "certificate_id",
            "recorded_at",
            "actor_id",
            "asset_id",
            "center_id",
            "site_id",
            "to_site_id",
            "tree_root_id",
        ],
        dispositions,
    )
    copy(
        "circularity_sanitizationrecord",
        ["id", "method", "performed_at", "performed_by", "verified", "certificate_id", "recorded_at", "asset_id"],
        sanitizations,
    )
    extra, events = [], []
    for j, (status, days) in enumerate([("in_transit", 40)] * 3000 + [("missing", 90)] * 500):
        asset_id = count + j + 1
        since = now - dt.timedelta(days=rng.uniform(0, days))
        site = sites[rng.randrange(20)]
        extra.append((asset_id, f"X{asset_id:09d}", status, None, since, now, now, None, None, models[0].pk, site.pk))
        events.append(
            (
                asset_id,
                "transition",
                "decommissioned",
                status,
                since,
                now,
                "api",
                site.code,
                "",
                None,
                None,
                asset_id,
                None,
            )
        )
    copy(
        "inventory_asset",
        [
            "id",
            "serial_number",
            "status",
            "deployed_at",
            "decommissioned_at",
            "created_at",
            "updated_at",
            "center_id",
            "parent_id",
            "part_model_id",
            "site_id",
        ],
        extra,
    )
    copy(
        "inventory_lifecycleevent",
        [
            "id",
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
            "asset_id",
            "parent_id",
        ],
        events,
    )
    packaging = []
    for k in range(10_000):
        month = FIRST.month - 1 + rng.randrange(MONTHS)
        day = dt.date(FIRST.year + month // 12, month % 12 + 1, rng.randint(1, 28))
        packaging.append(
            (
                k + 1,
                day,
                "Bench supplier",
                rng.randint(1, 200),
                Decimal("1000"),
                Decimal(rng.randint(20, 50)),
                None,
                sites[rng.randrange(20)].pk,
            )
        )
    copy(
        "circularity_packagingrecord",
        [
            "id",
            "received_on",
            "supplier",
            "package_count",
            "packaging_mass_g",
            "single_use_plastic_g",
            "part_model_id",
            "site_id",
        ],
        packaging,
    )
    with connection.cursor() as cursor:
        for table in (
            "inventory_asset",
            "circularity_disposition",
            "circularity_sanitizationrecord",
            "inventory_lifecycleevent",
            "circularity_packagingrecord",
        ):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            cursor.execute(f"ANALYZE {table}")


def timed(label: str, function, repeat: int = 3) -> float:
    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    print(f"  {label:<58} {best:8.3f} s")
    return best


def metric_queries() -> None:
    """What the dashboard/API runs for the report's content, through the same functions."""
    from circularity.charts import rate_chart_data
    from circularity.metrics import circularity_rows, packaging_rows
    from circularity.targets import all_statuses

    for kind in ("month", "fiscal_year"):
        for group_by in (None, "center", "category"):
            circularity_rows(kind, MONTH, MONTH, group_by)
        packaging_rows(kind, MONTH, MONTH)
    all_statuses(dt.date(2022, 3, 31))
    rate_chart_data(MONTH)


def exception_lists() -> None:
    from django.conf import settings
    from django.utils import timezone

    from circularity import exceptions
    from circularity.periods import to_utc

    now = timezone.now()
    exceptions.uncertified_departures(first=to_utc(MONTH), until=to_utc(dt.date(2022, 4, 1)))
    exceptions.long_in_transit(as_of=now, days=settings.TRANSIT_EXCEPTION_DAYS)
    exceptions.missing_assets(as_of=now)


def measure(label: str) -> None:
    from circularity.reports.build import build_report
    from circularity.reports.send import artefacts

    print(label)
    queries = timed("metric queries alone (dashboard/API functions)", metric_queries)
    figures_only = timed(
        "report figures + exceptions (build_report, no chart)", lambda: build_report(MONTH, chart=False)
    )
    exceptions = timed("  of which the three exception lists", exception_lists)
    built = timed("build_report (with the chart PNG)", lambda: build_report(MONTH))
    report = build_report(MONTH)
    rendered = timed("render HTML + text + CSV + PDF", lambda: artefacts(report))
    print(f"  {'whole report (build + render)':<58} {built + rendered:8.3f} s")
    print(
        f"  report figures without exceptions / metric queries: {(figures_only - exceptions) / queries:.2f}x; "
        f"whole / metric queries: {(built + rendered) / queries:.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--load", type=int, metavar="N", help="first load N dispositions into an empty database")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Run it on PostgreSQL: set DATABASE_URL.")
    from circularity.models import Disposition, SnapshotMonth
    from circularity.snapshots import rebuild_all

    if args.load:
        start = time.perf_counter()
        load(args.load)
        print(f"loaded {args.load:,} dispositions in {time.perf_counter() - start:.1f} s")
    print(f"{Disposition.objects.count():,} dispositions")
    SnapshotMonth.objects.all().delete()
    measure("live (no monthly snapshots)")
    start = time.perf_counter()
    rebuild_all()
    print(f"snapshots rebuilt in {time.perf_counter() - start:.1f} s")
    measure("with fresh monthly snapshots (the nightly job has run)")


if __name__ == "__main__":
    main()
