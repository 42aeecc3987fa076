"""How long a concluded case is kept: the one place for the rule (PROTOCOL.md §6).

By default a case is kept until the 75th birthday of the youngest child it concerns: a looked-after child's
case record is kept that long (the Care Planning, Placement and Case Review (England) Regulations 2010,
regulation 50). A local authority may set its own rule instead, a number of years after the proceedings
concluded, for instance once the child's file is exported to its own statutory record. Open proceedings, and
a case under a legal hold, are never deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

DEFAULT_AGE = 75
KEEP_YEARS_MIN, KEEP_YEARS_MAX = 1, 100
SOURCE = (
    "The Care Planning, Placement and Case Review (England) Regulations 2010, regulation 50: a looked-after "
    "child's case record is kept until their 75th birthday."
)


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (or earlier); 29 February becomes 1 March, the later of the two, so a
    record is never deleted a day early."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def kept_until(concluded_on: date, dates_of_birth: Iterable[date], keep_years: int | None) -> date:
    """The last day a concluded case is kept under its authority's rule (``keep_years`` after it concluded,
    or by default until the youngest child's 75th birthday); it is deleted the day after."""
    if keep_years is not None:
        return add_years(concluded_on, keep_years)
    youngest = max(dates_of_birth, default=concluded_on)
    return add_years(youngest, DEFAULT_AGE)


def rule_in_words(keep_years: int | None) -> str:
    if keep_years is None:
        return f"Until the youngest child's {DEFAULT_AGE}th birthday (the default)"
    return f"{keep_years} {'year' if keep_years == 1 else 'years'} after the proceedings concluded"
