"""Date arithmetic the dashboards need, written once for both databases: SQLite keeps timestamps and dates
as ISO text, PostgreSQL as timestamptz and date."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def utc_day(dialect: str, timestamp: Any) -> sa.ColumnElement[Any]:
    """The (UTC) calendar day of a timestamp column."""
    if dialect == "postgresql":
        return sa.cast(sa.func.timezone("UTC", timestamp), sa.Date)
    return sa.func.substr(timestamp, 1, 10)


def days_between(dialect: str, later: Any, earlier: Any) -> sa.ColumnElement[int]:
    """Whole calendar days from ``earlier`` to ``later`` (dates, or days from ``utc_day``)."""
    if dialect == "postgresql":
        return later - earlier  # type: ignore[no-any-return]
    return sa.cast(sa.func.julianday(later) - sa.func.julianday(earlier), sa.Integer)
