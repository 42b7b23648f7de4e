"""``/reports/``: the monthly compliance reports, read-only, with their PDF and CSV.

Skipped in a build without ``circularity.ComplianceReport`` (it arrives with the reports
work); the rows are made with the fields ``api.reports`` reads.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from circularity.models import ComplianceReport

pytestmark = [
    pytest.mark.django_db,
]

PDF = b"%PDF-1.4\n% a report\n%%EOF\n"


def make_report(month: dt.date, **fields):
    values = {
        "period": month,
        "csv": "figure,value\nreuse_recycle_rate,0.82\n",
        "pdf": PDF,
        "generated_at": dt.datetime(month.year, month.month, 1, 6, tzinfo=dt.UTC),
        **fields,
    }
    return ComplianceReport.objects.create(**values)


@pytest.fixture
def reports():
    make_report(dt.date(2022, 1, 1), sent_at=dt.datetime(2022, 2, 1, 6, 5, tzinfo=dt.UTC), state="sent")
    make_report(dt.date(2022, 2, 1), last_error="SMTP 451", state="failed")


def test_reports_list_newest_first_with_their_downloads(api, reports):
    response = api.get("/api/v1/reports/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["period"] for row in rows] == ["2022-02", "2022-01"]
    assert rows[0]["last_error"] == "SMTP 451" and rows[0]["sent_at"] is None
    assert rows[1]["sent_at"] == "2022-02-01T06:05:00Z"
    assert rows[1]["pdf"].endswith("/api/v1/reports/2022-01/pdf/")
    assert rows[1]["csv"].endswith("/api/v1/reports/2022-01/csv/")


def test_a_report_reads_by_its_month(api, reports):
    response = api.get("/api/v1/reports/2022-01/")
    assert response.status_code == 200
    assert response.json()["state"] == "sent"


def test_an_unknown_or_impossible_month_is_404(api, reports):
    assert api.get("/api/v1/reports/2021-12/").status_code == 404
    assert api.get("/api/v1/reports/2022-13/").status_code == 404
    assert api.get("/api/v1/reports/2021-12/pdf/").status_code == 404


def test_the_pdf_downloads_as_it_was_sent(api, reports):
    response = api.get("/api/v1/reports/2022-01/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="assetlife-report-2022-01.pdf"'
    assert response.content == PDF
    assert api.get("/api/v1/reports/2022-01/pdf/", HTTP_ACCEPT="application/pdf").content == PDF


def test_the_csv_downloads_as_it_was_sent(api, reports):
    response = api.get("/api/v1/reports/2022-01/csv/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode() == "figure,value\nreuse_recycle_rate,0.82\n"


def test_a_report_without_a_pdf_yet_is_404(api):
    make_report(dt.date(2022, 3, 1), pdf=b"")
    response = api.get("/api/v1/reports/2022-03/pdf/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 404


def test_reports_are_read_only(api, reports):
    assert api.post("/api/v1/reports/", {}).status_code == 405
    assert api.delete("/api/v1/reports/2022-01/").status_code == 405


def test_reading_reports_needs_permission(anon, client_with, reports):
    assert anon.get("/api/v1/reports/").status_code == 401
    assert anon.get("/api/v1/reports/2022-01/pdf/").status_code == 401
    assert client_with().get("/api/v1/reports/").status_code == 403
    assert client_with().get("/api/v1/reports/2022-01/pdf/").status_code == 403
    assert client_with("circularity.view_compliancereport").get("/api/v1/reports/2022-01/pdf/").status_code == 200


def test_the_list_runs_a_fixed_number_of_queries(api, reports):
    def count():
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/v1/reports/").status_code == 200
        return len(captured)

    few = count()
    for month in range(3, 13):
        make_report(dt.date(2022, month, 1))
    assert count() == few


@pytest.mark.parametrize("file", ["pdf", "csv"])
@pytest.mark.parametrize("how", [{"HTTP_ACCEPT": "application/pdf, text/csv"}, {"format": "file"}])
def test_an_error_is_json_even_to_a_client_that_asked_for_the_file(api, reports, file, how):
    query = {"format": file} if how.get("format") else {}
    headers = {} if how.get("format") else how
    response = api.get(f"/api/v1/reports/2021-12/{file}/", query, **headers)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] == "No compliance report for 2021-12."
