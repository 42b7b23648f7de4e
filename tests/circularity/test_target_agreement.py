"""One fleet, four readers: the dashboard (tiles, table, chart), ``GET /api/v1/targets/?as_of=``
and the monthly report all say the same of every target (issue 11: "figures that
contradict each other"). Each reads ``circularity.targets.target_status``; this test feeds
them one fleet and compares what each shows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from freezegun import freeze_time
from rest_framework.test import APIClient

from circularity.choices import TargetState
from circularity.periods import add_months
from circularity.reports.build import build_report
from circularity.reports.html import render_html, render_text
from tests.circularity.admin_support import ANALYST, logged_in
from tests.circularity.helpers import at_center, campus, dispose, utc
from tests.factories import PackagingRecordFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("circularity:dashboard")
WORDS = {"met": "Met", "missed": "Missed", "on_track": "On track", "behind": "Behind", "no_data": "No data"}


@pytest.fixture
def fleet():
    """FY2021 … FY2025: a reuse-and-recycling rate that swings month to month and drifts down
    (so the trend lands inside 0…1 by FY2030), and packaging whose plastic falls from 4.7 %
    but never reaches 0 % (so the plastics target is missed in FY2025, its own year)."""
    site, center = campus()
    month = dt.date(2020, 7, 1)
    index = 0
    while month <= dt.date(2025, 3, 1):
        good = [4, 3, 4, 2, 3][index % 5] - (1 if index > 30 else 0)  # of 4, sometimes 5
        for n in range(4):
            route = "recycle" if n < good else "landfill"
            dispose(at_center(center, site=site), center, route, utc(month.year, month.month, 3 + n))
        plastic = max(Decimal("47") - index * Decimal("0.8"), Decimal("8"))  # g per 1000 g
        PackagingRecordFactory(site=site, received_on=month.replace(day=12), single_use_plastic_g=plastic)
        month = add_months(month, 1)
        index += 1
    return site, center


def api_statuses(as_of: str) -> dict:
    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_superuser("api-agree", "a@example.com", "x"))
    response = client.get("/api/v1/targets/", {"as_of": as_of})
    assert response.status_code == 200, response.content
    return {row["metric"]: row for row in response.json()["results"]}


def dashboard_of(client, fiscal_year: int):
    logged_in(client, ANALYST)
    response = client.get(DASHBOARD, {"fy": f"FY{fiscal_year}"})
    assert response.status_code == 200
    return response


def assert_agree(client, *, fiscal_year: int, as_of: dt.date, report_month: dt.date):
    """Dashboard (table, tiles, chart), API and report: the same state, value and trend."""
    response = dashboard_of(client, fiscal_year)
    table = {status.target.metric: status for status in response.context["statuses"]}
    page = response.content.decode()
    api = api_statuses(as_of.isoformat())
    report = build_report(report_month)
    in_report = {status.target.metric: status for status in report.targets}
    html, text = render_html(report), render_text(report)

    assert set(table) == set(api) == set(in_report) == {"reuse_recycle_rate", "avg_plastic_content"}
    for metric, status in table.items():
        row, reported = api[metric], in_report[metric]
        assert (row["status"], reported.state) == (status.state, status.state), metric
        assert row["latest_value"] == pytest.approx(status.value, abs=1e-6) if status.value is not None else True
        assert reported.value == status.value
        assert reported.projection == status.projection
        if status.projection is None:
            assert row["projection"] is None
        else:
            assert row["projection"] == pytest.approx(status.projection, abs=1e-6)
        # A target whose year has passed is met or missed, nothing else.
        if status.year_passed:
            assert status.state in (TargetState.MET, TargetState.MISSED)
            assert row["on_track"] is None and row["projection"] is None and row["projected_to_meet"] is None
        word = WORDS[status.state]
        assert word in page and word in html and word in text, (metric, word)
    # The words that used to contradict the verdict are gone from every rendering.
    for rendering in (page, html, text):
        assert "Projected to" not in rendering and "meets target:" not in rendering

    # The chart draws the rate target's own trend: its end is the table's projection.
    rate = table["reuse_recycle_rate"]
    assert response.context["rate_status"] is rate
    chart = response.context["chart"]
    if rate.projection is None:
        assert chart.projection == []
    else:
        assert chart.projection_end == pytest.approx(rate.projection)
        assert chart.projection[-1][0] == dt.date(rate.target.target_fiscal_year, 6, 1)
    return table


@freeze_time("2025-04-10 12:00")
def test_fy2022_chart_projection_equals_the_table_the_api_and_the_june_report(client, fleet):
    table = assert_agree(client, fiscal_year=2022, as_of=dt.date(2022, 6, 30), report_month=dt.date(2022, 6, 1))
    rate = table["reuse_recycle_rate"]
    assert 0 < rate.projection < 1  # a real reading, not a clamp
    assert rate.trend.last == dt.date(2022, 6, 1)  # June is closed at the end of 30 June


@freeze_time("2025-04-10 12:00")
def test_the_plastics_target_in_its_own_year_has_one_verdict(client, fleet):
    table = assert_agree(client, fiscal_year=2025, as_of=dt.date(2025, 4, 10), report_month=dt.date(2025, 3, 1))
    plastic = table["avg_plastic_content"]
    assert plastic.fiscal_year == plastic.target.target_fiscal_year == 2025
    # The year to date is above 0 %: behind, whatever the trend's (clamped) reading says.
    assert plastic.value > 0 and plastic.state == TargetState.BEHIND


@freeze_time("2027-01-15 12:00")
def test_in_fy2027_a_passed_target_is_met_or_missed(client, fleet):
    table = assert_agree(client, fiscal_year=2027, as_of=dt.date(2027, 1, 15), report_month=dt.date(2026, 12, 1))
    plastic = table["avg_plastic_content"]
    assert plastic.year_passed and plastic.state == TargetState.MISSED
    assert plastic.final_value == pytest.approx(0.008, abs=0.002)  # FY2025 as a whole, not FY2027
    rate = table["reuse_recycle_rate"]
    assert not rate.year_passed and rate.state in (TargetState.ON_TRACK, TargetState.BEHIND, TargetState.NO_DATA)
