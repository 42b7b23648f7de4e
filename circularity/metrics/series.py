"""One figure by name over periods or a span: what targets and projections read.

Inside ``shared_series()`` each series (metric, kind, first, last) is read once and then
answered from memory: the statuses of a page of targets share the series of their
metric, so the queries grow with the metrics, not with the targets.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from contextvars import ContextVar

from ..choices import Metric, PeriodKind
from ..periods import Period, add_months
from .circularity import circularity_rows, span_figures
from .packaging import packaging_rows, packaging_span

RATE_METRICS = {Metric.REUSE_RECYCLE_RATE, Metric.REUSE_RATE, Metric.RECYCLE_RATE}
_SHARED: ContextVar[dict | None] = ContextVar("shared_series", default=None)


@contextmanager
def shared_series():
    """Within this block, a series asked for again is answered from memory."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def metric_series(metric: str, kind: str, first: dt.date, last: dt.date) -> list[tuple[Period, float | None]]:
    """The value of ``metric`` per period; rates are by units (the published figure)."""
    shared = _SHARED.get()
    if shared is None:
        return _read_series(metric, kind, first, last)
    key = (metric, kind, first, last)
    if key not in shared:
        shared[key] = _read_series(metric, kind, first, last)
    return shared[key]


def _read_series(metric: str, kind: str, first: dt.date, last: dt.date) -> list[tuple[Period, float | None]]:
    if metric in RATE_METRICS:
        rows = circularity_rows(kind, first, last)
        return [(_period(row, kind), row[metric]["units"]) for row in rows]
    if metric == Metric.AVG_PLASTIC_CONTENT:
        rows = packaging_rows(kind, first, last)
        return [(_period(row, kind), row["avg_plastic_content"]) for row in rows]
    raise ValueError(f"unknown metric {metric!r}")


def _period(row: dict, kind: str) -> Period:
    start = row["period_start"]
    return Period.month(start) if kind == PeriodKind.MONTH else Period(kind, start, add_months(start, 12))


def span_value(metric: str, first: dt.date, last: dt.date) -> float | None:
    """The value of ``metric`` over the months ``first`` … ``last``; rates by units."""
    shared = _SHARED.get()
    if shared is None:
        return _read_span(metric, first, last)
    key = (metric, "span", first, last)
    if key not in shared:
        shared[key] = _read_span(metric, first, last)
    return shared[key]


def _read_span(metric: str, first: dt.date, last: dt.date) -> float | None:
    if metric in RATE_METRICS:
        return span_figures(first, last)[None][metric]["units"]
    if metric == Metric.AVG_PLASTIC_CONTENT:
        return packaging_span(first, last)["avg_plastic_content"]
    raise ValueError(f"unknown metric {metric!r}")
