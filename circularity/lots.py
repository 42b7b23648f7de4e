"""Lots: the only writer of ``Lot`` and ``LotItem`` rows (SPEC section 9).

A lot gathers dispositions of one center, vendor and route, decided no later than the lot
shipped, each in one lot at most; anything else is refused (``LotRefused``, 409) before
a row is written. A closed lot (its certificate received) takes no more dispositions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction

from inventory import moments

from .choices import Route
from .errors import LotRefused
from .models import CircularCenter, Disposition, Lot, LotItem, Vendor


def _check_weights(code: str, gross_kg: Decimal, tare_kg: Decimal) -> None:
    if tare_kg < 0 or gross_kg < tare_kg:
        raise LotRefused(code, f"the weight ticket reads gross {gross_kg} kg under tare {tare_kg} kg")


def lot_create(
    *,
    code: str,
    center: CircularCenter,
    vendor: Vendor,
    route: str,
    shipped_at: dt.datetime,
    gross_kg: Decimal,
    tare_kg: Decimal,
    seal_number: str = "",
    dispositions: Iterable[Disposition] = (),
    actor=None,
) -> Lot:
    """A lot shipped to ``vendor``, with its weight ticket and (some of) its dispositions."""
    if route == Route.REUSE or route not in Route.values:
        raise LotRefused(code, f"a lot leaves for a vendor; {route} is not a route a vendor takes")
    if not vendor.takes(route):
        raise LotRefused(code, f"vendor {vendor.code} does not take {route}")
    moments.check_moment(shipped_at, field="shipped_at")
    _check_weights(code, gross_kg, tare_kg)
    with transaction.atomic():
        lot = Lot.objects.create(
            code=code,
            center=center,
            vendor=vendor,
            route=route,
            seal_number=seal_number,
            shipped_at=shipped_at,
            gross_kg=gross_kg,
            tare_kg=tare_kg,
            created_by=actor,
        )
        lot_add(lot=lot, dispositions=dispositions)
    return lot


def lot_add(*, lot: Lot, dispositions: Iterable[Disposition]) -> list[LotItem]:
    """Add dispositions to an open lot; all of them, or none (refused naming the offenders)."""
    ids = sorted({disposition.pk for disposition in dispositions})
    if not ids:
        return []
    with transaction.atomic():
        lot = Lot.objects.select_for_update().get(pk=lot.pk)
        if lot.closed_at is not None:
            raise LotRefused(lot.code, "it is closed (its certificate was received)")
        rows = list(
            Disposition.objects.filter(pk__in=ids).values("pk", "center_id", "vendor_id", "route", "decided_at")
        )
        if len(rows) != len(ids):
            missing = set(ids) - {row["pk"] for row in rows}
            raise LotRefused(lot.code, "no such disposition", missing)
        mixed = [
            row["pk"]
            for row in rows
            if (row["center_id"], row["vendor_id"], row["route"]) != (lot.center_id, lot.vendor_id, lot.route)
        ]
        if mixed:
            raise LotRefused(
                lot.code,
                f"a lot gathers dispositions of one center, vendor and route ({lot.center.code}, "
                f"{lot.vendor.code}, {lot.route}); these are not",
                mixed,
            )
        late = [row["pk"] for row in rows if row["decided_at"] > lot.shipped_at]
        if late:
            raise LotRefused(lot.code, "these were decided after the lot shipped", late)
        taken = list(LotItem.objects.filter(disposition_id__in=ids).values_list("disposition_id", flat=True))
        if taken:
            raise LotRefused(lot.code, "these are in a lot already", taken)
        return LotItem.objects.bulk_create([LotItem(lot=lot, disposition_id=pk) for pk in ids])


__all__ = ["lot_add", "lot_create"]
