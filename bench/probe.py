"""Peak memory of one job, in a process of its own: ``python -m bench.probe metrics|report``.

Run by the harness with DATABASE_URL set to the benchmark database; prints one JSON line.
The peak is the job's own: Linux's high-water mark (VmHWM) is reset after Django and the
job's modules are imported, so what is measured is what the job adds at its worst, not
the interpreter's import-time peak.
"""

import argparse
import json
import os
import time
from pathlib import Path


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("job", choices=["metrics", "report"])
    parser.add_argument("--month", default="2024-03")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from bench.report_workload import build_report_for
    from circularity import snapshots

    job = snapshots.rebuild_all if args.job == "metrics" else lambda: build_report_for(args.month)
    _reset_peak()
    baseline = _status_kb("VmRSS")
    started = time.perf_counter()
    job()
    seconds = time.perf_counter() - started
    peak = _status_kb("VmHWM")
    print(
        json.dumps(
            {
                "job": args.job,
                "seconds": seconds,
                "base_rss_mb": baseline / 1024,
                "peak_rss_mb": peak / 1024,
                "job_peak_mb": (peak - baseline) / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
