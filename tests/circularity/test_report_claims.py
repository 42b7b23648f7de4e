"""Dead claims on the compliance report: the task that comes back, the sweep, the notices,
confirming a report in doubt, and a broker that cannot take a re-send.

The real thing (a worker killed by SIGKILL mid-send, PostgreSQL and Redis) is in
``test_report_worker_crash.py``; these tests pin each rule on its own, on any database.
"""

import datetime as dt
import time

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from assetlife.celery import app
from assetlife.enqueue import QueueUnavailable, enqueue
from circularity.models import ComplianceReport, ReportRecipient, ReportState
from circularity.reports import notices, send
from circularity.reports.sweep import claims_sweep
from circularity.tasks import send_compliance_report
from tests.circularity.report_data import build_fleet
from tests.factories import UserFactory
from tests.live import free_port

pytestmark = pytest.mark.django_db

MARCH = dt.date(2022, 3, 1)


@pytest.fixture
def fleet():
    build_fleet()
    ReportRecipient.objects.create(name="CSO", email="cso@example.com")


@pytest.fixture
def root():
    return UserFactory(username="root", email="root@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def eager():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def broker_down():
    """The Celery app publishing to a port where nothing listens, as when Redis is down."""
    saved = (app.conf.broker_write_url, app.conf.task_always_eager, app._pool, app.amqp._producer_pool)
    app.conf.broker_write_url = f"redis://127.0.0.1:{free_port()}/0"
    app.conf.task_always_eager = False
    app._pool = app.amqp._producer_pool = None  # connection pools are per URL: take new ones
    yield
    app.conf.broker_write_url, app.conf.task_always_eager, app._pool, app.amqp._producer_pool = saved


def reports_sent():
    return [m for m in mail.outbox if "X-AssetLife-Report" in m.extra_headers]


def notices_sent():
    return [m for m in mail.outbox if notices.NOTICE_HEADER in m.extra_headers]


def claimed(state, *, task_id="task-1", age=dt.timedelta(0), **fields):
    return ComplianceReport.objects.create(
        period=MARCH,
        state=state,
        claim_token="dead",
        claim_task_id=task_id,
        claimed_by=f"job {task_id}",
        claimed_at=timezone.now() - age,
        recipients=["cso@example.com"],
        **fields,
    )


def past_the_lease():
    return send.claim_lease() + dt.timedelta(minutes=1)


# --- the task that comes back -------------------------------------------------------------


def test_a_task_that_finds_its_own_sending_claim_again_marks_it_unconfirmed_and_tells_the_admins(
    fleet, root, django_capture_on_commit_callbacks
):
    """Its worker died while the mail server had the message; the claim is not a live one."""
    claimed(ReportState.SENDING, task_id="task-1")  # claimed a moment ago: well within the lease
    with django_capture_on_commit_callbacks(execute=True):
        result = send_compliance_report.apply(kwargs={"month": "2022-03"}, task_id="task-1")
    assert "unconfirmed" in result.result
    report = ComplianceReport.objects.get(period=MARCH)
    assert report.state == ReportState.UNCONFIRMED
    assert "its task came back after its worker died" in report.last_error
    assert reports_sent() == []
    (notice,) = notices_sent()
    assert notice.to == ["root@example.com"] and "2022-03" in notice.subject and "unconfirmed" in notice.subject
    assert "cso@example.com" in notice.body and "mark it as received or re-send it" in notice.body


def test_a_task_that_finds_its_own_building_claim_again_takes_it_back_and_sends_once(fleet):
    """Nothing had gone out: the task that came back builds and sends, exactly once."""
    claimed(ReportState.BUILDING, task_id="task-1")
    result = send_compliance_report.apply(kwargs={"month": "2022-03"}, task_id="task-1")
    assert "sent to" in result.result
    assert len(reports_sent()) == 1
    assert ComplianceReport.objects.get(period=MARCH).state == ReportState.SENT


def test_another_tasks_sending_claim_within_the_lease_is_left_to_it(fleet):
    claimed(ReportState.SENDING, task_id="task-1")
    result = send_compliance_report.apply(kwargs={"month": "2022-03"}, task_id="task-2")
    assert "left to it" in result.result
    assert ComplianceReport.objects.get(period=MARCH).state == ReportState.SENDING
    assert mail.outbox == []


def test_a_person_s_re_send_goes_out_once_even_if_its_task_comes_back(fleet):
    send.send_report(month=MARCH)
    by = send.person("admin (root)")
    assert send.send_report(month=MARCH, by=by, resend=True, task_id="resend-1").sent
    again = send.send_report(month=MARCH, by=by, resend=True, task_id="resend-1")
    assert not again.sent and "this re-send went out already" in again.detail
    assert len(reports_sent()) == 2


# --- the sweep ----------------------------------------------------------------------------


def test_the_sweep_marks_a_send_held_past_the_lease_unconfirmed_and_emails_the_admins(
    fleet, root, django_capture_on_commit_callbacks
):
    claimed(ReportState.SENDING, age=past_the_lease())
    with django_capture_on_commit_callbacks(execute=True):
        (swept,) = claims_sweep()
    assert (swept.label, swept.was, swept.now, swept.retry_queued) == ("2022-03", "sending", "unconfirmed", None)
    report = ComplianceReport.objects.get(period=MARCH)
    assert report.state == ReportState.UNCONFIRMED and "did not come back within the lease" in report.last_error
    assert report.claim_token == "dead"  # an attempt that was only slow still records its success
    assert reports_sent() == []
    assert [m.to for m in notices_sent()] == [["root@example.com"]]
    assert claims_sweep() == []  # settled once
    # The attempt was only slow: its send went through after all, and is recorded as such.
    assert send.record_delivery(month=MARCH, token="dead").sent
    assert ComplianceReport.objects.get(period=MARCH).state == ReportState.SENT


@pytest.mark.django_db(transaction=True)  # as in production: no transaction around it, so enqueue publishes at once
def test_the_sweep_fails_a_build_held_past_the_lease_and_queues_a_retry_that_sends_once(fleet, root, eager):
    claimed(ReportState.BUILDING, age=past_the_lease())
    (swept,) = claims_sweep()
    assert (swept.was, swept.now, swept.retry_queued) == ("building", "failed", True)
    report = ComplianceReport.objects.get(period=MARCH)
    assert report.state == ReportState.SENT  # the queued retry (eager here) claimed the failed row
    assert "stopped while building" in report.last_error and "A new attempt was queued" in report.last_error
    assert len(reports_sent()) == 1
    assert [d["by"] for d in report.deliveries] == ["job task-1"]
    (notice,) = notices_sent()
    assert "interrupted" in notice.subject and "nothing was sent" in notice.body


def test_the_sweep_leaves_live_claims_and_settled_reports_alone(fleet):
    claimed(ReportState.SENDING)  # within the lease
    for month, state in ((dt.date(2022, 1, 1), ReportState.SENT), (dt.date(2022, 2, 1), ReportState.FAILED)):
        ComplianceReport.objects.create(
            period=month, state=state, sent_at=timezone.now(), claimed_at=timezone.now() - dt.timedelta(days=30)
        )
    assert claims_sweep() == []
    assert dict(ComplianceReport.objects.values_list("period__month", "state")) == {
        1: "sent",
        2: "failed",
        3: "sending",
    }


def test_the_sweep_command_says_what_it_settled(fleet, capsys):
    call_command("sweep_compliance_reports")
    assert "No report held past its lease." in capsys.readouterr().out
    claimed(ReportState.SENDING, age=past_the_lease())
    call_command("sweep_compliance_reports")
    assert "2022-03: sending -> unconfirmed; a person decides" in capsys.readouterr().out


def test_beat_sweeps_every_five_minutes_on_the_default_queue():
    entry = PeriodicTask.objects.get(task="circularity.tasks.sweep_compliance_reports")
    assert (entry.crontab.minute, entry.crontab.hour, entry.crontab.day_of_month) == ("*/5", "*", "*")
    assert entry.enabled and entry.queue == "default"
    assert "circularity.tasks.sweep_compliance_reports" in app.tasks


# --- who is told, and how -----------------------------------------------------------------


def test_the_report_admins_are_the_active_staff_who_may_re_send_it(settings):
    change = Permission.objects.get(codename="change_compliancereport")
    publishers = Group.objects.create(name="Report publishers")
    publishers.permissions.add(change)
    UserFactory(username="root", email="root@example.com", is_staff=True, is_superuser=True)
    UserFactory(username="pub", email="pub@example.com", is_staff=True).groups.add(publishers)
    UserFactory(username="direct", email="direct@example.com", is_staff=True).user_permissions.add(change)
    analyst = UserFactory(username="analyst", email="analyst@example.com", is_staff=True)
    analyst.groups.add(Group.objects.get(name="Sustainability analyst"))  # reads reports, cannot re-send
    UserFactory(username="gone", email="gone@example.com", is_staff=True, is_superuser=True, is_active=False)
    UserFactory(username="nomail", email="", is_staff=True, is_superuser=True)
    assert notices.report_admins() == ["direct@example.com", "pub@example.com", "root@example.com"]


def test_without_report_admins_the_notice_goes_to_the_admins_setting(settings):
    settings.ADMINS = [("Ops", "ops@example.com")]
    assert notices.report_admins() == ["ops@example.com"]


def test_a_notice_that_cannot_be_sent_never_fails_the_sweep(fleet, root, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.circularity.test_report_send.FlakySMTP"
    from tests.circularity.test_report_send import FlakySMTP

    FlakySMTP.calls, FlakySMTP.failures = 0, 1
    claimed(ReportState.SENDING, age=past_the_lease())
    with django_capture_on_commit_callbacks(execute=True):
        claims_sweep()
    assert FlakySMTP.calls == 1
    assert ComplianceReport.objects.get(period=MARCH).state == ReportState.UNCONFIRMED


# --- a person decides ---------------------------------------------------------------------


def test_an_unconfirmed_report_confirmed_as_received_is_sent_with_who_confirmed_it(fleet):
    claimed(ReportState.UNCONFIRMED)
    report = send.report_confirm(month=MARCH, by="admin (root)")
    assert report.state == ReportState.SENT and report.sent_at == report.claimed_at
    assert report.deliveries == [
        {
            "sent_at": report.claimed_at.isoformat(),
            "to": ["cso@example.com"],
            "by": "job task-1",
            "confirmed_by": "admin (root)",
        }
    ]
    with pytest.raises(send.NotUnconfirmed, match="only a report in doubt can be confirmed"):
        send.report_confirm(month=MARCH, by="admin (root)")
    assert mail.outbox == []


def admin_url(name="changelist"):
    return reverse(f"admin:circularity_compliancereport_{name}")


def test_the_admin_marks_an_unconfirmed_report_as_received(client, fleet, root):
    report = claimed(ReportState.UNCONFIRMED)
    client.force_login(root)
    response = client.post(admin_url(), {"action": "confirm_received", "_selected_action": [report.pk]}, follow=True)
    assert "2022-03 recorded as received." in response.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.SENT and report.deliveries[-1]["confirmed_by"] == "admin (root)"
    page = client.get(reverse("admin:circularity_compliancereport_change", args=[report.pk])).content.decode()
    assert "confirmed as received by admin (root)" in page


def test_the_reports_list_and_the_dashboard_show_a_banner_for_each_report_that_needs_a_person(client, root):
    ComplianceReport.objects.create(period=MARCH, state=ReportState.UNCONFIRMED, last_error="died")
    ComplianceReport.objects.create(period=dt.date(2022, 2, 1), state=ReportState.FAILED, last_error="SMTP down")
    ComplianceReport.objects.create(period=dt.date(2022, 1, 1), state=ReportState.SENT, sent_at=timezone.now())
    client.force_login(root)
    for url in (admin_url(), reverse("circularity:dashboard")):
        body = client.get(url).content.decode()
        assert "compliance report</a> is unconfirmed" in body and ">2022-03 compliance report<" in body
        assert ">2022-02 compliance report</a> has not gone out yet (SMTP down)" in body
        assert "2022-01 compliance report" not in body


def test_staff_who_may_not_read_reports_see_no_banner(client):
    ComplianceReport.objects.create(period=MARCH, state=ReportState.UNCONFIRMED, last_error="died")
    technician = UserFactory(username="tech", is_staff=True)
    technician.groups.add(Group.objects.get(name="Circular-center technician"))
    client.force_login(technician)
    response = client.get(reverse("circularity:dashboard"))
    assert response.status_code == 200 and "compliance report" not in response.content.decode()


# --- a broker that cannot take a task -----------------------------------------------------


@pytest.mark.django_db(transaction=True)  # as in production: no transaction around it, so enqueue publishes at once
def test_enqueue_with_the_broker_down_raises_a_clear_error_within_seconds(broker_down):
    started = time.monotonic()
    with pytest.raises(QueueUnavailable, match="The task queue is unreachable, so nothing was queued"):
        enqueue(send_compliance_report, month="2022-03")
    assert time.monotonic() - started < 15


@pytest.mark.parametrize("action", ["resend", "rebuild_and_resend"])
@pytest.mark.django_db(transaction=True)  # as in production: no transaction around it, so enqueue publishes at once
def test_re_send_with_the_broker_down_answers_a_clear_message_not_an_error(
    client, fleet, root, broker_down, action, django_capture_on_commit_callbacks
):
    send.send_report(month=MARCH)
    report = ComplianceReport.objects.get(period=MARCH)
    client.force_login(root)
    with django_capture_on_commit_callbacks(execute=True):  # as in production, where nothing defers them
        response = client.post(admin_url(), {"action": action, "_selected_action": [report.pk]}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Re-send of 2022-03 NOT queued. The task queue is unreachable, so nothing was queued" in body
    assert "queued; the status here shows" not in body
    assert len(reports_sent()) == 1
    assert ComplianceReport.objects.get(period=MARCH).state == ReportState.SENT


@pytest.mark.django_db(transaction=True)  # as in production: no transaction around it, so enqueue publishes at once
def test_the_sweep_command_with_the_broker_down_settles_the_row_and_says_re_send_it(fleet, root, broker_down):
    claimed(ReportState.BUILDING, age=past_the_lease())
    with pytest.raises(CommandError, match="A retry could not be queued"):
        call_command("sweep_compliance_reports")
    report = ComplianceReport.objects.get(period=MARCH)
    assert report.state == ReportState.FAILED
    assert "The retry could not be queued" in report.last_error and "re-send it from the admin" in report.last_error
    (notice,) = notices_sent()
    assert "re-send it from the admin" in notice.body


# --- a mail server that loses the answer --------------------------------------------------


@pytest.fixture
def smtp_sink(settings):
    from tests.live import SmtpSink

    sink = SmtpSink(free_port()).start()
    settings.EMAIL_BACKEND = "assetlife.mail.SmtpBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", sink.port, False
    yield sink
    sink.stop()


def test_a_connection_lost_after_the_whole_report_was_sent_is_unconfirmed_not_retried(
    fleet, root, smtp_sink, django_capture_on_commit_callbacks
):
    """The server had the whole message and may deliver it: a retry would send a second copy."""
    smtp_sink.drop_next(to="cso@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        result = send_compliance_report.apply(kwargs={"month": "2022-03"})  # eager: retries run at once
    assert "unconfirmed" in result.result
    assert len(smtp_sink.reports()) == 1
    report = ComplianceReport.objects.get(period=MARCH)
    assert report.state == ReportState.UNCONFIRMED and report.attempts == 1
    assert "after the whole message was sent, before the server answered" in report.last_error
    assert [m["To"] for m in smtp_sink.notices()] == ["root@example.com"]


def test_a_connection_refused_before_any_message_is_a_failure_that_is_retried(fleet, smtp_sink, settings):
    settings.EMAIL_PORT = free_port()  # nothing listens there
    with pytest.raises(send.DeliveryFailed, match="Connection refused"):
        send.send_report(month=MARCH)
    assert ComplianceReport.objects.get(period=MARCH).state == ReportState.FAILED
    settings.EMAIL_PORT = smtp_sink.port
    assert send.send_report(month=MARCH).sent
    assert len(smtp_sink.reports()) == 1
