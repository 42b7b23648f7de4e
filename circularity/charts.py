"""The chart people look at: the reuse-and-recycling rate against the target.

One chart, two renderings: SVG for the dashboard (no JavaScript), PNG for the email
(inline by Content-ID) and the PDF. Figures come from ``metrics`` (monthly and rolling
12-month rates) and the trajectory and trend from the rate target's ``TargetStatus``
(``circularity.targets``): the projection drawn here is the one the targets table prints.

What it shows: the rolling 12-month rate (the line to read; single months of a small
fleet swing between 0 % and 100 %), the raw months as faint points, the trajectory and
the trend drawn on to the end of the target year, and the target as a marker at its year.
The x-axis spans the months that have data plus the road to the target year.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.ticker import PercentFormatter  # noqa: E402

from .metrics import Rate, rolling_rates  # noqa: E402
from .periods import add_months, month_of, months_between  # noqa: E402
from .reports.formatting import pct  # noqa: E402
from .targets import TargetStatus, last_month_of, trajectory_for_month  # noqa: E402

HISTORY_MONTHS = 36
GREEN, BLUE, GREY, ORANGE, RED = "#1b7f3b", "#2a6fb0", "#888888", "#d9822b", "#c0392b"


@dataclass(frozen=True)
class ChartMonth:
    month: dt.date
    rate: Rate  # the month alone
    rolling: Rate  # the 12 months ending with it
    trajectory: float | None


@dataclass(frozen=True)
class RateChartData:
    months: list[ChartMonth]  # the months shown, from the first with data
    road: list[tuple[dt.date, float]]  # trajectory from the last month shown to the target year
    projection: list[tuple[dt.date, float]]  # the status's trend, from its first month to the target year
    target_value: float | None
    target_fiscal_year: int | None
    target_month: dt.date | None  # where the target sits on the x-axis (last month of its year)

    @property
    def empty(self) -> bool:
        return all(m.rate.units is None for m in self.months)

    @property
    def projection_end(self) -> float | None:
        return self.projection[-1][1] if self.projection else None

    @property
    def x_range(self) -> tuple[dt.date, dt.date]:
        """The data shown plus, where the target is still ahead, the road to it."""
        first, last = self.months[0].month, self.months[-1].month
        if self.target_month and self.target_month > last:
            last = self.target_month
        return first, last


def rate_chart_data(last_month: dt.date, status: TargetStatus | None, history: int = HISTORY_MONTHS) -> RateChartData:
    """Rates up to ``last_month``, and the rate target's trajectory and trend from ``status``."""
    last_month = month_of(last_month)
    first = add_months(last_month, -(history - 1))
    rows = rolling_rates(first, last_month)
    with_data = [row.month for row in rows if row.units]
    shown_first = with_data[0] if with_data else first
    target = status.target if status else None
    baseline = status.baseline if status else None
    months = [
        ChartMonth(
            month=row.month,
            rate=row.rate,
            rolling=row.rolling,
            trajectory=trajectory_for_month(target, row.month, baseline) if target else None,
        )
        for row in rows
        if row.month >= shown_first
    ]
    if target is None:
        return RateChartData(months, [], [], None, None, None)
    target_month = last_month_of(target.target_fiscal_year)
    road, projection = [], []
    if target_month > last_month and baseline is not None:
        road = [(m, trajectory_for_month(target, m, baseline)) for m in _quarterly(last_month, target_month)]
    if status.trend is not None and not status.year_passed:
        start = max(status.trend.first, shown_first)
        projection = [(m, status.trend.at(m)) for m in _quarterly(start, max(target_month, last_month))]
    return RateChartData(months, road, projection, float(target.target_value), target.target_fiscal_year, target_month)


def _quarterly(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every third month from ``first``, and ``last`` itself: enough points for a straight line."""
    months = months_between(first, last)[::3]
    if months[-1] != last:
        months.append(last)
    return months


def render_rate_chart(data: RateChartData, fmt: str = "png", *, width: float = 8.0, height: float = 3.6) -> bytes:
    """The chart as PNG or SVG bytes."""
    figure, axes = plt.subplots(figsize=(width, height), dpi=110)
    try:
        months = [m.month for m in data.months]
        axes.plot(
            months,
            [m.rate.units for m in data.months],
            linestyle="none",
            marker="o",
            markersize=2.5,
            color=GREEN,
            alpha=0.35,
            label="Single month, by units",
        )
        axes.plot(
            months, [m.rolling.units for m in data.months], color=GREEN, linewidth=2.2, label="12 months, by units"
        )
        axes.plot(months, [m.rolling.mass for m in data.months], color=BLUE, linewidth=1.4, label="12 months, by mass")
        if any(m.trajectory is not None for m in data.months) or data.road:
            line = [(m.month, m.trajectory) for m in data.months] + data.road
            axes.plot(*zip(*line, strict=True), color=GREY, linestyle="--", linewidth=1, label="Target trajectory")
        if data.projection:
            axes.plot(*zip(*data.projection, strict=True), color=ORANGE, linestyle=":", linewidth=1.6, label="Trend")
        if data.target_value is not None:
            _mark_target(axes, data)
        if data.empty:
            axes.text(0.5, 0.5, "No dispositions in this period", transform=axes.transAxes, ha="center", color="#666")
        first, last = data.x_range
        axes.set_xlim(first - dt.timedelta(days=15), last + dt.timedelta(days=45))
        axes.set_ylim(0, 1.08)
        axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        axes.set_ylabel("Reuse and recycling rate")
        axes.grid(True, alpha=0.3)
        axes.legend(loc="lower left", fontsize=7.5, frameon=False, ncols=3)
        figure.autofmt_xdate()
        # Fixed margins rather than tight_layout(), which draws the whole figure once more.
        figure.subplots_adjust(left=0.09, right=0.9, top=0.97, bottom=0.17)
        buffer = io.BytesIO()
        if fmt == "png":
            figure.savefig(buffer, format=fmt, pil_kwargs={"compress_level": 3})
        else:
            figure.savefig(buffer, format=fmt, metadata={"Date": None})
        return buffer.getvalue()
    finally:
        plt.close(figure)


def _mark_target(axes, data: RateChartData) -> None:
    """The target as a marker at its year, labelled in the right margin; the trend's end
    gets its own label, moved apart from the target's when the two would overlap."""
    axes.plot([data.target_month], [data.target_value], marker="D", markersize=6, color=RED, linestyle="none")
    target_y, trend_y = data.target_value, data.projection_end
    if trend_y is not None and abs(trend_y - target_y) < 0.09:
        # Close together: target label above its marker, trend label below (or the reverse).
        above = 0.05 if trend_y <= target_y else -0.05
        target_y, trend_y = target_y + above, trend_y - above
    label = {"xycoords": ("axes fraction", "data"), "xy": (1.01, 0), "ha": "left", "va": "center", "fontsize": 7.5}
    axes.annotate(
        f"Target {pct(data.target_value, 0)}\nFY{data.target_fiscal_year}",
        **{**label, "xy": (1.01, target_y)},
        color=RED,
    )
    if trend_y is not None:
        axes.annotate(
            f"Trend {pct(data.projection_end)}\nFY{data.target_fiscal_year}",
            **{**label, "xy": (1.01, trend_y)},
            color=ORANGE,
        )
