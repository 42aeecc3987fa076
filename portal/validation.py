"""Checking input: free text from forms and the API, and the dates people give."""

from __future__ import annotations

import unicodedata
from datetime import date

from portal.errors import DomainError, ErrorCode, Problem, Problems

# The dates the portal handles, for every date and date-time it is given (issue 13). Wide enough for any
# date in a child's case: the dates of birth of anyone whose record is kept (to the 75th birthday), and
# every hearing, contact, review and deadline of the portal's lifetime. Narrow enough that nothing computed
# from a date in range can fail: a day or 100 working days later, the same moment in London or UTC (an
# offset is under a day), all stay far from Python's years 1 and 9999 and both databases' limits; and the
# bank holidays of England are known for every year involved (the ``holidays`` library computes them from
# 1872 to 2100), so working days are exact. Outside it: OUT_OF_RANGE, never an error further in.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2099, 12, 31)
DATE_RANGE = f"between {EARLIEST_DATE.day} {EARLIEST_DATE:%B %Y} and {LATEST_DATE.day} {LATEST_DATE:%B %Y}"


def in_date_range(day: date) -> bool:
    """Whether the portal handles ``day`` (for a date and time, the date as written, before any offset)."""
    return EARLIEST_DATE <= _day(day) <= LATEST_DATE


def date_range_problem(day: date, field: str | None = None) -> Problem | None:
    """OUT_OF_RANGE for a date the portal does not handle, naming the range."""
    if in_date_range(day):
        return None
    return Problem(ErrorCode.OUT_OF_RANGE, f"Dates must be {DATE_RANGE}; {day.isoformat()} is not", field)


def require_date_in_range(day: date, field: str | None = None) -> None:
    if problem := date_range_problem(day, field):
        raise DomainError([problem])


def _day(value: date) -> date:
    # A datetime is a date too, but compares only with datetimes.
    return date(value.year, value.month, value.day)


def clean(value: str) -> str:
    """Trimmed, NFC-normalised, with control characters other than newlines and tabs removed."""
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n"))
    return "".join(c for c in value if c in "\n\t" or unicodedata.category(c) != "Cc").strip()


def clean_required(problems: Problems, value: str, field: str, missing: str, max_length: int) -> str:
    """The cleaned text, with a problem added if it is empty or longer than ``max_length``."""
    text = clean(value)
    if not text:
        problems.add(ErrorCode.REQUIRED, missing, field)
    elif len(text) > max_length:
        problems.add(ErrorCode.TOO_LONG, f"This must be {max_length:,} characters or fewer", field)
    return text


def check_past_date(
    problems: Problems,
    value: date | None,
    field: str,
    *,
    missing: str,
    label: str,
    today: date,
    not_before: date | None = None,
    too_early: str = "",
) -> None:
    """A date something happened on: given, not in the future, and not before ``not_before``."""
    if value is None:
        problems.add(ErrorCode.REQUIRED, missing, field)
    elif value > today:
        problems.add(ErrorCode.DATE_IN_FUTURE, f"{label} must be today or in the past", field)
    elif not_before is not None and value < not_before:
        problems.add(ErrorCode.DATE_TOO_EARLY, too_early, field)
