"""The circularity figures of SPEC section 4, derived from sums, per period and group."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from ..choices import DISPOSAL_ROUTES, GRI_306, RECYCLE_ROUTES, REUSE_ROUTES, Route
from ..periods import Period, add_months, months_between, periods_in_range
from .sums import GROUP_COLUMNS, KG_PER_T, ZERO, Sums, monthly_sums, period_sums, span_sums


class Rate(NamedTuple):
    """A rate by units and by mass; either is ``None`` (no value) over an empty set."""

    units: float | None
    mass: float | None


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


def span_figures(first: dt.date, last: dt.date, group_by: str | None = None) -> dict[str | None, dict]:
    """Every figure over the months ``first`` … ``last`` as one span, per group (≤ 2 queries).

    Without ``group_by`` the total is always there (units 0, rates null when empty).
    """
    months = months_between(first, last)
    rolled = span_sums(monthly_sums(months, group_by), months)
    if group_by is None and None not in rolled:
        rolled[None] = Sums()
    return {group: figures(sums) for group, sums in rolled.items()}


@dataclass(frozen=True)
class Figures:
    """Every figure of SPEC section 4 for one period (and group), typed for the renderers.

    ``figures()`` gives the same as a dict for the API's serializers; ``Figures.of`` reads
    that dict once, and the dashboard, report and chart code use attributes from there on.
    """

    units: int
    mass_kg: Decimal
    units_by_route: dict[str, int]
    mass_kg_by_route: dict[str, Decimal]
    reuse_recycle_rate: Rate
    reuse_rate: Rate
    recycle_rate: Rate
    diverted_mass_t: Decimal
    disposed_mass_t: dict[str, Decimal]
    avoided_kgco2e: Decimal

    @classmethod
    def of(cls, row: dict) -> Figures:
        return cls(
            units=row["units"],
            mass_kg=row["mass_kg"],
            units_by_route=row["units_by_route"],
            mass_kg_by_route=row["mass_kg_by_route"],
            reuse_recycle_rate=Rate(**row["reuse_recycle_rate"]),
            reuse_rate=Rate(**row["reuse_rate"]),
            recycle_rate=Rate(**row["recycle_rate"]),
            diverted_mass_t=row["diverted_mass_t"],
            disposed_mass_t=row["disposed_mass_t"],
            avoided_kgco2e=row["avoided_kgco2e"],
        )

    @classmethod
    def empty(cls) -> Figures:
        return cls.of(figures(Sums()))

    @property
    def mass_t(self) -> Decimal:
        return self.mass_kg / KG_PER_T

    def as_dict(self) -> dict:
        """The ``figures()`` shape (what the CSV and the stored JSON carry)."""
        return figures_dict(self)


def figures_dict(value: Figures) -> dict:
    return {
        "units": value.units,
        "mass_kg": value.mass_kg,
        "mass_t": value.mass_t,
        "units_by_route": value.units_by_route,
        "mass_kg_by_route": value.mass_kg_by_route,
        "mass_t_by_route": {route: mass / KG_PER_T for route, mass in value.mass_kg_by_route.items()},
        "reuse_recycle_rate": value.reuse_recycle_rate._asdict(),
        "reuse_rate": value.reuse_rate._asdict(),
        "recycle_rate": value.recycle_rate._asdict(),
        "diverted_mass_t": value.diverted_mass_t,
        "disposed_mass_t": value.disposed_mass_t,
        "avoided_kgco2e": value.avoided_kgco2e,
        "avoided_tco2e": value.avoided_kgco2e / KG_PER_T,
    }


ROLLING_MONTHS = 12


class MonthRates(NamedTuple):
    month: dt.date
    units: int  # dispositions in the month
    rate: Rate  # the reuse-and-recycling rate of the month alone
    rolling: Rate  # ... of the ``window`` months ending with it


def rolling_rates(first: dt.date, last: dt.date, window: int = ROLLING_MONTHS) -> list[MonthRates]:
    """Each month ``first`` … ``last``: its own reuse-and-recycling rate and the rolling one.

    One read of the monthly sums (from ``window - 1`` months before ``first``); the rolling
    rate is derived from the added-up sums of its window, never averaged from monthly rates.
    """
    sums = monthly_sums(months_between(add_months(first, -(window - 1)), last))
    out = []
    for month in months_between(first, last):
        alone = figures(sums.get((month, None), Sums()))
        rolled = figures(span_sums(sums, months_between(add_months(month, -(window - 1)), month)).get(None, Sums()))
        out.append(
            MonthRates(
                month,
                alone["units"],
                Rate(**alone["reuse_recycle_rate"]),
                Rate(**rolled["reuse_recycle_rate"]),
            )
        )
    return out


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
