"""The monthly compliance report at fleet scale, against the metric queries alone."""

from __future__ import annotations

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from circularity.periods import parse_month
from circularity.reports.build import build_report
from circularity.reports.send import artefacts

from .measure import Figure, human

MONTH = "2024-03"


def build_report_for(month: str = MONTH):
    """Everything the email carries: figures, chart, HTML, text, CSV and PDF."""
    return artefacts(build_report(parse_month(month)))


def report_figure(count: int) -> Figure:
    """Build time of the whole report, against re-running the SQL it issued, raw."""
    build_report_for()  # warm-up: fonts, templates, matplotlib
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        build_report_for()
        ours = time.perf_counter() - started
    statements = [query["sql"] for query in captured.captured_queries]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
            if cursor.description:
                cursor.fetchall()
    reference = time.perf_counter() - started
    ratio = ours / reference
    return Figure(
        workload=f"monthly report build ({MONTH}: figures, chart, HTML, CSV, PDF)",
        size=f"{human(count)} dispositions",
        ours=ours,
        reference=reference,
        unit="s",
        ratio=ratio,
        goal="≤ 3× the metric queries' time",
        met=ratio <= 3,
        note=f"reference: the {len(statements)} SQL statements the build issued, run raw",
    )


__all__ = ["build_report_for", "report_figure"]
