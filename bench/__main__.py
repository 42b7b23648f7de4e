"""Run the benchmarks: ``python -m bench --size small|medium|full`` (or ``make bench SIZE=...``).

Builds a fresh PostgreSQL database for the size, loads it with COPY, measures every
workload beside its reference in the same run, and writes ``bench/out/results-SIZE.json``
(and, with ``--docs``, ``docs/performance.md`` and ``docs/performance.png``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tqdm import tqdm

from .db import bench_url, connect, drop_database, recreate_database, table_size

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"

SIZES = {
    # servers (×20 assets each), disposition counts measured in turn, ingest (batches, servers per
    # batch), seconds of load per list measurement, repeats per timing.
    "small": {"servers": 500, "dispositions": [20_000, 100_000], "ingest": (2, 200), "list_seconds": 3, "repeat": 3},
    "medium": {
        "servers": 10_000,
        "dispositions": [100_000, 1_000_000],
        "ingest": (5, 1000),
        "list_seconds": 10,
        "repeat": 5,
    },
    "full": {
        "servers": 50_000,
        "dispositions": [1_000_000, 10_000_000],
        "ingest": (10, 1000),
        "list_seconds": 15,
        "repeat": 5,
    },
}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="medium")
    parser.add_argument("--docs", action="store_true", help="write docs/performance.md and its chart")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument("--out", type=Path, default=None, help="where to write the results JSON")
    parser.add_argument(
        "--check-data", action="store_true", help="run manage.py check_data on the fleet the run built, at its end"
    )
    parser.add_argument(
        "--only",
        choices=["ingest"],
        default=None,
        help="measure one workload only (ingest: the fleet, then the bulk ingest beside its COPY)",
    )
    args = parser.parse_args(argv)
    plan = SIZES[args.size]
    url = bench_url(args.size)

    print(f"bench: size {args.size}; database {url}", flush=True)
    recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    try:
        figures, facts = run(url, plan, only=args.only)
        if args.check_data:
            facts["check_data"] = check_data()
            print(f"bench: check_data: {facts['check_data']}", flush=True)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(url)
    facts["wall_seconds"] = time.perf_counter() - started
    results = {"size": args.size, "plan": plan, "facts": facts, "figures": [f.as_dict() for f in figures]}
    path = args.out or OUT / f"results-{args.size}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=str))
    print(f"bench: {len(figures)} figures written to {path}")
    if args.docs:
        from .report import write_docs

        write_docs(results, ROOT / "docs")
        print("bench: docs/performance.md and docs/performance.png written")
    for figure in figures:
        flag = {True: "met", False: "MISSED", None: "-"}[figure.met]
        print(f"  {figure.workload:<72} {figure.size:<28} ratio {figure.ratio:8.3f}  {flag}")


def run(url: str, plan: dict, *, only: str | None = None):
    from circularity import snapshots
    from inventory.models import Asset

    from . import fleet as fleet_module
    from .ingest_workload import ingest_figure
    from .list_workload import deep_page_figures, list_figure
    from .metrics_workloads import grow_dispositions, metric_figures, snapshot_read_figure, snapshot_refresh_figure
    from .report_workload import report_figure

    conn = connect(url)
    figures, facts = [], {"machine": machine()}
    servers = plan["servers"]
    with tqdm(total=servers, desc="assets (servers)", unit="server") as bar:
        fleet = fleet_module.load_assets(conn, servers, progress=lambda n: bar.update(n - bar.n))
        bar.update(servers - bar.n)
    facts["assets"] = Asset.objects.count()
    token = _token()

    batches, per_batch = plan["ingest"]
    figures.append(ingest_figure(conn, fleet, token, batches=batches, batch_size=per_batch))
    if only == "ingest":
        conn.close()
        return figures, facts
    figures.append(list_figure(url, token, facts["assets"], seconds=plan["list_seconds"]))
    figures.extend(deep_page_figures(token, facts["assets"], repeat=plan["repeat"]))

    current, next_tree = 0, 0
    memory = {}
    for count in plan["dispositions"]:
        with tqdm(total=count, initial=current, desc="dispositions", unit="row") as bar:
            next_tree = grow_dispositions(
                conn, fleet, count, current, next_tree, progress=lambda n, c=current: bar.update(c + n - bar.n)
            )
            bar.update(count - bar.n)
        current = count
        facts[f"disposition_table_bytes_{count}"] = table_size(conn, "circularity_disposition")
        figures.extend(metric_figures(count, plan["repeat"]))
        figures.append(snapshot_read_figure(count, plan["repeat"]))
        refresh, next_tree = snapshot_refresh_figure(conn, fleet, count, next_tree, plan["repeat"])
        current += 1000
        figures.append(refresh)
        figures.append(report_figure(count))
        memory[count] = {job: probe(url, job) for job in ("metrics", "report")}
        snapshots.rebuild_all()
    figures.extend(memory_figures(memory))
    conn.close()
    return figures, facts


def check_data() -> str:
    """``clean``, or the summary of what ``manage.py check_data`` found wrong (and its first lines)."""
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    try:
        call_command("check_data", stdout=out)
    except CommandError as error:
        return f"{error} {out.getvalue()[:2000]}"
    return "clean"


def _token() -> str:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    user = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-password")
    return Token.objects.create(user=user).key


def probe(url: str, job: str) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    output = subprocess.run(
        [sys.executable, "-m", "bench.probe", job], env=env, capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def memory_figures(memory: dict) -> list:
    from .measure import Figure, human

    small, large = sorted(memory)
    figures = []
    for job, label in (("metrics", "metric job (full snapshot recompute)"), ("report", "monthly report build")):
        a, b = memory[small][job], memory[large][job]
        ratio = b["peak_rss_mb"] / a["peak_rss_mb"]
        figures.append(
            Figure(
                workload=f"peak memory: {label}",
                size=f"{human(large)} vs {human(small)} dispositions",
                ours=b["peak_rss_mb"],
                reference=a["peak_rss_mb"],
                unit="MB",
                ratio=ratio,
                goal="does not grow with the row count",
                met=ratio <= 1.10,
                note=(
                    f"peak RSS while the job ran (the job itself adds {b['job_peak_mb']:.1f} MB at "
                    f"{human(large)}, {a['job_peak_mb']:.1f} MB at {human(small)}); {b['seconds']:.2f} s at "
                    f"{human(large)}"
                ),
            )
        )
    return figures


def machine() -> dict:
    import platform

    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": _cpu_name(),
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": postgres,
    }


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


if __name__ == "__main__":
    main()
