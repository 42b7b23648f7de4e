"""Create the monthly partitions ahead (PostgreSQL): the current month and three after it.

The beat job ``circularity.tasks.create_partitions`` runs the same daily; this command is
for a deploy, a restore, or ``--through`` a month further ahead. Never drops a partition.
"""

from django.core.management.base import BaseCommand, CommandError

from inventory import partitions


class Command(BaseCommand):
    help = "Create the monthly partitions of the events and dispositions ahead (never drops one)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--ahead", type=int, default=partitions.AHEAD, help="Months after the current one (default 3)."
        )

    def handle(self, *args, ahead, **options):
        if ahead < partitions.AHEAD:
            raise CommandError(f"--ahead must be at least {partitions.AHEAD}: writes must never meet a missing month.")
        created = partitions.create_ahead(ahead=ahead)
        names = ", ".join(partition.name for partition in created) or "none (all exist)"
        self.stdout.write(self.style.SUCCESS(f"Created {len(created)} partition(s): {names}"))
