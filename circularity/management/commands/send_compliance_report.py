"""``manage.py send_compliance_report``: send, re-send or preview a month's compliance report.

Runs in the foreground (no worker needed) through the same service as the monthly job,
so it cannot send a month twice unless asked to with ``--resend``.
"""

from __future__ import annotations

import getpass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from circularity.periods import PeriodError, parse_month
from circularity.reports import send
from circularity.reports.build import MonthNotClosed, previous_month

EML_BACKEND = "assetlife.mail.EmlFileBackend"


class Command(BaseCommand):
    help = (
        "Send the compliance report of a month to the active recipients (once), re-send it (--resend), "
        "or send a preview to one address (--to) without marking the month sent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="The month to report, YYYY-MM (default: the month before today).")
        parser.add_argument(
            "--resend", action="store_true", help="Send again even if the month was sent (an explicit re-send)."
        )
        parser.add_argument(
            "--rebuild", action="store_true", help="Rebuild from today's data instead of sending the stored report."
        )
        parser.add_argument("--to", metavar="ADDRESS", help="Send a preview to this address only; store nothing.")

    def handle(self, *args, month=None, resend=False, rebuild=False, to=None, **options):
        try:
            period = parse_month(month) if month else previous_month()
        except PeriodError as error:
            raise CommandError(str(error)) from None
        if to and (resend or rebuild):
            raise CommandError("--to sends a preview built from today's data; it takes neither --resend nor --rebuild.")
        outbox = self._outbox_files()
        try:
            if to:
                try:
                    validate_email(to)
                except ValidationError:
                    raise CommandError(f"--to {to!r} is not an email address.") from None
                send.send_preview(month=period, to=to)
                self.stdout.write(f"Preview of {period:%Y-%m} sent to {to} (the month is not marked sent).")
            else:
                by = send.person(f"command ({getpass.getuser()})")
                result = send.send_report(month=period, by=by, resend=resend, rebuild=rebuild)
                if not result.sent and result.report.state == "sent":
                    raise CommandError(f"{result.detail}. Use --resend to send it again.")
                if not result.sent:
                    raise CommandError(f"Not sent: {result.detail}.")
                self.stdout.write(self.style.SUCCESS(f"Compliance report {result.detail}."))
        except (send.ReportError, MonthNotClosed) as error:
            raise CommandError(str(error)) from None
        for path in self._outbox_files() - outbox:
            self.stdout.write(f"Written to {path}")

    def _outbox_files(self) -> set:
        """The ``.eml`` files in the outbox, when mail goes there (the embedded default)."""
        if settings.EMAIL_BACKEND != EML_BACKEND or not settings.EMAIL_OUTBOX_DIR.exists():
            return set()
        return set(settings.EMAIL_OUTBOX_DIR.glob("*.eml"))
