"""The lots' exceptions in the compliance report (SPEC section 9), beside ``circularity.exceptions``.

* ``lots_awaiting_certificate``: lots shipped more than ``LOT_CERTIFICATE_DAYS`` before
  the report was built and still open (no certificate of recycling or destruction
  received), longest first. Read as the lots are when the report is built.
* ``lots_outside_tolerance``: lots shipped in the month whose weight ticket (net) differs
  from their dispositions' recorded mass by more than ``LOT_WEIGHT_TOLERANCE``.

Each is a count and a limited list, in SQL (two queries); ``lot_sections`` shapes both for
the report's renderers, as ``reports.html.exception_sections`` does the others.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from .exceptions import DEFAULT_LIMIT, ExceptionList
from .metrics.lots import tolerance, with_weights
from .models import Lot

COLUMNS = ("code", "center__code", "vendor__code", "route", "seal_number", "shipped_at", "closed_at")


def _rows(queryset, as_of: dt.datetime, limit: int) -> list[dict]:
    rows = with_weights(queryset).values(*COLUMNS, "net_kg_", "recorded_kg", "difference_kg")[:limit]
    return [
        {
            "lot": row["code"],
            "center": row["center__code"],
            "vendor": row["vendor__code"],
            "route": row["route"],
            "seal_number": row["seal_number"],
            "shipped_at": row["shipped_at"],
            "days": (as_of - row["shipped_at"]).days,
            "net_kg": row["net_kg_"],
            "recorded_kg": row["recorded_kg"],
            "difference_kg": row["difference_kg"],
        }
        for row in rows
    ]


def lots_awaiting_certificate(*, as_of: dt.datetime, days: int, limit: int = DEFAULT_LIMIT) -> ExceptionList:
    """Open lots shipped before ``as_of`` − ``days``, longest first."""
    late = Lot.objects.filter(closed_at__isnull=True, shipped_at__lt=as_of - dt.timedelta(days=days))
    total = late.count()
    return ExceptionList(total=total, rows=_rows(late.order_by("shipped_at", "code"), as_of, limit) if total else [])


def lots_outside_tolerance(*, first: dt.datetime, until: dt.datetime, limit: int = DEFAULT_LIMIT) -> ExceptionList:
    """Lots shipped in [``first``, ``until``) whose weight ticket is outside the tolerance."""
    flagged = with_weights(Lot.objects.filter(shipped_at__gte=first, shipped_at__lt=until)).filter(
        outside_tolerance=True
    )
    total = flagged.count()
    if not total:
        return ExceptionList(total=0)
    return ExceptionList(total=total, rows=_rows(flagged.order_by("shipped_at", "code"), until, limit))


def lot_exceptions(*, month_first: dt.datetime, month_until: dt.datetime, as_of: dt.datetime, limit: int) -> dict:
    """The two lists, keyed as the report keeps its exceptions."""
    return {
        "lots_awaiting_certificate": lots_awaiting_certificate(
            as_of=as_of, days=settings.LOT_CERTIFICATE_DAYS, limit=limit
        ),
        "lots_outside_tolerance": lots_outside_tolerance(first=month_first, until=month_until, limit=limit),
    }


def lot_sections(report) -> list[dict]:
    """The lots' exception sections of a built report, for ``reports.html.exception_sections``."""
    from .reports.formatting import day, kg, number

    days, percent = settings.LOT_CERTIFICATE_DAYS, f"{tolerance() * 100:g} %"
    awaiting = report.exceptions.get("lots_awaiting_certificate")
    outside = report.exceptions.get("lots_outside_tolerance")
    sections = []
    if awaiting is not None:
        sections.append(
            {
                "key": "lots_awaiting_certificate",
                "title": f"Lots shipped more than {days} days ago without their certificate",
                "definition": (
                    f"Lots shipped more than {days} days before {day(report.generated_at)} (LOT_CERTIFICATE_DAYS) "
                    "whose certificate of recycling or destruction has not been received; longest first."
                ),
                "found": awaiting,
                "headings": ["Lot", "Center", "Vendor", "Route", "Seal", "Shipped", "Days"],
                "cells": [
                    [
                        r["lot"],
                        r["center"],
                        r["vendor"],
                        r["route"],
                        r["seal_number"],
                        day(r["shipped_at"]),
                        number(r["days"]),
                    ]  # fmt: skip
                    for r in awaiting.rows
                ],
            }
        )
    if outside is not None:
        sections.append(
            {
                "key": "lots_outside_tolerance",
                "title": f"Lots whose weight ticket differs from the recorded mass by more than {percent}",
                "definition": (
                    f"Lots shipped in {report.label} whose net weight (gross − tare, from the scale) differs from the "
                    f"sum of their dispositions' recorded mass by more than {percent} of it (LOT_WEIGHT_TOLERANCE)."
                ),
                "found": outside,
                "headings": ["Lot", "Center", "Vendor", "Route", "Shipped", "Net (scale)", "Recorded"],
                "cells": [
                    [
                        r["lot"],
                        r["center"],
                        r["vendor"],
                        r["route"],
                        day(r["shipped_at"]),
                        kg(r["net_kg"]),
                        kg(r["recorded_kg"]),
                    ]  # fmt: skip
                    for r in outside.rows
                ],
            }
        )
    return sections


__all__ = ["lot_exceptions", "lot_sections", "lots_awaiting_certificate", "lots_outside_tolerance"]
