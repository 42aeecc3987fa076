"""Date arithmetic the dashboards need, written once for both databases: SQLite keeps timestamps and dates
as ISO text, PostgreSQL as timestamptz and date."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from portal.calendar import weekday_bank_holidays
from portal.in_list import list_param

# The columns of a CTE or subquery.
Columns = sa.ColumnCollection[str, sa.ColumnElement[Any]]
# A column or an expression of any SQL type.
Expression = sa.SQLColumnExpression[Any]


def as_uuid(value: object) -> uuid.UUID:
    """An id as the database gives it (a UUID, or its text on SQLite) as a UUID."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


# The period a section counts and the day it counts on, bound at execution (``period``), so that a statement
# is built once for every period and day (kept.py).
START = sa.bindparam("start", type_=sa.Date)
END = sa.bindparam("end", type_=sa.Date)
TODAY = sa.bindparam("today", type_=sa.Date)
# The instants the period runs from and to (the first after it), in UTC, for timestamps: typed by the column
# they are compared with.
STARTS_AT: sa.BindParameter[Any] = sa.bindparam("starts_at")
ENDS_BEFORE: sa.BindParameter[Any] = sa.bindparam("ends_before")


def period(start: date, end: date, today: date) -> dict[str, Any]:
    """The values of START, END, TODAY, STARTS_AT and ENDS_BEFORE."""
    return {
        "start": start,
        "end": end,
        "today": today,
        "starts_at": datetime.combine(start, time(0), tzinfo=UTC),
        "ends_before": datetime.combine(end + timedelta(days=1), time(0), tzinfo=UTC),
    }


# A Monday, from which weekdays are counted: long before the first date the portal handles, so that the
# counts are never negative (SQL's integer division and remainder truncate towards zero, so counting from a
# later Monday went wrong for the days before it: from 3 January 2000, as it was, for the 1990s). Not
# 1 January of year 1, though that is a Monday: asyncpg sends Python's first day as -infinity.
EPOCH_MONDAY = date(1800, 1, 6)


def utc_day(dialect: str, timestamp: Expression) -> sa.ColumnElement[Any]:
    """The (UTC) calendar day of a timestamp column."""
    if dialect == "postgresql":
        return sa.cast(sa.func.timezone("UTC", timestamp), sa.Date)
    return sa.func.substr(timestamp, 1, 10)


def days_between(dialect: str, later: Expression, earlier: Expression) -> sa.ColumnElement[int]:
    """Whole calendar days from ``earlier`` to ``later`` (dates, or days from ``utc_day``)."""
    if dialect == "postgresql":
        return later - earlier
    return sa.cast(sa.func.julianday(later) - sa.func.julianday(earlier), sa.Integer)


def earliest(dialect: str, *days: Expression) -> sa.ColumnElement[Any]:
    """The earliest of ``days`` (dates, or days from ``utc_day``)."""
    return sa.func.least(*days) if dialect == "postgresql" else sa.func.min(*days)


def count_where(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    """How many rows meet ``condition``: 0, not NULL, over no rows."""
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def nearest_rank(
    source: sa.FromClause,
    value: sa.ColumnElement[int],
    partition: Sequence[sa.ColumnElement[Any]],
    name: str,
    valued: sa.ColumnElement[bool] | None = None,
) -> sa.CTE:
    """The median (``p50``) and 90th percentile (``p90``) of ``value`` over ``source``'s rows in each
    ``partition``, by nearest rank, with window functions: one row per partition. Over the rows where
    ``value`` is not NULL: ``valued``, when given, says which those are more cheaply than ``value`` (which
    PostgreSQL would otherwise work out twice for each row, in the filter and for the ranking)."""
    ranked = (
        sa.select(
            *partition,
            value.label("value"),
            sa.func.row_number().over(partition_by=partition or None, order_by=value).label("rank"),
            sa.func.count().over(partition_by=partition or None).label("n"),
        )
        .select_from(source)
        .where(value.is_not(None) if valued is None else valued)
        .cte(f"{name}_ranked")
    )
    keys = [ranked.c[column.name] for column in partition]

    def at(rank: sa.ColumnElement[int]) -> sa.ColumnElement[int]:
        return sa.func.max(sa.case((ranked.c.rank == rank, ranked.c.value)))

    return (
        sa.select(
            *keys,
            at((ranked.c.n + 1) // 2).label("p50"),
            at((9 * ranked.c.n + 9) // 10).label("p90"),
        )
        .group_by(*keys)
        .cte(name)
    )


def _weekdays_to(dialect: str, day: Expression) -> sa.ColumnElement[int]:
    """Weekdays from EPOCH_MONDAY up to and including ``day``."""
    n = days_between(dialect, day, sa.literal(EPOCH_MONDAY, sa.Date)) + 1
    rest = n % 7
    return 5 * (n // 7) + sa.case((rest > 5, 5), else_=rest)


# The bank holidays a statement counts, bound at execution as one value (see ``bank_holidays``), so that the
# statement is the same, and cached by SQLAlchemy, whatever the span and however many there are.
HOLIDAYS = "holidays"


def bank_holidays_cte(dialect: str) -> sa.CTE:
    """England's bank holidays falling on weekdays, as a table of ``day``: those bound as HOLIDAYS."""
    days = list_param(HOLIDAYS, sa.Date())  # an array on PostgreSQL, a JSON list of ISO days on SQLite
    if dialect == "postgresql":
        return sa.select(sa.func.unnest(days).label("day")).cte("bank_holidays")
    # ISO days compare as the dates SQLite keeps (ISO text).
    listed = sa.func.json_each(days).table_valued("value")
    return sa.select(listed.c.value.label("day")).cte("bank_holidays")


def bank_holidays(first: date, last: date) -> dict[str, Any]:
    """The parameter of ``bank_holidays_cte``: the weekday bank holidays from ``first`` to ``last``."""
    return {HOLIDAYS: weekday_bank_holidays(first, last)}


def working_days_between(
    dialect: str, earlier: Expression, later: Expression, holidays: sa.CTE
) -> sa.ColumnElement[int]:
    """Working days after ``earlier`` up to ``later`` (as portal.calendar.working_days_between, for
    ``later`` not before ``earlier``): weekdays by arithmetic, less the bank holidays between."""
    between = (
        sa.select(sa.func.count())
        .select_from(holidays)
        .where(holidays.c.day > earlier, holidays.c.day <= later)
        .scalar_subquery()
    )
    return _weekdays_to(dialect, later) - _weekdays_to(dialect, earlier) - between
