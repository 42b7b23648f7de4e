"""Refresh MonthlySnapshot rows: the stale months (default), given months, or all of them."""

from django.core.management.base import BaseCommand, CommandError

from circularity import snapshots
from circularity.periods import PeriodError, parse_month


class Command(BaseCommand):
    help = "Refresh monthly snapshots: stale closed months by default, --month YYYY-MM, or --all."

    def add_arguments(self, parser):
        parser.add_argument("--month", action="append", default=[], help="A month to refresh (repeatable).")
        parser.add_argument("--all", action="store_true", help="Every closed month that has dispositions.")

    def handle(self, *args, month, all, **options):
        if all and month:
            raise CommandError("Use --all or --month, not both.")
        try:
            months = [parse_month(m) for m in month]
        except PeriodError as error:
            raise CommandError(str(error)) from None
        if all:
            refreshed = snapshots.rebuild_all()
        elif months:
            refreshed = snapshots.refresh(months)
        else:
            refreshed = snapshots.refresh_stale()
        labels = ", ".join(f"{m:%Y-%m}" for m in refreshed) or "none"
        self.stdout.write(self.style.SUCCESS(f"Refreshed {len(refreshed)} month(s): {labels}"))
