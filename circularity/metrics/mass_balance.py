"""Mass balance of a circular center per month (SPEC section 9), by units and by mass.

    on hand at the start + received − dispositioned = on hand at the end

Each term is read independently, in the database, so that the identity is a check and
not a tautology:

* *on hand* at a moment: assets whose latest event before it leaves them
  ``at_circular_center`` at the center (the event's ``location``), at their part model's
  mass. One grouped query per month boundary.
* *received*: transitions into ``at_circular_center`` at the center during the month
  (arrivals, and assets found again), at their part model's mass. One grouped query.
* *dispositioned*: the month's dispositions at the center, at the mass recorded on each
  (SPEC section 4). One grouped query.

When the books do not balance, the row says by how much and why: assets that went
``missing`` at the center during the month (one grouped query), and dispositions whose
recorded mass differs from their part model's mass now (a part model corrected after the
decision); whatever neither explains is reported as unexplained.

The lots' weight tickets (custody part of issue 12) are set beside the recorded masses
through ``lot_net_kg``: see its docstring.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Subquery, Sum
from django.db.models.functions import TruncMonth

from inventory.choices import Action, Status
from inventory.models import Asset, LifecycleEvent

from ..models import CircularCenter, Disposition
from ..periods import add_months, month_of, months_between, to_utc
from .sums import ZERO, _mass

Key = tuple[str, dt.date]  # (center code, month)


@dataclass
class Flow:
    units: int = 0
    kg: Decimal = ZERO


@dataclass
class MassBalanceRow:
    period: str
    center: str
    opening_units: int
    opening_kg: Decimal
    received_units: int
    received_kg: Decimal
    dispositioned_units: int
    dispositioned_kg: Decimal
    closing_units: int
    closing_kg: Decimal
    lots_net_kg: Decimal | None
    imbalance_units: int
    imbalance_kg: Decimal
    explanations: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return self.imbalance_units == 0 and self.imbalance_kg == ZERO


def no_lot_weights(centers: list[str], first: dt.date, last: dt.date) -> dict[Key, Decimal]:
    """No lot has a weight ticket yet: every row's ``lots_net_kg`` is ``None``."""
    return {}


# The extension point for the lots' weight tickets. A function of (center codes, first
# month, last month) answering {(center code, month): net kg of the lots that left the
# center in that month (gross − tare)}, from one grouped query. The custody part of
# issue 12 (``Lot``) sets it; until then no lot is weighed.
lot_net_kg: Callable[[list[str], dt.date, dt.date], dict[Key, Decimal]] = no_lot_weights


def mass_balance_rows(first: dt.date, last: dt.date, center: str | None = None) -> list[MassBalanceRow]:
    """One row per center (all, or the one coded ``center``) and month from ``first`` to ``last``."""
    months = months_between(first, last)
    codes = list(CircularCenter.objects.order_by("code").values_list("code", flat=True))
    if center is not None:
        codes = [code for code in codes if code == center]
    if not codes or not months:
        return []
    start, end = to_utc(months[0]), to_utc(add_months(months[-1], 1))
    on_hand = {month: _on_hand(to_utc(month), codes) for month in [*months, add_months(months[-1], 1)]}
    received = _monthly(_arrivals(codes), start, end)
    missing = _monthly(_went_missing(codes), start, end)
    dispositioned, corrections = _dispositioned(codes, start, end)
    lots = lot_net_kg(codes, months[0], months[-1])
    rows = []
    for code in codes:
        for month in months:
            key = (code, month)
            opening = on_hand[month].get(code, Flow())
            closing = on_hand[add_months(month, 1)].get(code, Flow())
            came, left, lost = received.get(key, Flow()), dispositioned.get(key, Flow()), missing.get(key, Flow())
            imbalance_units = opening.units + came.units - left.units - closing.units
            imbalance_kg = _mass(opening.kg + came.kg - left.kg - closing.kg) + ZERO  # never "-0.000"
            rows.append(
                MassBalanceRow(
                    period=f"{month:%Y-%m}",
                    center=code,
                    opening_units=opening.units,
                    opening_kg=_mass(opening.kg),
                    received_units=came.units,
                    received_kg=_mass(came.kg),
                    dispositioned_units=left.units,
                    dispositioned_kg=_mass(left.kg),
                    closing_units=closing.units,
                    closing_kg=_mass(closing.kg),
                    lots_net_kg=_mass(lots[key]) if key in lots else None,
                    imbalance_units=imbalance_units,
                    imbalance_kg=imbalance_kg,
                    explanations=_explain(imbalance_units, imbalance_kg, lost, corrections.get(key, ZERO)),
                )
            )
    return rows


def _explain(units: int, kg: Decimal, lost: Flow, correction: Decimal) -> list[str]:
    """Why the books of a month do not balance: what went missing, what was re-weighed."""
    if units == 0 and kg == ZERO:
        return []
    reasons = []
    if lost.units:
        reasons.append(f"{lost.units} asset(s) ({_mass(lost.kg)} kg) went missing at the center")
    if correction:
        reasons.append(
            f"dispositions' recorded mass differs from their part models' mass now by {_mass(correction)} kg "
            "(part models corrected after the decision)"
        )
    rest_units, rest_kg = units - lost.units, _mass(kg - lost.kg + correction)
    if rest_units or rest_kg:
        reasons.append(f"{rest_units} unit(s), {rest_kg} kg unexplained: check the center's events")
    return reasons


def _transitions(codes: list[str]):
    return LifecycleEvent.objects.filter(action=Action.TRANSITION, location__in=codes)


def _arrivals(codes: list[str]):
    return (
        _transitions(codes).filter(to_status=Status.AT_CIRCULAR_CENTER).exclude(from_status=Status.AT_CIRCULAR_CENTER)
    )


def _went_missing(codes: list[str]):
    return _transitions(codes).filter(from_status=Status.AT_CIRCULAR_CENTER, to_status=Status.MISSING)


def _monthly(events, start: dt.datetime, end: dt.datetime) -> dict[Key, Flow]:
    """Events per (location, month): count and their assets' part-model mass. One query."""
    grouped = (
        events.filter(occurred_at__gte=start, occurred_at__lt=end)
        .annotate(month=TruncMonth("occurred_at", tzinfo=dt.UTC))
        .values("location", "month")
        .annotate(units=Count("id"), kg=Sum("asset__part_model__mass_kg"))
        .order_by()
    )
    return {(row["location"], month_of(row["month"])): Flow(row["units"], row["kg"] or ZERO) for row in grouped}


def _dispositioned(codes: list[str], start: dt.datetime, end: dt.datetime) -> tuple[dict[Key, Flow], dict]:
    """Dispositions per (center, month), and how far their recorded mass is from the part models' now."""
    grouped = (
        Disposition.objects.filter(center__code__in=codes, decided_at__gte=start, decided_at__lt=end)
        .annotate(month=TruncMonth("decided_at", tzinfo=dt.UTC))
        .values("center__code", "month")
        .annotate(
            units=Count("id"),
            kg=Sum("mass_kg"),
            drift=Sum(F("mass_kg") - F("asset__part_model__mass_kg")),
        )
        .order_by()
    )
    flows, drift = {}, {}
    for row in grouped:
        key = (row["center__code"], month_of(row["month"]))
        flows[key] = Flow(row["units"], row["kg"] or ZERO)
        drift[key] = row["drift"] or ZERO
    return flows, drift


def _on_hand(moment: dt.datetime, codes: list[str]) -> dict[str, Flow]:
    """Assets at each center just before ``moment``, from each one's latest earlier event. One query.

    Only assets that arrived at one of the centers before ``moment`` are looked at, each
    through the index of its events by time.
    """
    latest = LifecycleEvent.objects.filter(asset_id=OuterRef("pk"), occurred_at__lt=moment).order_by(
        "-occurred_at", "-id"
    )
    grouped = (
        Asset.objects.filter(pk__in=_arrivals(codes).filter(occurred_at__lt=moment).values("asset_id"))
        .annotate(
            state=Subquery(latest.values("to_status")[:1]),
            place=Subquery(latest.values("location")[:1]),
        )
        .filter(state=Status.AT_CIRCULAR_CENTER, place__in=codes)
        .values("place")
        .annotate(units=Count("id"), kg=Sum("part_model__mass_kg"))
        .order_by()
    )
    return {row["place"]: Flow(row["units"], row["kg"] or ZERO) for row in grouped}


__all__ = ["MassBalanceRow", "lot_net_kg", "mass_balance_rows", "no_lot_weights"]
