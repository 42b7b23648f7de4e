"""The waste section of the monthly report and the dashboard's waste panel (SPEC section 10).

The fleet is the golden test's (tests/circularity/waste_fleet.py, figures by hand in
test_waste_golden.py): FY2024 to date at March 2024 holds every decision of the fleet.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from circularity.reports.build import build_report
from circularity.reports.send import artefacts
from tests.circularity.admin_support import ANALYST, logged_in
from tests.circularity.waste_fleet import build_fleet, t

pytestmark = pytest.mark.django_db


@pytest.fixture
def march():
    build_fleet()
    report = build_report(dt.date(2024, 3, 1))
    return report, artefacts(report)


def test_the_section_holds_the_fiscal_year_to_date_figures(march):
    report, _ = march
    waste = report.waste
    assert waste.label == "FY2024 to date (Jul 2023 – Mar 2024)"
    assert (waste.figures["waste_generated_t"], waste.figures["non_recycled_waste_t"]) == (t("27.916"), t("18.111"))
    lines = {line.paragraph: line for line in waste.gri_306}
    assert lines["306-4-a"].masses == {
        "total": t("9.805"),
        "hazardous": t("4.500"),
        "non_hazardous": t("5.305"),
        "onsite": t("1.580"),
        "offsite": t("8.225"),  # 3.350 resold by vendors + 4.875 recycled by vendors
    }
    assert lines["306-5-a"].masses["onsite"] == t("14.000")  # the dismantled server's chassis


def test_the_stored_figures_keep_the_section(march):
    _, files = march
    waste = files["figures"]["waste"]
    assert (waste["first"], waste["last"]) == ("2023-07", "2024-03")
    assert waste["figures"]["diverted_t"]["recycling"]["hazardous"] == "0.0045"
    assert waste["esrs_e5"][-1] == {
        "standard": "esrs_e5",
        "disclosure": "E5-5",
        "paragraph": "§39",
        "dimension": "radioactive waste",
        "unit": "t",
        "value": "0.000000",
    }


def test_the_html_labels_every_datapoint_with_its_disclosure_and_paragraph(march):
    _, files = march
    html = files["html"]
    assert "Waste accounting: GRI 306-3/4/5 and ESRS E5-5, FY2024 to date (Jul 2023 – Mar 2024)" in html
    for label in (
        "ESRS E5 §37(a) total waste generated",
        "ESRS E5 §37(b)(ii) hazardous waste diverted from disposal: recycling",
        "ESRS E5 §37(c)(i) non-hazardous waste directed to disposal: incineration",
        "ESRS E5 §37(d) non-recycled waste",
        "ESRS E5 §37(d) non-recycled waste share",
        "ESRS E5 §39 hazardous waste",
        "ESRS E5 §39 radioactive waste",
    ):
        assert label in html, label
    assert "64.9 %" in html  # 18.111 ÷ 27.916
    assert "27.9 kg" in html and "18.1 kg" in html  # waste generated, non-recycled: under a ton, in kg


def test_the_text_and_pdf_say_the_same(march):
    _, files = march
    text = files["text"]
    assert "WASTE ACCOUNTING: GRI 306-3/4/5 AND ESRS E5-5, FY2024 to date" in text
    assert "ESRS E5 §37(d) non-recycled waste share: 64.9 %" in text
    pdf = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(files["pdf"])).pages)
    assert "Waste accounting: GRI 306-3/4/5 and ESRS E5-5" in pdf
    assert "ESRS E5 §39 hazardous waste" in pdf and "5.2 kg" in pdf


def test_the_csv_carries_every_datapoint_exactly(march):
    _, files = march
    rows = [row for row in csv.DictReader(io.StringIO(files["csv"])) if row["section"] == "waste"]
    values = {(row["figure"], row["key"]): row for row in rows}
    assert Decimal(values[("esrs_e5 §37(a) total waste generated", "")]["value"]) == t("27.916")
    assert Decimal(values[("esrs_e5 §37(d) non-recycled waste share", "")]["value"]) == Decimal("0.648768")
    assert Decimal(values[("gri_306 306-5-a Directed to disposal", "onsite")]["value"]) == t("14.000")
    assert {row["span"] for row in rows} == {"fiscal_year_to_date"}
    assert {(row["first_month"], row["last_month"]) for row in rows} == {("2023-07", "2024-03")}


def test_the_dashboard_shows_the_waste_panel(client):
    build_fleet()
    logged_in(client, ANALYST)
    response = client.get(reverse("circularity:dashboard"), {"fy": "FY2024"})
    assert response.status_code == 200
    assert response.context["waste"].figures["hazardous_waste_t"] == t("5.155")
    page = response.content.decode()
    assert "Waste (GRI 306 / ESRS E5)" in page
    assert "ESRS E5 §37(d) non-recycled waste" in page
    assert "64.9 %" in page
