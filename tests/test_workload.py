"""The 26-week tracker and IRO workload, counted in SQL: the same buckets and at-risk list as the case view
would give, and each IRO's caseload for their manager only."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from models import Extension, LegalStatus, Review, ReviewKind
from portal import clock
from portal.dashboards.service import iro_workload, tracker
from portal.db import create_session_factory
from tests.support.world import World


async def test_the_26_week_tracker_buckets_and_lists_the_cases_at_risk(
    world: World, engine: AsyncEngine
) -> None:
    today = clock.today()
    young = await world.open_case(case_number="Y1", issued_weeks_ago=4)
    late = await world.open_case(case_number="L1", issued_weeks_ago=25)
    extended = await world.open_case(case_number="E1", issued_weeks_ago=30)
    overdue = await world.open_case(case_number="O1", issued_weeks_ago=28)
    async with create_session_factory(engine)() as session, session.begin():
        session.add(Extension(proceedings_id=extended, weeks=8, reason="Expert report", granted_on=today))
    manager, other = await world.actor("cafcass_manager"), await world.actor("other_cafcass_manager")
    async with create_session_factory(engine)() as session:
        found = await tracker(session, manager, today)
    assert found.buckets == [
        ("Under 13 weeks", 1),
        ("13 to 20 weeks", 0),
        ("21 to 26 weeks", 1),
        ("Over 26 weeks", 2),
    ]
    assert found.extended == 1
    # L1 has a week left before its final hearing; O1 is past its date; E1 has 4 weeks of its extension left.
    assert [(number, days) for _, number, _, days in found.at_risk] == [("O1", -14), ("L1", 7)]
    assert young
    assert late
    assert overdue
    async with create_session_factory(engine)() as session:
        assert (await tracker(session, other, today)).buckets == [
            ("Under 13 weeks", 0),
            ("13 to 20 weeks", 0),
            ("21 to 26 weeks", 0),
            ("Over 26 weeks", 0),
        ]


async def test_iro_workload_for_the_iro_manager(world: World, engine: AsyncEngine) -> None:
    today = clock.today()
    case = await world.open_case([("Amy", LegalStatus.INTERIM_CARE_ORDER), ("Ben", LegalStatus.SECTION_20)])
    await world.open_case([("Cal", LegalStatus.INTERIM_CARE_ORDER)], iro="iro2")
    async with create_session_factory(engine)() as session, session.begin():
        from portal.cases.repository import case_children

        amy = (await case_children(session, case))[0]
        session.add(
            Review(
                proceedings_id=case,
                child_id=amy.id,
                kind=ReviewKind.FIRST,
                review_date=today - timedelta(days=3),
                arrangements="Here",
                scheduled_by_id=world.id("iro"),
            )
        )
    mine, theirs = await world.actor("iro_manager"), await world.actor("other_iro_manager")
    async with create_session_factory(engine)() as session:
        loads = await iro_workload(session, mine, today)
        elsewhere = await iro_workload(session, theirs, today)
    # Looked after for ten weeks, every child's first review (due within 20 working days) is late by the
    # case page's rule, booked or not: Amy's booked review is after its latest date.
    assert [(load.name, load.children, load.in_proceedings, load.overdue_reviews) for load in loads] == [
        ("Iris Second", 1, 1, 1),
        ("Ivan Reviewer", 2, 2, 2),
    ]
    assert [(load.name, load.children) for load in elsewhere] == [("Nora Northmoor", 0)]
