"""The monthly compliance report at fleet scale, against the metric queries alone."""

from __future__ import annotations


def build_report_for(month: str):
    raise NotImplementedError


def report_figure(count: int):
    return None
