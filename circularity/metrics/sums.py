"""Sums of dispositions per route, in SQL: live grouped queries, snapshots, roll-ups.

The additive facts every figure is derived from. One grouped query per request shape,
grouped by route, hazardous and onsite besides the period and group (the long format:
one row per combination present); closed months with fresh snapshots are read
from ``MonthlySnapshot`` instead; months roll up into periods by adding sums.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncMonth

from inventory.models import Site

from ..choices import REUSE_ROUTES, Dimension, PeriodKind, Route
from ..models import CircularCenter, Disposition, MonthlySnapshot, SnapshotMonth
from ..periods import Period, add_months, current_month, month_of, to_utc
from ..waste import onsite_expression

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


# A cell of the long format: the route, and whether the mass was hazardous and handled onsite.
Split = tuple[str, bool, bool]


@dataclass
class Sums:
    """Units and mass per route, and embodied carbon of reused assets: the additive facts.

    ``split_units`` / ``split_mass`` hold the same units and mass per (route, hazardous,
    onsite), the cells of the long format that the waste figures (SPEC section 10) read;
    ``units`` / ``mass`` are their totals per route.
    """

    units: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Route.values, 0))
    mass: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(Route.values, ZERO))
    avoided_kgco2e: Decimal = ZERO
    split_units: dict[Split, int] = field(default_factory=lambda: defaultdict(int))
    split_mass: dict[Split, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    split_avoided: dict[Split, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))

    def add_cell(self, route: str, hazardous: bool, onsite: bool, units: int, mass: Decimal, avoided: Decimal):
        key = (route, bool(hazardous), bool(onsite))
        self.units[route] += units
        self.mass[route] += mass
        self.split_units[key] += units
        self.split_mass[key] += mass
        self.split_avoided[key] += avoided
        self.avoided_kgco2e += avoided

    def __iadd__(self, other: Sums) -> Sums:
        for route in Route.values:
            self.units[route] += other.units[route]
            self.mass[route] += other.mass[route]
        for key, units in other.split_units.items():
            self.split_units[key] += units
        for key, mass in other.split_mass.items():
            self.split_mass[key] += mass
        for key, avoided in other.split_avoided.items():
            self.split_avoided[key] += avoided
        self.avoided_kgco2e += other.avoided_kgco2e
        return self

    def add_row(self, row: dict) -> Sums:
        """Add one cell: a row of the grouped queries below or a ``MonthlySnapshot``'s values."""
        self.add_cell(
            row["route"],
            row["hazardous"],
            row["onsite"],
            int(row["units"] or 0),
            _mass(row["mass_kg"]),
            _mass(row["avoided_kgco2e"]),
        )
        return self

    def cells(self) -> list[tuple[str, bool, bool, int, Decimal, Decimal]]:
        """The long format: (route, hazardous, onsite, units, mass, avoided) per cell present."""
        return [
            (*key, units, self.split_mass[key], self.split_avoided[key])
            for key, units in sorted(self.split_units.items())
        ]


# What one cell of the long format holds, in the grouped queries and in ``MonthlySnapshot``.
CELL_KEYS = ["route", "hazardous", "onsite"]
CELL_FIELDS = ["units", "mass_kg", "avoided_kgco2e"]


def _cell_expressions() -> dict:
    return {
        "units": Count("id"),
        "mass_kg": Sum("mass_kg"),
        "avoided_kgco2e": Sum("embodied_kgco2e", filter=Q(route__in=REUSE_ROUTES)),
    }


def _with_cells(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(onsite=onsite_expression())


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
    rows = list(_with_cells(queryset).values(*keys, *CELL_KEYS).annotate(**_cell_expressions()).order_by())
    labels = _label_groups(group_by, {row[keys[1]] for row in rows}) if group_by else {}

    def bucket_key(row):
        return month_of(row["bucket"]) if bucket_of is None else buckets[row["bucket"]]

    result: dict[tuple[object, str | None], Sums] = defaultdict(Sums)
    for row in rows:
        result[(bucket_key(row), labels[row[keys[1]]] if group_by else None)].add_row(row)
    return dict(result)


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
        _with_cells(_decided_in(runs))
        .annotate(month=TruncMonth("decided_at", tzinfo=dt.UTC))
        .values("month", "site_id", "center_id", "category", *CELL_KEYS)
        .annotate(**_cell_expressions())
        .order_by()
    )
    sites = _label_groups(Dimension.SITE, {cell["site_id"] for cell in cells})
    centers = _label_groups(Dimension.CENTER, {cell["center_id"] for cell in cells})
    for cell in cells:
        month, sums = month_of(cell["month"]), Sums().add_row(cell)
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
        "month", "group_key", *CELL_KEYS, *CELL_FIELDS
    )
    result: dict[tuple[dt.date, str | None], Sums] = defaultdict(Sums)
    for row in rows:
        result[(row["month"], row["group_key"] if group_by else None)].add_row(row)
    return dict(result)


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
