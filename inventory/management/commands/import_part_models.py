"""``manage.py import_part_models catalog.csv``: create or update part models from a CSV file, all rows or none."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from inventory.imports import ImportRefused
from inventory.imports.catalog import CATALOG_COLUMNS, import_part_models


class Command(BaseCommand):
    help = (
        "Create or update part models from a CSV file with the columns "
        + ", ".join(CATALOG_COLUMNS)
        + " (docs/import.md). Every row is checked first; if any is bad, every problem is listed and nothing "
        "is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The CSV file (UTF-8, with a header row).")

    def handle(self, *args, path: Path, **options):
        try:
            with path.open(encoding="utf-8-sig", newline="") as stream:
                result = import_part_models(stream)
        except FileNotFoundError:
            raise CommandError(f"No file at {path}.")
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{path.name}: {len(refused.errors)} problem(s); nothing was imported.")
        self.stdout.write(
            self.style.SUCCESS(f"{path.name}: {result.created} part model(s) created, {result.updated} updated.")
        )
