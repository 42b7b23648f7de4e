"""Months and fiscal years (SPEC section 4).

A fiscal year is named after the calendar year it ends in and starts on the first day of
month ``FISCAL_YEAR_START_MONTH`` (default 7): FY2022 = 2021-07-01 … 2022-06-30. All
period boundaries are UTC: a disposition belongs to the period containing its
``decided_at`` in UTC. A month or fiscal year that is read (``parse_*``) lies in the years
``inventory.moments`` allows, 1990 … 2100.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from inventory.moments import FIRST_YEAR, LAST_YEAR

from .choices import PeriodKind

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
FISCAL_YEAR_RE = re.compile(r"^FY(\d{4})$", re.IGNORECASE)


class PeriodError(ValueError):
    """A period that cannot be read; the message says what was expected."""


def start_month() -> int:
    return settings.FISCAL_YEAR_START_MONTH


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + (month.month - 1) + count
    return dt.date(index // 12, index % 12 + 1, 1)


def month_of(moment: dt.date | dt.datetime) -> dt.date:
    """The first day of the (UTC) month containing ``moment``."""
    if isinstance(moment, dt.datetime):
        moment = moment.astimezone(dt.UTC) if timezone.is_aware(moment) else moment
    return dt.date(moment.year, moment.month, 1)


def fiscal_year_of(moment: dt.date | dt.datetime) -> int:
    month = month_of(moment)
    first = start_month()
    if first == 1:
        return month.year
    return month.year + 1 if month.month >= first else month.year


def fiscal_year_start(fiscal_year: int) -> dt.date:
    first = start_month()
    return dt.date(fiscal_year if first == 1 else fiscal_year - 1, first, 1)


def fiscal_year_months(fiscal_year: int) -> list[dt.date]:
    start = fiscal_year_start(fiscal_year)
    return [add_months(start, i) for i in range(12)]


def to_utc(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def current_month() -> dt.date:
    return month_of(timezone.now())


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from ``first`` to ``last``, both included."""
    months, month = [], month_of(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


@dataclass(frozen=True)
class Period:
    """A month or a fiscal year; ``start`` included, ``end`` excluded (dates, UTC)."""

    kind: str
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%Y-%m}"
        return f"FY{fiscal_year_of(self.start)}"

    @property
    def months(self) -> list[dt.date]:
        return months_between(self.start, add_months(self.end, -1))

    @classmethod
    def month(cls, month: dt.date) -> Period:
        month = month_of(month)
        return cls(PeriodKind.MONTH, month, add_months(month, 1))

    @classmethod
    def fiscal_year(cls, fiscal_year: int) -> Period:
        start = fiscal_year_start(fiscal_year)
        return cls(PeriodKind.FISCAL_YEAR, start, add_months(start, 12))

    def __str__(self):
        return self.label


def parse_month(text: str) -> dt.date:
    match = MONTH_RE.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise PeriodError(f"{text!r} is not a month: use YYYY-MM, e.g. 2022-01.")
    return dt.date(_year(int(match.group(1)), text), int(match.group(2)), 1)


def parse_fiscal_year(text: str) -> int:
    match = FISCAL_YEAR_RE.match(text.strip())
    if match:
        return _year(int(match.group(1)), text)
    if text.strip().isdigit() and len(text.strip()) == 4:
        return _year(int(text.strip()), text)
    raise PeriodError(f"{text!r} is not a fiscal year: use FYYYYY, e.g. FY2022.")


def _year(year: int, text: str) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(f"{text!r} is outside the years {FIRST_YEAR} … {LAST_YEAR}.")
    return year


def parse_bound(text: str, kind: str) -> dt.date:
    """A range bound for ``kind`` periods: ``YYYY-MM`` for months; ``FYYYYY`` or ``YYYY-MM``
    (the fiscal year containing that month) for fiscal years. Returns the period's start."""
    if kind == PeriodKind.MONTH:
        return parse_month(text)
    if FISCAL_YEAR_RE.match(text.strip()):
        return fiscal_year_start(parse_fiscal_year(text))
    return fiscal_year_start(fiscal_year_of(parse_month(text)))


def periods_in_range(kind: str, first: dt.date, last: dt.date) -> list[Period]:
    """The periods of ``kind`` from the one containing ``first`` to the one containing ``last``."""
    if kind == PeriodKind.MONTH:
        return [Period.month(m) for m in months_between(first, last)]
    if kind == PeriodKind.FISCAL_YEAR:
        return [Period.fiscal_year(fy) for fy in range(fiscal_year_of(first), fiscal_year_of(last) + 1)]
    raise PeriodError(f"{kind!r} is not a period: use month or fiscal_year.")
