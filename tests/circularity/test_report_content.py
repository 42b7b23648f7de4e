"""The compliance report says what the metric functions say, in HTML, text, CSV and PDF."""

import csv
import datetime as dt
import email
import email.policy
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from circularity.choices import Dimension, PeriodKind
from circularity.metrics import circularity_rows, packaging_rows
from circularity.models import ComplianceReport, Disposition, Target
from circularity.reports.build import build_report
from circularity.reports.csv import COLUMNS
from circularity.reports.send import artefacts, compose
from circularity.targets import month_end, target_status
from inventory.choices import Category, Status
from tests.circularity.report_data import build_fleet
from tests.factories import AssetFactory, PartModelFactory, SiteFactory

pytestmark = pytest.mark.django_db

MARCH = dt.date(2022, 3, 1)


@pytest.fixture
def fleet():
    return build_fleet()


@pytest.fixture
def march(fleet):
    report = build_report(MARCH)
    return report, artefacts(report)


def csv_figures(text):
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and list(rows[0]) == COLUMNS
    return rows


def pick(rows, **match):
    found = [row for row in rows if all(row[key] == value for key, value in match.items())]
    assert len(found) == 1, (match, found)
    return found[0]["value"]


def as_float(value):
    return None if value == "" else float(value)


def test_csv_figures_equal_the_metric_functions(march):
    report, files = march
    rows = csv_figures(files["csv"])
    month = circularity_rows(PeriodKind.MONTH, MARCH, MARCH)[0]
    fiscal_year = circularity_rows(PeriodKind.FISCAL_YEAR, MARCH, MARCH)[0]  # nothing after March: = FY to date
    for span, expected in (("month", month), ("fiscal_year_to_date", fiscal_year)):
        base = {"section": "circularity", "span": span, "dimension": "total"}
        assert int(pick(rows, **base, figure="units")) == expected["units"]
        assert Decimal(pick(rows, **base, figure="mass_kg")) == expected["mass_kg"]
        for figure in ("reuse_recycle_rate", "reuse_rate", "recycle_rate"):
            for basis in ("units", "mass"):
                assert as_float(pick(rows, **base, figure=figure, key=basis)) == expected[figure][basis]
        assert Decimal(pick(rows, **base, figure="diverted_mass_t")) == expected["diverted_mass_t"]
        assert Decimal(pick(rows, **base, figure="avoided_kgco2e")) == expected["avoided_kgco2e"]
    for dimension in (Dimension.CENTER, Dimension.CATEGORY):
        expected_rows = circularity_rows(PeriodKind.MONTH, MARCH, MARCH, group_by=dimension)
        assert {row["group"] for row in expected_rows} == {
            row["group"] for row in rows if row["dimension"] == dimension and row["span"] == "month"
        }
        for expected in expected_rows:
            base = {"span": "month", "dimension": dimension, "group": expected["group"]}
            assert int(pick(rows, **base, figure="units")) == expected["units"]
            rate = pick(rows, **base, figure="reuse_recycle_rate", key="units")
            assert as_float(rate) == expected["reuse_recycle_rate"]["units"]
    packaging = packaging_rows(PeriodKind.MONTH, MARCH, MARCH)[0]
    base = {"section": "packaging", "span": "month"}
    assert as_float(pick(rows, **base, figure="avg_plastic_content")) == packaging["avg_plastic_content"]
    assert as_float(pick(rows, **base, figure="plastic_reduction")) == packaging["plastic_reduction"]
    for target in report.targets:
        stored = Target.objects.get(pk=target.target.pk)
        status = target_status(stored, month_end(MARCH))
        base = {"section": "target", "group": stored.metric}
        assert as_float(pick(rows, **base, figure="latest_value")) == status.value
        assert as_float(pick(rows, **base, figure="projection")) == status.projection


def test_groups_add_up_to_the_total_in_the_csv(march):
    _, files = march
    rows = csv_figures(files["csv"])
    for dimension in ("center", "category"):
        units = [
            int(r["value"])
            for r in rows
            if r["dimension"] == dimension and r["figure"] == "units" and r["span"] == "month"
        ]
        assert sum(units) == int(pick(rows, section="circularity", span="month", dimension="total", figure="units"))


def test_pdf_opens_and_holds_the_headline_figures(march):
    report, files = march
    pdf = PdfReader(io.BytesIO(files["pdf"]))
    assert len(pdf.pages) >= 2
    text = " ".join(page.extract_text() for page in pdf.pages)
    month = circularity_rows(PeriodKind.MONTH, MARCH, MARCH)[0]
    headline = f"{month['reuse_recycle_rate']['units'] * 100:.1f} %"
    assert headline == "88.9 %"  # 16 of 18 units
    assert headline in text
    assert f"{month['reuse_recycle_rate']['mass'] * 100:.1f} %" in text
    assert "Compliance report March 2022" in text
    assert "SRV-STUCK-01" in text and "PSU-LOST-01" in text
    assert f"page 1 of {len(pdf.pages)}" in text
    assert any(page.images for page in pdf.pages), "the chart is in the PDF"


def test_html_holds_the_chart_by_content_id_and_no_script(march):
    report, files = march
    assert 'src="cid:rate-chart"' in files["html"]
    assert "<script" not in files["html"].lower()
    stored = ComplianceReport(period=MARCH, **files)
    parsed = email.message_from_bytes(
        compose(stored, ["cfo@example.com"]).message().as_bytes(), policy=email.policy.default
    )
    related = next(part for part in parsed.walk() if part.get_content_type() == "multipart/related")
    html, image = related.get_payload()
    assert html.get_content_type() == "text/html"
    assert image.get_content_type() == "image/png" and image["Content-ID"] == "<rate-chart>"
    assert image.get_payload(decode=True) == report.chart_png
    alternative = next(part for part in parsed.walk() if part.get_content_type() == "multipart/alternative")
    assert alternative.get_payload()[0].get_content_type() == "text/plain"
    names = [
        part.get_filename() for part in parsed.walk() if part.get("Content-Disposition", "").startswith("attachment")
    ]
    assert names == ["figures-2022-03.csv", "compliance-2022-03.pdf"]
    assert parsed["Subject"] == "AssetLife compliance report March 2022: reuse and recycling rate 88.9 % by units"


def test_text_alternative_says_the_same(march):
    report, files = march
    assert "Reuse and recycling rate 2022-03: 88.9 % by units" in files["text"]
    assert "SRV-STUCK-01" in files["text"]


def test_a_month_without_dispositions_says_so(fleet):
    report = build_report(dt.date(2022, 4, 1))
    files = artefacts(report)
    assert report.subject == "AssetLife compliance report April 2022: no dispositions recorded"
    assert "No dispositions were recorded in April 2022" in files["html"]
    assert "No dispositions were recorded in April 2022" in files["text"]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(files["pdf"])).pages)
    assert "No dispositions were recorded in April 2022" in text
    rows = csv_figures(files["csv"])
    assert (
        pick(rows, section="circularity", span="month", dimension="total", figure="reuse_recycle_rate", key="units")
        == ""
    )
    assert int(pick(rows, section="circularity", span="fiscal_year_to_date", dimension="total", figure="units")) > 0


def test_an_empty_database_gives_a_report_too():
    files = artefacts(build_report(MARCH))
    assert "No dispositions were recorded in March 2022" in files["html"]
    assert "No dispositions in FY2022 to date." in files["html"]
    assert PdfReader(io.BytesIO(files["pdf"])).pages


def test_exceptions_list_each_asset_by_serial_number(fleet):
    report = build_report(MARCH)
    assert report.exceptions["uncertified"].total == 0  # everything went through the gate
    assert [r["serial_number"] for r in report.exceptions["in_transit"].rows] == ["SRV-STUCK-01"]
    transit = report.exceptions["in_transit"].rows[0]
    assert transit["days"] == 20 and transit["shipment"] == "DHL-7781" and transit["shipment_center"] == "CC-DUB"
    assert [r["serial_number"] for r in report.exceptions["missing"].rows] == ["PSU-LOST-01"]


def test_data_bearing_assets_written_outside_the_gate_are_exceptions(fleet):
    from tests.circularity.report_data import add_violations

    add_violations(fleet["models"], fleet["sites"], fleet["centers"])
    # The asset imported straight into `disposed` counts from when its record was created.
    AssetFactory._meta.model.objects.filter(serial_number="HDD-NODISP-01").update(
        created_at=dt.datetime(2022, 3, 2, tzinfo=dt.UTC)
    )
    found = build_report(MARCH).exceptions["uncertified"]
    assert [r["serial_number"] for r in found.rows] == ["SSD-IMPORTED-01", "HDD-NODISP-01"]
    assert found.total == 2
    assert build_report(dt.date(2022, 2, 1)).exceptions["uncertified"].total == 0


def test_a_backdated_import_shows_in_the_month_it_was_recorded(fleet):
    from tests.circularity.report_data import add_violations

    add_violations(
        fleet["models"],
        fleet["sites"],
        fleet["centers"],
        decided_at=dt.datetime(2021, 12, 5, tzinfo=dt.UTC),
        recorded_at=dt.datetime(2022, 3, 20, tzinfo=dt.UTC),
    )
    assert [r["serial_number"] for r in build_report(MARCH).exceptions["uncertified"].rows] == ["SSD-IMPORTED-01"]
    assert build_report(dt.date(2021, 12, 1)).exceptions["uncertified"].total == 1
    assert build_report(dt.date(2022, 1, 1)).exceptions["uncertified"].total == 0


def test_a_certificate_counts_only_in_its_own_custody_cycle(fleet):
    """A reused drive that comes back needs a new certificate; the old one does not cover it."""
    reused = Disposition.objects.get(asset__serial_number="SSD-2203-07")
    Disposition.objects.create(
        asset=reused.asset,
        tree_root=reused.asset,
        center=reused.center,
        site=reused.site,
        category=Category.SSD,
        route="recycle",
        decided_at=dt.datetime(2022, 3, 30, tzinfo=dt.UTC),
        mass_kg=reused.mass_kg,
    )
    rows = build_report(MARCH).exceptions["uncertified"].rows
    assert [(r["serial_number"], r["route"]) for r in rows] == [("SSD-2203-07", "recycle")]


def test_a_clear_is_not_enough_for_recycling(fleet):
    ssd = PartModelFactory(category=Category.SSD, data_bearing=True)
    site = fleet["sites"][0]
    asset = AssetFactory(part_model=ssd, site=site, status=Status.RECYCLED)
    asset.sanitizations.create(
        method="clear",
        performed_at=dt.datetime(2022, 3, 1, tzinfo=dt.UTC),
        performed_by="T",
        verified=True,
        certificate_id="C-1",
    )
    Disposition.objects.create(
        asset=asset,
        tree_root=asset,
        center=fleet["centers"][0],
        site=site,
        category=Category.SSD,
        route="recycle",
        decided_at=dt.datetime(2022, 3, 5, tzinfo=dt.UTC),
        mass_kg=ssd.mass_kg,
    )
    rows = build_report(MARCH).exceptions["uncertified"].rows
    assert [r["serial_number"] for r in rows] == [asset.serial_number]


def test_exception_lists_are_capped_with_a_count_of_the_rest(fleet):
    from django.utils import timezone

    from circularity.exceptions import missing_assets

    site = SiteFactory()
    for _ in range(4):
        AssetFactory(site=site, status=Status.MISSING)
    found = missing_assets(as_of=timezone.now(), limit=2)
    assert found.total == 5 and len(found.rows) == 2 and found.more == 3


def test_building_a_report_takes_the_same_queries_whatever_the_data(fleet):
    with CaptureQueriesContext(connection) as small:
        build_report(MARCH, chart=False)
    build_fleet_more(fleet)
    with CaptureQueriesContext(connection) as large:
        build_report(MARCH, chart=False)
    assert len(small) == len(large)


def build_fleet_more(fleet):
    """Ten times the missing and in-transit assets and more centers' worth of rows."""
    site = fleet["sites"][0]
    for _ in range(10):
        AssetFactory(site=site, status=Status.MISSING)
        AssetFactory(site=site, status=Status.IN_TRANSIT)


def test_a_center_code_that_reads_like_a_formula_is_neutralised_in_the_csv(fleet, client):
    """A center code ``=HYPERLINK(...)`` reached the report's CSV as a live formula; a negative
    figure (plastic up against its baseline) must stay a number all the same."""
    from assetlife.csvfile import FORMULA_STARTS
    from circularity.models import CircularCenter, ReportRecipient
    from circularity.reports.send import send_report
    from tests.factories import UserFactory

    CircularCenter.objects.filter(code="CC-AMS").update(code='=HYPERLINK("x")')
    Target.objects.filter(metric="avg_plastic_content").update(baseline_value=Decimal("0.02"))
    ReportRecipient.objects.create(name="CSO", email="cso@example.com")
    send_report(month=MARCH)
    stored = ComplianceReport.objects.get(period=MARCH)
    rows = csv_figures(stored.csv)

    hostile = [row for row in rows if row["group"].endswith('=HYPERLINK("x")')]
    assert hostile and {row["group"] for row in hostile} == {'\'=HYPERLINK("x")'}
    reduction = pick(rows, section="packaging", span="month", figure="plastic_reduction")
    expected = stored.figures["packaging"]["month"]["plastic_reduction"]
    assert reduction.startswith("-") and float(reduction) == pytest.approx(float(expected))
    for row in rows:
        text_cells = [value for column, value in row.items() if column != "value"]
        assert not any(cell.startswith(FORMULA_STARTS) for cell in text_cells), row
        if row["value"].startswith(FORMULA_STARTS):
            float(row["value"])  # only a number may start with "-"

    # The admin and the API serve the CSV as stored.
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    for url in (
        f"/api/v1/reports/{stored.label}/csv/",
        reverse("admin:circularity_compliancereport_csv", args=[stored.pk]),
    ):
        download = client.get(url)
        assert download.status_code == 200 and download.content.decode() == stored.csv
