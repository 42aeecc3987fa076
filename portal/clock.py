"""Dates as the portal's users mean them: in England, whatever the server's time zone."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import overload
from zoneinfo import ZoneInfo

from models import utcnow

LONDON = ZoneInfo("Europe/London")


def today() -> date:
    return day_of(utcnow())


def day_of(moment: datetime) -> date:
    """The date in England of an aware moment."""
    return moment.astimezone(LONDON).date()


@overload
def in_england(value: datetime) -> datetime: ...
@overload
def in_england(value: None) -> None: ...
def in_england(value: datetime | None) -> datetime | None:
    """A datetime without an offset is taken as time in England, where the portal's users are."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=LONDON)


def london_datetime(day: date, at: time) -> datetime:
    """A wall-clock date and time in England as an aware datetime."""
    return datetime.combine(day, at, tzinfo=LONDON)
