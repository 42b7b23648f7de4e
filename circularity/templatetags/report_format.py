"""Template filters of the compliance report: ``{% load report_format %}``, then ``{{ rate|pct }}``."""

from django import template

from circularity.reports.formatting import FILTERS

register = template.Library()

for _name, _function in FILTERS.items():
    register.filter(_name, _function)


@register.filter
def get_item(mapping, key):
    """``{{ totals|get_item:"306-4" }}``: a key a template cannot spell as an attribute."""
    return mapping.get(key)
