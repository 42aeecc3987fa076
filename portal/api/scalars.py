"""The Date and DateTime scalars: strawberry's own (the same names, ISO 8601 in and out, a date-time without
an offset left as given, for the service to read as time in England), but a well-formed date outside the
dates the portal handles (portal.validation.DATE_RANGE) is refused with OUT_OF_RANGE as it is read, for
every argument and input field of either type, in variables and in literals alike (issue 13). A malformed
string is refused as before, by strawberry's parser."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from strawberry.schema.types.base_scalars import DateDefinition, DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition

from portal.validation import require_date_in_range


def _parse_date(value: object) -> date:
    day = _parsed(DateDefinition, value)
    if not isinstance(day, date):
        raise TypeError(f"strawberry's Date parser gave {type(day).__name__}")
    require_date_in_range(day)
    return day


def _parse_datetime(value: object) -> datetime:
    moment = _parsed(DateTimeDefinition, value)
    if not isinstance(moment, datetime):
        raise TypeError(f"strawberry's DateTime parser gave {type(moment).__name__}")
    require_date_in_range(moment)
    return moment


def _parsed(definition: ScalarDefinition, value: object) -> Any:
    if definition.parse_value is None:
        raise TypeError(f"strawberry's {definition.name} scalar has no parser")
    return definition.parse_value(value)


def _isoformat(value: date) -> str:
    return value.isoformat()


# Defined as strawberry defines its own.
Date = ScalarDefinition(
    name=DateDefinition.name,
    description=DateDefinition.description,
    specified_by_url=None,
    serialize=_isoformat,
    parse_value=_parse_date,
    parse_literal=None,
    origin=date,
)
DateTime = ScalarDefinition(
    name=DateTimeDefinition.name,
    description=DateTimeDefinition.description,
    specified_by_url=None,
    serialize=_isoformat,
    parse_value=_parse_datetime,
    parse_literal=None,
    origin=datetime,
)

# For strawberry.Schema(scalar_overrides=...): every field typed ``date`` or ``datetime`` uses these.
OVERRIDES: dict[object, ScalarDefinition] = {date: Date, datetime: DateTime}
