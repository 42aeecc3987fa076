"""Working days in England and Wales, pinned to known bank holidays (2020-2030 must all be right)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.calendar import add_working_days, bank_holiday, is_working_day, working_days_between


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
