"""Packaging figures of SPEC section 5: package-weighted plastic content and its reduction."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import F, FloatField, Sum
from django.db.models.functions import Cast, TruncMonth

from ..choices import Dimension, Metric
from ..models import PackagingRecord, Target
from ..periods import Period, add_months, month_of, periods_in_range
from .sums import KG_PER_T, ZERO


def _plastic_content():
    return Cast(F("single_use_plastic_g"), FloatField()) / Cast(F("packaging_mass_g"), FloatField())


def with_plastic_content(records):
    """Packaging records annotated with ``plastic_content`` (plastic ÷ packaging mass), in SQL."""
    return records.annotate(plastic_content=_plastic_content())


def packaging_rows(kind: str, first: dt.date, last: dt.date, group_by: str | None = None) -> list[dict]:
    """Per period (and site): packages, package-weighted average plastic content, reduction.

    ``avg_plastic_content`` = Σ(count × plastic ÷ mass) ÷ Σ count, in one grouped query.
    """
    if group_by not in (None, Dimension.SITE):
        raise ValueError(f"group_by {group_by!r}: packaging groups by site only")
    periods = periods_in_range(kind, first, last)
    month_period = {month: period for period in periods for month in period.months}
    keys = ["month"] + (["site__code"] if group_by else [])
    rows = (
        PackagingRecord.objects.filter(received_on__gte=periods[0].start, received_on__lt=periods[-1].end)
        .annotate(month=TruncMonth("received_on"))
        .values(*keys)
        .annotate(
            packages=Sum("package_count"),
            weighted=Sum(F("package_count") * _plastic_content(), output_field=FloatField()),
            plastic_g=Sum(F("package_count") * F("single_use_plastic_g")),
        )
        .order_by()
    )
    totals: dict[Period, dict[str | None, list]] = {p: defaultdict(lambda: [0, 0.0, ZERO]) for p in periods}
    for row in rows:
        bucket = totals[month_period[month_of(row["month"])]][row["site__code"] if group_by else None]
        bucket[0] += row["packages"]
        bucket[1] += row["weighted"]
        bucket[2] += Decimal(row["plastic_g"])
    baseline = plastic_baseline()
    result = []
    for period in periods:
        groups = totals[period] or ({None: [0, 0.0, ZERO]} if group_by is None else {})
        for group in sorted(groups, key=lambda g: g or ""):
            packages, weighted, plastic_g = groups[group]
            average = weighted / packages if packages else None
            result.append(
                {
                    "period": period.label,
                    "period_start": period.start,
                    "group": group,
                    "packages": packages,
                    "single_use_plastic_kg": plastic_g / KG_PER_T,
                    "avg_plastic_content": average,
                    "plastic_reduction": plastic_reduction(average, baseline),
                    "baseline": baseline,
                }
            )
    return result


def plastic_reduction(current: float | None, baseline: float | None) -> float | None:
    """(baseline − current) ÷ baseline: 4.7 % → 3.3 % is a 29.8 % reduction."""
    if current is None or not baseline:
        return None
    return (baseline - current) / baseline


def plastic_baseline() -> float | None:
    """The packaging target's stated baseline, or the computed average of its baseline year."""
    target = Target.objects.filter(metric=Metric.AVG_PLASTIC_CONTENT).order_by("target_fiscal_year").first()
    if target is None:
        return None
    if target.baseline_value is not None:
        return float(target.baseline_value)
    return computed_plastic_content(target.baseline_fiscal_year)


def computed_plastic_content(fiscal_year: int) -> float | None:
    period = Period.fiscal_year(fiscal_year)
    row = PackagingRecord.objects.filter(received_on__gte=period.start, received_on__lt=period.end).aggregate(
        packages=Sum("package_count"),
        weighted=Sum(F("package_count") * _plastic_content(), output_field=FloatField()),
    )
    return row["weighted"] / row["packages"] if row["packages"] else None


def packaging_span(first: dt.date, last: dt.date) -> dict:
    """Packaging figures over the months ``first`` … ``last`` as one span: ONE aggregate (+ baseline)."""
    row = PackagingRecord.objects.filter(received_on__gte=first, received_on__lt=add_months(last, 1)).aggregate(
        packages=Sum("package_count"),
        weighted=Sum(F("package_count") * _plastic_content(), output_field=FloatField()),
        plastic_g=Sum(F("package_count") * F("single_use_plastic_g")),
    )
    packages = row["packages"] or 0
    average = row["weighted"] / packages if packages else None
    baseline = plastic_baseline()
    return {
        "packages": packages,
        "single_use_plastic_kg": Decimal(row["plastic_g"] or 0) / KG_PER_T,
        "avg_plastic_content": average,
        "plastic_reduction": plastic_reduction(average, baseline),
        "baseline": baseline,
    }
