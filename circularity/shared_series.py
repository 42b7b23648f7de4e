"""``metrics.metric_series``, shareable between the targets of one request.

Inside ``shared_series()``, each (metric, kind, first, last) is read once and answered from
memory after that: the statuses of a page of targets (``circularity.targets``) share the
series of their metric, so their queries grow with the metrics, not with the targets.
Outside it, every call reads the database, as ``metrics.metric_series`` does.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from contextvars import ContextVar

from . import metrics
from .periods import Period

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
    """``metrics.metric_series``, from memory when a ``shared_series()`` block already read it."""
    shared = _SHARED.get()
    if shared is None:
        return metrics.metric_series(metric, kind, first, last)
    key = (metric, kind, first, last)
    if key not in shared:
        shared[key] = metrics.metric_series(metric, kind, first, last)
    return shared[key]
