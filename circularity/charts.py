"""The chart people look at: the monthly reuse-and-recycle rate against the target.

One chart, two renderings: SVG for the dashboard (no JavaScript), PNG for the email
(inline by Content-ID) and the PDF. Data come from ``metrics`` and ``targets`` only.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.ticker import PercentFormatter  # noqa: E402

from .choices import Metric, PeriodKind  # noqa: E402
from .metrics import circularity_rows  # noqa: E402
from .models import Target  # noqa: E402
from .periods import add_months, fiscal_year_months, month_of  # noqa: E402
from .targets import baseline_value, fiscal_position, least_squares, trajectory_for_month  # noqa: E402

HISTORY_MONTHS = 36


@dataclass(frozen=True)
class RateChartData:
    months: list[dt.date]
    by_units: list[float | None]
    by_mass: list[float | None]
    trajectory: list[float | None]
    projection_months: list[dt.date]
    projection: list[float]
    target_value: float | None
    target_fiscal_year: int | None

    @property
    def empty(self) -> bool:
        return all(value is None for value in self.by_units)


def rate_chart_data(last_month: dt.date, history: int = HISTORY_MONTHS) -> RateChartData:
    """Monthly rates up to ``last_month``, the trajectory, and the projection to the target."""
    last_month = month_of(last_month)
    first = add_months(last_month, -(history - 1))
    rows = circularity_rows(PeriodKind.MONTH, first, last_month)
    months = [row["period_start"] for row in rows]
    by_units = [row["reuse_recycle_rate"]["units"] for row in rows]
    by_mass = [row["reuse_recycle_rate"]["mass"] for row in rows]
    target = Target.objects.filter(metric=Metric.REUSE_RECYCLE_RATE).order_by("target_fiscal_year").first()
    if target is None:
        return RateChartData(months, by_units, by_mass, [None] * len(months), [], [], None, None)
    baseline = baseline_value(target)
    trajectory = [trajectory_for_month(target, month, baseline) for month in months]
    # Projection: least squares over the last 24 months that have a value, drawn to the
    # end of the target fiscal year.
    points = [(fiscal_position(m), v) for m, v in zip(months[-24:], by_units[-24:], strict=True) if v is not None]
    line = least_squares(points)
    projection_months, projection = [], []
    if line:
        slope, intercept = line
        end = fiscal_year_months(target.target_fiscal_year)[-1]
        month = months[-24] if len(months) >= 24 else months[0]
        while month <= end:
            projection_months.append(month)
            projection.append(min(1.0, max(0.0, slope * fiscal_position(month) + intercept)))
            month = add_months(month, 3)
        if projection_months[-1] != end:
            projection_months.append(end)
            projection.append(min(1.0, max(0.0, slope * fiscal_position(end) + intercept)))
    return RateChartData(
        months,
        by_units,
        by_mass,
        trajectory,
        projection_months,
        projection,
        float(target.target_value),
        target.target_fiscal_year,
    )


def render_rate_chart(data: RateChartData, fmt: str = "png", *, width: float = 8.0, height: float = 3.6) -> bytes:
    """The chart as PNG or SVG bytes."""
    figure, axes = plt.subplots(figsize=(width, height), dpi=110)
    try:
        axes.plot(data.months, data.by_units, marker="o", markersize=3, color="#1b7f3b", label="Rate by units")
        axes.plot(data.months, data.by_mass, marker="s", markersize=3, color="#2a6fb0", alpha=0.8, label="Rate by mass")
        if any(v is not None for v in data.trajectory):
            axes.plot(data.months, data.trajectory, color="#888888", linestyle="--", label="Target trajectory")
        if data.projection:
            axes.plot(data.projection_months, data.projection, color="#d9822b", linestyle=":", label="Projection")
        if data.target_value is not None:
            axes.axhline(data.target_value, color="#c0392b", linewidth=0.8, alpha=0.6)
            axes.annotate(
                f"Target {data.target_value:.0%} by FY{data.target_fiscal_year}",
                xy=(0.99, data.target_value),
                xycoords=("axes fraction", "data"),
                ha="right",
                va="bottom",
                fontsize=8,
                color="#c0392b",
            )
        if data.empty:
            axes.text(0.5, 0.5, "No dispositions in this period", transform=axes.transAxes, ha="center", color="#666")
        axes.set_ylim(0, 1.05)
        axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        axes.set_ylabel("Reuse and recycling rate")
        axes.grid(True, alpha=0.3)
        axes.legend(loc="lower left", fontsize=8, frameon=False, ncols=2)
        figure.autofmt_xdate()
        # Fixed margins rather than tight_layout(), which draws the whole figure once more.
        figure.subplots_adjust(left=0.09, right=0.985, top=0.97, bottom=0.17)
        buffer = io.BytesIO()
        if fmt == "png":
            figure.savefig(buffer, format=fmt, pil_kwargs={"compress_level": 3})
        else:
            figure.savefig(buffer, format=fmt, metadata={"Date": None})
        return buffer.getvalue()
    finally:
        plt.close(figure)
