"""Reading GOV.UK form fields and mapping API errors back onto them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from portal import clock
from portal.validation import DATE_RANGE, in_date_range


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    # The id of the element the error summary links to.
    anchor: str


class FormErrors:
    """The errors of one form submission, in the order the fields appear."""

    def __init__(self, anchors: dict[str, str]) -> None:
        self._anchors = anchors
        self._errors: dict[str, FieldError] = {}

    def add(self, field: str, message: str) -> None:
        # The first message for a field wins: a parse error beats the API's "required".
        if field not in self._errors:
            self._errors[field] = FieldError(field, message, self._anchors.get(field, field))

    def add_api_errors(self, errors: list[dict[str, Any]]) -> None:
        for error in errors:
            self.add(error.get("field") or "form", error["message"])

    def __bool__(self) -> bool:
        return bool(self._errors)

    def get(self, field: str) -> str | None:
        error = self._errors.get(field)
        return error.message if error else None

    @property
    def summary(self) -> list[FieldError]:
        order = list(self._anchors)
        return sorted(
            self._errors.values(), key=lambda e: order.index(e.field) if e.field in order else len(order)
        )


# A well-formed id that matches nobody: sent when nothing was chosen, so the API still checks the rest.
NOBODY = str(uuid.UUID(int=0))
# More digits than any count a form asks for (and than GraphQL's Int holds): refused as not a number.
NUMBER_MAX_DIGITS = 6


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def date_values(prefix: str, value: str | None) -> dict[str, str]:
    """A date input's fields (prefix-day, prefix-month, prefix-year) for an ISO date, to fill a form."""
    if not value:
        return {}
    day = date.fromisoformat(value)
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


def parse_whole_number(text: str, errors: FormErrors, field: str, message: str) -> int | None:
    """A count typed into a box, like 5; anything else (empty included) adds ``message`` for ``field``."""
    text = text.strip()
    if text.isdigit() and len(text) <= NUMBER_MAX_DIGITS:
        return int(text)
    errors.add(field, message)
    return None


def parse_date(form: dict[str, str], prefix: str, label: str, errors: FormErrors, field: str) -> date | None:
    """A GOV.UK date input (prefix-day, prefix-month, prefix-year). Empty gives None without an error."""
    parts = [form.get(f"{prefix}-{part}", "").strip() for part in ("day", "month", "year")]
    if not any(parts):
        return None
    if not all(parts):
        missing = [name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part]
        errors.add(field, f"{label} must include a {' and '.join(missing)}")
        return None
    try:
        day, month, year = (int(p) for p in parts)
        if year < 1000:
            raise ValueError
        value = date(year, month, day)
    except ValueError:
        errors.add(field, f"{label} must be a real date")
        return None
    if not in_date_range(value):  # as the API's Date scalar refuses it (issue 13)
        errors.add(field, f"{label} must be {DATE_RANGE}")
        return None
    return value


def parse_time(value: str, label: str, errors: FormErrors, field: str) -> time | None:
    """A time like 14:30, 2:30pm or 9am. Empty gives None without an error."""
    text = value.strip().lower().replace(".", ":").replace(" ", "")
    if not text:
        return None
    suffix = text[-2:] if text.endswith(("am", "pm")) else ""
    text = text.removesuffix(suffix)
    try:
        hour_text, _, minute_text = text.partition(":")
        hour, minute = int(hour_text), int(minute_text or 0)
        if suffix:
            if not 1 <= hour <= 12:
                raise ValueError
            hour = hour % 12 + (12 if suffix == "pm" else 0)
        return time(hour, minute)
    except ValueError:
        errors.add(field, f"{label} must be a real time, like 14:30 or 2:30pm")
        return None


def moment(day: date | None, at: time | None) -> datetime | None:
    """When something happened, from a date and an optional time: midday if no time is given, or now if
    the date is today (so a contact logged straight after a call is not dated later in the day)."""
    if day is None:
        return None
    if at is None:
        now = datetime.now(clock.LONDON)
        return (
            now.replace(second=0, microsecond=0)
            if day == now.date()
            else clock.london_datetime(day, time(12))
        )
    return clock.london_datetime(day, at)
