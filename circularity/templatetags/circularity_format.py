"""How figures read on the dashboard: fractions as percentages, masses in tonnes, and no
value as an em dash (a rate over nothing is no value, never 0 and never an error)."""

from decimal import Decimal

from django import template
from django.utils.html import format_html

from circularity.reports import formatting
from circularity.reports.formatting import mass, mass_parts

register = template.Library()

NO_VALUE = "—"


@register.filter
def percent(value, digits=1):
    """0.823 -> "82.3 %"; None -> "—"."""
    if value is None or value == "":
        return NO_VALUE
    return f"{float(value) * 100:.{int(digits)}f} %"


@register.filter
def number(value, digits=0):
    """1234.5 -> "1,234.5" (``digits`` decimals); None -> "—"."""
    if value is None or value == "":
        return NO_VALUE
    return f"{Decimal(value):,.{int(digits)}f}"


@register.filter
def mass_kg(value):
    """A mass in kilograms as people read it (``reports.formatting.mass``): "850 kg", "1.23 t"."""
    return mass(value)


@register.filter
def mass_t(value):
    """A mass in tonnes, written the same way: 0.9 -> "900 kg"."""
    return mass(None if value is None or value == "" else Decimal(value) * 1000)


@register.filter
def mass_figure(value_t):
    """A tile's mass in tonnes as a number and a smaller unit: ``900<span class="kpi-unit">kg</span>``."""
    number_, unit = mass_parts(None if value_t is None or value_t == "" else Decimal(value_t) * 1000)
    return format_html('{}<span class="kpi-unit">{}</span>', number_, unit)


@register.filter
def co2e_figure(value_t):
    number_, unit = mass_parts(None if value_t is None or value_t == "" else Decimal(value_t) * 1000)
    return format_html('{}<span class="kpi-unit">{} CO₂e</span>', number_, unit)


BADGE_CLASSES = {"met": "on-track", "on_track": "on-track", "missed": "behind", "behind": "behind"}


@register.filter
def target_badge(status):
    """A ``TargetStatus``'s one verdict as a coloured badge: Met, Missed, On track, Behind, No data."""
    return format_html(
        '<span class="badge {}">{}</span>', BADGE_CLASSES.get(status.state, "unknown"), status.state_label
    )


@register.filter
def target_percent(value, metric):
    """A target's percentage with the decimals its metric moves in (plastic: hundredths)."""
    return percent(value, formatting.target_digits(metric))


@register.filter
def verdict(status):
    """The status in one sentence (``reports.formatting.verdict``), the same as in the report."""
    return formatting.verdict(status)


@register.filter
def verdict_reason(status):
    """The sentence without its leading state, beside a badge that says it."""
    return formatting.verdict_reason(status)
