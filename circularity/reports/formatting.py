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


def mass_parts(kilograms: Decimal | float | int | None) -> tuple[str, str]:
    """A mass given in kilograms as (number, unit), in the unit a person reads it in.

    One tonne and up: tonnes, 2 decimals (10 kg) below 100 t, 1 above; under a tonne:
    kilograms, 1 decimal below 100 kg, none above; under a kilogram: grams. Nothing is
    ever written "0.0 kg" or "0.00 t": zero is "0 kg", 4 g is "4 g". Exact masses (to the
    gram) are in the CSV and the API.
    """
    if _missing(kilograms):
        return NO_VALUE, ""
    value = Decimal(kilograms)
    size = abs(value)
    if size == 0:
        return "0", "kg"
    if size < 1:
        return f"{value * 1000:,.0f}", "g"
    if size < 100:
        return f"{value:,.1f}", "kg"
    if size < 1000:
        return f"{value:,.0f}", "kg"
    if size < 100_000:
        return f"{value / 1000:,.2f}", "t"
    return f"{value / 1000:,.1f}", "t"


def mass(kilograms: Decimal | float | int | None) -> str:
    """The one way a mass is written for people (dashboard, report, labels): ``mass_parts`` joined."""
    number_, unit = mass_parts(kilograms)
    return f"{number_} {unit}".rstrip()


def money(value: Decimal | None, currency: str = "") -> str:
    """125.5, "EUR" -> "125.50 EUR": an amount always beside its currency."""
    if _missing(value):
        return NO_VALUE
    return f"{value:,.2f} {currency}".strip()


def tonnes(value: Decimal | float | None) -> str:
    """A mass given in metric tons, written by ``mass``."""
    return mass(None if _missing(value) else Decimal(value) * 1000)


def kg(value: Decimal | None) -> str:
    """A mass given in kilograms (the name other modules use), written by ``mass``."""
    return mass(value)


def kgco2e(value: Decimal | None) -> str:
    """Embodied carbon given in kg CO₂e, in the units ``mass`` picks: ``1.50 t CO₂e``."""
    if _missing(value):
        return NO_VALUE
    return f"{mass(value)} CO₂e"


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


def target_digits(metric: str) -> int:
    """Decimals of a target's percentages: plastic content moves in hundredths of a point."""
    return 2 if metric == "avg_plastic_content" else 1


def verdict_reason(status) -> str:
    """``verdict`` without its leading state, for where a badge already says it."""
    return verdict(status).split(": ", 1)[1]


def verdict(status) -> str:
    """A ``TargetStatus`` in one sentence, led by its state, with the figures that decided it.

    The same sentence on the dashboard, in the report (HTML, text, PDF): no page can say
    "behind" beside "projected to meet".
    """
    target = status.target
    digits = target_digits(target.metric)
    goal = f"{target.get_comparison_display()} {pct(target.target_value, digits)} by FY{target.target_fiscal_year}"
    if status.year_passed:
        if status.state == "no_data":
            return f"No data: FY{target.target_fiscal_year} has no value to judge ({goal})."
        return f"{status.state_label}: FY{target.target_fiscal_year} was {pct(status.final_value, digits)} ({goal})."
    year = f"FY{status.fiscal_year} to date {pct(status.value, digits)}"
    against = "the target" if status.fiscal_year == target.target_fiscal_year else "the trajectory"
    trend = f"the trend reaches {pct(status.projection, digits)} by FY{target.target_fiscal_year}"
    if status.state == "no_data":
        return f"No data: nothing recorded yet to judge ({goal})."
    parts = []
    if status.on_track is not None:
        word = "meets" if status.on_track else "falls short of"
        parts.append(f"{year} {word} {against} ({pct(status.trajectory, digits)})")
    if status.projection is not None and status.fiscal_year < target.target_fiscal_year:
        parts.append(trend + ("" if status.projected_to_meet else f", short of {pct(target.target_value, digits)}"))
    return f"{status.state_label}: " + "; ".join(parts) + "."


GOOD, BAD, NEUTRAL = "#1b7f3b", "#c0392b", "#555555"


def state_colour(status) -> str:
    """The colour of a status in every rendering: green met / on track, red missed / behind."""
    if status is None or status.good is None:
        return NEUTRAL
    return GOOD if status.good else BAD


def target_pct(value, status) -> str:
    """A target's percentage with the decimals its metric moves in."""
    return pct(value, target_digits(status.target.metric))


def basis(status) -> str:
    return "of package mass" if status.target.metric == "avg_plastic_content" else "by units"


SPARK_BLOCKS = "▁▂▃▄▅▆▇█"


def spark_text(values: list[float | None]) -> str:
    """A sparkline in characters, 0 % to 100 %: ``▅▆▆▇▇█``; a month with no value is a space."""
    out = []
    for value in values:
        if value is None:
            out.append(" ")
        else:
            out.append(SPARK_BLOCKS[min(len(SPARK_BLOCKS) - 1, int(value * len(SPARK_BLOCKS)))])
    return "".join(out)


FILTERS = {
    "verdict": verdict,
    "verdict_reason": verdict_reason,
    "state_colour": state_colour,
    "target_pct": target_pct,
    "basis": basis,
    "pct": pct,
    "number": number,
    "mass": mass,
    "kg": kg,
    "money": money,
    "tonnes": tonnes,
    "kgco2e": kgco2e,
    "moment": moment,
    "day": day,
    "spark_text": spark_text,
}
