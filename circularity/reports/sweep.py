"""The sweep: settle the claims of attempts that died, and tell staff.

A worker that dies whole (power, OOM killer, ``kill -9``) leaves its task unacknowledged in
the broker until the visibility timeout, and its claim on the report row held. Nothing
waits for that: every few minutes (beat entry "Sweep compliance report claims", or
``manage.py sweep_compliance_reports``) a claim held past the lease is settled:

* ``sending`` → ``unconfirmed``: the mail server may have the message; a person decides.
* ``building`` → ``failed``: nothing was sent; a new attempt is queued at once (as the job,
  under the same ``by``, so a person's re-send is still recorded as theirs and its own task,
  if the broker hands it back later, finds its delivery done and sends nothing).

Both are notified to the report's admins (``notices``). The sweep never sends a report.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from assetlife.enqueue import QueueUnavailable, enqueue

from ..models import ComplianceReport, ReportState
from . import notices
from .send import claim_lease, mark_unconfirmed

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweptClaim:
    """One dead claim the sweep settled: the month, the state it left and the one it took.

    ``retry_queued`` says, for an interrupted build, whether a new attempt was queued (it is
    not when the broker is unreachable); ``None`` for a send in doubt, which is never retried.
    """

    label: str
    was: str
    now: str
    retry_queued: bool | None = None

    def __str__(self):
        follow = {None: "a person decides", True: "a new attempt was queued"}.get(
            self.retry_queued, "the retry could NOT be queued (the broker is unreachable): re-send it"
        )
        return f"{self.label}: {self.was} -> {self.now}; {follow}"


def claims_sweep(*, now: dt.datetime | None = None) -> list[SweptClaim]:
    """Settle every claim held past the lease (see the module docstring); return what changed.

    A retry that cannot be queued (the broker is unreachable) leaves its row ``failed``,
    saying so, and its admins are told to re-send it (``retry_queued=False``).
    """
    cutoff = (now or timezone.now()) - claim_lease()
    swept: list[SweptClaim] = []
    interrupted: list[ComplianceReport] = []
    with transaction.atomic():
        dead = (
            ComplianceReport.objects.select_for_update()
            .filter(state__in=[ReportState.BUILDING, ReportState.SENDING], claimed_at__lt=cutoff)
            .order_by("period")
        )
        for report in dead:
            if report.state == ReportState.SENDING:
                mark_unconfirmed(
                    report,
                    f"The attempt {report.claimed_by} stopped while the mail server had the message "
                    f"(since {report.claimed_at:%Y-%m-%d %H:%M:%S} UTC) and did not come back within the lease.",
                )
                swept.append(SweptClaim(report.label, ReportState.SENDING, ReportState.UNCONFIRMED))
                continue
            report.state = ReportState.FAILED
            report.claim_token = ""  # the dead attempt, were it only slow, can no longer move the row
            report.claim_task_id = ""
            report.last_error = (
                f"{timezone.now():%Y-%m-%d %H:%M} UTC: the attempt {report.claimed_by} stopped while building "
                f"(since {report.claimed_at:%Y-%m-%d %H:%M:%S} UTC); nothing was sent. A new attempt was queued."
            )
            report.save(update_fields=["state", "claim_token", "claim_task_id", "last_error"])
            interrupted.append(report)
    for report in interrupted:
        try:
            _queue_retry(report)
        except QueueUnavailable as error:
            queued = False
            report.last_error = report.last_error.replace(
                "A new attempt was queued.", f"The retry could not be queued ({error}); re-send it from the admin."
            )
            ComplianceReport.objects.filter(pk=report.pk, state=ReportState.FAILED).update(last_error=report.last_error)
        else:
            queued = True
        logger.warning("Compliance report %s: %s", report.label, report.last_error)
        notices.notify_admins(report, notices.INTERRUPTED)
        swept.append(SweptClaim(report.label, ReportState.BUILDING, ReportState.FAILED, queued))
    return swept


def _queue_retry(report: ComplianceReport) -> None:
    from ..tasks import send_compliance_report

    enqueue(send_compliance_report, month=report.label, by=report.claimed_by)
