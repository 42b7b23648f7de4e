"""The benchmark harness stays honest at small size: every workload runs and gives a figure.

Timings are not asserted here (a slow machine is not a failure); ``docs/performance.md``
holds the figures of a full run.
"""

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
WORKLOADS = [
    "bulk ingest",
    "asset list: GET",
    "asset list, page ",
    "asset list, a page by cursor at 90 % of the fleet",
    "metrics: FY2023 by center",
    "metrics: FY2023 by category",
    "metrics: FY2023 by month",
    "snapshot-served read",
    "snapshot refresh",
    "monthly report build",
    "peak memory: metric job",
    "peak memory: monthly report build",
]

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_make_bench_small_runs_every_workload(tmp_path):
    database = settings.DATABASES["default"]
    url = urlunparse(
        urlparse(f"postgres://{database['USER']}@{database['HOST']}:{database['PORT'] or 5432}/")._replace(
            path=f"/{database['NAME']}_bench"
        )
    )
    out = tmp_path / "results.json"
    env = {**os.environ, "BENCH_DATABASE_URL": url}
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--size", "small", "--out", str(out), "--check-data"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    results = json.loads(out.read_text())
    names = [figure["workload"] for figure in results["figures"]]
    for workload in WORKLOADS:
        measured = [f for f in results["figures"] if f["workload"].startswith(workload)]
        assert measured, f"{workload!r} produced no figure; got {names}"
        for figure in measured:
            for key in ("ours", "reference", "ratio"):
                assert math.isfinite(figure[key]) and figure[key] > 0, figure
    # Two disposition sizes, so the memory and snapshot figures compare across sizes.
    assert len([f for f in results["figures"] if f["workload"].startswith("metrics: FY2023 by center")]) == 2
    assert results["facts"]["assets"] == results["plan"]["servers"] * 20
    # The fleet the bench built (assets, ingest, retired trees and their dispositions) obeys the spec.
    assert results["facts"]["check_data"] == "clean"


def test_the_partitions_bench_runs_and_its_plans_prune(tmp_path):
    """``python -m bench.partitions --size small``: the migration timed on the fleet, ingest both
    ways, and plans in which a month's figures read that month's partition alone."""
    database = settings.DATABASES["default"]
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT'] or 5432}/{database['NAME']}_bench"
    completed = subprocess.run(
        [sys.executable, "-m", "bench.partitions", "--size", "small", "--out", str(tmp_path)],
        cwd=ROOT,
        env={**os.environ, "BENCH_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    results = json.loads((tmp_path / "partitions-small.json").read_text())
    for table in ("inventory_lifecycleevent", "circularity_disposition"):
        assert results["migration"][table]["rows"] > 0 and results["migration"][table]["seconds"] > 0
    assert [run["partitioned"] for run in results["ingest"]["runs"]] == [True, False, True, False]
    assert math.isfinite(results["ingest"]["ratio_of_copy"]) and results["ingest"]["ratio_of_copy"] > 0
    month = results["plans"]["a month's dispositions by center (the metrics' shape), March 2024"]
    assert month.endswith(": circularity_disposition_p202403")
