"""Working days in England and Wales, pinned to known bank holidays (2020-2030 must all be right)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from portal import calendar
from portal.calendar import (
    add_working_days,
    bank_holiday,
    is_working_day,
    weekday_bank_holidays,
    working_days_between,
)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2020, 4, 10), "Good Friday"),
        (date(2020, 4, 13), "Easter Monday"),
        (date(2020, 5, 8), "May Day"),  # moved for the 75th anniversary of VE Day
        (date(2022, 6, 3), "Platinum Jubilee of Elizabeth II"),
        (date(2022, 9, 19), "State Funeral of Queen Elizabeth II"),
        (date(2023, 5, 8), "Coronation of Charles III"),
        (date(2026, 4, 3), "Good Friday"),
        (date(2026, 4, 6), "Easter Monday"),
        (date(2026, 5, 25), "Spring Bank Holiday"),  # the late May bank holiday
        (date(2026, 8, 31), "Late Summer Bank Holiday"),
        (date(2026, 12, 28), "Boxing Day (observed)"),  # Boxing Day falls on a Saturday: the substitute day
        (date(2027, 12, 27), "Christmas Day (observed)"),
        (date(2027, 12, 28), "Boxing Day (observed)"),
        (date(2030, 4, 22), "Easter Monday"),
        (date(2030, 8, 26), "Late Summer Bank Holiday"),
    ],
)
def test_known_bank_holidays_are_not_working_days(day: date, name: str) -> None:
    assert bank_holiday(day) == name
    assert not is_working_day(day)


def test_weekends_are_not_working_days_and_ordinary_weekdays_are() -> None:
    assert [is_working_day(date(2026, 11, d)) for d in range(16, 23)] == [True] * 5 + [False] * 2
    assert bank_holiday(date(2026, 11, 18)) is None


def test_counting_working_days_skips_weekends_and_bank_holidays() -> None:
    # From Thursday 2 April 2026, five working days: not Good Friday, the weekend or Easter Monday.
    assert add_working_days(date(2026, 4, 2), 5) == date(2026, 4, 13)
    assert add_working_days(date(2026, 4, 2), 0) == date(2026, 4, 2)
    # Ten working days before a review on Tuesday 1 September 2026 skips the August bank holiday.
    assert add_working_days(date(2026, 9, 1), -10) == date(2026, 8, 17)
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 13)) == 5
    assert working_days_between(date(2026, 4, 13), date(2026, 4, 2)) == -5
    assert working_days_between(date(2026, 12, 24), date(2026, 12, 29)) == 1


def _naive_add(start: date, days: int) -> date:
    """The definition, a day at a time (what the calendar computed before issue 13)."""
    day, step = start, 1 if days >= 0 else -1
    for _ in range(abs(days)):
        day += timedelta(days=step)
        while not is_working_day(day):
            day += timedelta(days=step)
    return day


def _naive_between(start: date, end: date) -> int:
    if end < start:
        return -_naive_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n)))


def _spans(seed: int, count: int) -> list[tuple[date, date, int]]:
    """Random spans from 1865 to 2110 (the library knows bank holidays from 1872 to 2100): a start, an end
    up to three years either side, and a number of working days to add, up to 400 either way; and the
    spans around New Year, Easter, the one-off days and the library's first and last years."""
    picker = random.Random(seed)
    spans = []
    for _ in range(count):
        start = date(1865, 1, 1) + timedelta(days=picker.randint(0, 245 * 365))
        spans.append((start, start + timedelta(days=picker.randint(-1100, 1100)), picker.randint(-400, 400)))
    for start in (
        date(1871, 12, 20),  # the first year with bank holidays
        date(1999, 12, 24),  # the Millennium: 27, 28 and 31 December and 3 January
        date(2020, 4, 8),
        date(2022, 5, 30),  # the Platinum Jubilee
        date(2022, 9, 16),  # the State Funeral
        date(2026, 12, 24),
        date(2100, 12, 20),  # the last year with bank holidays
    ):
        for offset in (-12, -3, -1, 0, 1, 3, 12):
            spans.append((start, start + timedelta(days=offset * 7 + 1), offset))
            spans.append((start + timedelta(days=offset), start, -offset))
    return spans


@pytest.mark.parametrize("seed", range(4))
def test_counting_and_adding_agree_with_the_day_by_day_definition(seed: int) -> None:
    """Issue 13: working days are counted in closed form and by bisecting the bank holidays, no longer a
    day at a time; over many spans, across years and bank holidays, the answers are the definition's."""
    for start, end, days in _spans(seed, 400):
        assert working_days_between(start, end) == _naive_between(start, end), (start, end)
        assert add_working_days(start, days) == _naive_add(start, days), (start, days)
        # The day reached is a working day; counting comes back (going back from a day off, one short).
        reached = add_working_days(start, days)
        assert days == 0 or is_working_day(reached)
        assert working_days_between(start, reached) == days + (days < 0 and not is_working_day(start))


def test_the_weekday_bank_holidays_of_a_span() -> None:
    first, last = date(2021, 11, 3), date(2023, 5, 8)
    every_day = (first + timedelta(days=n) for n in range((last - first).days + 1))
    assert weekday_bank_holidays(first, last) == [d for d in every_day if d.weekday() < 5 and bank_holiday(d)]
    assert weekday_bank_holidays(date(2027, 1, 2), date(2027, 3, 25)) == []
    assert weekday_bank_holidays(date(2028, 1, 1), date(2027, 1, 1)) == []


def test_a_long_span_costs_no_more_than_a_short_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 13: counting two centuries of working days looks at no day on its own, and finds the day so
    many working days away in a few dozen steps (a binary search), not one step a day."""
    steps = 0
    through = calendar._working_days_through

    def counted(day: date) -> int:
        nonlocal steps
        steps += 1
        return through(day)

    def no_day_by_day(_day: date) -> bool:
        raise AssertionError("a day looked at on its own")

    monkeypatch.setattr(calendar, "_working_days_through", counted)
    monkeypatch.setattr(calendar, "is_working_day", no_day_by_day)
    monkeypatch.setattr(calendar, "bank_holiday", no_day_by_day)
    first, last = date(1900, 1, 1), date(2099, 12, 31)  # both working days
    total = working_days_between(first, last)
    assert steps == 2
    assert add_working_days(first, total) == last
    assert add_working_days(last, -total) == first
    assert steps < 2 + 2 * 4 * 17  # log2 of the 73,000 days, for widening and halving, each way
