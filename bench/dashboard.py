"""The national dashboard and the case view on England-sized synthetic data, on SQLite and PostgreSQL, each
reported as a ratio to one hand-written SQL query producing the same numbers.

    .venv/bin/python bench/dashboard.py --scale 1 --db sqlite --db postgresql

For each database it generates the data (`portal.synth`, timed), then times, best of five: the adherence
dashboard by local authority for the Cafcass manager of the largest service area (`portal.dashboards`), and
one hand-written query computing the same opened / met on time / met late / open / overdue counts; and the
case view (the CaseView operation through the schema) of the busiest case against a hand-written query
reading the same rows. It checks the two give the same figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models import Person, PersonRole, Role  # noqa: E402
from portal import clock  # noqa: E402
from portal.api.context import Context  # noqa: E402
from portal.api.schema import schema  # noqa: E402
from portal.auth.actor import Via  # noqa: E402
from portal.auth.service import actor_for_person  # noqa: E402
from portal.dashboards.adherence import GroupBy, adherence  # noqa: E402
from portal.db import UnitOfWork, create_engine, create_session_factory  # noqa: E402
from portal.migrations import upgrade  # noqa: E402
from portal.settings import Settings  # noqa: E402
from portal.synth import generate  # noqa: E402
from portal.web.operations import load_operations  # noqa: E402

HAND_WRITTEN = """
SELECT p.local_authority_id, o.code, count(*),
       sum(CASE WHEN o.state = 'met' AND {late} <= 0 THEN 1 ELSE 0 END),
       sum(CASE WHEN o.state = 'met' AND {late} > 0 THEN 1 ELSE 0 END),
       sum(CASE WHEN o.state = 'open' THEN 1 ELSE 0 END),
       sum(CASE WHEN o.state = 'open' AND o.due_on < :today THEN 1 ELSE 0 END)
FROM obligation o JOIN proceedings p ON p.id = o.proceedings_id
JOIN organisation c ON c.id = p.court_id
WHERE (c.service_area_id = :area OR EXISTS (
         SELECT 1 FROM case_membership m JOIN person g ON g.id = m.person_id
         WHERE m.proceedings_id = p.id AND m.role = 'guardian' AND m.ended_at IS NULL
           AND g.organisation_id = :area))
  AND o.opened_at >= :start AND o.opened_at < :end
GROUP BY p.local_authority_id, o.code
"""
LATE = {
    "sqlite": "CAST(julianday(substr(o.closed_at, 1, 10)) - julianday(o.due_on) AS INTEGER)",
    "postgresql": "(CAST(timezone('UTC', o.closed_at) AS DATE) - o.due_on)",
}
CASE_ROWS = """
SELECT count(*) FROM (
  SELECT id FROM contact WHERE proceedings_id = :case UNION ALL
  SELECT id FROM obligation WHERE proceedings_id = :case UNION ALL
  SELECT m.id FROM case_membership m WHERE m.proceedings_id = :case UNION ALL
  SELECT child_id FROM proceedings_child WHERE proceedings_id = :case
) AS everything
"""


async def best(work: Callable[[], Awaitable[object]], runs: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = await work()
        times.append(time.perf_counter() - started)
    return min(times), result


async def measure(url: str, scale: float) -> dict[str, object]:
    engine = create_engine(url)
    await upgrade(engine)
    sessions = create_session_factory(engine)
    today = clock.today()
    dialect = engine.dialect.name
    started = time.perf_counter()
    async with sessions() as session, session.begin():
        summary = await generate(session, scale=scale, today=today)
    generated = time.perf_counter() - started
    async with sessions() as session:
        area, manager_id = (
            await session.execute(
                sa.select(Person.organisation_id, Person.id)
                .join(PersonRole)
                .where(PersonRole.role == Role.CAFCASS_MANAGER)
                .limit(1)
            )
        ).one()
        # The busiest case in the manager's scope (by its court's service area).
        busiest = (
            await session.execute(
                sa.text(
                    "SELECT k.proceedings_id FROM contact k JOIN proceedings p ON p.id = k.proceedings_id "
                    "JOIN organisation c ON c.id = p.court_id WHERE c.service_area_id = :area "
                    "GROUP BY k.proceedings_id ORDER BY count(*) DESC LIMIT 1"
                ),
                {"area": area if dialect == "postgresql" else area.hex},
            )
        ).scalar_one()
        actor = await actor_for_person(session, manager_id, via=Via.API)
    assert actor is not None
    start, end = today - timedelta(days=365), today

    async def dashboard() -> object:
        async with sessions() as session:
            return await adherence(
                session, actor, start=start, end=end, by=GroupBy.LOCAL_AUTHORITY, today=today
            )

    async def by_hand() -> object:
        async with sessions() as session:
            from datetime import UTC, datetime
            from datetime import time as at

            params = {
                "today": today,
                "area": area if dialect == "postgresql" else area.hex,
                "start": datetime.combine(start, at(0), tzinfo=UTC)
                if dialect == "postgresql"
                else f"{start} 00:00:00.000000",
                "end": datetime.combine(end + timedelta(days=1), at(0), tzinfo=UTC)
                if dialect == "postgresql"
                else f"{end + timedelta(days=1)} 00:00:00.000000",
            }
            return (await session.execute(sa.text(HAND_WRITTEN.format(late=LATE[dialect])), params)).all()

    dashboard_seconds, lines = await best(dashboard)
    hand_seconds, rows = await best(by_hand)
    ours = sorted(
        (line.group_id.hex, line.code, line.opened, line.met_on_time, line.met_late, line.open, line.overdue)
        for line in lines
    )  # type: ignore[union-attr]
    theirs = sorted((uuid.UUID(str(r[0])).hex, r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows)  # type: ignore[union-attr]
    assert ours == theirs, "the dashboard and the hand-written query disagree"

    document = load_operations()["CaseView"]
    settings = Settings(database_url=url)

    async def case_view() -> object:
        async with sessions() as session:
            uow = UnitOfWork(session)
            viewer = await uow.run(lambda s: actor_for_person(s, manager_id, via=Via.API))
            result = await schema.execute(
                document,
                variable_values={"id": str(busiest)},
                context_value=Context(settings=settings, uow=uow, actor=viewer),
                operation_name="CaseView",
            )
            await uow.settle()
            await session.rollback()
            assert not result.errors, result.errors
            return result.data

    async def case_by_hand() -> object:
        async with sessions() as session:
            key = busiest if dialect == "postgresql" else uuid.UUID(str(busiest)).hex
            return (await session.execute(sa.text(CASE_ROWS), {"case": key})).scalar_one()

    view_seconds, _ = await best(case_view)
    case_hand_seconds, _ = await best(case_by_hand)
    await engine.dispose()
    return {
        "database": dialect,
        "generated": {
            "seconds": round(generated, 1),
            **{k: v for k, v in vars(summary).items() if k != "counts"},
        },
        "dashboard_ms": round(dashboard_seconds * 1000, 1),
        "dashboard_hand_written_ms": round(hand_seconds * 1000, 1),
        "dashboard_ratio": round(dashboard_seconds / hand_seconds, 2),
        "case_view_ms": round(view_seconds * 1000, 1),
        "case_view_hand_written_ms": round(case_hand_seconds * 1000, 1),
        "case_view_ratio": round(view_seconds / case_hand_seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    results = []
    for database in args.db or ["sqlite", "postgresql"]:
        with contextlib.ExitStack() as stack:
            if database == "sqlite":
                folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="portal-bench-")))
                url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
            else:
                from tests.support.postgres import throwaway_cluster

                url = stack.enter_context(throwaway_cluster("bench"))
            results.append(asyncio.run(measure(url, args.scale)))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
