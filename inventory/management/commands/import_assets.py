"""``manage.py import_assets fleet.csv``: import assets from a CSV file, all rows or none."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from inventory.imports import COLUMNS, ImportRefused, import_assets
from inventory.scopes import scope_of


class Command(BaseCommand):
    help = (
        "Import assets from a CSV file with the columns "
        + ", ".join(COLUMNS)
        + ". Every row is checked first; if any is bad, every problem is listed and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The CSV file (UTF-8, with a header row).")
        parser.add_argument(
            "--user",
            help="Username recorded as the actor of the import events; their access scope, if any, limits the import.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not draw progress bars.")

    def handle(self, *args, path: Path, user=None, no_progress=False, verbosity=1, **options):
        actor = self._actor(user)
        try:
            with path.open(encoding="utf-8-sig", newline="") as stream:
                result = import_assets(
                    stream,
                    name=path.name,
                    actor=actor,
                    scope=scope_of(actor),
                    progress=verbosity > 0 and not no_progress,
                )
        except FileNotFoundError:
            raise CommandError(f"No file at {path}.")
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(str(error))
            lines = len({error.line for error in refused.errors})
            raise CommandError(
                f"{path.name}: {len(refused.errors)} problem(s) on {lines} line(s); nothing was imported. "
                "Fix the file and run the import again."
            )
        states = ", ".join(f"{count} {status}" for status, count in sorted(result.by_status.items())) or "none"
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.created} asset(s) from {path.name} ({states}); "
                f"{result.installed} installed in a parent; {result.events} lifecycle event(s) written."
            )
        )

    def _actor(self, username):
        if not username:
            return None
        try:
            return get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {username!r}.")
