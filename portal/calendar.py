"""Working days in England and Wales: not weekends, not bank holidays.

The bank holidays come from the ``holidays`` library, which computes them offline for any year (including
one-off days such as 2022's Jubilee and State Funeral), so nothing needs fetching or refreshing here.

Counting and adding working days costs the same however long the span (issue 13: a loop over every day cost
seconds for a span of a century): weekdays are counted in closed form, and the bank holidays falling on
weekdays by bisecting each year's sorted list, with the count before each year kept; each year's list is
computed once, when first needed.
"""

from __future__ import annotations

import calendar as months
from bisect import bisect_left, bisect_right
from datetime import date, timedelta
from functools import cache, lru_cache

import holidays


@lru_cache(maxsize=1)
def _bank_holidays() -> holidays.HolidayBase:
    # England's bank holidays are also Wales's; both courts and authorities follow them.
    return holidays.country_holidays("GB", subdiv="ENG")


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays()


def bank_holiday(day: date) -> str | None:
    """The bank holiday's name, if ``day`` is one."""
    return _bank_holidays().get(day)


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (not counting ``start``); ``start`` itself for 0. For a
    negative ``days``, the working day that many working days before ``start`` (not counting ``start``)."""
    if days == 0:
        return start
    if days > 0:
        return _working_day_numbered(_working_days_through(start) + days, start)
    before = start - timedelta(days=1)
    return _working_day_numbered(_working_days_through(before) + days + 1, before)


def add_months(day: date, count: int) -> date:
    """The same day ``count`` months on, or the month's last day when it is shorter."""
    month_index = day.month - 1 + count
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, months.monthrange(year, month)[1]))


def long_date(day: date) -> str:
    """As a letter writes it: 7 December 2026."""
    return f"{day.day} {day:%B %Y}"


def working_days_between(start: date, end: date) -> int:
    """How many working days after ``start`` ``end`` is (negative if before): 0 for the same day."""
    return _working_days_through(end) - _working_days_through(start)


def weekday_bank_holidays(first: date, last: date) -> list[date]:
    """The bank holidays from ``first`` to ``last`` (both included) that fall on weekdays, in order."""
    found: list[date] = []
    for year in range(first.year, last.year + 1):
        days = _weekday_holidays_in(year)
        found += days[bisect_left(days, first) : bisect_right(days, last)]
    return found


def _weekdays_through(day: date) -> int:
    """Weekdays from 1 January of year 1 (a Monday) up to and including ``day``."""
    weeks, rest = divmod(day.toordinal(), 7)
    return 5 * weeks + min(rest, 5)


def _working_days_through(day: date) -> int:
    """A number for each day, one more on each working day than on the day before (weekdays since year 1,
    less bank holidays since 2000): only differences between two days' numbers mean anything."""
    return (
        _weekdays_through(day)
        - _holidays_before_year(day.year)
        - bisect_right(_weekday_holidays_in(day.year), day)
    )


def _working_day_numbered(number: int, near: date) -> date:
    """The working day that ``_working_days_through`` numbers ``number`` (the first day it reaches
    ``number``): a binary search outwards from ``near``, so O(log n) in how far away that day is."""
    first, last = date.min.toordinal(), date.max.toordinal()
    low = high = near.toordinal()  # widened until number(low) < number <= number(high)
    step = 8
    while _number(low) >= number:
        if low == first:
            raise OverflowError("date value out of range")  # as the day-by-day loop did
        low, step = max(first, low - step), step * 2
    step = 8
    while _number(high) < number:
        if high == last:
            raise OverflowError("date value out of range")
        high, step = min(last, high + step), step * 2
    while high - low > 1:
        middle = (low + high) // 2
        if _number(middle) >= number:
            high = middle
        else:
            low = middle
    return date.fromordinal(high)


def _number(ordinal: int) -> int:
    return _working_days_through(date.fromordinal(ordinal))


@cache  # one entry for each year asked about (at most 9,999; a few dozen in practice)
def _weekday_holidays_in(year: int) -> tuple[date, ...]:
    """The year's bank holidays that fall on weekdays, in order (none outside the library's years)."""
    if not _bank_holidays().start_year <= year <= _bank_holidays().end_year:
        return ()
    days = holidays.country_holidays("GB", subdiv="ENG", years=year)
    return tuple(sorted(day for day in days if day.weekday() < 5 and day.year == year))


# Bank holidays on weekdays from 1 January 2000 to 1 January of each year (negative before 2000), filled in
# outwards from 2000 as years are asked for, so that the usual years cost a few lookups of the library.
_BASE_YEAR = 2000
_holidays_before: dict[int, int] = {_BASE_YEAR: 0}


def _holidays_before_year(year: int) -> int:
    """Bank holidays on weekdays between 1 January 2000 and 1 January of ``year``, signed: a numbering, of
    which only differences mean anything."""
    # None before the library's first year, nor after its last, so the count stays put beyond them.
    year = min(max(year, _bank_holidays().start_year), _bank_holidays().end_year + 1)
    if year in _holidays_before:
        return _holidays_before[year]
    step = 1 if year > _BASE_YEAR else -1
    for known in range(_BASE_YEAR, year, step):
        if known + step not in _holidays_before:
            _holidays_before[known + step] = (
                _holidays_before[known] + len(_weekday_holidays_in(known))
                if step > 0
                else _holidays_before[known] - len(_weekday_holidays_in(known - 1))
            )
    return _holidays_before[year]
