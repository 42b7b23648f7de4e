"""EVERY formula of SPEC sections 4 and 5, and nothing else computes one.

Dispositions are summed in the database: one grouped query (conditional ``COUNT`` and
``SUM`` per route, ``TruncMonth`` on ``decided_at`` in UTC) gives sums per month and group.
Closed months whose ``MonthlySnapshot`` rows are fresh are read from there instead, and
months are rolled up into fiscal years by adding their sums: a handful of aggregate rows,
never a loop over dispositions. A rate is derived from the sums at the very end, so the
dashboard, the API and the report all see the same figures.

Readers: ``circularity_rows()`` (periods × groups), ``packaging_rows()``, and the
``route_sums()`` / ``figures()`` pair the snapshot job and the report reuse.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, FloatField, Q, Sum
from django.db.models.functions import Cast, TruncMonth

from .choices import DISPOSAL_ROUTES, RECYCLE_ROUTES, REUSE_ROUTES, Dimension, Metric, PeriodKind, Route
from .models import Disposition, MonthlySnapshot, PackagingRecord, SnapshotMonth, Target
from .periods import Period, add_months, current_month, month_of, periods_in_range, to_utc

ZERO = Decimal("0")
KG_PER_T = Decimal("1000")
GRAM = Decimal("0.001")  # masses are kept to the gram


def _mass(value) -> Decimal:
    return Decimal(value or 0).quantize(GRAM)


# The column each grouping reads; ``site`` is the site the asset was decommissioned from.
GROUP_FIELDS = {
    Dimension.SITE: "site__code",
    Dimension.CENTER: "center__code",
    Dimension.CATEGORY: "category",
}


@dataclass
class Sums:
    """Units and mass per route, and embodied carbon of reused assets: the additive facts."""

    units: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Route.values, 0))
    mass: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(Route.values, ZERO))
    avoided_kgco2e: Decimal = ZERO

    def __iadd__(self, other: Sums) -> Sums:
        for route in Route.values:
            self.units[route] += other.units[route]
            self.mass[route] += other.mass[route]
        self.avoided_kgco2e += other.avoided_kgco2e
        return self

    @classmethod
    def from_row(cls, row: dict) -> Sums:
        """From a row of ``route_sums``'s query or a ``MonthlySnapshot``'s values."""
        return cls(
            units={route: int(row[f"units_{route}"] or 0) for route in Route.values},
            mass={route: _mass(row[f"mass_{route}"]) for route in Route.values},
            avoided_kgco2e=_mass(row["avoided_kgco2e"]),
        )

    def as_snapshot_fields(self) -> dict:
        values = {f"units_{route}": self.units[route] for route in Route.values}
        values |= {f"mass_{route}": self.mass[route] for route in Route.values}
        values["avoided_kgco2e"] = self.avoided_kgco2e
        return values


SUM_FIELDS = [f"units_{r}" for r in Route.values] + [f"mass_{r}" for r in Route.values] + ["avoided_kgco2e"]


def _sum_expressions() -> dict:
    expressions = {}
    for route in Route.values:
        expressions[f"units_{route}"] = Count("id", filter=Q(route=route))
        expressions[f"mass_{route}"] = Sum("mass_kg", filter=Q(route=route))
    expressions["avoided_kgco2e"] = Sum("embodied_kgco2e", filter=Q(route__in=REUSE_ROUTES))
    return expressions


def _ranges_filter(months: Iterable[dt.date]) -> Q:
    """``decided_at`` within the given months, as few contiguous date ranges as possible."""
    runs: list[list[dt.date]] = []
    for month in sorted(set(months)):
        if runs and add_months(runs[-1][1], 1) == month:
            runs[-1][1] = month
        else:
            runs.append([month, month])
    condition = Q()
    for start, end in runs:
        condition |= Q(decided_at__gte=to_utc(start), decided_at__lt=to_utc(add_months(end, 1)))
    return condition


def route_sums(months: Iterable[dt.date], group_by: str | None = None) -> dict[tuple[dt.date, str | None], Sums]:
    """Sums of the dispositions decided in ``months``, per (month, group): ONE query."""
    months = list(months)
    if not months:
        return {}
    keys = ["month"] + ([GROUP_FIELDS[group_by]] if group_by else [])
    rows = (
        Disposition.objects.filter(_ranges_filter(months))
        .annotate(month=TruncMonth("decided_at", tzinfo=dt.UTC))
        .values(*keys)
        .annotate(**_sum_expressions())
        .order_by()
    )
    return {(month_of(row["month"]), row[keys[1]] if group_by else None): Sums.from_row(row) for row in rows}


def snapshot_sums(months: Iterable[dt.date], group_by: str | None = None) -> dict[tuple[dt.date, str | None], Sums]:
    """The same, read from ``MonthlySnapshot`` rows: ONE query."""
    months = list(months)
    if not months:
        return {}
    rows = MonthlySnapshot.objects.filter(month__in=months, dimension=group_by or Dimension.TOTAL).values(
        "month", "group_key", *SUM_FIELDS
    )
    return {(row["month"], row["group_key"] if group_by else None): Sums.from_row(row) for row in rows}


def fresh_snapshot_months(months: Iterable[dt.date]) -> set[dt.date]:
    """Closed months whose snapshots are up to date: ONE query."""
    closed = [m for m in months if m < current_month()]
    if not closed:
        return set()
    return set(SnapshotMonth.objects.filter(month__in=closed, stale=False).values_list("month", flat=True))


def monthly_sums(months: Iterable[dt.date], group_by: str | None = None, *, live: bool = False):
    """Sums per (month, group): fresh closed months from snapshots, the rest live."""
    months = sorted(set(months))
    from_snapshots = set() if live else fresh_snapshot_months(months)
    sums = snapshot_sums(from_snapshots, group_by)
    sums.update(route_sums([m for m in months if m not in from_snapshots], group_by))
    return sums


def _ratio(part, whole) -> float | None:
    """A rate over an empty set is no value, never 0 (SPEC section 4)."""
    if not whole:
        return None
    return float(Decimal(part) / Decimal(whole))


def figures(sums: Sums) -> dict:
    """Every circularity figure of SPEC section 4 from one set of sums."""
    units = sum(sums.units.values())
    mass = sum(sums.mass.values(), ZERO)

    def rate(routes) -> dict:
        return {
            "units": _ratio(sum(sums.units[r] for r in routes), units),
            "mass": _ratio(sum((sums.mass[r] for r in routes), ZERO), mass),
        }

    return {
        "units": units,
        "mass_kg": mass,
        "units_by_route": dict(sums.units),
        "mass_kg_by_route": dict(sums.mass),
        "reuse_recycle_rate": rate(REUSE_ROUTES | RECYCLE_ROUTES),
        "reuse_rate": rate(REUSE_ROUTES),
        "recycle_rate": rate(RECYCLE_ROUTES),
        "diverted_mass_t": sum((sums.mass[r] for r in REUSE_ROUTES | RECYCLE_ROUTES), ZERO) / KG_PER_T,
        "disposed_mass_t": {route.value: sums.mass[route] / KG_PER_T for route in DISPOSAL_ROUTES},
        "avoided_kgco2e": sums.avoided_kgco2e,
    }


def circularity_rows(
    kind: str,
    first: dt.date,
    last: dt.date,
    group_by: str | None = None,
    *,
    live: bool = False,
) -> list[dict]:
    """One row per period from the one containing ``first`` to the one containing ``last``.

    Without ``group_by``: one row per period, also for periods with no dispositions
    (units 0, rates null). With it: one row per period and group that has dispositions;
    the groups of a period add up to its total. At most three queries, whatever the rows.
    """
    if group_by is not None and group_by not in GROUP_FIELDS:
        raise ValueError(f"group_by {group_by!r}: use one of {', '.join(GROUP_FIELDS)}")
    periods = periods_in_range(kind, first, last)
    month_period = {month: period for period in periods for month in period.months}
    by_period: dict[Period, dict[str | None, Sums]] = {period: defaultdict(Sums) for period in periods}
    for (month, group), sums in monthly_sums(month_period, group_by, live=live).items():
        by_period[month_period[month]][group] += sums
    rows = []
    for period in periods:
        groups = by_period[period]
        if group_by is None and not groups:
            groups = {None: Sums()}
        for group in sorted(groups, key=lambda g: (g is None, g or "")):
            rows.append(
                {"period": period.label, "period_start": period.start, "group": group, **figures(groups[group])}
            )
    return rows


def period_figures(period: Period, group_by: str | None = None) -> list[dict]:
    """The rows of one period (a month or a fiscal year)."""
    return circularity_rows(period.kind, period.start, period.start, group_by)


# --- Packaging (SPEC section 5) -----------------------------------------------------------


def _plastic_content():
    return Cast(F("single_use_plastic_g"), FloatField()) / Cast(F("packaging_mass_g"), FloatField())


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


# --- one figure by name, for targets ------------------------------------------------------

RATE_METRICS = {Metric.REUSE_RECYCLE_RATE, Metric.REUSE_RATE, Metric.RECYCLE_RATE}


def metric_series(metric: str, kind: str, first: dt.date, last: dt.date) -> list[tuple[Period, float | None]]:
    """The value of ``metric`` per period; rates are by units (the published figure)."""
    if metric in RATE_METRICS:
        rows = circularity_rows(kind, first, last)
        return [(_period(row, kind), row[metric]["units"]) for row in rows]
    if metric == Metric.AVG_PLASTIC_CONTENT:
        rows = packaging_rows(kind, first, last)
        return [(_period(row, kind), row["avg_plastic_content"]) for row in rows]
    raise ValueError(f"unknown metric {metric!r}")


def _period(row: dict, kind: str) -> Period:
    start = row["period_start"]
    return Period.month(start) if kind == PeriodKind.MONTH else Period(kind, start, add_months(start, 12))
