"""Retention, as an explicit act: detach a past month's partitions and archive them (docs/scaling.md)."""

import datetime as dt
import subprocess

from django.core.management.base import BaseCommand, CommandError

from inventory import partitions


def _month(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise CommandError(f"--month {value!r}: expected YYYY-MM.") from None


class Command(BaseCommand):
    help = (
        "Detach the partitions of a past month (events and dispositions, or --table) and archive each "
        "with pg_dump into --archive DIR. Nothing is dropped: drop the detached tables once the archive is verified."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="The month to detach, YYYY-MM (a past month).")
        parser.add_argument("--archive", required=True, help="Directory for the pg_dump archives (created if needed).")
        parser.add_argument("--table", action="append", help="Only this partitioned table (repeatable).")

    def handle(self, *args, month, archive, table, **options):
        try:
            detached = partitions.detach_partition(_month(month), archive, tables=table)
        except partitions.DetachRefused as refused:
            raise CommandError(str(refused)) from None
        except subprocess.CalledProcessError as error:
            raise CommandError(
                f"pg_dump failed ({error.stderr.decode(errors='replace').strip()}); the partition is detached "
                "but not archived: archive it again with pg_dump before dropping it."
            ) from None
        for item in detached:
            self.stdout.write(
                f"Detached {item.partition.name} ({item.rows} rows), archived to {item.archive}. "
                f"Once verified (pg_restore --list {item.archive}): DROP TABLE {item.partition.name};"
            )
