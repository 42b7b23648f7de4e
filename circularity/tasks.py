"""Celery tasks: thin, idempotent, each calling one service.

Schedules live in the database (django-celery-beat), created by data migrations, so staff
can change them in the admin without a deploy.
"""

import logging

from celery import shared_task

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
