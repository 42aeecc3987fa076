"""Working days in England and Wales: not weekends, not bank holidays.

The bank holidays come from the ``holidays`` library, which computes them offline for any year (including
one-off days such as 2022's Jubilee and State Funeral), so nothing needs fetching or refreshing here.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

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
    """The ``days``-th working day after ``start`` (not counting ``start``); ``start`` itself for 0."""
    day = start
    step = 1 if days >= 0 else -1
    for _ in range(abs(days)):
        day += timedelta(days=step)
        while not is_working_day(day):
            day += timedelta(days=step)
    return day


def working_days_between(start: date, end: date) -> int:
    """How many working days after ``start`` ``end`` is (negative if before): 0 for the same day."""
    if end < start:
        return -working_days_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n)))
