"""``manage.py sweep_compliance_reports``: settle the claims of report attempts that died.

What the beat entry "Sweep compliance report claims" runs every five minutes, in the
foreground: a ``sending`` held past the lease becomes ``unconfirmed`` (a person decides), a
``building`` becomes ``failed`` with a new attempt queued; the report's admins are emailed.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from circularity.reports.sweep import claims_sweep


class Command(BaseCommand):
    help = (
        "Settle compliance reports whose attempt died: sending -> unconfirmed (a person decides), "
        "building -> failed with a retry queued; email the report's admins."
    )

    def handle(self, *args, **options):
        swept = claims_sweep()
        for claim in swept:
            self.stdout.write(str(claim))
        if any(claim.retry_queued is False for claim in swept):
            raise CommandError("A retry could not be queued (the task queue is unreachable); re-send those reports.")
        if not swept:
            self.stdout.write("No report held past its lease.")
