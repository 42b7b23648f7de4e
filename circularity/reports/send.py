"""Sending a month's report: at most one copy from the job, re-sends only by a person.

SMTP has no transactions, so "exactly once" is built from a claim in the database (the
state machine is drawn in docs/reports.md):

1. ``_claim`` locks the month's ``ComplianceReport`` row (created if absent; ``period`` is
   unique, so two workers get the same row) and moves it to ``building`` under a fresh
   ``claim_token``, recording the Celery task that holds it (``claim_task_id``). A row that
   is ``sent``, ``unconfirmed`` or held by another live attempt is not claimed: the caller
   is told why and sends nothing.
2. The artefacts are built (or, on a retry, the stored ones reused) and the row moves to
   ``sending`` — only while it still holds the token, so of two attempts that both
   claimed, only the one holding the row at that moment ever reaches the mail server.
3. The message goes to the mail server. If that raises, the row becomes ``failed`` with
   the error, and the task retries with backoff — unless the connection was lost after the
   whole message was sent (``DeliveryInDoubt``): the server may deliver it, so the row
   becomes ``unconfirmed``, as after a crash. If it succeeds, the row becomes ``sent``.
   If recording that fails (the database is down), the mail did go out: the task retries
   only the recording (``record_delivery``), never the send.

A claim is dead when it is held past the lease (``claim_lease()``), or when the task that
holds it finds it again: a task runs once at a time, so its own claim on the row means its
earlier run ended without recording an outcome — the worker died and the broker handed the
task back. A dead ``sending`` may have gone out: it becomes ``unconfirmed`` and a person
decides (``report_confirm`` or a re-send, ``resend=True``). A dead ``building`` sent
nothing: its own task takes it back, and the sweep (``circularity.reports.sweep``) fails
and retries one whose task is gone. Staff are told of both (``circularity.reports.notices``).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart, SafeMIMEText
from django.db import DatabaseError, transaction
from django.utils import timezone

from assetlife.mail import DeliveryInDoubt
from assetlife.replica import on_replica

from ..models import ComplianceReport, ReportRecipient, ReportState
from ..periods import month_of
from . import notices
from .build import CHART_CID, Report, build_report, check_closed, jsonable
from .csv import render_csv
from .html import render_html, render_text
from .pdf import render_pdf

logger = logging.getLogger(__name__)

JOB = "job"


def claim_lease() -> dt.timedelta:
    """How long an attempt may hold a report before it is presumed dead (``REPORT_CLAIM_LEASE_SECONDS``)."""
    return dt.timedelta(seconds=settings.REPORT_CLAIM_LEASE_SECONDS)


class ReportError(Exception):
    """A report could not be sent; the message says what to do."""


class NoRecipients(ReportError):
    def __init__(self):
        super().__init__("No active report recipients: add one in the admin (Report recipients), then re-send.")


class ReportBusy(ReportError):
    def __init__(self, report: ComplianceReport):
        super().__init__(
            f"The {report.label} report is in progress ({report.state}) by {report.claimed_by or 'another attempt'} "
            f"since {report.claimed_at:%Y-%m-%d %H:%M} UTC; try again when it is done."
        )


class NotUnconfirmed(ReportError):
    def __init__(self, report: ComplianceReport):
        super().__init__(
            f"The {report.label} report is {report.get_state_display().lower()}, not unconfirmed: "
            "only a report in doubt can be confirmed as received."
        )


class DeliveryFailed(ReportError):
    """The mail server did not take the message; nothing was sent, a retry may send."""

    def __init__(self, month: dt.date, error: Exception):
        self.month = month
        super().__init__(f"Sending the {month:%Y-%m} report failed: {error!r}")


class DeliveredNotRecorded(ReportError):
    """The message went out but the database could not record it: retry the recording only."""

    def __init__(self, month: dt.date, token: str, error: Exception):
        self.month = month
        self.token = token
        super().__init__(f"The {month:%Y-%m} report was sent but recording it failed: {error!r}")


@dataclass(frozen=True)
class SendResult:
    report: ComplianceReport
    sent: bool
    detail: str

    def __str__(self):
        return self.detail


# --- the message ------------------------------------------------------------------------


class ReportMessage(EmailMultiAlternatives):
    """text/plain and text/html alternatives, the HTML in multipart/related with the chart
    as an inline image part (Content-ID), then the CSV and PDF attachments."""

    def __init__(self, *args, inline_images: dict[str, bytes] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.inline_images = inline_images or {}

    def _create_alternatives(self, msg):
        encoding = self.encoding or settings.DEFAULT_CHARSET
        alternative = SafeMIMEMultipart(_subtype="alternative", encoding=encoding)
        alternative.attach(msg)
        for content, mimetype in self.alternatives:
            part = SafeMIMEText(content, mimetype.split("/", 1)[1], encoding)
            if mimetype == "text/html" and self.inline_images:
                related = SafeMIMEMultipart(_subtype="related", encoding=encoding)
                related.attach(part)
                for cid, png in self.inline_images.items():
                    image = MIMEImage(png, "png")
                    image.add_header("Content-ID", f"<{cid}>")
                    image.add_header("Content-Disposition", "inline", filename=f"{cid}.png")
                    related.attach(image)
                part = related
            alternative.attach(part)
        return alternative


def compose(report: ComplianceReport, to: list[str], *, subject_prefix: str = "") -> ReportMessage:
    message = ReportMessage(
        subject=f"{subject_prefix}{report.subject}",
        body=report.text,
        to=to,
        headers={"Auto-Submitted": "auto-generated", "X-AssetLife-Report": report.label},
        inline_images={CHART_CID: bytes(report.chart_png)},
    )
    message.attach_alternative(report.html, "text/html")
    message.attach(f"figures-{report.label}.csv", report.csv, "text/csv")
    message.attach(f"compliance-{report.label}.pdf", bytes(report.pdf), "application/pdf")
    return message


def artefacts(report: Report) -> dict:
    """The fields of ``ComplianceReport`` that hold what is sent, rendered from ``report``."""
    return {
        "figures": jsonable(report),
        "subject": report.subject,
        "html": render_html(report),
        "text": render_text(report),
        "csv": render_csv(report),
        "pdf": render_pdf(report),
        "chart_png": report.chart_png,
        "generated_at": report.generated_at,
    }


def active_recipients() -> list[str]:
    return list(ReportRecipient.objects.filter(active=True).order_by("email").values_list("email", flat=True))


# --- the claim --------------------------------------------------------------------------


def mark_unconfirmed(report: ComplianceReport, why: str) -> SendResult:
    """A claim died while the mail server had the message: leave it to a person, and say so.

    The token stays, so an attempt that was only slow, not dead, still records its success.
    """
    report.state = ReportState.UNCONFIRMED
    report.last_error = (
        f"{why} It may have gone out. Not re-sent automatically: check whether the recipients "
        "got it, then mark it received or re-send it from the admin."
    )
    report.save(update_fields=["state", "last_error"])
    logger.error("Compliance report %s unconfirmed: %s", report.label, report.last_error)
    transaction.on_commit(lambda: notices.notify_admins(report, notices.UNCONFIRMED), robust=True)
    return SendResult(report, False, f"{report.label}: unconfirmed; a person must check and re-send")


def _claim(month: dt.date, *, by: str, resend: bool, task_id: str) -> tuple[ComplianceReport, str] | SendResult:
    now = timezone.now()
    with transaction.atomic():
        ComplianceReport.objects.get_or_create(period=month)
        report = ComplianceReport.objects.select_for_update().get(period=month)
        held = report.state in (ReportState.BUILDING, ReportState.SENDING)
        own = held and bool(task_id) and report.claim_task_id == task_id
        live = held and not own and report.claimed_at is not None and now - report.claimed_at < claim_lease()
        if live:
            if resend:
                raise ReportBusy(report)
            detail = f"{report.label}: in progress ({report.state}) by {report.claimed_by}; left to it"
            return SendResult(report, False, detail)
        if own and report.state == ReportState.SENDING:
            return mark_unconfirmed(
                report,
                f"The attempt {report.claimed_by} stopped while the mail server had the message "
                f"(since {report.claimed_at:%Y-%m-%d %H:%M:%S} UTC); its task came back after its worker died.",
            )
        if resend and any(delivery.get("by") == by for delivery in report.deliveries):
            # A person's re-send is one act: once delivered, its task coming back sends nothing.
            return SendResult(report, False, f"{report.label}: this re-send went out already")
        if not resend:
            if report.state == ReportState.SENT:
                return SendResult(report, False, f"{report.label}: already sent at {report.sent_at:%Y-%m-%d %H:%M}")
            if report.state == ReportState.SENDING:  # its lease ran out mid-send
                return mark_unconfirmed(
                    report,
                    f"The attempt {report.claimed_by} stopped while the mail server had the message "
                    f"(since {report.claimed_at:%Y-%m-%d %H:%M:%S} UTC).",
                )
            if report.state == ReportState.UNCONFIRMED:
                return SendResult(report, False, f"{report.label}: unconfirmed; a person must check and re-send")
        token = uuid.uuid4().hex
        report.state = ReportState.BUILDING
        report.claim_token = token
        report.claim_task_id = task_id
        report.claimed_by = by
        report.claimed_at = now
        report.attempts += 1
        report.save(update_fields=["state", "claim_token", "claim_task_id", "claimed_by", "claimed_at", "attempts"])
    return report, token


def _update(report: ComplianceReport, token: str, **fields) -> bool:
    """Write ``fields`` only while ``token`` still holds the row; say whether it did."""
    return bool(ComplianceReport.objects.filter(pk=report.pk, claim_token=token).update(**fields))


def _unconfirm_own(report: ComplianceReport, token: str, why: str) -> SendResult:
    """Our own attempt is in doubt: ``unconfirmed``, if the row is still ours."""
    with transaction.atomic():
        held = ComplianceReport.objects.select_for_update().filter(pk=report.pk, claim_token=token).first()
        if held is None or held.state != ReportState.SENDING:
            return SendResult(report, False, f"{report.label}: taken over by another attempt; left to it")
        return mark_unconfirmed(held, why)


def _fail(report: ComplianceReport, token: str, error: Exception) -> None:
    try:
        _update(report, token, state=ReportState.FAILED, last_error=f"{timezone.now():%Y-%m-%d %H:%M} UTC: {error!r}")
    except DatabaseError:
        logger.exception("Could not record the failure of the %s report", report.label)


def _record_sent(report_pk: int, token: str, by: str) -> ComplianceReport | None:
    with transaction.atomic():
        report = ComplianceReport.objects.select_for_update().get(pk=report_pk)
        if report.claim_token != token or report.state not in (ReportState.SENDING, ReportState.UNCONFIRMED):
            return None
        now = timezone.now()
        report.state = ReportState.SENT
        report.sent_at = now
        report.deliveries = [*report.deliveries, {"sent_at": now.isoformat(), "to": report.recipients, "by": by}]
        report.save(update_fields=["state", "sent_at", "deliveries"])
        return report


# --- the services -----------------------------------------------------------------------


def send_report(
    *, month: dt.date, by: str = JOB, resend: bool = False, rebuild: bool = False, task_id: str = ""
) -> SendResult:
    """Send ``month``'s report to the active recipients, unless it was sent (or is being sent).

    ``resend`` is a person's explicit re-send: it sends again even if the month was sent.
    The stored artefacts are sent as they are unless ``rebuild`` (or none exist yet).
    ``task_id`` is the Celery task making the attempt (blank in the foreground): finding
    its own claim on the row again means its earlier run died (see the module docstring).
    Raises ``MonthNotClosed``, ``NoRecipients``, ``ReportBusy``, ``DeliveryFailed`` or
    ``DeliveredNotRecorded``; a ``DatabaseError`` before the send is safe to retry.
    """
    month = month_of(month)
    check_closed(month)
    claimed = _claim(month, by=by, resend=resend, task_id=task_id)
    if isinstance(claimed, SendResult):
        logger.info("Compliance report %s not sent: %s", month, claimed.detail)
        return claimed
    report, token = claimed
    try:
        recipients = active_recipients()
        if not recipients:
            raise NoRecipients()
        if rebuild or report.generated_at is None:
            # The build only reads (on the replica, when usable); the claim and the send stay on the primary.
            fields = on_replica(lambda: artefacts(build_report(month)))
            if not _update(report, token, **fields):
                return SendResult(report, False, f"{report.label}: taken over by another attempt; left to it")
            for name, value in fields.items():
                setattr(report, name, value)
        message = compose(report, recipients)
        if not _update(report, token, state=ReportState.SENDING, recipients=recipients, claimed_at=timezone.now()):
            return SendResult(report, False, f"{report.label}: taken over by another attempt; left to it")
    except Exception as error:
        _fail(report, token, error)
        raise
    try:
        message.get_connection(fail_silently=False).send_messages([message])
    except DeliveryInDoubt as error:
        # The server has the whole message and may deliver it: not a failure to retry.
        return _unconfirm_own(
            report,
            token,
            f"The connection to the mail server failed after the whole "
            f"message was sent, before the server answered ({error}).",
        )
    except Exception as error:
        _fail(report, token, error)
        logger.warning("Compliance report %s: the mail server refused it: %r", report.label, error)
        raise DeliveryFailed(month, error) from error
    try:
        sent = _record_sent(report.pk, token, by)
    except DatabaseError as error:
        raise DeliveredNotRecorded(month, token, error) from error
    report = sent or report
    logger.info("Compliance report %s sent to %s", report.label, ", ".join(recipients))
    return SendResult(report, True, f"{report.label}: sent to {', '.join(recipients)}")


def record_delivery(*, month: dt.date, token: str, by: str = JOB) -> SendResult:
    """Record a send that went out but could not be recorded (never sends anything)."""
    report = ComplianceReport.objects.get(period=month_of(month))
    recorded = _record_sent(report.pk, token, by)
    if recorded is None:
        return SendResult(report, False, f"{report.label}: delivery already recorded or superseded")
    return SendResult(recorded, True, f"{report.label}: delivery recorded")


@transaction.atomic
def report_confirm(*, month: dt.date, by: str) -> ComplianceReport:
    """A person checked that an ``unconfirmed`` report reached its recipients: record it as sent.

    The delivery is logged with the moment the mail server had it and who confirmed it.
    Raises ``NotUnconfirmed`` for a report in any other state.
    """
    report = ComplianceReport.objects.select_for_update().get(period=month_of(month))
    if report.state != ReportState.UNCONFIRMED:
        raise NotUnconfirmed(report)
    delivered_at = report.claimed_at or timezone.now()
    report.state = ReportState.SENT
    report.sent_at = delivered_at
    report.deliveries = [
        *report.deliveries,
        {"sent_at": delivered_at.isoformat(), "to": report.recipients, "by": report.claimed_by, "confirmed_by": by},
    ]
    report.save(update_fields=["state", "sent_at", "deliveries"])
    logger.info("Compliance report %s confirmed as received by %s", report.label, by)
    return report


def send_preview(*, month: dt.date, to: str) -> ReportMessage:
    """Build ``month``'s report from today's data and send it to ``to`` only; store nothing.

    The month's ``ComplianceReport`` is not touched: a preview never counts as the send.
    """
    preview = ComplianceReport(period=month_of(month), **artefacts(build_report(month)))
    message = compose(preview, [to], subject_prefix="[Preview] ")
    message.get_connection(fail_silently=False).send_messages([message])
    return message


def person(label: str) -> str:
    """How a person's re-send is recorded (``by``): never equal to the job's."""
    return f"{label} {uuid.uuid4().hex[:8]}"


__all__ = [
    "DeliveredNotRecorded",
    "DeliveryFailed",
    "NoRecipients",
    "NotUnconfirmed",
    "ReportBusy",
    "ReportError",
    "SendResult",
    "claim_lease",
    "compose",
    "record_delivery",
    "report_confirm",
    "send_preview",
    "send_report",
]
