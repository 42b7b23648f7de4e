"""How the report prints a figure, the same in the HTML, the text, the PDF and the subject.

A figure with no value (a rate over no dispositions) prints as an em dash, never as 0.
The CSV does not use these: it carries the exact values for machines.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

NO_VALUE = "—"


def _missing(value) -> bool:
    """No value: ``None``, or the empty string a template gives for a missing attribute."""
    return value is None or value == ""


def pct(value: float | None, digits: int = 1) -> str:
    """A fraction as a percentage: 0.842 → ``84.2 %``."""
    if _missing(value):
        return NO_VALUE
    return f"{value * 100:.{digits}f} %"


def number(value: int | None) -> str:
    if _missing(value):
        return NO_VALUE
    return f"{value:,}"


def money(value: Decimal | None, currency: str = "") -> str:
    """125.5, "EUR" -> "125.50 EUR": an amount always beside its currency."""
    if _missing(value):
        return NO_VALUE
    return f"{value:,.2f} {currency}".strip()


def tonnes(value: Decimal | float | None) -> str:
    """A mass already in metric tons, to the kilogram; under a ton, in kilograms."""
    if _missing(value):
        return NO_VALUE
    value = Decimal(value)
    if abs(value) < 1:
        return f"{value * 1000:,.1f} kg"
    return f"{value:,.3f} t"


def kg_as_tonnes(value: Decimal | None) -> str:
    return tonnes(None if value is None else Decimal(value) / 1000)


def kgco2e(value: Decimal | None) -> str:
    if _missing(value):
        return NO_VALUE
    return f"{Decimal(value):,.0f} kg CO₂e"


def kg(value: Decimal | None) -> str:
    if _missing(value):
        return NO_VALUE
    return f"{Decimal(value):,.1f} kg"


def on_track(value: bool | None) -> str:
    if _missing(value):
        return "no data"
    return "on track" if value else "off track"


def meets(value: bool | None) -> str:
    if _missing(value):
        return "no data"
    return "yes" if value else "no"


def moment(value: dt.datetime | None) -> str:
    """A moment in the ``TIME_ZONE`` setting, with its zone: ``2022-04-01 06:00 UTC``."""
    if _missing(value):
        return NO_VALUE
    local = timezone.localtime(value)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def day(value: dt.datetime | dt.date | None) -> str:
    if _missing(value):
        return NO_VALUE
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
    return f"{value:%Y-%m-%d}"


FILTERS = {
    "pct": pct,
    "number": number,
    "money": money,
    "tonnes": tonnes,
    "kg_as_tonnes": kg_as_tonnes,
    "kgco2e": kgco2e,
    "kg": kg,
    "on_track": on_track,
    "meets": meets,
    "moment": moment,
    "day": day,
}
