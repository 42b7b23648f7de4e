"""Value recovered and harvested parts back in service (SPEC section 9), as grouped queries.

* ``value_recovered_rows``: resale proceeds per period and currency. Amounts in different
  currencies are never added: each currency is its own row, and no total is made.
* ``harvested_rows``: parts that went back into service after a harvest, per month: a part
  removed from its parent at a circular center (dismantled), then dispositioned on its own
  to ``reuse``, then installed into a server. Counted once per custody cycle, in the month
  of that first installation after the reuse, by units, mass and avoided CO2e (the part
  model's embodied carbon: a part not bought new).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncMonth

from inventory.choices import Action, Status
from inventory.models import LifecycleEvent

from ..choices import Route
from ..models import Disposition
from ..periods import add_months, month_of, periods_in_range, to_utc
from .sums import ZERO, _mass

CENT = Decimal("0.01")


def value_recovered_rows(kind: str, first: dt.date, last: dt.date) -> list[dict]:
    """``{"period", "currency", "units", "proceeds"}`` per period and currency with proceeds. One query."""
    periods = periods_in_range(kind, first, last)
    if not periods:
        return []
    grouped = (
        Disposition.objects.filter(
            route=Route.RESALE,
            proceeds__isnull=False,
            decided_at__gte=to_utc(periods[0].start),
            decided_at__lt=to_utc(periods[-1].end),
        )
        .annotate(month=TruncMonth("decided_at", tzinfo=dt.UTC))
        .values("month", "currency")
        .annotate(units=Count("id"), proceeds=Sum("proceeds"))
        .order_by()
    )
    by_month: dict[dt.date, list[dict]] = defaultdict(list)
    for row in grouped:
        by_month[month_of(row["month"])].append(row)
    rows = []
    for period in periods:
        totals: dict[str, list] = defaultdict(lambda: [0, ZERO])
        for month in period.months:
            for row in by_month.get(month, ()):
                totals[row["currency"]][0] += row["units"]
                totals[row["currency"]][1] += row["proceeds"]
        rows += [
            {"period": period.label, "currency": currency, "units": units, "proceeds": amount.quantize(CENT)}
            for currency, (units, amount) in sorted(totals.items())
        ]
    return rows


def value_recovered_span(first: dt.date, last: dt.date) -> list[dict]:
    """``{"currency", "units", "proceeds"}`` per currency over the months ``first`` … ``last``. One query."""
    grouped = (
        Disposition.objects.filter(
            route=Route.RESALE,
            proceeds__isnull=False,
            decided_at__gte=to_utc(first),
            decided_at__lt=to_utc(add_months(month_of(last), 1)),
        )
        .values("currency")
        .annotate(units=Count("id"), proceeds=Sum("proceeds"))
        .order_by("currency")
    )
    return [
        {"currency": row["currency"], "units": row["units"], "proceeds": row["proceeds"].quantize(CENT)}
        for row in grouped
    ]


def harvested_span(first: dt.date, last: dt.date) -> dict:
    """Harvested parts back in service over the months ``first`` … ``last``: one aggregate."""
    found = LifecycleEvent.objects.filter(
        pk__in=_harvested_install_ids(),
        occurred_at__gte=to_utc(first),
        occurred_at__lt=to_utc(add_months(month_of(last), 1)),
    ).aggregate(
        units=Count("id"),
        mass=Sum("asset__part_model__mass_kg"),
        avoided=Sum("asset__part_model__embodied_kgco2e"),
    )
    return {"units": found["units"], "mass_kg": _mass(found["mass"]), "avoided_kgco2e": _mass(found["avoided"])}


def harvested_rows(first: dt.date, last: dt.date) -> list[dict]:
    """``{"period", "units", "mass_kg", "avoided_kgco2e"}`` per month from ``first`` to ``last``. One query."""
    periods = periods_in_range("month", first, last)
    if not periods:
        return []
    ids = _harvested_install_ids()
    grouped = (
        LifecycleEvent.objects.filter(
            pk__in=ids, occurred_at__gte=to_utc(periods[0].start), occurred_at__lt=to_utc(periods[-1].end)
        )
        .annotate(month=TruncMonth("occurred_at", tzinfo=dt.UTC))
        .values("month")
        .annotate(
            units=Count("id"),
            mass=Sum("asset__part_model__mass_kg"),
            avoided=Sum("asset__part_model__embodied_kgco2e"),
        )
        .order_by()
    )
    found = {month_of(row["month"]): row for row in grouped}
    rows = []
    for period in periods:
        row = found.get(period.start, {})
        rows.append(
            {
                "period": period.label,
                "units": row.get("units", 0),
                "mass_kg": _mass(row.get("mass")),
                "avoided_kgco2e": _mass(row.get("avoided")),
            }
        )
    return rows


def _harvested_install_ids():
    """Ids of the installations that count: the first after a reuse of a harvested part."""
    reuse = Disposition.objects.filter(
        asset_id=OuterRef("asset_id"),
        tree_root_id=OuterRef("asset_id"),  # dispositioned on its own: out of its parent
        route=Route.REUSE,
        decided_at__lte=OuterRef("occurred_at"),
    ).order_by("-decided_at", "-id")
    previous_install = LifecycleEvent.objects.filter(
        asset_id=OuterRef("asset_id"), action=Action.INSTALL, occurred_at__lt=OuterRef("occurred_at")
    ).order_by("-occurred_at", "-id")
    harvests = LifecycleEvent.objects.filter(
        asset_id=OuterRef("asset_id"),
        action=Action.REMOVE,
        to_status=Status.AT_CIRCULAR_CENTER,
        occurred_at__lte=OuterRef("reused_at"),
    )
    return (
        LifecycleEvent.objects.filter(action=Action.INSTALL)
        .annotate(
            reused_at=Subquery(reuse.values("decided_at")[:1]),
            installed_before=Subquery(previous_install.values("occurred_at")[:1]),
        )
        .filter(reused_at__isnull=False)
        .filter(Q(installed_before__isnull=True) | Q(installed_before__lt=F("reused_at")))
        .filter(Exists(harvests))
        .values("pk")
    )


__all__ = ["harvested_rows", "harvested_span", "value_recovered_rows", "value_recovered_span"]
