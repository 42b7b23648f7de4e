"""Queues on separate workers, with real ``celery worker`` processes on the Redis broker.

A metrics worker busy with a long snapshot refresh does not delay the compliance report,
which an email worker sends meanwhile; and a task asked for inside a transaction that
rolls back never reaches the broker. The refresh is made long the way it is in
production: another transaction holds the month's fill-state row (``SnapshotMonth``,
which two refreshes of one month serialise on), until the test lets it go.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse

from assetlife.celery import app
from circularity.models import ComplianceReport, ReportRecipient, ReportState, SnapshotMonth
from circularity.reports import send
from circularity.tasks import refresh_snapshots, send_compliance_report
from tests.circularity.report_data import build_fleet
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
FEBRUARY, MARCH = dt.date(2022, 2, 1), dt.date(2022, 3, 1)
QUEUES = ("default", "metrics", "email")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.workers,
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL.startswith("redis://"),
        reason="needs Redis: set CELERY_BROKER_URL=redis://… (.ci/run does)",
    ),
    pytest.mark.django_db(transaction=True),  # the workers read what the test committed
]


def queue_length(name: str) -> int:
    with app.connection_for_write() as conn:
        return conn.default_channel.queue_declare(name).message_count


def purge(*names: str) -> None:
    with app.connection_for_write() as conn:
        for name in names:
            conn.default_channel.queue_purge(name)


class Worker:
    """A ``celery worker`` process on some queues, on the test database and the configured broker."""

    def __init__(self, queues: str, outbox: Path):
        self.name = f"{queues.replace(',', '+')}-{uuid.uuid4().hex[:8]}@test"
        database = connection.settings_dict
        password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "assetlife.settings",
            "DATABASE_URL": (
                f"postgres://{database['USER']}{password}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
            ),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "EMAIL_OUTBOX_DIR": str(outbox),
        }
        for name in ("EMAIL_HOST", "EMAIL_BACKEND", "CELERY_TASK_ALWAYS_EAGER", "DATABASE_REPLICA_URL"):
            env.pop(name, None)
        self.ready = threading.Event()
        self.output: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "assetlife", "worker", "--loglevel=INFO", "--concurrency=1"]
            + [f"--queues={queues}", f"--hostname={self.name}", "--without-gossip", "--without-mingle"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.output.append(line)
            if " ready." in line:
                self.ready.set()

    def wait_ready(self, timeout=60):
        assert self.ready.wait(timeout), f"{self.name} did not start:\n{''.join(self.output[-30:])}"

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


@pytest.fixture
def workers(tmp_path):
    """Start workers with ``start(queues)``; all stopped (and the queues purged) afterwards."""
    started: list[Worker] = []
    purge(*QUEUES)

    def start(*queue_sets: str) -> list[Worker]:
        new = [Worker(queues, tmp_path / "outbox") for queues in queue_sets]
        started.extend(new)
        for worker in new:
            worker.wait_ready()
        return new

    yield start
    for worker in started:
        worker.stop()
    purge(*QUEUES)


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"waited {timeout} s for {what}")


def refreshes_waiting_for_the_lock() -> int:
    """Backends of this database waiting for a row lock on the snapshot fill-state table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE %s",
            ["%circularity_snapshotmonth%FOR UPDATE%"],
        )
        return cursor.fetchone()[0]


@contextlib.contextmanager
def month_held_by_another_refresh(month: dt.date):
    """Hold the month's fill-state row, as a concurrent refresh of the month would."""
    SnapshotMonth.objects.get_or_create(month=month)
    database = connection.settings_dict
    with psycopg.connect(
        host=database["HOST"],
        port=database["PORT"],
        user=database["USER"],
        password=database["PASSWORD"] or None,
        dbname=database["NAME"],
    ) as holder:
        holder.execute("SELECT 1 FROM circularity_snapshotmonth WHERE month = %s FOR UPDATE", [month])
        yield
        holder.rollback()


def report_sent() -> bool:
    report = ComplianceReport.objects.filter(period=MARCH).first()
    return report is not None and report.state == ReportState.SENT


def test_a_long_metrics_refresh_does_not_delay_the_report_send(workers, tmp_path):
    build_fleet()
    ReportRecipient.objects.create(name="Compliance", email="compliance@example.com")
    workers("metrics", "email")

    with month_held_by_another_refresh(FEBRUARY):
        refresh_snapshots.delay(months=["2022-02"])
        wait_until(lambda: refreshes_waiting_for_the_lock() == 1, 60, "the metrics worker to start the refresh")
        asked = time.monotonic()
        send_compliance_report.delay(month="2022-03")
        wait_until(report_sent, 60, "the email worker to send the report")
        took = time.monotonic() - asked
        # Sent while the refresh is still running, waiting for the month.
        assert refreshes_waiting_for_the_lock() == 1
        assert not SnapshotMonth.objects.get(month=FEBRUARY).refreshed_at
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    assert took < 30, f"the report took {took:.1f} s"
    wait_until(lambda: SnapshotMonth.objects.get(month=FEBRUARY).refreshed_at, 60, "the refresh to finish")


def test_a_re_send_asked_in_a_transaction_that_rolls_back_never_reaches_the_broker(client):
    build_fleet()
    ReportRecipient.objects.create(name="Compliance", email="compliance@example.com")
    send.send_report(month=MARCH)
    report = ComplianceReport.objects.get(period=MARCH)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    resend = {"action": "resend", "_selected_action": [report.pk]}
    changelist = reverse("admin:circularity_compliancereport_changelist")
    purge("email")

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        assert client.post(changelist, resend).status_code == 302
        raise Rollback
    assert queue_length("email") == 0

    with transaction.atomic():
        client.post(changelist, resend)
        assert queue_length("email") == 0  # not before the commit
    assert queue_length("email") == 1
    purge("email")
