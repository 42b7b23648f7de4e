"""Mass balance of a circular center per month (SPEC section 9), by units and by mass.

    on hand at the start + received − dispositioned = on hand at the end

Read from the custody records, in the database, as grouped queries over the whole
history up to the last month (four queries, whatever the number of months or assets):

* *received*: transitions into ``at_circular_center`` at the center (the event's
  ``location``): arrivals, and assets found again; at their part model's mass.
* *dispositioned*: the dispositions decided at the center, at the mass recorded on each
  (SPEC section 4).
* *gone missing*: transitions from ``at_circular_center`` to ``missing`` at the center.
* *on hand* at a month's start: everything received there before, less everything
  dispositioned or gone missing there before (the monthly groups added up in order). It
  is what the lifecycle says is there: an asset leaves ``at_circular_center`` only by a
  disposition or by going missing (SPEC section 2), each with its event or its row. Its
  mass is the part models' mass now, for what arrived and for what left alike.

A month balances when nothing went missing and no disposition's recorded mass differs
from its part model's mass now. Otherwise the row says by how much and why: the assets
that went missing at the center during the month, and the dispositions whose part model
was corrected after the decision; whatever neither explains is reported as unexplained
(nothing should be).

The lots' weight tickets (custody part of issue 12) are set beside the recorded masses
through ``lot_net_kg``: see its comment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from inventory.choices import Action, Status
from inventory.models import LifecycleEvent

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
    end = to_utc(add_months(months[-1], 1))
    received = _monthly(_arrivals(codes), end)
    missing = _monthly(_went_missing(codes), end)
    dispositioned, left_now = _dispositioned(codes, end)
    lots = lot_net_kg(codes, months[0], months[-1])
    rows = []
    for code in codes:
        # On hand at the first month's start: every earlier month of the center, added up.
        units, kg = 0, ZERO
        for key in sorted(set(received) | set(dispositioned) | set(missing)):
            if key[0] == code and key[1] < months[0]:
                units, kg = _after(units, kg, key, received, dispositioned, left_now, missing)
        for month in months:
            key = (code, month)
            opening_units, opening_kg = units, kg
            units, kg = _after(units, kg, key, received, dispositioned, left_now, missing)
            came, left, lost = received.get(key, Flow()), dispositioned.get(key, Flow()), missing.get(key, Flow())
            imbalance_units = opening_units + came.units - left.units - units
            imbalance_kg = _mass(opening_kg + came.kg - left.kg - kg) + ZERO  # never "-0.000"
            rows.append(
                MassBalanceRow(
                    period=f"{month:%Y-%m}",
                    center=code,
                    opening_units=opening_units,
                    opening_kg=_mass(opening_kg),
                    received_units=came.units,
                    received_kg=_mass(came.kg),
                    dispositioned_units=left.units,
                    dispositioned_kg=_mass(left.kg),
                    closing_units=units,
                    closing_kg=_mass(kg),
                    lots_net_kg=_mass(lots[key]) if key in lots else None,
                    imbalance_units=imbalance_units,
                    imbalance_kg=imbalance_kg,
                    explanations=_explain(imbalance_units, imbalance_kg, lost, left.kg - left_now.get(key, ZERO)),
                )
            )
    return rows


def _after(units: int, kg: Decimal, key: Key, received, dispositioned, left_now, missing) -> tuple[int, Decimal]:
    """On hand after the month ``key``: what came in, less what left (at the part models' mass now)."""
    came, left, lost = received.get(key, Flow()), dispositioned.get(key, Flow()), missing.get(key, Flow())
    return units + came.units - left.units - lost.units, kg + came.kg - left_now.get(key, ZERO) - lost.kg


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


def _monthly(events, end: dt.datetime) -> dict[Key, Flow]:
    """Events before ``end`` per (location, month): count and their assets' part-model mass. One query."""
    grouped = (
        events.filter(occurred_at__lt=end)
        .annotate(month=TruncMonth("occurred_at", tzinfo=dt.UTC))
        .values("location", "month")
        .annotate(units=Count("id"), kg=Sum("asset__part_model__mass_kg"))
        .order_by()
    )
    return {(row["location"], month_of(row["month"])): Flow(row["units"], row["kg"] or ZERO) for row in grouped}


def _dispositioned(codes: list[str], end: dt.datetime) -> tuple[dict[Key, Flow], dict[Key, Decimal]]:
    """Dispositions before ``end`` per (center, month) at their recorded mass, and at their
    part models' mass now (what the stock on hand counts). One query."""
    grouped = (
        Disposition.objects.filter(center__code__in=codes, decided_at__lt=end)
        .annotate(month=TruncMonth("decided_at", tzinfo=dt.UTC))
        .values("center__code", "month")
        .annotate(units=Count("id"), kg=Sum("mass_kg"), kg_now=Sum("asset__part_model__mass_kg"))
        .order_by()
    )
    flows, now = {}, {}
    for row in grouped:
        key = (row["center__code"], month_of(row["month"]))
        flows[key] = Flow(row["units"], row["kg"] or ZERO)
        now[key] = row["kg_now"] or ZERO
    return flows, now


__all__ = ["MassBalanceRow", "lot_net_kg", "mass_balance_rows", "no_lot_weights"]
