"""Periods, groupings, empty sets and query counts of the circularity metrics (SPEC section 4)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from circularity import metrics, periods, snapshots
from circularity.periods import Period, PeriodError
from inventory.choices import Category
from tests.circularity.helpers import at_center, campus, dispose, utc

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start_month", "moment", "fiscal_year"),
    [
        (7, utc(2022, 6, 30, 23, 59, 59), 2022),
        (7, utc(2022, 7, 1, 0, 0), 2023),
        (7, utc(2021, 7, 1, 0, 0), 2022),
        (1, utc(2022, 12, 31, 23, 59), 2022),
        (1, utc(2022, 1, 1), 2022),
        (10, utc(2022, 9, 30, 23, 59), 2022),
        (10, utc(2022, 10, 1), 2023),
    ],
)
def test_fiscal_year_is_named_after_the_year_it_ends_in(settings, start_month, moment, fiscal_year):
    settings.FISCAL_YEAR_START_MONTH = start_month
    assert periods.fiscal_year_of(moment) == fiscal_year


def test_fiscal_year_bounds_follow_the_setting(settings):
    assert (Period.fiscal_year(2022).start, Period.fiscal_year(2022).end) == (dt.date(2021, 7, 1), dt.date(2022, 7, 1))
    settings.FISCAL_YEAR_START_MONTH = 1
    assert (Period.fiscal_year(2022).start, Period.fiscal_year(2022).end) == (dt.date(2022, 1, 1), dt.date(2023, 1, 1))
    settings.FISCAL_YEAR_START_MONTH = 10
    assert Period.fiscal_year(2022).start == dt.date(2021, 10, 1)
    assert Period.fiscal_year(2022).label == "FY2022"


def test_a_moment_in_another_time_zone_belongs_to_its_utc_month():
    tokyo = dt.timezone(dt.timedelta(hours=9))
    # 2022-07-01 08:00 in Tokyo is still June 30 in UTC: FY2022.
    assert periods.fiscal_year_of(dt.datetime(2022, 7, 1, 8, 0, tzinfo=tokyo)) == 2022


@pytest.mark.parametrize("text", ["2022-13", "22-01", "January", "FY22"])
def test_bad_period_text_says_what_is_expected(text):
    with pytest.raises(PeriodError, match="use"):
        if text.startswith("FY"):
            periods.parse_fiscal_year(text)
        else:
            periods.parse_month(text)


@pytest.mark.parametrize(("start_month", "in_fy2022", "in_fy2023"), [(7, 1, 3), (1, 3, 1)])
def test_dispositions_on_the_boundary_fall_in_the_right_fiscal_year(settings, start_month, in_fy2022, in_fy2023):
    settings.FISCAL_YEAR_START_MONTH = start_month
    _, center = campus()
    boundaries = [utc(2022, 6, 30, 23, 59, 59), utc(2022, 7, 1), utc(2022, 12, 31, 23, 59, 59), utc(2023, 1, 1)]
    for moment in boundaries:
        dispose(at_center(center), center, "recycle", moment)
    fy = metrics.circularity_rows("fiscal_year", Period.fiscal_year(2022).start, Period.fiscal_year(2023).start)
    assert [row["period"] for row in fy] == ["FY2022", "FY2023"]
    assert [row["units"] for row in fy] == [in_fy2022, in_fy2023]


def test_an_empty_period_has_no_rate_not_zero():
    (row,) = metrics.circularity_rows("month", dt.date(2022, 1, 1), dt.date(2022, 1, 1))
    assert row["units"] == 0
    for rate in ("reuse_recycle_rate", "reuse_rate", "recycle_rate"):
        assert row[rate] == {"units": None, "mass": None}
    assert metrics.circularity_rows("month", dt.date(2022, 1, 1), dt.date(2022, 1, 1), "center") == []


def test_zero_mass_dispositions_give_a_units_rate_and_no_mass_rate():
    _, center = campus()
    dispose(at_center(center, category=Category.CABLE, mass_kg="0"), center, "recycle", utc(2022, 1, 5))
    (row,) = metrics.circularity_rows("month", dt.date(2022, 1, 1), dt.date(2022, 1, 1))
    assert row["reuse_recycle_rate"] == {"units": 1.0, "mass": None}


@pytest.fixture
def two_campuses():
    _, ams = campus("AMS05", "AMS-CC")
    _, dub = campus("DUB07", "DUB-CC")
    plan = [
        (ams, Category.SERVER, "20", "recycle", utc(2021, 8, 1)),
        (ams, Category.PSU, "1.5", "reuse", utc(2021, 9, 1)),
        (ams, Category.MEMORY, "0.03", "landfill", utc(2022, 2, 1)),
        (dub, Category.SERVER, "22", "resale", utc(2022, 5, 1)),
        (dub, Category.SERVER, "22", "incineration_energy_recovery", utc(2022, 5, 2)),
        (dub, Category.NIC, "0.15", "reuse", utc(2022, 7, 3)),
    ]
    for center, category, mass, route, moment in plan:
        dispose(at_center(center, category=category, mass_kg=mass, embodied="50"), center, route, moment)
    return ams, dub


@pytest.mark.parametrize("group_by", ["site", "center", "category"])
@pytest.mark.parametrize("kind", ["month", "fiscal_year"])
def test_groups_add_up_to_the_total(two_campuses, group_by, kind):
    first, last = dt.date(2021, 7, 1), dt.date(2022, 7, 1)
    totals = {row["period"]: row for row in metrics.circularity_rows(kind, first, last)}
    grouped = metrics.circularity_rows(kind, first, last, group_by)
    assert grouped
    for period, total in totals.items():
        groups = [row for row in grouped if row["period"] == period]
        assert sum(row["units"] for row in groups) == total["units"]
        assert sum(row["mass_kg"] for row in groups) == total["mass_kg"]
        assert sum(row["avoided_kgco2e"] for row in groups) == total["avoided_kgco2e"]
        assert sum(row["diverted_mass_t"] for row in groups) == total["diverted_mass_t"]


def test_group_keys_are_codes_and_categories(two_campuses):
    rows = metrics.circularity_rows("fiscal_year", dt.date(2021, 7, 1), dt.date(2021, 7, 1), "center")
    assert [(row["group"], row["units"]) for row in rows] == [("AMS-CC", 3), ("DUB-CC", 2)]
    rows = metrics.circularity_rows("fiscal_year", dt.date(2021, 7, 1), dt.date(2021, 7, 1), "category")
    assert {row["group"] for row in rows} == {"server", "psu", "memory"}


def test_closed_months_read_from_fresh_snapshots_give_the_same_rows(two_campuses):
    first, last = dt.date(2021, 7, 1), dt.date(2022, 7, 1)
    live = {g: metrics.circularity_rows("month", first, last, g) for g in (None, "site", "center", "category")}
    snapshots.rebuild_all()
    for group_by, rows in live.items():
        assert metrics.circularity_rows("month", first, last, group_by) == rows


def count_queries(function):
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


@pytest.mark.parametrize("use_snapshots", [False, True])
def test_a_fiscal_year_by_center_takes_a_fixed_number_of_queries(use_snapshots):
    _, ams = campus("AMS05", "AMS-CC")
    _, dub = campus("DUB07", "DUB-CC")

    def compute():
        return metrics.circularity_rows("fiscal_year", dt.date(2021, 7, 1), dt.date(2021, 7, 1), "center")

    counts = []
    for size in (5, 40):
        for i in range(size):
            center = ams if i % 2 else dub
            dispose(at_center(center), center, "recycle", utc(2021, 7 + i % 6, 1 + i % 27))
        if use_snapshots:
            snapshots.rebuild_all()
        counts.append(count_queries(compute))
    assert counts[0] == counts[1] <= 4
