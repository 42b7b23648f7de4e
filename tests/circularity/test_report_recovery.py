"""The compliance report's value recovered (per currency, never summed) and harvested parts."""

import datetime as dt
from decimal import Decimal

import pytest

from circularity import dispositions
from circularity.reports.build import build_report, jsonable
from circularity.reports.csv import rows
from circularity.reports.html import render_html, render_text
from circularity.reports.pdf import render_pdf
from inventory.choices import Source, Status
from tests.circularity.helpers import campus, utc
from tests.factories import AssetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sold():
    site, center = campus()
    for when, amount, currency in (
        (utc(2024, 3, 3), "100.00", "EUR"),
        (utc(2024, 2, 3), "40.00", "EUR"),
        (utc(2024, 3, 4), "70.00", "USD"),
    ):
        asset = AssetFactory(site=site, center=center, status=Status.AT_CIRCULAR_CENTER)
        dispositions.record_disposition(
            asset=asset,
            center=center,
            route="resale",
            decided_at=when,
            proceeds=Decimal(amount),
            currency=currency,
            source=Source.API,
        )


def test_the_report_gives_proceeds_per_currency_for_the_month_and_the_year_never_summed(sold):
    report = build_report(dt.date(2024, 3, 1), chart=False)
    assert report.recovery["value_recovered"]["month"] == [
        {"currency": "EUR", "units": 1, "proceeds": Decimal("100.00")},
        {"currency": "USD", "units": 1, "proceeds": Decimal("70.00")},
    ]
    assert report.recovery["value_recovered"]["fytd"][0] == {
        "currency": "EUR",
        "units": 2,
        "proceeds": Decimal("140.00"),
    }
    csv_rows = [row for row in rows(report) if row[1] == "value_recovered" and row[7] == "proceeds"]
    assert [(row[2], row[8], row[9], row[10]) for row in csv_rows] == [
        ("month", "EUR", Decimal("100.00"), "EUR"),
        ("month", "USD", Decimal("70.00"), "USD"),
        ("fiscal_year_to_date", "EUR", Decimal("140.00"), "EUR"),
        ("fiscal_year_to_date", "USD", Decimal("70.00"), "USD"),
    ]
    html, text = render_html(report), render_text(report)
    for rendered in (html, text):
        assert "100.00 EUR" in rendered and "140.00 EUR" in rendered and "70.00 USD" in rendered
        assert "170.00" not in rendered and "210.00" not in rendered
    pdf = render_pdf(report)
    assert pdf.startswith(b"%PDF")
    assert jsonable(report)["recovery"]["value_recovered"]["month"][0]["proceeds"] == "100.00"
    assert report.recovery["harvested"]["month"] == {
        "units": 0,
        "mass_kg": Decimal("0.000"),
        "avoided_kgco2e": Decimal("0.000"),
    }
