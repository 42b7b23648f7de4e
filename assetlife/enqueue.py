"""Queueing a Celery task from a request or a command: the one place a broker outage is met.

``enqueue(task, **kwargs)`` publishes at once and raises ``QueueUnavailable`` — an error
that says what was not queued and what to do — when the broker cannot take the message
(Redis down, a wrong ``CELERY_BROKER_URL``, the file broker's folder unwritable). Callers
turn it into an admin message or a ``CommandError``; nobody answers a 500 for it.

Outside a transaction it publishes at once, so an outage can be told to the person who
asked. Inside one it waits for the commit (``transaction.on_commit``), so a write that rolls
back enqueues nothing; an outage at that point is logged (the write stands, and the task's
own schedule or a person retries it). Callers that must report an outage enqueue after
their writes commit.
"""

from __future__ import annotations

import logging

from celery import Task
from celery.result import AsyncResult
from django.db import transaction
from kombu.exceptions import KombuError

logger = logging.getLogger(__name__)

# Fail within a few seconds instead of Celery's default publish retries.
RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}


class QueueUnavailable(Exception):
    """The task queue (the Celery broker) could not take a task: nothing was queued."""

    def __init__(self, task_name: str, error: Exception):
        self.task_name = task_name
        self.error = error
        super().__init__(
            f"The task queue is unreachable, so nothing was queued ({task_name}: {error}). "
            "Try again in a few minutes; if it persists, check that the broker (CELERY_BROKER_URL) is running."
        )


def enqueue(task: Task, /, **kwargs) -> AsyncResult | None:
    """Queue ``task`` with ``kwargs``; raise ``QueueUnavailable`` if the broker cannot take it.

    Inside a transaction the task is queued when it commits (never if it rolls back) and
    ``None`` is returned.
    """
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _publish_logged(task, kwargs), robust=True)
        return None
    return _publish(task, kwargs)


def _publish(task: Task, kwargs: dict) -> AsyncResult:
    try:
        return task.apply_async(kwargs=kwargs, retry_policy=RETRY_POLICY)
    except (KombuError, OSError) as error:
        raise QueueUnavailable(task.name, error) from error


def _publish_logged(task: Task, kwargs: dict) -> None:
    try:
        _publish(task, kwargs)
    except QueueUnavailable as error:
        logger.error("Not queued after commit: %s", error)


__all__ = ["QueueUnavailable", "enqueue"]
