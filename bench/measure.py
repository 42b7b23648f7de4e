"""Timing and the figures a run reports."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass


@dataclass
class Figure:
    """One workload measured next to its reference, in the same run."""

    workload: str
    size: str
    ours: float
    reference: float
    unit: str
    ratio: float
    goal: str
    met: bool | None
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def median_seconds(function: Callable[[], object], *, repeat: int = 5, warmup: int = 1) -> float:
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def paired_medians(ours: Callable, reference: Callable, *, repeat: int = 5) -> tuple[float, float]:
    """Alternate the two so that drift of the machine (cache, other load) hits both alike."""
    ours(), reference()
    a, b = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        ours()
        a.append(time.perf_counter() - started)
        started = time.perf_counter()
        reference()
        b.append(time.perf_counter() - started)
    return statistics.median(a), statistics.median(b)


def human(count: int) -> str:
    if count >= 1_000_000 and count % 1_000_000 == 0:
        return f"{count // 1_000_000}M"
    if count >= 1_000 and count % 1_000 == 0:
        return f"{count // 1_000}k"
    return str(count)
