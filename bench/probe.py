"""Peak memory of one job, in a process of its own: ``python -m bench.probe metrics|report``.

Run by the harness with DATABASE_URL set to the benchmark database; prints one JSON line.
"""

import argparse
import json
import os
import resource
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("job", choices=["metrics", "report"])
    parser.add_argument("--month", default="2024-03")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    if args.job == "metrics":
        from circularity import snapshots

        snapshots.rebuild_all()
    else:
        from bench.report_workload import build_report_for

        build_report_for(args.month)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"job": args.job, "seconds": seconds, "peak_rss_mb": peak / 1024, "base_rss_mb": baseline / 1024}))


if __name__ == "__main__":
    main()
