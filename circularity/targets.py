"""Targets (SPEC section 6): trajectory, on-track status, projection, and ONE verdict.

``target_status(target, as_of)`` is the only place a target is judged. The dashboard's
tiles, table and chart, ``GET /api/v1/targets/?as_of=`` and the monthly report all read
its ``TargetStatus``; none of them computes a trend or a verdict of its own.

* Trajectory: the straight line from (baseline FY, baseline value) to (target FY, target
  value). A fiscal year is on track when its value meets the trajectory's value for it
  (``gte``: at least; ``lte``: at most).
* Projection: a least-squares line (``Trend``) through the monthly values of the last 24
  months closed by the end of ``as_of`` (fewer if fewer exist), read at the last month of
  the target fiscal year and kept within 0…1 (every targeted metric is a fraction). The
  chart draws the same ``Trend``.
* Verdict (``state``), so that no two words on a page disagree:
  - the target's fiscal year has passed: ``met`` or ``missed``, judged on that whole
    year's value; no trajectory verdict and no projection (nothing left to project);
  - the target's own fiscal year: ``on_track`` when the year to date meets the target,
    else ``behind`` (the trend is shown but cannot outvote the year's own value);
  - before it: ``on_track`` only when the year meets the trajectory AND the trend meets
    the target (each where it has a value); ``behind`` when either does not;
  - nothing to judge (no value and no trend): ``no_data``.

Values come from ``circularity.metrics``; rates are by units, as published.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .choices import Comparison, PeriodKind, TargetState
from .metrics import metric_series, shared_series, span_value
from .models import Target
from .periods import Period, add_months, current_month, fiscal_year_of, fiscal_year_start, month_of

PROJECTION_MONTHS = 24


def baseline_value(target: Target) -> float | None:
    """The stated baseline, or the metric's value in the baseline fiscal year."""
    if target.baseline_value is not None:
        return float(target.baseline_value)
    return fiscal_year_value(target, target.baseline_fiscal_year)


def fiscal_year_value(target: Target, fiscal_year: int) -> float | None:
    """The metric's value over a whole fiscal year."""
    period = Period.fiscal_year(fiscal_year)
    return metric_series(target.metric, PeriodKind.FISCAL_YEAR, period.start, period.start)[0][1]


def fiscal_position(month: dt.date) -> float:
    """A month on the fiscal-year axis: the last month of FY n sits at n."""
    fiscal_year = fiscal_year_of(month)
    first = fiscal_year_start(fiscal_year)
    index = (month.year - first.year) * 12 + month.month - first.month
    return fiscal_year - 1 + (index + 1) / 12


def last_month_of(fiscal_year: int) -> dt.date:
    return add_months(fiscal_year_start(fiscal_year), 11)


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


def last_closed_month(as_of: dt.date) -> dt.date:
    """The last month closed by the end of ``as_of`` (and by now: the present month is open)."""
    closed = add_months(month_of(as_of + dt.timedelta(days=1)), -1)
    return min(closed, add_months(current_month(), -1))


def monthly_values(target: Target, last_month: dt.date, count: int = PROJECTION_MONTHS) -> list[tuple[dt.date, float]]:
    """The metric's value for each of the ``count`` months ending with ``last_month`` that has one."""
    first = add_months(last_month, -(count - 1))
    series = metric_series(target.metric, PeriodKind.MONTH, first, last_month)
    return [(period.start, value) for period, value in series if value is not None]


@dataclass(frozen=True)
class Trend:
    """The least-squares line through the monthly values of ``first`` … ``last`` (months)."""

    slope: float
    intercept: float
    first: dt.date
    last: dt.date

    def at(self, month: dt.date) -> float:
        """The line's value in ``month``, kept within 0…1."""
        return min(1.0, max(0.0, self.slope * fiscal_position(month) + self.intercept))


def trend(target: Target, last_month: dt.date) -> Trend | None:
    """The trend of the last 24 months ending with ``last_month`` that have a value."""
    values = monthly_values(target, last_month)
    line = least_squares([(fiscal_position(month), value) for month, value in values])
    if line is None:
        return None
    return Trend(line[0], line[1], values[0][0], values[-1][0])


@dataclass(frozen=True)
class TargetStatus:
    """Where one target stands on ``as_of``. ``state`` is the verdict every page shows."""

    target: Target
    as_of: dt.date
    fiscal_year: int
    value: float | None
    baseline: float | None
    trajectory: float | None
    on_track: bool | None
    projection: float | None
    projected_to_meet: bool | None
    state: str
    trend: Trend | None = None
    final_value: float | None = None  # the target year's whole value, once that year has passed

    @property
    def year_passed(self) -> bool:
        return self.fiscal_year > self.target.target_fiscal_year

    @property
    def state_label(self) -> str:
        return TargetState(self.state).label

    @property
    def good(self) -> bool | None:
        """For colour: True (met, on track), False (missed, behind), None (no data)."""
        if self.state == TargetState.NO_DATA:
            return None
        return self.state in (TargetState.MET, TargetState.ON_TRACK)

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
            "status": self.state,
            "final_value": self.final_value,
        }


def target_status(target: Target, as_of: dt.date) -> TargetStatus:
    """THE status of ``target`` at the end of ``as_of``.

    The value is the fiscal year containing ``as_of`` up to the end of ``as_of``'s month;
    the trend runs through the last month closed by then. The June 2022 report, the
    dashboard for FY2022 and ``?as_of=2022-06-30`` are one and the same reading.
    """
    fiscal_year = fiscal_year_of(as_of)
    baseline = baseline_value(target)
    target_value = float(target.target_value)
    if fiscal_year > target.target_fiscal_year:
        final = fiscal_year_value(target, target.target_fiscal_year)
        verdict = meets(target, final, target_value)
        state = TargetState.NO_DATA if verdict is None else TargetState.MET if verdict else TargetState.MISSED
        value = span_value(target.metric, fiscal_year_start(fiscal_year), month_of(as_of))
        return TargetStatus(
            target, as_of, fiscal_year, value, baseline, None, None, None, None, state, final_value=final
        )

    value = span_value(target.metric, fiscal_year_start(fiscal_year), month_of(as_of))
    reference = trajectory_value(target, fiscal_year, baseline)
    on_track = meets(target, value, reference)
    line = trend(target, last_closed_month(as_of))
    projected = line.at(last_month_of(target.target_fiscal_year)) if line else None
    projected_to_meet = meets(target, projected, target_value)
    # In the target year itself, the year is judged, not the trend's reading of it.
    in_target_year = fiscal_year == target.target_fiscal_year
    verdicts = [on_track] if in_target_year else [on_track, projected_to_meet]
    known = [verdict for verdict in verdicts if verdict is not None]
    state = TargetState.NO_DATA if not known else TargetState.ON_TRACK if all(known) else TargetState.BEHIND
    return TargetStatus(
        target, as_of, fiscal_year, value, baseline, reference, on_track, projected, projected_to_meet, state, line
    )


def target_statuses(as_of: dt.date, targets=None) -> list[TargetStatus]:
    """The status of each target (all of them by default); one metric's series are read once."""
    with shared_series():
        return [target_status(target, as_of) for target in (Target.objects.all() if targets is None else targets)]


def month_end(month: dt.date) -> dt.date:
    """The last day of ``month``: a monthly report reads its targets as of then."""
    return add_months(month_of(month), 1) - dt.timedelta(days=1)


def headline_status(statuses: list[TargetStatus], metric: str) -> TargetStatus | None:
    """The target a headline figure is judged against: the nearest not yet due, else the last due."""
    matching = sorted((s for s in statuses if s.target.metric == metric), key=lambda s: s.target.target_fiscal_year)
    upcoming = [status for status in matching if not status.year_passed]
    if upcoming:
        return upcoming[0]
    return matching[-1] if matching else None
