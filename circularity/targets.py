"""Targets (SPEC section 6): trajectory, on-track status and projection.

* Trajectory: the straight line from (baseline FY, baseline value) to (target FY, target
  value). A fiscal year is on track when its value meets the trajectory's value for it
  (``gte``: at least; ``lte``: at most).
* Projection: a least-squares line through the monthly values of the last 24 closed
  months (fewer if fewer exist), read at the last month of the target fiscal year and
  kept within 0…1 (every targeted metric is a fraction).

Values come from ``circularity.metrics``; rates are by units, as published.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .choices import Comparison, PeriodKind
from .metrics import metric_series, span_value
from .models import Target
from .periods import Period, add_months, fiscal_year_of, fiscal_year_start, month_of

PROJECTION_MONTHS = 24


def baseline_value(target: Target) -> float | None:
    """The stated baseline, or the metric's value in the baseline fiscal year."""
    if target.baseline_value is not None:
        return float(target.baseline_value)
    period = Period.fiscal_year(target.baseline_fiscal_year)
    return metric_series(target.metric, PeriodKind.FISCAL_YEAR, period.start, period.start)[0][1]


def fiscal_position(month: dt.date) -> float:
    """A month on the fiscal-year axis: the last month of FY n sits at n."""
    fiscal_year = fiscal_year_of(month)
    index = (month.year - fiscal_year_start(fiscal_year).year) * 12 + month.month - fiscal_year_start(fiscal_year).month
    return fiscal_year - 1 + (index + 1) / 12


def trajectory_value(target: Target, fiscal_year: float, baseline: float | None = None) -> float | None:
    """The trajectory's value for a fiscal year (or a position between two)."""
    start = baseline if baseline is not None else baseline_value(target)
    if start is None:
        return None
    end = float(target.target_value)
    first, last = target.baseline_fiscal_year, target.target_fiscal_year
    if fiscal_year <= first:
        return start
    if fiscal_year >= last:
        return end
    return start + (end - start) * (fiscal_year - first) / (last - first)


def trajectory_for_month(target: Target, month: dt.date, baseline: float | None = None) -> float | None:
    return trajectory_value(target, fiscal_position(month), baseline)


def meets(target: Target, value: float | None, reference: float | None) -> bool | None:
    if value is None or reference is None:
        return None
    # Round away float noise: 0.82 must meet 0.82.
    value, reference = round(value, 9), round(reference, 9)
    return value >= reference if target.comparison == Comparison.GTE else value <= reference


def least_squares(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """Slope and intercept of the least-squares line through ``points``."""
    if not points:
        return None
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return 0.0, mean_y
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    return slope, mean_y - slope * mean_x


def monthly_values(target: Target, last_month: dt.date, count: int = PROJECTION_MONTHS) -> list[tuple[dt.date, float]]:
    """The metric's value for each of the ``count`` months ending with ``last_month`` that has one."""
    first = add_months(last_month, -(count - 1))
    series = metric_series(target.metric, PeriodKind.MONTH, first, last_month)
    return [(period.start, value) for period, value in series if value is not None]


def projection(target: Target, as_of: dt.date) -> float | None:
    """Where the trend of the last 24 closed months lands at the end of the target year."""
    last_closed = add_months(month_of(as_of), -1)
    points = [(fiscal_position(month), value) for month, value in monthly_values(target, last_closed)]
    line = least_squares(points)
    if line is None:
        return None
    slope, intercept = line
    return min(1.0, max(0.0, slope * target.target_fiscal_year + intercept))


@dataclass(frozen=True)
class TargetStatus:
    target: Target
    fiscal_year: int
    value: float | None
    baseline: float | None
    trajectory: float | None
    on_track: bool | None
    projection: float | None
    projected_to_meet: bool | None

    def as_dict(self) -> dict:
        return {
            "metric": self.target.metric,
            "comparison": self.target.comparison,
            "target_value": float(self.target.target_value),
            "target_fiscal_year": self.target.target_fiscal_year,
            "baseline_fiscal_year": self.target.baseline_fiscal_year,
            "baseline_value": self.baseline,
            "latest_fiscal_year": self.fiscal_year,
            "latest_value": self.value,
            "trajectory_value": self.trajectory,
            "on_track": self.on_track,
            "projection": self.projection,
            "projected_to_meet": self.projected_to_meet,
        }


def target_status(target: Target, as_of: dt.date) -> TargetStatus:
    """The target's fiscal-year-to-date value against its trajectory, and the projection."""
    fiscal_year = fiscal_year_of(as_of)
    period = Period.fiscal_year(fiscal_year)
    value = metric_series(target.metric, PeriodKind.FISCAL_YEAR, period.start, period.start)[0][1]
    return _status(target, fiscal_year, value, projection(target, as_of))


def month_status(target: Target, month: dt.date) -> TargetStatus:
    """The status at the close of ``month``, for the monthly report.

    The value is the fiscal year containing ``month`` up to its end, and the projection
    runs through it: the June report reads June's fiscal year (not the new one the
    report is built in), and a re-build months later gives the same figures.
    """
    month = month_of(month)
    fiscal_year = fiscal_year_of(month)
    value = span_value(target.metric, fiscal_year_start(fiscal_year), month)
    return _status(target, fiscal_year, value, projection(target, add_months(month, 1)))


def _status(target: Target, fiscal_year: int, value: float | None, projected: float | None) -> TargetStatus:
    baseline = baseline_value(target)
    reference = trajectory_value(target, fiscal_year, baseline)
    return TargetStatus(
        target=target,
        fiscal_year=fiscal_year,
        value=value,
        baseline=baseline,
        trajectory=reference,
        on_track=meets(target, value, reference),
        projection=projected,
        projected_to_meet=meets(target, projected, float(target.target_value)),
    )


def all_statuses(as_of: dt.date) -> list[TargetStatus]:
    return [target_status(target, as_of) for target in Target.objects.all()]


def month_statuses(month: dt.date) -> list[TargetStatus]:
    return [month_status(target, month) for target in Target.objects.all()]
