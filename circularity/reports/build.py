"""Figures → the report's content: one ``Report`` that the HTML, text, CSV and PDF all render.

Every figure comes from ``circularity.metrics`` / ``circularity.targets`` (no formula
here). One grouped query per grouping covers the fiscal year to date, and the report
month is read from the same rows (sums are additive), so the month and the year to date
cost one query, not two. Exceptions come from ``circularity.exceptions``. The build reads
only; it writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from inventory.choices import Category

from .. import exceptions, report_lots
from ..charts import rate_chart_data, render_rate_chart
from ..choices import Dimension, Metric, PeriodKind
from ..metrics import (
    Sums,
    figures,
    gri_306_rows,
    gri_306_totals,
    harvested_span,
    monthly_sums,
    packaging_rows,
    packaging_span,
    span_sums,
    value_recovered_span,
)
from ..models import CircularCenter
from ..periods import add_months, fiscal_year_of, fiscal_year_start, month_of, months_between, to_utc
from ..targets import month_statuses
from .formatting import pct
from .waste import WasteSection, waste_section

CHART_CID = "rate-chart"
EXCEPTION_LIMIT = 50


class MonthNotClosed(Exception):
    """The month has not ended yet (in UTC, where periods are cut): its report would be partial."""

    def __init__(self, month: dt.date, closes_at: dt.datetime):
        self.month = month
        self.closes_at = closes_at
        super().__init__(f"{month:%Y-%m} is not over until {closes_at:%Y-%m-%d %H:%M} UTC; report it after that.")


@dataclass
class Report:
    """Everything the report says about one month. ``month``/``fytd`` hold ``figures()`` rows."""

    month: dt.date
    fiscal_year: int
    fytd_first: dt.date
    generated_at: dt.datetime
    total: dict
    by_center: list[dict]
    by_category: list[dict]
    packaging: dict
    gri_306: dict
    targets: list[dict]
    exceptions: dict[str, exceptions.ExceptionList]
    transit_days: int
    chart_png: bytes = field(repr=False, default=b"")
    # SPEC section 9: resale proceeds per currency (never added across currencies) and
    # harvested parts back in service, each for the month and the fiscal year to date.
    recovery: dict = field(default_factory=dict)
    waste: WasteSection | None = None  # GRI 306 / ESRS E5, fiscal year to date (reports/waste.py)

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def title(self) -> str:
        return f"{self.month:%B %Y}"

    @property
    def fytd_label(self) -> str:
        return f"FY{self.fiscal_year} to date ({self.fytd_first:%b %Y} – {self.month:%b %Y})"

    @property
    def headline_rate(self) -> float | None:
        """The published figure: the month's reuse and recycling rate by units."""
        return self.total["month"]["reuse_recycle_rate"]["units"]

    @property
    def has_dispositions(self) -> bool:
        return self.total["month"]["units"] > 0

    @property
    def subject(self) -> str:
        if not self.has_dispositions:
            return f"AssetLife compliance report {self.title}: no dispositions recorded"
        return f"AssetLife compliance report {self.title}: reuse and recycling rate {pct(self.headline_rate)} by units"

    @property
    def exception_count(self) -> int:
        return sum(found.total for found in self.exceptions.values())

    @property
    def csv_filename(self) -> str:
        return f"figures-{self.label}.csv"

    @property
    def pdf_filename(self) -> str:
        return f"compliance-{self.label}.pdf"


def check_closed(month: dt.date, now: dt.datetime | None = None) -> None:
    """Raise ``MonthNotClosed`` unless ``month`` has ended in UTC."""
    closes_at = to_utc(add_months(month_of(month), 1))
    if (now or timezone.now()) < closes_at:
        raise MonthNotClosed(month_of(month), closes_at)


def previous_month(today: dt.date | None = None) -> dt.date:
    """The month before today in the ``TIME_ZONE`` setting: what the beat job reports."""
    return add_months(month_of(today or timezone.localdate()), -1)


def build_report(month: dt.date, *, chart: bool = True) -> Report:
    """Read every figure of ``month`` and its fiscal year to date (a constant number of queries)."""
    month = month_of(month)
    fiscal_year = fiscal_year_of(month)
    fytd_first = fiscal_year_start(fiscal_year)
    fytd_months = months_between(fytd_first, month)
    now = timezone.now()

    total, grouped = None, {}
    for dimension in (None, Dimension.CENTER, Dimension.CATEGORY):
        sums = monthly_sums(fytd_months, dimension)
        rows = _month_and_span(sums, month, fytd_months)
        if dimension is None:
            # The total always has figures: units 0 and rates with no value when empty.
            total = rows.get(None) or {"month": None, "fytd": figures(Sums())}
            total["month"] = total["month"] or figures(Sums())
        else:
            grouped[dimension] = [{"group": group, **rows[group]} for group in sorted(rows)]

    centers = dict(CircularCenter.objects.values_list("code", "name"))
    for row in grouped[Dimension.CENTER]:
        row["label"] = f"{row['group']} {centers.get(row['group'], '')}".strip()
    categories = dict(Category.choices)
    for row in grouped[Dimension.CATEGORY]:
        row["label"] = str(categories.get(row["group"], row["group"]))

    month_packaging = packaging_rows(PeriodKind.MONTH, month, month)[0]
    packaging = {"month": month_packaging, "fytd": packaging_span(fytd_first, month)}

    gri = {
        "lines": [
            {**line, "fytd_units": span_line["units"], "fytd_mass_t": span_line["mass_t"]}
            for line, span_line in zip(gri_306_rows(total["month"]), gri_306_rows(total["fytd"]), strict=True)
        ],
        "month": gri_306_totals(total["month"]),
        "fytd": gri_306_totals(total["fytd"]),
    }

    targets = [_target_row(status) for status in month_statuses(month)]

    until = to_utc(add_months(month, 1))
    days = settings.TRANSIT_EXCEPTION_DAYS
    found = {
        "uncertified": exceptions.uncertified_departures(first=to_utc(month), until=until, limit=EXCEPTION_LIMIT),
        "in_transit": exceptions.long_in_transit(as_of=now, days=days, limit=EXCEPTION_LIMIT),
        "missing": exceptions.missing_assets(as_of=now, limit=EXCEPTION_LIMIT),
        **report_lots.lot_exceptions(month_first=to_utc(month), month_until=until, as_of=now, limit=EXCEPTION_LIMIT),
    }
    return Report(
        month=month,
        fiscal_year=fiscal_year,
        fytd_first=fytd_first,
        generated_at=now,
        total=total,
        by_center=grouped[Dimension.CENTER],
        by_category=grouped[Dimension.CATEGORY],
        packaging=packaging,
        gri_306=gri,
        targets=targets,
        exceptions=found,
        transit_days=days,
        chart_png=render_rate_chart(rate_chart_data(month), "png") if chart else b"",
        recovery={
            "value_recovered": {
                "month": value_recovered_span(month, month),
                "fytd": value_recovered_span(fytd_first, month),
            },
            "harvested": {"month": harvested_span(month, month), "fytd": harvested_span(fytd_first, month)},
        },
        waste=waste_section(month),
    )


def _month_and_span(sums: dict, month: dt.date, fytd_months: list[dt.date]) -> dict:
    """Per group: the month's figures (None when the group had none) and the span's."""
    in_month = span_sums(sums, [month])
    in_span = span_sums(sums, fytd_months)
    return {
        group: {"month": figures(in_month[group]) if group in in_month else None, "fytd": figures(span)}
        for group, span in in_span.items()
    }


METRIC_UNITS = {Metric.AVG_PLASTIC_CONTENT: "of package mass"}


def _target_row(status) -> dict:
    target = status.target
    return {
        **status.as_dict(),
        "label": target.get_metric_display(),
        "description": target.description,
        "comparison_label": target.get_comparison_display(),
        "basis": METRIC_UNITS.get(target.metric, "by units"),
    }


def jsonable(report: Report) -> dict:
    """The figures the report was built from, as JSON (stored on ``ComplianceReport.figures``).

    Masses stay exact (decimal strings); rates are floats; no value is ``null``.
    """

    def convert(value):
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()
        if isinstance(value, exceptions.ExceptionList):
            return {"total": value.total, "rows": convert(value.rows)}
        if isinstance(value, dict):
            return {str(k) if k is not None else "": convert(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [convert(v) for v in value]
        return value

    return convert(
        {
            "month": report.label,
            "fiscal_year": f"FY{report.fiscal_year}",
            "fiscal_year_to_date": {"first": f"{report.fytd_first:%Y-%m}", "last": report.label},
            "generated_at": report.generated_at,
            "total": report.total,
            "by_center": report.by_center,
            "by_category": report.by_category,
            "packaging": report.packaging,
            "gri_306": report.gri_306,
            "targets": report.targets,
            "exceptions": report.exceptions,
            "transit_exception_days": report.transit_days,
            "recovery": report.recovery,
            "waste": report.waste.as_json() if report.waste else None,
        }
    )


__all__ = ["CHART_CID", "MonthNotClosed", "Report", "build_report", "check_closed", "previous_month"]
