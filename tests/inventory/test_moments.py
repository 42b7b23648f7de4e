"""The one home for a moment (``inventory.moments``, SPEC section 2 "Time")."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from freezegun import freeze_time

from inventory import moments
from inventory.errors import MomentRefused

NOW = "2024-06-01 12:00:00"

# (text, what the refusal says): the whole class of issue 10 §1, first bullet.
NOT_MOMENTS = [
    ("0001-01-01T00:00:00+14:00", "is before 1990-01-01T00:00:00Z"),  # 1 BC in UTC: PostgreSQL cannot hold it
    ("0001-01-01T00:00:00Z", "is before 1990-01-01T00:00:00Z"),
    ("1989-12-31T23:59:59Z", "is before 1990-01-01T00:00:00Z"),
    ("1990-01-01T00:59:59+01:00", "is before 1990-01-01T00:00:00Z"),  # 1989 in UTC
    ("9999-12-31T23:59:59-14:00", "is after 2101-01-01T00:00:00Z"),  # year 10000 in UTC
    ("2024-06-01T12:06:00Z", "is in the future"),
    ("2024-06-01T12:00:00-23:00", "UTC offset beyond ±14:00"),
    ("2024-06-01T12:00:00+14:30", "UTC offset beyond ±14:00"),
    ("2024-06-01T12:00:00", "has no time zone"),
    ("2024-06-01 12:00", "has no time zone"),
    ("2024-06-01", "is a date alone"),
    ("20240601", "is a date alone"),
    ("0000-01-01T00:00:00Z", "is not an ISO 8601 date and time"),
    ("10000-01-01T00:00:00Z", "is not an ISO 8601 date and time"),
    ("2024-13-01T00:00:00Z", "is not an ISO 8601 date and time"),
    ("2024-06-01T12:00:00+24:00", "is not an ISO 8601 date and time"),
    ("soon", "is not an ISO 8601 date and time"),
    ("", "is not an ISO 8601 date and time"),
    ("2024-06-01T12:00:00.000" + "0" * 100 + "Z", "is not an ISO 8601 date and time"),
]


@freeze_time(NOW)
@pytest.mark.parametrize(("text", "reason"), NOT_MOMENTS)
def test_what_is_not_a_moment_is_refused_naming_the_field(text, reason):
    with pytest.raises(MomentRefused) as refused:
        moments.parse_moment(text, field="occurred_at")
    assert refused.value.field == "occurred_at"
    assert reason in refused.value.sentence
    assert str(refused.value).startswith("occurred_at: ")


@freeze_time(NOW)
@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2022-03-15T12:00:00Z", dt.datetime(2022, 3, 15, 12, tzinfo=dt.UTC)),
        ("2022-03-15T12:00:00+00:00", dt.datetime(2022, 3, 15, 12, tzinfo=dt.UTC)),
        ("2022-03-15 13:00+01:00", dt.datetime(2022, 3, 15, 12, tzinfo=dt.UTC)),
        ("2022-03-15T12:00:00.250Z", dt.datetime(2022, 3, 15, 12, 0, 0, 250000, tzinfo=dt.UTC)),
        ("2022-03-16T02:00:00+14:00", dt.datetime(2022, 3, 15, 12, tzinfo=dt.UTC)),
        ("2022-03-15T00:00:00-12:00", dt.datetime(2022, 3, 15, 12, tzinfo=dt.UTC)),
        ("1990-01-01T00:00:00Z", dt.datetime(1990, 1, 1, tzinfo=dt.UTC)),
        ("2024-06-01T12:05:00Z", dt.datetime(2024, 6, 1, 12, 5, tzinfo=dt.UTC)),  # clocks drift: 5 minutes
    ],
)
def test_a_moment_with_its_time_zone_in_range_is_read(text, utc):
    assert moments.parse_moment(text, field="occurred_at") == utc


def test_a_datetime_is_checked_as_text_is():
    with pytest.raises(MomentRefused, match="has no time zone"):
        moments.check_moment(dt.datetime(2022, 1, 1), field="decided_at")
    with pytest.raises(MomentRefused, match="is not a date and time"):
        moments.check_moment(None, field="decided_at")
    year_one_east = dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=14)))
    with pytest.raises(MomentRefused, match="is before 1990"):
        moments.check_moment(year_one_east, field="decided_at")


@pytest.mark.parametrize(
    "text",
    ["2101-01-01T00:00:01Z", "1989-12-31T23:59:59Z", "2024-06-01T12:00:00-23:00", "2024-06-01T12:00:00", "0000-01-01"],
)
def test_a_query_bound_holds_a_time_zone_and_stays_within_what_the_columns_hold(text):
    with pytest.raises(MomentRefused):
        moments.parse_query_bound(text, field="occurred_before")


def test_a_query_bound_may_lie_in_the_future():
    assert moments.parse_query_bound("2099-01-01T00:00:00Z", field="occurred_before").year == 2099


@freeze_time(NOW)
@pytest.mark.parametrize("text", ["0000-01-01", "10000-01-01", "1989-12-31", "2101-01-01", "2024-02-30", "soon"])
def test_a_day_lies_in_the_years_1990_to_2100(text):
    with pytest.raises(MomentRefused):
        moments.parse_day(text, field="as_of")


@freeze_time(NOW)
def test_a_day_that_happened_is_at_most_tomorrow_in_utc():
    assert moments.check_day(dt.date(2024, 6, 2), field="received_on", happened=True)
    with pytest.raises(MomentRefused, match="in the future"):
        moments.check_day(dt.date(2024, 6, 3), field="received_on", happened=True)


@pytest.mark.parametrize("year", [0, 1989, 2101, 10000])
def test_a_year_outside_1990_to_2100_is_refused(year):
    with pytest.raises(MomentRefused, match="outside the years"):
        moments.check_year(year, field="start")


@freeze_time(NOW)
def test_the_model_validators_say_the_same_in_djangos_terms():
    with pytest.raises(ValidationError, match="before 1990"):
        moments.validate_moment(dt.datetime(1980, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(ValidationError, match="in the future"):
        moments.validate_day(dt.date(2030, 1, 1))
    moments.validate_moment(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
