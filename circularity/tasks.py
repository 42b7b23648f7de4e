"""Celery tasks: thin, idempotent, each calling one service.

Schedules live in the database (django-celery-beat), created by data migrations, so staff
can change them in the admin without a deploy.
"""

import logging

from celery import shared_task
from django.conf import settings

from . import snapshots
from .periods import parse_month

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def refresh_snapshots(self, months: list[str] | None = None) -> list[str]:
    """Refresh ``MonthlySnapshot`` rows: the given months (``YYYY-MM``), or every stale one.

    Safe to run twice: a refresh replaces a month's rows and clears only the mark it read.
    """
    refreshed = snapshots.refresh([parse_month(m) for m in months]) if months else snapshots.refresh_stale()
    labels = [f"{month:%Y-%m}" for month in refreshed]
    logger.info("Refreshed snapshots for %d month(s): %s", len(labels), ", ".join(labels) or "none")
    return labels


# Delivery and database failures are retried with exponential backoff: 1, 2, 4 … 60 minutes
# (REPORT_RETRY_BASE_SECONDS is the first wait).
REPORT_RETRY_MAX = 3600


def _report_retry_countdown(retries: int) -> int:
    return min(REPORT_RETRY_MAX, settings.REPORT_RETRY_BASE_SECONDS * 2**retries)


# acks_late + retry_on_worker_lost: a pool process that dies mid-task gives its task back as a
# retry with the same task id (at most max_retries times, so a task that kills its process
# every time does not loop for ever); the claim then knows its earlier run died. A worker
# that dies whole leaves the message to the broker's visibility timeout; the sweep below
# settles the claim long before that. See docs/reports.md.
@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    retry_on_worker_lost=True,
    default_retry_delay=settings.REPORT_RETRY_BASE_SECONDS,
    max_retries=10,
)
def send_compliance_report(
    self,
    month: str | None = None,
    resend: bool = False,
    rebuild: bool = False,
    by: str | None = None,
    delivered_token: str | None = None,
) -> str:
    """Build and send the compliance report of ``month`` (``YYYY-MM``; default: the month
    before today in ``TIME_ZONE``), once: see ``circularity.reports.send``.

    A retry never re-sends what went out: it carries the month, drops ``resend``, and after
    a send that could not be recorded only records it (``delivered_token``).
    """
    from django.db import DatabaseError

    from .reports import send
    from .reports.build import MonthNotClosed, previous_month

    period = parse_month(month) if month else previous_month()
    label = f"{period:%Y-%m}"
    by = by or f"job {self.request.id}"
    countdown = _report_retry_countdown(self.request.retries)
    try:
        if delivered_token:
            result = send.record_delivery(month=period, token=delivered_token, by=by)
        else:
            result = send.send_report(month=period, by=by, resend=resend, rebuild=rebuild, task_id=self.request.id)
    except MonthNotClosed as error:
        # TIME_ZONE east of UTC: 06:00 on day 1 comes before the UTC month has closed.
        raise self.retry(exc=error, eta=error.closes_at, args=(), kwargs={"month": label, "by": by})
    except send.DeliveredNotRecorded as error:
        retry_kwargs = {"month": label, "by": by, "delivered_token": error.token}
        raise self.retry(exc=error, countdown=countdown, args=(), kwargs=retry_kwargs)
    except (send.DeliveryFailed, DatabaseError) as error:
        raise self.retry(exc=error, countdown=countdown, args=(), kwargs={"month": label, "by": by})
    logger.info("Compliance report: %s", result)
    return str(result)


@shared_task(acks_late=True)
def sweep_compliance_reports() -> list[str]:
    """Settle the claims of report attempts that died (``circularity.reports.sweep``); every 5 minutes."""
    from .reports.sweep import claims_sweep

    swept = [str(claim) for claim in claims_sweep()]
    for line in swept:
        logger.warning("Compliance report sweep: %s", line)
    return swept


@shared_task(acks_late=True)
def create_partitions() -> list[str]:
    """Create the monthly partitions of the events and dispositions ahead (``inventory.partitions``);
    daily. Creates only missing ones, never drops one: safe to run twice."""
    from inventory.partitions import create_ahead

    created = [partition.name for partition in create_ahead()]
    logger.info("Created %d partition(s): %s", len(created), ", ".join(created) or "none")
    return created
