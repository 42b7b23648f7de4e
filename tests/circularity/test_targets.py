"""Targets (SPEC section 6): shipped data, trajectory, on-track status, projection."""

import datetime as dt
from decimal import Decimal

import pytest

from circularity import targets
from circularity.models import Target
from tests.circularity.helpers import at_center, campus, dispose, utc

pytestmark = pytest.mark.django_db


def rate_target():
    return Target.objects.get(metric="reuse_recycle_rate")


def test_the_spec_targets_are_shipped_as_data():
    rate = rate_target()
    assert (rate.comparison, rate.target_value, rate.target_fiscal_year) == ("gte", Decimal("0.9"), 2030)
    assert (rate.baseline_fiscal_year, rate.baseline_value) == (2022, Decimal("0.82"))
    plastic = Target.objects.get(metric="avg_plastic_content")
    assert (plastic.comparison, plastic.target_value, plastic.target_fiscal_year) == ("lte", Decimal("0"), 2025)
    assert (plastic.baseline_fiscal_year, plastic.baseline_value) == (2021, Decimal("0.047"))


@pytest.mark.parametrize(
    ("fiscal_year", "expected"), [(2021, 0.82), (2022, 0.82), (2026, 0.86), (2030, 0.9), (2031, 0.9)]
)
def test_trajectory_is_the_straight_line_from_baseline_to_target(fiscal_year, expected):
    assert targets.trajectory_value(rate_target(), fiscal_year) == pytest.approx(expected)


def test_plastic_trajectory_falls_to_zero():
    plastic = Target.objects.get(metric="avg_plastic_content")
    assert targets.trajectory_value(plastic, 2023) == pytest.approx(0.047 / 2)


@pytest.mark.parametrize(("value", "on_track"), [(0.86, True), (0.8601, True), (0.8599, False), (None, None)])
def test_on_track_means_meeting_the_trajectory(value, on_track):
    target = rate_target()
    assert targets.meets(target, value, targets.trajectory_value(target, 2026)) is on_track


def test_lte_targets_are_met_from_below():
    plastic = Target.objects.get(metric="avg_plastic_content")
    assert targets.meets(plastic, 0.02, 0.0235) is True
    assert targets.meets(plastic, 0.03, 0.0235) is False


def test_least_squares_line():
    assert targets.least_squares([(0, 1), (1, 3), (2, 5)]) == pytest.approx((2.0, 1.0))
    assert targets.least_squares([(1, 0.5)]) == (0.0, 0.5)
    assert targets.least_squares([]) is None


def test_projection_extends_the_monthly_trend_to_the_target_year():
    """Rates rising 5 points every other month: the line reaches the cap long before FY2030."""
    _, center = campus()
    for i in range(12):
        month = dt.date(2022 + (i + 6) // 12, (i + 6) % 12 + 1, 1)
        recycled = 4 + i // 2  # of 10
        for n in range(10):
            route = "recycle" if n < recycled else "landfill"
            dispose(at_center(center), center, route, utc(month.year, month.month, 2))
    status = targets.target_status(rate_target(), dt.date(2023, 7, 15))
    assert status.projection == 1.0  # clamped: rates are fractions
    assert status.projected_to_meet is True
    assert status.fiscal_year == 2024
    assert status.value is None  # nothing yet in FY2024
    assert status.on_track is None
    fy2023 = targets.target_status(rate_target(), dt.date(2023, 6, 30))
    assert fy2023.value == pytest.approx(sum(4 + i // 2 for i in range(12)) / 120)
    assert fy2023.trajectory == pytest.approx(0.83)
    assert fy2023.on_track is False


def test_no_data_means_no_projection():
    status = targets.target_status(rate_target(), dt.date(2022, 3, 1))
    assert (status.value, status.projection, status.on_track) == (None, None, None)
    assert status.as_dict()["target_value"] == 0.9
