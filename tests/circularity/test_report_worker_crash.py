"""Exactly once, for real: a ``celery worker`` process killed by SIGKILL in the middle of a send
to a real SMTP server, then restarted; the mail server down, then up.

The report counts as received by the mail server as soon as its DATA arrived, even if the
server never answered: so "exactly one, or zero and the row ``unconfirmed``" is checked
against what the server *could* have delivered, the strict reading.

PostgreSQL and Redis only (``.ci/run``): the worker is a separate process, so the test is
transactional and the worker is pointed at pytest-django's test database by URL.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail

from circularity.models import ComplianceReport, ReportRecipient, ReportState
from circularity.tasks import send_compliance_report
from tests.circularity.report_data import build_fleet
from tests.factories import UserFactory
from tests.live import SmtpSink, Worker, broker_idle, clear_broker, free_port, wait_for, worker_database_url

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MARCH = dt.date(2022, 3, 1)


def state() -> str | None:
    return ComplianceReport.objects.filter(period=MARCH).values_list("state", flat=True).first()


@pytest.fixture
def live(tmp_path):
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs the Redis broker (CELERY_BROKER_URL=redis://…; .ci/run sets it)")
    build_fleet()
    ReportRecipient.objects.create(name="CSO", email="cso@example.com")
    UserFactory(username="root", email="root@example.com", is_staff=True, is_superuser=True)
    clear_broker()
    port = free_port()
    sink = SmtpSink(port)
    env = {
        "DJANGO_SETTINGS_MODULE": "assetlife.settings",
        "DATABASE_URL": worker_database_url(),
        "DATABASE_REPLICA_URL": "",
        "CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_TIMEOUT": "120",
        "REPORT_RETRY_BASE_SECONDS": "1",
        "ASSETLIFE_VAR_DIR": str(tmp_path / "var"),
    }
    worker = Worker(tmp_path / "worker.log", env)
    yield sink, worker
    worker.stop()
    sink.stop()
    clear_broker()


@pytest.mark.parametrize(
    ("held_at", "received"),
    [("DATA", 1), ("RCPT", 0)],
    ids=["server-has-the-whole-message", "server-has-none-of-it"],
)
def test_a_pool_process_killed_while_the_server_holds_the_report_leaves_it_unconfirmed(live, held_at, received):
    sink, worker = live
    sink.start().hold_next(at=held_at, to="cso@example.com")
    worker.start()
    send_compliance_report.apply_async(kwargs={"month": "2022-03"})
    wait_for(lambda: sink.held == 1, what="the mail server to hold the report", log=worker.log)
    assert state() == ReportState.SENDING

    worker.kill_pool_process()

    # The task comes back (same task id) to a new pool process: its own claim is dead, not live.
    wait_for(lambda: state() == ReportState.UNCONFIRMED, what="the report to become unconfirmed", log=worker.log)
    wait_for(lambda: len(sink.notices()) == 1, what="the notice to the report's admins", log=worker.log)
    wait_for(broker_idle, what="the redelivered task to be acknowledged", log=worker.log)
    sink.release()
    assert len(sink.reports()) == received
    notice = sink.notices()[0]
    assert notice["To"] == "root@example.com" and "2022-03" in notice["Subject"]
    assert "may have gone out" in ComplianceReport.objects.get(period=MARCH).last_error


def test_a_worker_killed_while_the_server_holds_the_report_is_settled_by_the_sweep(live, settings):
    from django.core.management import call_command

    sink, worker = live
    sink.start().hold_next(at="DATA", to="cso@example.com")
    worker.start()
    send_compliance_report.apply_async(kwargs={"month": "2022-03"})
    wait_for(lambda: sink.held == 1, what="the mail server to hold the report", log=worker.log)

    worker.kill()  # the whole worker: nothing is left to requeue the task before the visibility timeout

    assert state() == ReportState.SENDING
    settings.REPORT_CLAIM_LEASE_SECONDS = 2

    def sweep() -> bool:
        call_command("sweep_compliance_reports")
        return state() == ReportState.UNCONFIRMED

    wait_for(sweep, timeout=30, what="the sweep to mark the report unconfirmed")
    assert [m.to for m in mail.outbox] == [["root@example.com"]]
    assert "unconfirmed" in mail.outbox[0].subject.lower()

    # Restarted with a short visibility timeout, the worker gets the dead worker's task back
    # at once; it finds the report unconfirmed and sends nothing.
    worker.start(CELERY_VISIBILITY_TIMEOUT="1")
    wait_for(lambda: broker_idle() and "unconfirmed" in worker.log(), what="the task to come back", log=worker.log)
    sink.release()
    assert len(sink.reports()) == 1
    assert state() == ReportState.UNCONFIRMED


def test_the_mail_server_down_then_up_sends_exactly_one_report(live):
    sink, worker = live
    worker.start()  # the mail server is not listening yet
    send_compliance_report.apply_async(kwargs={"month": "2022-03"})
    wait_for(lambda: state() == ReportState.FAILED, what="the first attempt to fail", log=worker.log)
    report = ComplianceReport.objects.get(period=MARCH)
    assert "Connection refused" in report.last_error or "ConnectionRefused" in report.last_error

    sink.start()

    wait_for(lambda: state() == ReportState.SENT, what="a retry to send the report", log=worker.log)
    wait_for(broker_idle, what="the task to be acknowledged", log=worker.log)
    assert len(sink.reports()) == 1
    report = ComplianceReport.objects.get(period=MARCH)
    assert report.attempts >= 2 and len(report.deliveries) == 1
