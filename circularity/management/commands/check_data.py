"""``manage.py check_data``: list the rows of an existing database that break the spec.

Every invariant of ``inventory.integrity`` and ``circularity.integrity`` (moments out of
range, a status that is not the last event's, a component elsewhere than its parent, a
disposition without its asset's state or its event, targets out of range, …) is checked
with set-based SQL, a range of ids at a time, with progress on standard error. Each row
that breaks one is printed with its key; the exit status is 1 when any was found, 0 when
the data is clean. It only reads.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from circularity.integrity import circularity_checks
from inventory.integrity import id_span, inventory_checks, run_checks


def all_checks():
    return [*inventory_checks(), *circularity_checks()]


class Command(BaseCommand):
    help = "Scan the database for rows that break an invariant of the spec; exit 1 if any."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="append", default=[], help="run only this check (repeatable)")
        parser.add_argument(
            "--list", action="store_true", dest="list_checks", help="list the checks and their invariants, and stop"
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            default=None,
            help="always show progress (default: only on a terminal)",
        )

    def handle(self, *args, check, list_checks, progress, **options):
        checks = all_checks()
        if list_checks:
            for item in checks:
                self.stdout.write(f"{item.name}: {item.invariant}")
            return
        if check:
            unknown = sorted(set(check) - {item.name for item in checks})
            if unknown:
                names = ", ".join(item.name for item in checks)
                raise CommandError(f"Unknown check(s): {', '.join(unknown)}. Checks: {names}.", returncode=2)
            checks = [item for item in checks if item.name in check]
        total = sum(id_span(item.table) for item in checks)
        found: dict[str, int] = {}
        disable = None if progress is None else not progress  # tqdm: None draws on a terminal only
        with tqdm(total=total, desc="check_data", unit=" ids", disable=disable) as bar:

            def advance(item, done):
                bar.set_postfix_str(item.name, refresh=False)
                bar.update(done)

            for violation in run_checks(checks, progress=advance):
                name = violation.check.name
                with tqdm.external_write_mode():
                    if name not in found:
                        self.stdout.write(f"{name}: {violation.check.invariant}")
                    self.stdout.write(f"  {violation.detail}")
                found[name] = found.get(name, 0) + 1
        if found:
            summary = ", ".join(f"{name} {count}" for name, count in found.items())
            raise CommandError(f"{sum(found.values())} row(s) break an invariant ({summary}).", returncode=1)
        self.stdout.write(f"Clean: {len(checks)} invariant(s) hold.")
