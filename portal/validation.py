"""Checking input: free text from forms and the API, and the dates people give."""

from __future__ import annotations

import unicodedata
from datetime import date

from portal.errors import ErrorCode, Problems


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
