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

from django.db.models import Case, Count, F, FloatField, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, TruncMonth

from inventory.models import Site

from .choices import DISPOSAL_ROUTES, GRI_306, RECYCLE_ROUTES, REUSE_ROUTES, Dimension, Metric, PeriodKind, Route
from .models import CircularCenter, Disposition, MonthlySnapshot, PackagingRecord, SnapshotMonth, Target
from .periods import Period, add_months, current_month, month_of, months_between, periods_in_range, to_utc

ZERO = Decimal("0")
KG_PER_T = Decimal("1000")
GRAM = Decimal("0.001")  # masses are kept to the gram


def _mass(value) -> Decimal:
    return Decimal(value or 0).quantize(GRAM)


# The column each grouping reads (``site`` is the site the asset was decommissioned from),
# and for ids, the model whose code labels the group. Grouping by the id and labelling the
# few groups afterwards keeps joins out of the scan over dispositions.
GROUP_COLUMNS = {Dimension.SITE: "site_id", Dimension.CENTER: "center_id", Dimension.CATEGORY: "category"}
GROUP_LABELS = {Dimension.SITE: Site, Dimension.CENTER: CircularCenter}


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


def _runs(months: Iterable[dt.date], bucket_of=None) -> list[tuple[dt.date, dt.date, object]]:
    """Contiguous runs of months as (first day, day after, bucket), split where the bucket changes."""
    runs: list[list] = []
    for month in sorted(set(months)):
        bucket = bucket_of(month) if bucket_of else None
        if runs and runs[-1][1] == month and runs[-1][2] == bucket:
            runs[-1][1] = add_months(month, 1)
        else:
            runs.append([month, add_months(month, 1), bucket])
    return [tuple(run) for run in runs]


def _label_groups(group_by: str | None, ids: set) -> dict:
    """Codes of the sites or centers among ``ids`` (one small query); categories label themselves."""
    model = GROUP_LABELS.get(group_by)
    if model is None:
        return {key: key for key in ids}
    return dict(model.objects.filter(pk__in=ids).values_list("pk", "code"))


def route_sums(
    months: Iterable[dt.date], group_by: str | None = None, *, bucket_of=None
) -> dict[tuple[object, str | None], Sums]:
    """Sums of the dispositions decided in ``months`` per (bucket, group): ONE grouped query.

    The bucket is the month (``TruncMonth`` in UTC) unless ``bucket_of`` maps each month to
    a bucket of its own, such as its fiscal year: then rows are bucketed by comparing
    ``decided_at`` with the buckets' bounds, and a single bucket needs no expression at all
    (one fiscal year grouped by center is a plain ``GROUP BY center_id`` over a range).
    Site and center groups are labelled with their codes by one more small query.
    """
    runs = _runs(months, bucket_of)
    if not runs:
        return {}
    queryset = _decided_in(runs)
    buckets = list(dict.fromkeys(bucket for _, _, bucket in runs))
    if bucket_of is None:
        queryset = queryset.annotate(bucket=TruncMonth("decided_at", tzinfo=dt.UTC))
    elif len(buckets) == 1:
        queryset = queryset.annotate(bucket=Value(0))
    else:
        index = {bucket: i for i, bucket in enumerate(buckets)}
        whens = [When(decided_at__lt=to_utc(after), then=Value(index[bucket])) for _, after, bucket in runs]
        queryset = queryset.annotate(bucket=Case(*whens, output_field=IntegerField()))
    keys = ["bucket"] + ([GROUP_COLUMNS[group_by]] if group_by else [])
    rows = list(queryset.values(*keys).annotate(**_sum_expressions()).order_by())
    labels = _label_groups(group_by, {row[keys[1]] for row in rows}) if group_by else {}

    def bucket_key(row):
        return month_of(row["bucket"]) if bucket_of is None else buckets[row["bucket"]]

    return {(bucket_key(row), labels[row[keys[1]]] if group_by else None): Sums.from_row(row) for row in rows}


def _decided_in(runs) -> QuerySet:
    condition = Q()
    for first, after, _ in runs:
        condition |= Q(decided_at__gte=to_utc(first), decided_at__lt=to_utc(after))
    return Disposition.objects.filter(condition)


def sums_by_every_grouping(months: Iterable[dt.date]) -> dict[str, dict[tuple[dt.date, str | None], Sums]]:
    """Per month, the sums of the total and of every grouping, from ONE scan of the rows.

    The scan groups by month × site × center × category (a few dozen cells a month, since a
    site has one center); the cells are then added up into each grouping. This is what the
    snapshot refresh stores: four scans would cost four times as much.
    """
    runs = _runs(months)
    result: dict[str, dict] = {dimension: defaultdict(Sums) for dimension in Dimension.values}
    if not runs:
        return result
    cells = list(
        _decided_in(runs)
        .annotate(month=TruncMonth("decided_at", tzinfo=dt.UTC))
        .values("month", "site_id", "center_id", "category")
        .annotate(**_sum_expressions())
        .order_by()
    )
    sites = _label_groups(Dimension.SITE, {cell["site_id"] for cell in cells})
    centers = _label_groups(Dimension.CENTER, {cell["center_id"] for cell in cells})
    for cell in cells:
        month, sums = month_of(cell["month"]), Sums.from_row(cell)
        result[Dimension.TOTAL][(month, None)] += sums
        result[Dimension.SITE][(month, sites[cell["site_id"]])] += sums
        result[Dimension.CENTER][(month, centers[cell["center_id"]])] += sums
        result[Dimension.CATEGORY][(month, cell["category"])] += sums
    return result


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


def period_sums(
    periods: list[Period], group_by: str | None = None, *, live: bool = False
) -> dict[Period, dict[str | None, Sums]]:
    """Sums per period and group: fresh closed months from snapshots, the rest live.

    At most four queries: snapshot fill state, snapshot rows, one grouped scan of the
    live months, and the labels of their groups.
    """
    period_of = {month: period for period in periods for month in period.months}
    by_period: dict[Period, dict[str | None, Sums]] = {period: defaultdict(Sums) for period in periods}
    from_snapshots = set() if live else fresh_snapshot_months(period_of)
    for (month, group), sums in snapshot_sums(from_snapshots, group_by).items():
        by_period[period_of[month]][group] += sums
    live_months = [month for month in period_of if month not in from_snapshots]
    by_month = periods and periods[0].kind == PeriodKind.MONTH
    live_sums = route_sums(live_months, group_by, bucket_of=None if by_month else period_of.get)
    for (bucket, group), sums in live_sums.items():
        by_period[period_of[bucket] if by_month else bucket][group] += sums
    return by_period


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
        "mass_t": mass / KG_PER_T,
        "units_by_route": dict(sums.units),
        "mass_kg_by_route": dict(sums.mass),
        "mass_t_by_route": {route: mass / KG_PER_T for route, mass in sums.mass.items()},
        "reuse_recycle_rate": rate(REUSE_ROUTES | RECYCLE_ROUTES),
        "reuse_rate": rate(REUSE_ROUTES),
        "recycle_rate": rate(RECYCLE_ROUTES),
        "diverted_mass_t": sum((sums.mass[r] for r in REUSE_ROUTES | RECYCLE_ROUTES), ZERO) / KG_PER_T,
        "disposed_mass_t": {route.value: sums.mass[route] / KG_PER_T for route in DISPOSAL_ROUTES},
        "avoided_kgco2e": sums.avoided_kgco2e,
        "avoided_tco2e": sums.avoided_kgco2e / KG_PER_T,
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
    the groups of a period add up to its total. At most four queries, whatever the rows.
    """
    if group_by is not None and group_by not in GROUP_COLUMNS:
        raise ValueError(f"group_by {group_by!r}: use one of {', '.join(GROUP_COLUMNS)}")
    periods = periods_in_range(kind, first, last)
    by_period = period_sums(periods, group_by, live=live)
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


# --- spans of months and GRI 306, for the monthly report ------------------------------------


def span_sums(sums: dict[tuple[dt.date, str | None], Sums], months: Iterable[dt.date]) -> dict[str | None, Sums]:
    """Roll ``monthly_sums`` output up over ``months`` (e.g. a fiscal year to date), per group.

    Sums are additive, so one grouped query over a fiscal year to date gives both the
    report month and the span; no second query, no formula.
    """
    wanted = set(months)
    rolled: dict[str | None, Sums] = defaultdict(Sums)
    for (month, group), month_sums in sums.items():
        if month in wanted:
            rolled[group] += month_sums
    return rolled


def span_figures(first: dt.date, last: dt.date, group_by: str | None = None) -> dict[str | None, dict]:
    """Every figure over the months ``first`` … ``last`` as one span, per group (≤ 2 queries).

    Without ``group_by`` the total is always there (units 0, rates null when empty).
    """
    months = months_between(first, last)
    rolled = span_sums(monthly_sums(months, group_by), months)
    if group_by is None and None not in rolled:
        rolled[None] = Sums()
    return {group: figures(sums) for group, sums in rolled.items()}


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


def span_value(metric: str, first: dt.date, last: dt.date) -> float | None:
    """The value of ``metric`` over the months ``first`` … ``last``; rates by units."""
    if metric in RATE_METRICS:
        return span_figures(first, last)[None][metric]["units"]
    if metric == Metric.AVG_PLASTIC_CONTENT:
        return packaging_span(first, last)["avg_plastic_content"]
    raise ValueError(f"unknown metric {metric!r}")


def gri_306_rows(row: dict) -> list[dict]:
    """Units and mass (t) per GRI 306 disclosure and operation, from one ``figures()`` row.

    306-4 (diverted from disposal): preparation for reuse (reuse + resale), recycling;
    306-5 (directed to disposal): incineration with and without energy recovery, landfilling.
    """
    lines: dict[tuple[str, str], dict] = {}
    for route in Route:
        disclosure, operation = GRI_306[route]
        line = lines.setdefault(
            (disclosure, operation),
            {"disclosure": disclosure, "operation": operation, "routes": [], "units": 0, "mass_t": ZERO},
        )
        line["routes"].append(route.value)
        line["units"] += row["units_by_route"][route.value]
        line["mass_t"] += row["mass_kg_by_route"][route.value] / KG_PER_T
    return list(lines.values())


def gri_306_totals(row: dict) -> dict[str, Decimal]:
    """Mass (t) diverted from disposal (306-4) and directed to disposal (306-5)."""
    return {"306-4": row["diverted_mass_t"], "306-5": sum(row["disposed_mass_t"].values(), ZERO)}
