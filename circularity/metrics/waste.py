"""The waste figures of SPEC section 10 (GRI 306-3/4/5, ESRS E5-5), derived from sums.

The same sums as every other figure (``sums.Sums``, one grouped query or the long-format
snapshots), read per cell of (route, hazardous, onsite): no query of its own. What counts
as waste, which operation a route is reported under and what "onsite" means live in
``circularity.waste``.

Masses are metric tons exact to the gram (kilograms to 3 decimals ÷ 1000), so the groups
of a period add up to its total exactly; a share of nothing is ``None``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..periods import periods_in_range
from ..waste import DISPOSAL_OPERATIONS, KEPT_IN_USE_ROUTES, RECOVERY_OPERATIONS, WASTE_ROUTES
from .sums import GROUP_COLUMNS, KG_PER_T, ZERO, Sums, period_sums

RADIOACTIVE_T = ZERO  # nothing a data center retires is radioactive waste (docs/waste.md)


def _tonnes(kg: Decimal) -> Decimal:
    return kg / KG_PER_T


def _mass(sums: Sums, routes, *, hazardous: bool | None = None, onsite: bool | None = None) -> Decimal:
    """Mass (kg) of the cells of ``routes``, optionally only the (non-)hazardous or (off)onsite ones."""
    return sum(
        (
            mass
            for (route, is_hazardous, is_onsite), mass in sums.split_mass.items()
            if route in routes
            and (hazardous is None or is_hazardous == hazardous)
            and (onsite is None or is_onsite == onsite)
        ),
        ZERO,
    )


def operation_split(sums: Sums, routes) -> dict[str, Decimal]:
    """One operation's mass (t): total, hazardous / non-hazardous, onsite / offsite."""
    total, hazardous, onsite = (
        _mass(sums, routes),
        _mass(sums, routes, hazardous=True),
        _mass(sums, routes, onsite=True),
    )
    return {
        "total": _tonnes(total),
        "hazardous": _tonnes(hazardous),
        "non_hazardous": _tonnes(total - hazardous),
        "onsite": _tonnes(onsite),
        "offsite": _tonnes(total - onsite),
    }


def cross_split(sums: Sums, routes) -> dict[tuple[bool, bool], Decimal]:
    """Mass (t) per (hazardous, onsite): what GRI 306-4-d and 306-5-d ask for each operation."""
    return {
        (hazardous, onsite): _tonnes(_mass(sums, routes, hazardous=hazardous, onsite=onsite))
        for hazardous in (True, False)
        for onsite in (True, False)
    }


def waste_figures(sums: Sums) -> dict:
    """Every waste figure of SPEC section 10 from one set of sums (the API's row, less its labels)."""
    generated = _mass(sums, WASTE_ROUTES)
    diverted = {operation: operation_split(sums, routes) for operation, routes in RECOVERY_OPERATIONS.items()}
    disposal = {operation: operation_split(sums, routes) for operation, routes in DISPOSAL_OPERATIONS.items()}
    recycled = _mass(sums, RECOVERY_OPERATIONS["preparation_for_reuse"] | RECOVERY_OPERATIONS["recycling"])
    non_recycled = generated - recycled
    return {
        "kept_in_use_t": _tonnes(_mass(sums, KEPT_IN_USE_ROUTES)),
        "waste_generated_t": _tonnes(generated),
        "diverted_t": diverted,
        "disposal_t": disposal,
        "non_recycled_waste_t": _tonnes(non_recycled),
        "non_recycled_share": float(non_recycled / generated) if generated else None,
        "hazardous_waste_t": _tonnes(_mass(sums, WASTE_ROUTES, hazardous=True)),
        "radioactive_waste_t": RADIOACTIVE_T,
    }


def waste_rows(kind: str, first: dt.date, last: dt.date, group_by: str | None = None, *, live: bool = False):
    """One row per period from the one containing ``first`` to the one containing ``last``.

    As ``circularity_rows``: without ``group_by`` one row per period, also an empty one
    (masses 0, share null); with it, one row per period and group that has dispositions,
    the groups adding up to the total. At most four queries, whatever the rows.
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
                {
                    "period": period.label,
                    "period_start": period.start,
                    "group": group,
                    **waste_figures(groups[group]),
                }
            )
    return rows


__all__ = ["RADIOACTIVE_T", "cross_split", "operation_split", "waste_figures", "waste_rows"]
