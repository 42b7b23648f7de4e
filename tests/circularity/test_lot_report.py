"""The lots in the compliance report: awaiting their certificate past LOT_CERTIFICATE_DAYS,
and outside the weight tolerance (SPEC section 9)."""

import datetime as dt

import pytest
from django.utils import timezone

from circularity import evidence
from circularity.choices import EvidenceKind
from circularity.report_lots import lots_awaiting_certificate
from circularity.reports.build import build_report
from circularity.reports.csv import render_csv
from circularity.reports.html import render_text
from tests.circularity.custody_support import certified_vendor, dispositioned, lot_of, upload
from tests.factories import CircularCenterFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped():
    """Lots shipped 61, 59 and 90 days ago (the last closed), and one this month outside tolerance."""
    center = CircularCenterFactory(code="AMS-CC", sites=[SiteFactory(code="AMS05")], onsite_routes=[])
    vendor = certified_vendor()
    now = timezone.now()

    def lot(code, days_ago, gross="30"):
        at = now - dt.timedelta(days=days_ago)
        return lot_of(center, vendor, dispositioned(center, vendor, [20], at), gross=gross, code=code, shipped=at)

    late = lot("LATE-61", 61)
    lot("RECENT-59", 59)
    closed = lot("CLOSED-90", 90)
    evidence.evidence_receive(upload=upload(), kind=EvidenceKind.LOT_CERTIFICATE, lot=closed)
    return late, now


def test_an_open_lot_shipped_more_than_the_set_days_ago_is_an_exception(shipped):
    late, now = shipped
    found = lots_awaiting_certificate(as_of=now, days=60)
    assert found.total == 1
    assert [(row["lot"], row["days"]) for row in found.rows] == [("LATE-61", 61)]
    assert lots_awaiting_certificate(as_of=now, days=58).total == 2


def test_the_report_lists_lots_awaiting_their_certificate_and_lots_outside_tolerance(shipped, settings):
    late, now = shipped
    settings.LOT_CERTIFICATE_DAYS = 60
    month = (now - dt.timedelta(days=61)).date().replace(day=1)
    report = build_report(month, chart=False)
    assert report.exceptions["lots_awaiting_certificate"].total == 1
    # 30 gross − 10 tare = 20 kg net for 20 kg recorded: every lot is within tolerance
    assert report.exceptions["lots_outside_tolerance"].total == 0
    text = render_text(report)
    assert "Lots shipped more than 60 days ago without their certificate: 1" in text
    assert "LATE-61 | AMS-CC | RECYCLER | recycle | SEAL-1" in text
    assert "exception,lots_awaiting_certificate,count,,1,count" in render_csv(report)


def test_a_lot_outside_tolerance_is_listed_in_the_month_it_shipped(shipped):
    late, now = shipped
    center, vendor = late.center, late.vendor
    at = now - dt.timedelta(days=1)
    lot_of(center, vendor, dispositioned(center, vendor, [100], at), gross="116", code="HEAVY", shipped=at)
    report = build_report(at.date().replace(day=1), chart=False)
    found = report.exceptions["lots_outside_tolerance"]
    assert [row["lot"] for row in found.rows] == ["HEAVY"]
    assert "HEAVY | AMS-CC | RECYCLER | recycle" in render_text(report)
