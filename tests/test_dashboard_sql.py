"""The dashboards' date arithmetic in SQL agrees with portal.calendar on both databases: working days across
weekends, Christmas, Easter and the spring bank holidays, and the nearest-rank percentiles."""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from portal.calendar import working_days_between
from portal.dashboards.repository.sql import bank_holidays, bank_holidays_cte, nearest_rank
from portal.dashboards.repository.sql import working_days_between as sql_working_days
from portal.db import create_session_factory


async def _sql_working_days(
    engine: AsyncEngine, pairs: list[tuple[date, date]], first: date, last: date
) -> dict[tuple[date, date], int]:
    """Working days between each pair, counted in SQL with the bank holidays from ``first`` to ``last``."""
    table = (
        sa.values(sa.column("earlier", sa.Date), sa.column("later", sa.Date), name="pairs").data(pairs).cte()
    )
    async with create_session_factory(engine)() as session:
        dialect = session.get_bind().dialect.name
        holidays = bank_holidays_cte(dialect)
        rows = await session.execute(
            sa.select(
                table.c.earlier,
                table.c.later,
                sql_working_days(dialect, table.c.earlier, table.c.later, holidays),
            ),
            bank_holidays(first, last),
        )
        return {(date.fromisoformat(str(a)), date.fromisoformat(str(b))): n for a, b, n in rows}


async def test_working_days_between_equals_the_calendars(engine: AsyncEngine) -> None:
    picker = random.Random(11)
    first = date(2026, 11, 1)
    pairs = []
    for _ in range(300):
        earlier = first + timedelta(days=picker.randint(0, 540))
        pairs.append((earlier, earlier + timedelta(days=picker.randint(0, 60))))
    pairs.append((date(2026, 12, 24), date(2027, 1, 4)))  # Christmas, Boxing Day (observed), New Year
    found = await _sql_working_days(engine, pairs, first, first + timedelta(days=600))
    assert found == {(a, b): working_days_between(a, b) for a, b in pairs}
    assert found[(date(2026, 12, 24), date(2027, 1, 4))] == 4  # 29, 30, 31 December and 4 January


async def test_working_days_between_equals_the_calendars_over_the_portals_dates(engine: AsyncEngine) -> None:
    """Issue 13: from 1900 to 2099, the dates the portal handles. Weekdays were counted from a Monday in 2000
    and went wrong before it (SQL's division truncates towards zero); now from year 1."""
    picker = random.Random(13)
    first, last = date(1900, 1, 1), date(2099, 12, 31)
    pairs = []
    for _ in range(300):
        earlier = first + timedelta(days=picker.randint(0, (last - first).days - 800))
        pairs.append((earlier, earlier + timedelta(days=picker.randint(0, 800))))
    pairs += [(first, last), (date(1999, 12, 24), date(2000, 1, 4)), (date(1990, 2, 23), date(1990, 4, 22))]
    found = await _sql_working_days(engine, pairs, first, last)
    assert found == {(a, b): working_days_between(a, b) for a, b in pairs}


async def test_a_span_with_no_bank_holidays_is_counted(engine: AsyncEngine) -> None:
    """Issue 13: an empty list of bank holidays made an empty VALUES list, a syntax error on SQLite (the
    court papers' timings for a period starting next year)."""
    first, last = date(2027, 1, 4), date(2027, 3, 19)  # between New Year and Good Friday
    pairs = [(first, last), (first, first), (date(2027, 2, 5), date(2027, 2, 8))]
    found = await _sql_working_days(engine, pairs, first, last)
    assert found == {(a, b): working_days_between(a, b) for a, b in pairs}
    assert found[(date(2027, 2, 5), date(2027, 2, 8))] == 1


async def test_nearest_rank_percentiles(engine: AsyncEngine) -> None:
    values = [5, 1, 9, 3, 7, 2, 8, 4, 6, 10, 20]
    table = (
        sa.values(sa.column("g", sa.Integer), sa.column("v", sa.Integer), name="numbers")
        .data([(1, v) for v in values] + [(2, 4)])
        .cte()
    )
    ranks = nearest_rank(table, table.c.v, [table.c.g], "ranks")
    async with create_session_factory(engine)() as session:
        rows = (await session.execute(sa.select(ranks).order_by(ranks.c.g))).all()
    # 11 values: the median is the 6th, the 90th percentile the 10th (ceil(0.9 x 11)).
    assert [tuple(row) for row in rows] == [(1, 6, 10), (2, 4, 4)]
