"""The circularity dashboard: where a fiscal year stands, in the admin.

``dashboard_context`` gathers the figures (from ``metrics``, ``targets`` and ``charts``;
it computes none itself), and ``dashboard_view`` is the thin, staff-only page that shows
them. The page runs a fixed number of queries whatever the number of dispositions: every
figure is a grouped aggregate, every table one grouped query.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.admin import site as admin_site
from django.core.exceptions import PermissionDenied
from django.db.models import Min
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from assetlife.admin_site import DASHBOARD_PERMISSION
from assetlife.replica import on_replica
from inventory.choices import Category

from . import vendors
from .charts import rate_chart_data, render_rate_chart
from .choices import GRI_306, Dimension, Metric, PeriodKind, Route
from .dashboard_custody import custody_context
from .metrics import packaging_rows, period_figures
from .models import CircularCenter, Disposition
from .periods import Period, PeriodError, add_months, fiscal_year_of, month_of, parse_fiscal_year
from .reports import notices
from .reports.waste import waste_section
from .targets import all_statuses

VIEW_PERMISSION = DASHBOARD_PERMISSION


def available_fiscal_years(today: dt.date, selected: int) -> list[int]:
    """From the first fiscal year with a disposition to the current one, newest first."""
    first = Disposition.objects.aggregate(first=Min("decided_at"))["first"]
    current = fiscal_year_of(today)
    earliest = min(fiscal_year_of(first) if first else current, selected)
    return list(range(current, earliest - 1, -1))


def _headline(statuses, metric: str, fiscal_year: int):
    """The target a tile compares with: the nearest one not yet due, else the last."""
    matching = [status for status in statuses if status.target.metric == metric]
    upcoming = [status for status in matching if status.target.target_fiscal_year >= fiscal_year]
    return (upcoming or matching or [None])[0]


def _inline_svg(svg: bytes, label: str) -> str:
    """The chart's SVG as an inline element (no XML prolog), labelled for screen readers."""
    text = svg.decode("utf-8")
    text = text[text.index("<svg") :]
    return text.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" class="circularity-chart" ', 1)


def dashboard_context(fiscal_year: int, today: dt.date) -> dict:
    """Every figure of the dashboard for ``fiscal_year``, as of ``today``.

    A past fiscal year is shown whole, as it stood on its last day; the current one to
    date. The chart ends with the last closed month (the current one is incomplete).
    """
    period = Period.fiscal_year(fiscal_year)
    current = fiscal_year == fiscal_year_of(today)
    as_of = today if current else period.end - dt.timedelta(days=1)
    chart_month = add_months(month_of(today), -1) if current else add_months(period.end, -1)

    total = period_figures(period)[0]
    centers = dict(CircularCenter.objects.values_list("code", "name"))
    by_center = [{**row, "name": centers.get(row["group"], "")} for row in period_figures(period, Dimension.CENTER)]
    by_category = [{**row, "name": Category(row["group"]).label} for row in period_figures(period, Dimension.CATEGORY)]
    packaging = packaging_rows(PeriodKind.FISCAL_YEAR, period.start, period.start)[0]
    statuses = all_statuses(as_of)
    chart = rate_chart_data(chart_month)
    label = f"Monthly reuse and recycling rate to {chart_month:%B %Y}, against the target trajectory"
    routes = [
        {
            "route": route,
            "label": route.label,
            "gri": GRI_306[route],
            "units": total["units_by_route"][route],
            "mass_t": total["mass_t_by_route"][route],
        }
        for route in Route
    ]
    return {
        "fiscal_year": fiscal_year,
        "period": period,
        "is_current": current,
        "as_of": as_of,
        "total": total,
        "routes": routes,
        "by_center": by_center,
        "by_category": by_category,
        "packaging": packaging,
        "statuses": statuses,
        "rate_status": _headline(statuses, Metric.REUSE_RECYCLE_RATE, fiscal_year),
        "plastic_status": _headline(statuses, Metric.AVG_PLASTIC_CONTENT, fiscal_year),
        "chart": chart,
        "chart_rows": list(zip(chart.months, chart.by_units, chart.by_mass, chart.trajectory, strict=True)),
        "chart_svg": mark_safe(_inline_svg(render_rate_chart(chart, "svg", width=10, height=3.8), label)),
        "chart_label": label,
        **custody_context(period, as_of),
        "waste": waste_section(month_of(as_of)),  # GRI 306 / ESRS E5 panel (reports/waste.py)
    }


def _selected_fiscal_year(request, today: dt.date) -> int:
    """``?fy=FY2022`` (or ``2022``); a bad or future year is named and the current one shown."""
    current = fiscal_year_of(today)
    text = request.GET.get("fy", "").strip()
    if not text:
        return current
    try:
        fiscal_year = parse_fiscal_year(text)
    except PeriodError as error:
        messages.error(request, f"{error} Showing FY{current}.")
        return current
    if fiscal_year > current:
        messages.error(request, f"FY{fiscal_year} has not started yet. Showing FY{current}.")
        return current
    return fiscal_year


def dashboard_view(request):
    """Staff only (the admin's login), and only for those who may see dispositions."""
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    today = timezone.now().date()
    fiscal_year = _selected_fiscal_year(request, today)
    notices.admin_banner(request)  # a compliance report that needs a person
    context = {
        **admin_site.each_context(request),
        "title": "Circularity dashboard",
        "subtitle": f"FY{fiscal_year}",
        # Read-only figures: a replica's few seconds of lag are fine (its author's own
        # writes excepted: see assetlife.replica.pinning).
        **on_replica(_figures, fiscal_year, today),
    }
    return TemplateResponse(request, "admin/circularity/dashboard.html", context)


def _figures(fiscal_year: int, today: dt.date) -> dict:
    return {
        "fiscal_years": available_fiscal_years(today, fiscal_year),
        **dashboard_context(fiscal_year, today),
        **downstream_context(today),
    }


def downstream_context(today: dt.date) -> dict:
    """Vendors' certifications expiring soon (SPEC section 9): today's, whatever the fiscal year shown."""
    return {
        "expiring_certifications": vendors.certifications_expiring(today),
        "expiry_window_days": vendors.EXPIRY_WINDOW_DAYS,
    }
