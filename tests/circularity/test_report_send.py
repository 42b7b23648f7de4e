"""One report per month, ever: the job sends once; retries and second workers never send twice."""

import datetime as dt
import smtplib
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from assetlife.celery import app
from circularity.models import ComplianceReport, ReportRecipient, ReportState
from circularity.reports import send
from circularity.tasks import send_compliance_report
from tests.circularity.report_data import build_fleet

MARCH = dt.date(2022, 3, 1)


@pytest.fixture
def recipients(db):
    ReportRecipient.objects.create(name="Chief Sustainability Officer", email="cso@example.com")
    ReportRecipient.objects.create(name="Compliance", email="compliance@example.com")
    ReportRecipient.objects.create(name="Former auditor", email="old@example.com", active=False)


@pytest.fixture
def fleet(db):
    return build_fleet()


@pytest.fixture
def eager():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def run_task(**kwargs):
    """Run the task as a worker would, retries included (eager: retries run at once)."""
    return send_compliance_report.apply(kwargs=kwargs)


class FlakySMTP:
    """A mail backend whose first ``failures`` sends raise like an SMTP server that is down."""

    failures = 0
    calls = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakySMTP"
    FlakySMTP.calls = 0
    FlakySMTP.failures = 1
    return FlakySMTP


@pytest.mark.django_db
def test_the_task_twice_in_a_row_sends_one_email(fleet, recipients):
    first = run_task(month="2022-03")
    second = run_task(month="2022-03")
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["compliance@example.com", "cso@example.com"]
    assert "sent to" in first.result and "already sent" in second.result
    report = ComplianceReport.objects.get(period=MARCH)
    assert report.state == ReportState.SENT and report.sent_at is not None
    assert report.recipients == ["compliance@example.com", "cso@example.com"]
    assert bytes(report.pdf).startswith(b"%PDF") and report.csv and report.html and report.figures["month"] == "2022-03"


@pytest.mark.django_db
def test_an_smtp_failure_then_success_sends_one_email_and_records_the_error(fleet, recipients, flaky):
    result = run_task(month="2022-03")
    assert flaky.calls == 2
    assert len(mail.outbox) == 1
    report = ComplianceReport.objects.get(period=MARCH)
    assert report.state == ReportState.SENT
    assert "SMTPServerDisconnected" in report.last_error and "Connection unexpectedly closed" in report.last_error
    assert report.attempts == 2
    assert "sent to" in result.result


@pytest.mark.django_db
def test_a_failed_send_is_recorded_and_left_for_the_retry(fleet, recipients, flaky):
    with pytest.raises(send.DeliveryFailed):
        send.send_report(month=MARCH, by="job 1")
    report = ComplianceReport.objects.get(period=MARCH)
    assert report.state == ReportState.FAILED and "SMTPServerDisconnected" in report.last_error
    assert report.generated_at is not None  # the retry sends what was built
    assert send.send_report(month=MARCH, by="job 1").sent
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_send_that_could_not_be_recorded_is_recorded_by_the_retry_not_sent_again(fleet, recipients, monkeypatch):
    real = send._record_sent
    calls = []

    def database_down_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    monkeypatch.setattr(send, "_record_sent", database_down_once)
    result = run_task(month="2022-03")
    assert len(mail.outbox) == 1
    assert len(calls) == 2
    assert ComplianceReport.objects.get(period=MARCH).state == ReportState.SENT
    assert "delivery recorded" in result.result


@pytest.mark.django_db
def test_an_attempt_that_died_while_sending_is_never_sent_again_automatically(fleet, recipients):
    stale = timezone.now() - send.claim_lease() - dt.timedelta(minutes=1)
    ComplianceReport.objects.create(
        period=MARCH, state=ReportState.SENDING, claim_token="dead", claimed_by="job X", claimed_at=stale
    )
    result = send.send_report(month=MARCH, by="job Y")
    assert not result.sent and len(mail.outbox) == 0
    report = ComplianceReport.objects.get(period=MARCH)
    assert report.state == ReportState.UNCONFIRMED and "may have gone out" in report.last_error
    assert not send.send_report(month=MARCH, by="job Z").sent
    assert send.send_report(month=MARCH, by="a person", resend=True).sent
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_report_another_worker_is_building_is_left_to_it(fleet, recipients):
    ComplianceReport.objects.create(
        period=MARCH,
        state=ReportState.BUILDING,
        claim_token="other",
        claim_task_id="task-a",
        claimed_by="job A",
        claimed_at=timezone.now(),
    )
    assert not send.send_report(month=MARCH, by="job B", task_id="task-b").sent
    with pytest.raises(send.ReportBusy):
        send.send_report(month=MARCH, by="a person", resend=True)
    assert len(mail.outbox) == 0
    # The same task back (same id: it retried, or its worker died) resumes its own claim.
    assert send.send_report(month=MARCH, by="job A", task_id="task-a").sent


@pytest.mark.django_db
def test_without_recipients_the_report_fails_with_a_clear_error(fleet):
    with pytest.raises(send.NoRecipients):
        send.send_report(month=MARCH)
    report = ComplianceReport.objects.get(period=MARCH)
    assert report.state == ReportState.FAILED and "No active report recipients" in report.last_error


@pytest.mark.django_db
def test_a_month_not_over_is_not_reported(recipients):
    with pytest.raises(CommandError, match="is not over until"):
        call_command("send_compliance_report", month=f"{timezone.now():%Y-%m}")
    assert not ComplianceReport.objects.exists()


@pytest.mark.django_db
def test_resend_is_an_explicit_act_and_keeps_a_log(fleet, recipients):
    call_command("send_compliance_report", month="2022-03")
    with pytest.raises(CommandError, match="already sent.*--resend"):
        call_command("send_compliance_report", month="2022-03")
    ReportRecipient.objects.create(name="Auditor", email="auditor@example.com")
    call_command("send_compliance_report", month="2022-03", resend=True)
    assert len(mail.outbox) == 2
    assert "auditor@example.com" in mail.outbox[1].to
    assert mail.outbox[0].subject == mail.outbox[1].subject
    report = ComplianceReport.objects.get(period=MARCH)
    assert [d["by"].split()[0] for d in report.deliveries] == ["command", "command"]
    assert "auditor@example.com" in report.recipients


@pytest.mark.django_db
def test_a_preview_goes_to_one_address_and_does_not_mark_the_month(fleet, recipients):
    call_command("send_compliance_report", month="2022-03", to="me@example.com")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["me@example.com"]
    assert mail.outbox[0].subject.startswith("[Preview] AssetLife compliance report March 2022")
    assert not ComplianceReport.objects.exists()
    run_task(month="2022-03")
    assert len(mail.outbox) == 2  # the real send still happens


@pytest.mark.django_db
def test_bad_arguments_are_refused_clearly(recipients):
    with pytest.raises(CommandError, match="is not a month"):
        call_command("send_compliance_report", month="March")
    with pytest.raises(CommandError, match="not an email address"):
        call_command("send_compliance_report", month="2022-03", to="nobody")


@pytest.mark.django_db
def test_the_command_writes_an_eml_to_the_outbox_by_default(fleet, recipients, settings, tmp_path, capsys):
    settings.EMAIL_BACKEND = "assetlife.mail.EmlFileBackend"
    settings.EMAIL_OUTBOX_DIR = tmp_path / "outbox"
    call_command("send_compliance_report", month="2022-03")
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 1
    assert f"Written to {files[0]}" in capsys.readouterr().out
    raw = files[0].read_bytes()
    assert b"compliance-2022-03.pdf" in raw and b"figures-2022-03.csv" in raw and b"Content-ID: <rate-chart>" in raw


@pytest.mark.django_db
def test_the_task_defaults_to_the_month_before_in_the_time_zone(fleet, recipients, settings):
    from freezegun import freeze_time

    settings.TIME_ZONE = "America/Los_Angeles"
    with freeze_time("2022-04-01 13:00:00"):  # 06:00 in Los Angeles
        result = run_task()
    assert "2022-03: sent" in result.result


@pytest.mark.django_db
def test_beat_holds_the_monthly_entry(settings):
    entry = PeriodicTask.objects.get(task="circularity.tasks.send_compliance_report")
    crontab = entry.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_month, crontab.month_of_year, crontab.day_of_week) == (
        "0",
        "6",
        "1",
        "*",
        "*",
    )
    assert str(crontab.timezone) == settings.TIME_ZONE
    assert entry.enabled and entry.queue == "email" and entry.args == "[]"
    assert "circularity.tasks.send_compliance_report" in app.tasks


@pytest.mark.django_db
def test_the_analyst_group_reads_reports_and_manages_recipients():
    from django.contrib.auth.models import Group

    codenames = set(Group.objects.get(name="Sustainability analyst").permissions.values_list("codename", flat=True))
    assert "view_compliancereport" in codenames and "change_compliancereport" not in codenames
    assert {"view_reportrecipient", "add_reportrecipient", "change_reportrecipient"} <= codenames


class SlowLocmem:
    """A mail server that takes its time, so two workers overlap."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        threading.Event().wait(0.5)
        mail.outbox.extend(messages)
        return len(messages)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_email(settings):
    build_fleet()
    ReportRecipient.objects.create(name="CSO", email="cso@example.com")
    settings.EMAIL_BACKEND = f"{__name__}.SlowLocmem"
    start = threading.Barrier(2)
    results, errors = [], []

    def worker(number):
        try:
            start.wait()
            results.append(send_compliance_report.apply(kwargs={"month": "2022-03"}, task_id=f"task-{number}").result)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(mail.outbox) == 1, results
    assert sum("sent to" in result for result in results) == 1
    assert ComplianceReport.objects.get(period=MARCH).state == ReportState.SENT
