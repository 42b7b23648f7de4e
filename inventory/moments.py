"""One home for a moment: what AssetLife accepts as the time something happened.

SPEC section 2, "Time": every moment the product accepts (``occurred_at``, ``decided_at``,
``performed_at``, ``shipped_at``, ``received_at``, ``deployed_at``, …) lies between
1990-01-01T00:00Z and five minutes after now, and carries a time zone; anything else is
refused naming the field, from every entry point. The API's fields and bulk endpoint, its
query filters, the admin's forms, the CSV import and the services all call this module,
and the models' validators and database check constraints hold the same bounds.

Decisions (docs/architecture.md, "Decisions"):

* **A moment carries its time zone.** ``Z`` or an offset such as ``+01:00``; a value
  without one (naive) is refused, and so is a date alone: "2022-03-15" does not say when.
  The admin's forms are the exception that proves the rule: the admin shows and reads
  times in its ``TIME_ZONE``, so what a person types there is in that zone.
* **Offsets within ±14:00.** Every civil time zone in use since 1990 lies between
  UTC−12:00 and UTC+14:00; ``-23:00`` is a typo, and PostgreSQL cannot read some of
  them (it refuses displacements past ±15:59).
* **1990-01-01T00:00Z ≤ moment ≤ now + 5 minutes.** Clocks of integrating systems drift
  a little; further ahead is a mistake. The bounds are checked in UTC, so a year-1 time
  with an eastern offset (1 BC in UTC, which PostgreSQL cannot store) is refused, not
  stored.
* **The database holds what it can check.** A check constraint cannot read the clock, so
  the columns hold 1990-01-01T00:00Z ≤ moment < 2101-01-01T00:00Z (``STORED_UNTIL``),
  and this module holds "not in the future".
* **Query bounds** (``?occurred_before=``) may lie in the future ("before next year") but
  not outside what the columns can hold: 1990-01-01T00:00Z … 2101-01-01T00:00Z.
* **Days, months and years** a query names (``as_of``, ``start``/``end`` months, fiscal
  years) lie in the calendar years 1990 … 2100; a day something happened (a packaging
  delivery) lies between 1990-01-01 and tomorrow in UTC (it is already tomorrow east of
  Greenwich).
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import dateparse, timezone

from .errors import MomentRefused

EARLIEST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
FUTURE_TOLERANCE = dt.timedelta(minutes=5)  # clocks of integrating systems drift a little
MAX_OFFSET = dt.timedelta(hours=14)
FIRST_YEAR, LAST_YEAR = 1990, 2100  # the calendar years a day, month or fiscal year may name
STORED_UNTIL = dt.datetime(LAST_YEAR + 1, 1, 1, tzinfo=dt.UTC)  # the columns' upper bound (excluded)
FIRST_DAY, LAST_DAY = dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31)

EXAMPLE = "2022-03-15T12:00:00Z"
MAX_TEXT = 64  # longer than any ISO 8601 date and time: not worth parsing
_DATE_ONLY = re.compile(r"^[+-]?\d{4,}-?\d{2}(-?\d{2})?$")


def parse_moment(value, *, field: str, now: dt.datetime | None = None) -> dt.datetime:
    """A moment something happened, from ISO 8601 text (or a ``datetime``); see the module doc.

    Raises ``MomentRefused`` naming ``field``. ``now`` lets a batch judge every item
    against one clock.
    """
    return check_moment(_read(value, field), field=field, now=now)


def check_moment(moment: dt.datetime | None, *, field: str, now: dt.datetime | None = None) -> dt.datetime:
    """Refuse (``MomentRefused``) a ``datetime`` that is not a moment AssetLife records."""
    utc = _utc(moment, field)
    if utc < EARLIEST:
        raise MomentRefused(field, moment, f"is before {_iso(EARLIEST)}, the earliest moment AssetLife records")
    now = now or timezone.now()
    if utc > now + FUTURE_TOLERANCE:
        raise MomentRefused(field, moment, "is in the future; name when it happened")
    return moment


def parse_query_bound(value, *, field: str) -> dt.datetime:
    """A time a query filters on: with a time zone, within what the columns can hold."""
    moment = _read(value, field)
    utc = _utc(moment, field)
    if not EARLIEST <= utc <= STORED_UNTIL:
        raise MomentRefused(field, moment, f"is outside {_iso(EARLIEST)} … {_iso(STORED_UNTIL)}")
    return moment


def check_day(day: dt.date | None, *, field: str, happened: bool = False) -> dt.date:
    """Refuse a day outside the years a query may name, or (``happened``) after tomorrow (UTC)."""
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise MomentRefused(field, day, f"is not a date; use YYYY-MM-DD, e.g. {EXAMPLE[:10]}")
    if not FIRST_DAY <= day <= LAST_DAY:
        raise MomentRefused(field, day, f"is outside {FIRST_DAY.isoformat()} … {LAST_DAY.isoformat()}")
    if happened and day > timezone.now().astimezone(dt.UTC).date() + dt.timedelta(days=1):
        raise MomentRefused(field, day, "is in the future; name the day it happened")
    return day


def parse_day(value, *, field: str, happened: bool = False) -> dt.date:
    """A calendar day, ``YYYY-MM-DD``, checked by ``check_day``."""
    text = value.strip() if isinstance(value, str) else None
    day = None
    if text and len(text) <= MAX_TEXT and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            day = None
    if day is None:
        raise MomentRefused(field, value, f"is not a date; use YYYY-MM-DD, e.g. {EXAMPLE[:10]}")
    return check_day(day, field=field, happened=happened)


def check_year(year: int, *, field: str, first: int = FIRST_YEAR, last: int = LAST_YEAR) -> int:
    """Refuse a (fiscal) year outside ``first`` … ``last``."""
    if not first <= year <= last:
        raise MomentRefused(field, year, f"is outside the years {first} … {last}")
    return year


# --- model validators: the same rules, for ModelForms, ModelSerializers and full_clean() ---


def validate_moment(value: dt.datetime) -> None:
    """Model-field validator of every moment column (a Django ``ValidationError``)."""
    try:
        check_moment(value, field="value")
    except MomentRefused as refused:
        raise ValidationError(refused.sentence, code="invalid_moment") from None


def validate_day(value: dt.date) -> None:
    """Model-field validator of a day something happened (a delivery)."""
    try:
        check_day(value, field="value", happened=True)
    except MomentRefused as refused:
        raise ValidationError(refused.sentence, code="invalid_moment") from None


def stored_range(field: str, *, day: bool = False) -> Q:
    """The condition of a column's check constraint: within what the columns hold (NULL passes)."""
    low, high = (FIRST_DAY, STORED_UNTIL.date()) if day else (EARLIEST, STORED_UNTIL)
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": low, f"{field}__lt": high})


# --- helpers ---


def _read(value, field: str) -> dt.datetime:
    """Text (or a ``datetime``) to an aware ``datetime``; refuse what is not one."""
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise MomentRefused(field, value, f"is not a date and time; send text such as {EXAMPLE}")
    text = value.strip()
    moment = None
    if 0 < len(text) <= MAX_TEXT:
        try:
            moment = dateparse.parse_datetime(text)
        except (ValueError, OverflowError):
            moment = None
    if moment is None:
        raise MomentRefused(field, value, f"is not an ISO 8601 date and time with a time zone, e.g. {EXAMPLE}")
    if _DATE_ONLY.match(text):
        raise MomentRefused(field, value, f"is a date alone; give the time and its time zone, e.g. {EXAMPLE}")
    return moment


def _utc(moment, field: str) -> dt.datetime:
    """The moment in UTC; refuse a naive one, an offset beyond ±14:00, one outside datetime's range."""
    if not isinstance(moment, dt.datetime):
        raise MomentRefused(field, moment, f"is not a date and time, e.g. {EXAMPLE}")
    offset = moment.utcoffset()
    if offset is None:
        raise MomentRefused(field, moment, "has no time zone; add Z (UTC) or an offset such as +01:00")
    if abs(offset) > MAX_OFFSET:
        raise MomentRefused(field, moment, "has a UTC offset beyond ±14:00; no time zone is that far from UTC")
    try:
        return moment.astimezone(dt.UTC)
    except (OverflowError, ValueError):  # e.g. year 1 at +14:00: 1 BC in UTC
        edge = EARLIEST if moment.year < EARLIEST.year else STORED_UNTIL
        raise MomentRefused(field, moment, f"is {'before' if edge is EARLIEST else 'after'} {_iso(edge)}") from None


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


__all__ = [
    "EARLIEST",
    "FIRST_DAY",
    "FIRST_YEAR",
    "FUTURE_TOLERANCE",
    "LAST_DAY",
    "LAST_YEAR",
    "MAX_OFFSET",
    "STORED_UNTIL",
    "check_day",
    "check_moment",
    "check_year",
    "parse_day",
    "parse_moment",
    "parse_query_bound",
    "stored_range",
    "validate_day",
    "validate_moment",
]
