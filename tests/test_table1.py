"""The measured Table 1: each set of proceedings counted in the research's categories by the share of its
30-day periods in which each side initiated contact, and the final discussion held or not; within scope."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from models import (
    Channel,
    Contact,
    Discussion,
    DiscussionKind,
    DiscussionMode,
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


async def test_each_set_of_proceedings_falls_in_the_research_categories(
    world: World, engine: AsyncEngine
) -> None:
    today = clock.today()
    # Issued 119 days ago: four 30-day periods (days 0-29, 30-59, 60-89, 90-119).
    steady = await world.open_case(issued_weeks_ago=17)
    patchy = await world.open_case(issued_weeks_ago=17)
    silent = await world.open_case(issued_weeks_ago=17)
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
    actor = await world.actor("cafcass_manager")
    async with create_session_factory(engine)() as session:
        measured = {
            m.question: (m.cases, m.always_or_mostly, m.sometimes, m.rarely_or_never)
            for m in await table1(session, actor, start=today - timedelta(days=200), end=today)
        }
    assert measured == {
        # steady: 100%; patchy: 50%; silent: 0%. The case elsewhere is not counted.
        "guardian_contacts_iro": (3, 1, 1, 1),
        # steady: 25% (sometimes); patchy: 75% (always or mostly); silent: 0%.
        "iro_contacts_guardian": (3, 1, 1, 1),
        # Two concluded in the period; one had its final discussion.
        "final_discussion": (2, 1, 0, 1),
    }
    assert silent
