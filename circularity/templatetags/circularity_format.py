"""How figures read on the dashboard: fractions as percentages, masses in tonnes, and no
value as an em dash (a rate over nothing is no value, never 0 and never an error)."""

from decimal import Decimal

from django import template
from django.utils.html import format_html

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
def on_track(value):
    """True / False / None as a badge: on track, behind, or not enough data to say."""
    if value is None:
        return format_html('<span class="badge unknown">{}</span>', "No data")
    if value:
        return format_html('<span class="badge on-track">{}</span>', "On track")
    return format_html('<span class="badge behind">{}</span>', "Behind")


@register.filter
def will_meet(value):
    if value is None:
        return format_html('<span class="badge unknown">{}</span>', "No data")
    if value:
        return format_html('<span class="badge on-track">{}</span>', "Projected to meet")
    return format_html('<span class="badge behind">{}</span>', "Projected to miss")
