"""``manage.py seed_demo``: load the demo fleet into an empty database."""

import argparse
import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from circularity import metrics
from circularity.demo import DEFAULT_SEED, DEFAULT_SERVERS, DemoLoadRefused, load_demo_fleet
from circularity.periods import Period


def as_of_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: use YYYY-MM-DD, e.g. 2026-11-25.") from None


class Command(BaseCommand):
    help = (
        "Load a realistic demo fleet (sites, circular centers, servers and their parts, five fiscal "
        "years of history through the real services) into an EMPTY database. The same --seed, "
        "--servers and --as-of always give the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--servers", type=int, default=DEFAULT_SERVERS, help=f"Servers in the fleet (default {DEFAULT_SERVERS})."
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"Random seed (default {DEFAULT_SEED}).")
        parser.add_argument(
            "--as-of",
            type=as_of_date,
            default=None,
            help="The day the history runs up to, YYYY-MM-DD (default: today, UTC); nothing happens on it or later.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not draw progress bars.")

    def handle(self, *args, servers, seed, as_of, no_progress, verbosity, **options):
        started = time.monotonic()
        try:
            summary = load_demo_fleet(
                servers=servers, seed=seed, as_of=as_of, progress=not no_progress and verbosity > 0
            )
        except DemoLoadRefused as refused:
            raise CommandError(str(refused)) from None
        elapsed = time.monotonic() - started
        if verbosity == 0:
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the demo fleet ({summary.servers} servers, seed {summary.seed}, as of {summary.as_of}) "
                f"in {elapsed:.1f} s:"
            )
        )
        for name, count in summary.counts.items():
            self.stdout.write(f"  {count:>9,} {name}")
        (fy2022,) = metrics.period_figures(Period.fiscal_year(2022))
        rate = fy2022["reuse_recycle_rate"]
        self.stdout.write(
            f"  FY2022 reuse and recycling rate: {_percent(rate['units'])} by units, {_percent(rate['mass'])} by mass"
        )


def _percent(value) -> str:
    return "-" if value is None else f"{value:.1%}"
