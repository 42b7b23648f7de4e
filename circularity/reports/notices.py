"""Telling staff that a report needs a person: a banner in the admin, an email to its admins.

Who is told by email: the report's admins, i.e. the active staff users with an email address
who may re-send it (the change permission on compliance reports, through a group or
directly, or superusers); if there are none, the addresses in ``ADMINS``. They are the
people who can act on it: analysts, who only read reports, see the banner instead. A
notice that cannot be sent (the mail server is down: often the very reason) is logged and
never fails the caller; the banner shows the state whatever happened to the email.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMessage
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html

from ..models import ComplianceReport, ReportState

logger = logging.getLogger(__name__)

NOTICE_HEADER = "X-AssetLife-Notice"
UNCONFIRMED = "report-unconfirmed"
INTERRUPTED = "report-interrupted"
VIEW_PERMISSION = "circularity.view_compliancereport"

_SUBJECTS = {
    UNCONFIRMED: "AssetLife: the {label} compliance report is unconfirmed; a person must decide",
    INTERRUPTED: "AssetLife: sending the {label} compliance report was interrupted",
}
_BODIES = {
    UNCONFIRMED: (
        "The {label} compliance report was being handed to the mail server when the attempt sending it "
        "stopped. It may or may not have reached its recipients ({recipients}).\n\n"
        "AssetLife will not send it again by itself. Please check with a recipient, then in the admin "
        "(Circularity > Compliance reports) either mark it as received or re-send it.\n\n{error}\n"
    ),
    INTERRUPTED: (
        "The attempt building the {label} compliance report stopped before anything was sent.\n\n{error}\n\n"
        "The report's status in the admin (Circularity > Compliance reports) shows when it has gone out; "
        "if it stays failed, fix the cause and re-send it.\n"
    ),
}


def report_admins() -> list[str]:
    """The addresses of the report's admins (see the module docstring), sorted, each once."""
    permission = Permission.objects.filter(codename="change_compliancereport", content_type__app_label="circularity")
    users = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .exclude(email="")
        .filter(Q(is_superuser=True) | Q(user_permissions__in=permission) | Q(groups__permissions__in=permission))
        .values_list("email", flat=True)
    )
    emails = sorted(set(users))
    if emails:
        return emails
    return sorted({admin[1] if isinstance(admin, (tuple, list)) else admin for admin in settings.ADMINS})


def notify_admins(report: ComplianceReport, kind: str) -> int:
    """Email the report's admins that ``report`` needs them; return how many were told."""
    to = report_admins()
    if not to:
        logger.error("Compliance report %s needs a person (%s), but no admin has an email address", report.label, kind)
        return 0
    recipients = ", ".join(report.recipients) or "the active recipients"
    message = EmailMessage(
        subject=_SUBJECTS[kind].format(label=report.label),
        body=_BODIES[kind].format(label=report.label, recipients=recipients, error=report.last_error),
        to=to,
        headers={"Auto-Submitted": "auto-generated", NOTICE_HEADER: kind},
    )
    try:
        message.send()
    except Exception:  # noqa: BLE001 - the state is recorded; the banner still tells them
        logger.exception("Could not email the admins that the %s compliance report needs them", report.label)
        return 0
    return len(to)


def admin_banner(request) -> None:
    """Add a message to ``request`` for each report that needs a person (one query)."""
    if not request.user.has_perm(VIEW_PERMISSION):
        return
    reports = ComplianceReport.objects.filter(state__in=[ReportState.UNCONFIRMED, ReportState.FAILED]).only(
        "period", "state", "last_error"
    )
    changelist = reverse("admin:circularity_compliancereport_changelist")
    for report in reports:
        if report.state == ReportState.UNCONFIRMED:
            messages.error(
                request,
                format_html(
                    'The <a href="{}">{} compliance report</a> is unconfirmed: it may or may not have reached its '
                    "recipients. Check with one of them, then mark it as received or re-send it.",
                    f"{changelist}?state__exact={ReportState.UNCONFIRMED}",
                    report.label,
                ),
            )
        else:
            error = report.last_error if len(report.last_error) <= 160 else report.last_error[:160] + "…"
            messages.warning(
                request,
                format_html(
                    'The <a href="{}">{} compliance report</a> has not gone out yet ({}). The job retries it; '
                    "if it keeps failing, fix the cause and re-send it.",
                    f"{changelist}?state__exact={ReportState.FAILED}",
                    report.label,
                    error,
                ),
            )
