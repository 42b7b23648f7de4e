"""The admin of the compliance report: list with status, preview, downloads, re-send."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import circularity.reports.admin  # noqa: F401  (registers itself; circularity/admin.py imports it)
from assetlife.celery import app
from circularity.models import ComplianceReport, ReportRecipient
from circularity.reports import send
from tests.circularity.report_data import build_fleet
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MARCH = dt.date(2022, 3, 1)


@pytest.fixture
def sent_report():
    build_fleet()
    ReportRecipient.objects.create(name="CSO", email="cso@example.com")
    send.send_report(month=MARCH)
    return ComplianceReport.objects.get(period=MARCH)


@pytest.fixture
def admin_client_(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def analyst_client(client):
    user = UserFactory(username="analyst", is_staff=True)
    user.groups.add(Group.objects.get(name="Sustainability analyst"))
    client.force_login(user)
    return client


@pytest.fixture
def eager():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def url(name, *args):
    return reverse(f"admin:circularity_compliancereport_{name}", args=args)


def test_the_list_shows_each_month_with_its_status_and_files(admin_client_, sent_report):
    response = admin_client_.get(url("changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "2022-03" in body and "Sent" in body and "cso@example.com" in body
    assert url("csv", sent_report.pk) in body and url("pdf", sent_report.pk) in body


def test_the_list_takes_the_same_queries_whatever_the_number_of_reports(admin_client_, sent_report):
    with CaptureQueriesContext(connection) as one:
        admin_client_.get(url("changelist"))
    for month in (dt.date(2022, 1, 1), dt.date(2022, 2, 1)):
        ComplianceReport.objects.create(period=month, state="failed", last_error="SMTP down")
    with CaptureQueriesContext(connection) as three:
        response = admin_client_.get(url("changelist"))
    assert "SMTP down" in response.content.decode()
    assert len(one) == len(three)


def test_the_report_page_previews_the_html_as_sent(admin_client_, sent_report):
    page = admin_client_.get(url("change", sent_report.pk))
    assert page.status_code == 200 and url("preview", sent_report.pk) in page.content.decode()
    preview = admin_client_.get(url("preview", sent_report.pk))
    html = preview.content.decode()
    assert "Compliance report March 2022" in html
    assert f'src="{url("chart", sent_report.pk)}"' in html and "cid:" not in html
    assert "default-src 'none'" in preview["Content-Security-Policy"]
    chart = admin_client_.get(url("chart", sent_report.pk))
    assert chart["Content-Type"] == "image/png" and chart.content.startswith(b"\x89PNG")


def test_csv_and_pdf_download_with_their_names(admin_client_, sent_report):
    csv = admin_client_.get(url("csv", sent_report.pk))
    assert csv["Content-Disposition"] == 'attachment; filename="figures-2022-03.csv"'
    assert csv.content.decode() == sent_report.csv
    pdf = admin_client_.get(url("pdf", sent_report.pk))
    assert pdf["Content-Disposition"] == 'attachment; filename="compliance-2022-03.pdf"'
    assert pdf.content.startswith(b"%PDF")


def test_re_send_from_the_admin_sends_again(admin_client_, sent_report, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(
            url("changelist"), {"action": "resend", "_selected_action": [sent_report.pk]}, follow=True
        )
    assert "Re-send of 2022-03 queued" in response.content.decode()
    assert len(mail.outbox) == 2
    sent_report.refresh_from_db()
    assert [d["by"].split()[0] for d in sent_report.deliveries] == ["job", "admin"]


def test_an_analyst_reads_and_downloads_but_cannot_re_send(analyst_client, sent_report):
    assert analyst_client.get(url("changelist")).status_code == 200
    assert analyst_client.get(url("pdf", sent_report.pk)).status_code == 200
    response = analyst_client.post(url("changelist"), {"action": "resend", "_selected_action": [sent_report.pk]})
    assert len(mail.outbox) == 1
    assert response.status_code in (200, 302)
    assert "resend" not in analyst_client.get(url("changelist")).content.decode()


def test_recipients_are_managed_in_the_admin(admin_client_):
    response = admin_client_.post(
        reverse("admin:circularity_reportrecipient_add"), {"name": "CFO", "email": "cfo@example.com", "active": "on"}
    )
    assert response.status_code == 302
    assert ReportRecipient.objects.get(email="cfo@example.com").active
