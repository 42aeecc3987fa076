"""The measured Table 1: each set of proceedings counted in the research's categories by the share of its
30-day periods (from the guardian's allocation to the earliest of the conclusion, the period's end and today)
in which each side initiated contact, and the final discussion held or not; within scope, and only where the
protocol applies and a guardian has been allocated (issue 18)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models import (
    CaseMembership,
    CaseRole,
    Channel,
    Contact,
    Discussion,
    DiscussionKind,
    DiscussionMode,
    LegalStatus,
    Proceedings,
    Purpose,
    Side,
    Stage,
    StageChange,
)
from portal import clock
from portal.dashboards.service import table1
from portal.db import create_session_factory
from tests.support.world import World


async def _contacts(
    engine: AsyncEngine, world: World, case_id: uuid.UUID, side: Side, days: list[int]
) -> None:
    async with create_session_factory(engine)() as session, session.begin():
        case = await session.get(Proceedings, case_id)
        assert case is not None
        sender, receiver = ("guardian", "iro") if side is Side.GUARDIAN else ("iro", "guardian")
        for day in days:
            session.add(
                Contact(
                    proceedings_id=case_id,
                    from_person_id=world.id(sender),
                    to_person_id=world.id(receiver),
                    initiated_by=side,
                    occurred_at=datetime.combine(case.issued_on + timedelta(days=day), time(10), tzinfo=UTC),
                    channel=Channel.EMAIL,
                    purpose=Purpose.COURT_UPDATE,
                    summary="An update.",
                    recorded_by_id=world.id(sender),
                )
            )


async def _allocated(engine: AsyncEngine, case_id: uuid.UUID, days_after_issue: int) -> None:
    """The guardian's allocation moved to ``days_after_issue`` (the world allocates today)."""
    async with create_session_factory(engine)() as session, session.begin():
        case = await session.get(Proceedings, case_id)
        assert case is not None
        at = datetime.combine(case.issued_on + timedelta(days=days_after_issue), time(9), tzinfo=UTC)
        await session.execute(
            sa.update(CaseMembership)
            .where(CaseMembership.proceedings_id == case_id, CaseMembership.role == CaseRole.GUARDIAN)
            .values(started_at=at)
        )


async def _measured(
    engine: AsyncEngine, world: World, start: date, end: date
) -> dict[str, tuple[int, int, int, int]]:
    actor = await world.actor("cafcass_manager")
    async with create_session_factory(engine)() as session:
        return {
            m.question: (m.cases, m.always_or_mostly, m.sometimes, m.rarely_or_never)
            for m in await table1(session, actor, start=start, end=end, today=clock.today())
        }


async def test_each_set_of_proceedings_falls_in_the_research_categories(
    world: World, engine: AsyncEngine
) -> None:
    today = clock.today()
    # Issued 119 days ago: four 30-day periods (days 0-29, 30-59, 60-89, 90-119).
    steady = await world.open_case(issued_weeks_ago=17)
    patchy = await world.open_case(issued_weeks_ago=17)
    silent = await world.open_case(issued_weeks_ago=17)
    for case_id in (steady, patchy, silent):
        await _allocated(engine, case_id, 0)  # allocated on the day of issue
    await _contacts(engine, world, steady, Side.GUARDIAN, [1, 31, 61, 62, 91])  # 4 of 4 periods
    await _contacts(engine, world, steady, Side.IRO, [40])  # 1 of 4
    await _contacts(engine, world, patchy, Side.GUARDIAN, [5, 70])  # 2 of 4
    await _contacts(engine, world, patchy, Side.IRO, [5, 35, 65])  # 3 of 4
    async with create_session_factory(engine)() as session, session.begin():
        for case_id, discussed in ((steady, True), (patchy, False)):
            session.add(StageChange(proceedings_id=case_id, stage=Stage.CONCLUDED, changed_on=today))
            if discussed:
                session.add(
                    Discussion(
                        proceedings_id=case_id,
                        kind=DiscussionKind.FINAL_DISCUSSION,
                        held_on=today,
                        mode=DiscussionMode.PHONE,
                        guardian_id=world.id("guardian"),
                        iro_id=world.id("iro"),
                        summary="The final plan.",
                        recorded_by_id=world.id("iro"),
                    )
                )
    outside = await world.open_case(court="other_court", guardian=None, issued_weeks_ago=17)
    await world.allocate(outside, "other_guardian", manager="other_cafcass_manager")
    await _allocated(engine, outside, 0)
    measured = await _measured(engine, world, today - timedelta(days=200), today)
    assert measured == {
        # steady: 100%; patchy: 50%; silent: 0%. The case elsewhere is not counted.
        "guardian_contacts_iro": (3, 1, 1, 1),
        # steady: 25% (sometimes); patchy: 75% (always or mostly); silent: 0%.
        "iro_contacts_guardian": (3, 1, 1, 1),
        # Two concluded in the period; one had its final discussion.
        "final_discussion": (2, 1, 0, 1),
    }
    assert silent


async def test_only_allocated_proceedings_where_the_protocol_applies_are_counted_to_today(
    world: World, engine: AsyncEngine
) -> None:
    """An open case measures the same whether the period ends today or in a year (its windows end today);
    its windows start at the guardian's allocation, not at issue; a case where the protocol does not apply
    (the child on an interim supervision order: no IRO) and one with no guardian yet are not counted."""
    today = clock.today()
    # Issued 119 days ago; the guardian allocated on day 60: two 30-day periods since (days 60-89, 90-119).
    late = await world.open_case(issued_weeks_ago=17)
    await _allocated(engine, late, 60)
    await _contacts(engine, world, late, Side.GUARDIAN, [10, 61, 95])  # day 10 is before the allocation
    await _contacts(engine, world, late, Side.IRO, [65])
    at_home = await world.open_case(
        [("Zoe", LegalStatus.INTERIM_SUPERVISION_ORDER)], iro=None, issued_weeks_ago=17
    )
    await _allocated(engine, at_home, 0)
    await world.open_case(guardian=None, issued_weeks_ago=17)
    expected = {
        # 2 of 2 periods since the allocation; the contact before it is not counted.
        "guardian_contacts_iro": (1, 1, 0, 0),
        # 1 of 2: sometimes.
        "iro_contacts_guardian": (1, 0, 1, 0),
        "final_discussion": (0, 0, 0, 0),
    }
    start = today - timedelta(days=200)
    assert await _measured(engine, world, start, today) == expected
    assert await _measured(engine, world, start, today + timedelta(days=365)) == expected
    # A period that ended before the allocation counts nothing; one ending at day 89, one period of one.
    issued = today - timedelta(weeks=17)
    assert (await _measured(engine, world, start, issued + timedelta(days=59)))["guardian_contacts_iro"][
        0
    ] == 0
    assert await _measured(engine, world, start, issued + timedelta(days=89)) == {
        "guardian_contacts_iro": (1, 1, 0, 0),
        "iro_contacts_guardian": (1, 1, 0, 0),
        "final_discussion": (0, 0, 0, 0),
    }
