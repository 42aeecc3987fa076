"""The national dashboards and the case view on England-sized synthetic data, on SQLite and PostgreSQL, each
reported as a ratio to hand-written SQL producing the same numbers.

    .venv/bin/python bench/dashboard.py --scale 1 --db sqlite --db postgresql

For each database it generates the data (`portal synth`, timed), then, best of three:

- every section of the dashboard (adherence by authority, Table 1, the 26-week tracker, handovers, court
  paper timings) for the Cafcass manager of every service area in turn, and IRO workload for the IRO manager
  of every authority: the whole country, manager by manager, against one hand-written query per section and
  manager (bench/hand_written.py), checking that each gives the same figures;
- the case view (the CaseView operation through the schema, with its audit) of the busiest case, against one
  query counting its rows and against hand-written queries fetching the rows it shows;
- the indexes each section's statements use at this scale (EXPLAIN on the same statements).
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
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import hand_written as hand  # noqa: E402

from models import LegalStatus, Person, PersonRole, Proceedings, Role  # noqa: E402
from portal import clock  # noqa: E402
from portal.access.repository import managed_cases  # noqa: E402
from portal.api.context import Context  # noqa: E402
from portal.api.documents import load_operations  # noqa: E402
from portal.api.schema import schema  # noqa: E402
from portal.auth.actor import Actor, Via  # noqa: E402
from portal.auth.service import actor_for_person  # noqa: E402
from portal.dashboards import service as dashboards  # noqa: E402
from portal.dashboards.adherence import GroupBy  # noqa: E402
from portal.db import UnitOfWork, create_engine, create_session_factory  # noqa: E402
from portal.migrations import upgrade  # noqa: E402
from portal.reviews.schedule import standing  # noqa: E402
from portal.settings import Settings  # noqa: E402
from portal.synth import generate  # noqa: E402
from tests.support.plans import indexes_used, plan, statements  # noqa: E402

PERIOD_DAYS = 182
SECTIONS = ("adherence", "table1", "tracker", "handovers", "papers", "disputes", "workload")


async def best(work: Callable[[], Awaitable[object]], runs: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = await work()
        times.append(time.perf_counter() - started)
    return min(times), result


def _ours(section: str, actor: Actor, start: date, today: date) -> Callable[[Any], Awaitable[Any]]:
    """The portal's computation of a section, for one manager, reduced to comparable figures."""

    async def run(session: Any) -> Any:
        if section == "adherence":
            lines = await dashboards.adherence(
                session, actor, start=start, end=today, by=GroupBy.LOCAL_AUTHORITY, today=today
            )
            return sorted(
                (
                    str(x.group_id),
                    x.code,
                    x.opened,
                    x.met_on_time,
                    x.met_late,
                    x.open,
                    x.overdue,
                    x.late_median_days,
                    x.late_p90_days,
                )
                for x in lines
            )
        if section == "table1":
            found = await dashboards.table1(session, actor, start=start, end=today, today=today)
            guardian, iro, final = found
            return (
                guardian.cases,
                guardian.always_or_mostly,
                guardian.sometimes,
                guardian.rarely_or_never,
                iro.always_or_mostly,
                iro.sometimes,
                iro.rarely_or_never,
                final.always_or_mostly,
                final.rarely_or_never,
            )
        if section == "tracker":
            found = await dashboards.tracker(session, actor, today)
            return (
                *(count for _, count in found.buckets),
                found.extended,
                [str(x[0]) for x in found.at_risk],
            )
        if section == "handovers":
            return tuple(
                vars(await dashboards.handovers(session, actor, start=start, end=today, today=today)).values()
            )
        if section == "papers":
            return tuple(
                vars(await dashboards.papers(session, actor, start=start, end=today, today=today)).values()
            )
        if section == "disputes":
            found = await dashboards.disputes(session, actor, start=start, end=today, today=today)
            stages = dict(found.resolved_at_stage)
            return (
                found.opened,
                found.fast_tracked,
                found.resolved,
                found.resolved_informally,
                *(stages.get(n, 0) for n in range(1, 11)),
                found.resolved_within_limit,
                found.resolved_beyond_limit,
                found.open,
                found.open_beyond_limit,
                found.referrals_made,
                found.referrals_open,
                found.referrals_overdue,
                *(count for _, count in found.referral_outcomes),
            )
        loads = await dashboards.iro_workload(session, actor, today)
        return sorted((str(x.iro_id), x.children, x.in_proceedings, x.overdue_reviews) for x in loads)

    return run


def _theirs(
    section: str, d: hand.Dialect, actor: Actor, start: date, today: date
) -> Callable[[Any], Awaitable[Any]]:
    """The hand-written query for the same section and manager, reduced the same way."""
    sql: Any = {
        "adherence": hand.adherence(d),
        "table1": hand.table1(d),
        "tracker": hand.tracker(d),
        "handovers": hand.handovers(d),
        "papers": hand.papers(d, start, today),
        "disputes": hand.disputes(d),
        "workload": hand.WORKLOAD,
    }[section]
    org = d.uuid(actor.organisation_id)
    params = {**d.period(start, today, today), "area": org, "authority": org}

    def params_for(query: str) -> dict[str, Any]:
        return {name: value for name, value in params.items() if f":{name}" in query}

    async def run(session: Any) -> Any:
        if section == "tracker":
            at_risk = [
                str(uuid.UUID(str(r[0]))) for r in await session.execute(sa.text(sql[1]), params_for(sql[1]))
            ]
            return (
                *(n or 0 for n in (await session.execute(sa.text(sql[0]), params_for(sql[0]))).one()),
                at_risk,
            )
        rows = (await session.execute(sa.text(sql), params_for(sql))).all()
        if section == "adherence":
            return sorted((str(uuid.UUID(str(r[0]))), *r[1:]) for r in rows)
        if section == "workload":
            late = await _late_children(session, params_for(hand.WORKLOAD_CHILDREN), today)
            return sorted(
                (str(uuid.UUID(str(r[0]))), *r[1:], len(late.get(uuid.UUID(str(r[0])), ()))) for r in rows
            )
        if section == "disputes":
            return tuple(value or 0 for value in rows[0])
        return tuple(0 if value is None and n < 6 else value for n, value in enumerate(rows[0]))

    return run


def _day(value: Any) -> date | None:
    """A date as either database gives it (ISO text on SQLite)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


async def _late_children(session: Any, params: dict[str, Any], today: date) -> dict[uuid.UUID, set[Any]]:
    """For each IRO, the children whose next review is late, from the hand-written rows, by the case page's
    rule (portal/reviews/schedule.py)."""
    reviews: dict[tuple[str, str], list[tuple[date, date | None]]] = defaultdict(list)
    for case, child, booked, held in await session.execute(sa.text(hand.WORKLOAD_REVIEWS), params):
        reviews[(str(case), str(child))].append((_day(booked), _day(held)))
    late: dict[uuid.UUID, set[Any]] = defaultdict(set)
    for iro, case, child, status, since in await session.execute(sa.text(hand.WORKLOAD_CHILDREN), params):
        looked_after = LegalStatus(status).is_looked_after and since is not None
        if looked_after and standing(_day(since), reviews[(str(case), str(child))], today).late:
            late[uuid.UUID(str(iro))].add(child)
    return late


async def measure(url: str, scale: float) -> dict[str, object]:
    engine = create_engine(url)
    await upgrade(engine)
    sessions = create_session_factory(engine)
    today = clock.today()
    start = today - timedelta(days=PERIOD_DAYS)
    d = hand.Dialect(engine.dialect.name)
    started = time.perf_counter()
    async with sessions() as session, session.begin():
        summary = await generate(session, scale=scale, today=today)
    generated = time.perf_counter() - started

    async with sessions() as session:
        managers: dict[Role, list[Actor]] = {Role.CAFCASS_MANAGER: [], Role.IRO_MANAGER: []}
        for role, people in managers.items():
            ids = (
                await session.execute(sa.select(Person.id).join(PersonRole).where(PersonRole.role == role))
            ).scalars()
            for person_id in list(ids):
                actor = await actor_for_person(session, person_id, via=Via.API)
                assert actor is not None
                people.append(actor)

    results: dict[str, dict[str, Any]] = {}
    for section in SECTIONS:
        who = managers[Role.IRO_MANAGER if section == "workload" else Role.CAFCASS_MANAGER]

        async def ours_all(section: str = section, who: list[Actor] = who) -> list[Any]:
            found = []
            for actor in who:
                async with sessions() as session:
                    found.append(await _ours(section, actor, start, today)(session))
            return found

        async def theirs_all(section: str = section, who: list[Actor] = who) -> list[Any]:
            found = []
            for actor in who:
                async with sessions() as session:
                    found.append(await _theirs(section, d, actor, start, today)(session))
            return found

        our_seconds, our_figures = await best(ours_all)
        their_seconds, their_figures = await best(theirs_all)
        assert our_figures == their_figures, f"{section}: the portal and the hand-written query disagree"
        async with statements(engine) as seen, sessions() as session:
            await _ours(section, who[0], start, today)(session)
        used: set[str] = set()
        for statement, parameters in seen:
            used |= indexes_used(await plan(engine, statement, parameters, analyse=True))
        results[section] = {
            "managers": len(who),
            "portal_ms": round(our_seconds * 1000, 1),
            "hand_written_ms": round(their_seconds * 1000, 1),
            "ratio": round(our_seconds / their_seconds, 2),
            "indexes_used": sorted(used),
        }
    national = sum(r["portal_ms"] for r in results.values())
    national_by_hand = sum(r["hand_written_ms"] for r in results.values())

    async with sessions() as session:
        busiest = (
            await session.execute(
                sa.text("SELECT proceedings_id FROM contact GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
            )
        ).scalar_one()
    case_id = uuid.UUID(str(busiest))
    viewer = await _manager_of(sessions, managers[Role.CAFCASS_MANAGER], case_id)
    document = load_operations()["CaseView"]
    settings = Settings(database_url=url)

    async def case_view() -> object:
        async with sessions() as session:
            uow = UnitOfWork(session)
            result = await schema.execute(
                document,
                variable_values={"id": str(case_id)},
                context_value=Context(settings=settings, uow=uow, actor=viewer),
                operation_name="CaseView",
            )
            await uow.settle()
            await session.rollback()
            assert not result.errors, result.errors
            return result.data

    async def case_rows() -> object:
        async with sessions() as session:
            return [
                (await session.execute(sa.text(sql), {"case": d.uuid(case_id)})).all()
                for sql in hand.CASE_ROWS
            ]

    async def case_count() -> object:
        async with sessions() as session:
            return (await session.execute(sa.text(hand.CASE_COUNT), {"case": d.uuid(case_id)})).scalar_one()

    view_seconds, _ = await best(case_view, runs=5)
    rows_seconds, _ = await best(case_rows, runs=5)
    count_seconds, _ = await best(case_count, runs=5)
    await engine.dispose()
    return {
        "database": d.name,
        "generated": {
            "seconds": round(generated, 1),
            **{k: v for k, v in vars(summary).items() if k != "counts"},
        },
        "national_dashboard": {
            "portal_ms": round(national, 1),
            "hand_written_ms": round(national_by_hand, 1),
            "ratio": round(national / national_by_hand, 2),
            "sections": results,
        },
        "case_view": {
            "portal_ms": round(view_seconds * 1000, 1),
            "hand_written_rows_ms": round(rows_seconds * 1000, 1),
            "ratio_to_rows": round(view_seconds / rows_seconds, 2),
            "one_count_query_ms": round(count_seconds * 1000, 2),
            "ratio_to_count": round(view_seconds / count_seconds, 1),
        },
    }


async def _manager_of(sessions: Any, managers: list[Actor], case_id: uuid.UUID) -> Actor:
    """The manager whose scope holds the case."""
    for actor in managers:
        async with sessions() as session:
            stmt = sa.select(Proceedings.id).where(Proceedings.id == case_id, managed_cases(actor))
            if await session.scalar(stmt) is not None:
                return actor
    raise LookupError(case_id)


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
