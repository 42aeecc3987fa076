"""IRO workloads as IRO managers count them (issue 19; IRO Handbook para 7.15; RESEARCH-NOTES.md §3.4, §5.9):
the weighting rule's arithmetic, the standing against 50 to 70, the stale figure, the validation, who may
keep the figures, the audit, and the dashboard's figures and API. Every answer is known by construction."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import AuditEvent, AuditOutcome, Employment, IroProfile, LegalStatus
from portal import clock
from portal.dashboards.service import authority_workload, iro_workload
from portal.db import create_session_factory
from portal.errors import DomainError, ErrorCode, NotFound
from portal.settings import Settings
from portal.workloads import service
from portal.workloads.rule import (
    Counts,
    Standing,
    Weights,
    per_fte,
    standing,
    two_places,
    weighted_hundredths,
)
from tests.support.graphql import error_codes, gql, payload_codes
from tests.support.world import World

# The brief's example: 0.8 FTE, 48 children, 6 in sibling groups at -0.25, 4 in proceedings at +0.5, 3 out of
# area at +0.5, 10 conferences at +0.5: 48 - 1.5 + 2 + 1.5 + 5 = 55 weighted, 55 / 0.8 = 68.75 per FTE.
EXAMPLE = Counts(children=48, sibling_group=6, in_proceedings=4, out_of_area=3, conferences=10)
WEIGHTS = Weights(sibling_group=-25, in_proceedings=50, out_of_area=50, conference=50)


def test_the_weighting_rule_is_exact() -> None:
    weighted = weighted_hundredths(EXAMPLE, WEIGHTS)
    assert weighted == 5500
    ratio = per_fte(weighted, 80)
    assert ratio == Fraction(275, 4)
    assert two_places(ratio) == 68.75
    assert standing(ratio) is Standing.WITHIN
    # No weights: plain counts.
    assert weighted_hundredths(EXAMPLE, Weights()) == 4800
    # A third: rounded once, to two places, halves up.
    assert two_places(Fraction(170, 3)) == 56.67


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        (Fraction(4999, 100), Standing.UNDER),
        (Fraction(50), Standing.WITHIN),
        (Fraction(70), Standing.WITHIN),
        (Fraction(7001, 100), Standing.OVER),
    ],
)
def test_the_standing_against_50_to_70(ratio: Fraction, expected: Standing) -> None:
    assert standing(ratio) is expected


def _profile(world: World, key: str = "iro", **changes: Any) -> service.ProfileInput:
    values: dict[str, Any] = {
        "iro_id": world.id(key),
        "full_time_equivalence": 0.8,
        "employment": Employment.DIRECT,
        "children_held": 48,
        "sibling_group_children": 6,
        "out_of_area_children": 3,
        **changes,
    }
    return service.ProfileInput(**values)


async def _keep(world: World, engine: AsyncEngine, who: str, data: service.ProfileInput) -> IroProfile:
    async with create_session_factory(engine)() as session, session.begin():
        return await service.set_profile(session, await world.actor(who), data)


async def _codes(world: World, engine: AsyncEngine, who: str, data: service.ProfileInput) -> list[Any]:
    with pytest.raises(DomainError) as refused:
        await _keep(world, engine, who, data)
    return sorted((p.code, p.field) for p in refused.value.problems)


async def test_the_profile_is_validated_with_every_problem_at_once(world: World, engine: AsyncEngine) -> None:
    bad = _profile(
        world,
        full_time_equivalence=1.2,
        employment=None,
        children_held=40,
        sibling_group_children=41,
        out_of_area_children=-1,
    )
    assert await _codes(world, engine, "iro_manager", bad) == [
        (ErrorCode.OUT_OF_RANGE, "fullTimeEquivalence"),
        (ErrorCode.OUT_OF_RANGE, "outOfAreaChildren"),
        (ErrorCode.OUT_OF_RANGE, "siblingGroupChildren"),
        (ErrorCode.REQUIRED, "employment"),
    ]
    assert await _codes(world, engine, "iro_manager", _profile(world, full_time_equivalence=0.805)) == [
        (ErrorCode.INVALID_VALUE, "fullTimeEquivalence")
    ]
    assert await _codes(world, engine, "iro_manager", _profile(world, full_time_equivalence=0.0)) == [
        (ErrorCode.OUT_OF_RANGE, "fullTimeEquivalence")
    ]
    assert await _codes(world, engine, "iro_manager", _profile(world, children_held=None)) == [
        (ErrorCode.REQUIRED, "childrenHeld")
    ]


async def test_only_the_authoritys_iro_manager_or_administrator_keeps_a_profile(
    world: World, engine: AsyncEngine
) -> None:
    for who in ("guardian", "iro", "other_iro_manager", "cafcass_manager", "social_worker"):
        with pytest.raises(NotFound):
            await _keep(world, engine, who, _profile(world))
    # An IRO of another authority is not the manager's to keep.
    with pytest.raises(NotFound):
        await _keep(world, engine, "iro_manager", _profile(world, "other_iro"))
    kept = await _keep(world, engine, "admin", _profile(world))
    assert (kept.fte_hundredths, kept.updated_by_id) == (80, world.id("admin"))
    kept = await _keep(world, engine, "iro_manager", _profile(world, children_held=50))
    assert (kept.children_held, kept.updated_by_id) == (50, world.id("iro_manager"))
    async with create_session_factory(engine)() as session:
        events = (
            await session.execute(
                sa.select(AuditEvent.person_id, AuditEvent.outcome).where(
                    AuditEvent.action.in_(["iro_profile.set", "refused:iro_profile.set"])
                )
            )
        ).all()
    keys = {world.id(key): key for key in world.people}
    # Each change audited, with who made it (the refusals are audited as the API runs them: below).
    assert sorted((keys[p], o) for p, o in events) == [
        ("admin", AuditOutcome.SUCCESS),
        ("iro_manager", AuditOutcome.SUCCESS),
    ]


async def test_conferences_are_entered_per_month_by_the_iro_or_their_manager(
    world: World, engine: AsyncEngine
) -> None:
    today = clock.today()
    this_month = today.replace(day=1)
    sessions = create_session_factory(engine)
    async with sessions() as session, session.begin():
        row = await service.record_conferences(session, await world.actor("iro"), world.id("iro"), today, 4)
        assert (row.month, row.conferences) == (this_month, 4)
    async with sessions() as session, session.begin():
        row = await service.record_conferences(
            session, await world.actor("iro_manager"), world.id("iro"), today, 6
        )
        assert (row.month, row.conferences, row.recorded_by_id) == (this_month, 6, world.id("iro_manager"))
    future = date(today.year + 1, 1, 1)
    with pytest.raises(DomainError) as refused:
        async with sessions() as session, session.begin():
            await service.record_conferences(session, await world.actor("iro"), world.id("iro"), future, 101)
    assert sorted((p.code, p.field) for p in refused.value.problems) == [
        (ErrorCode.DATE_IN_FUTURE, "month"),
        (ErrorCode.OUT_OF_RANGE, "conferences"),
    ]
    # Another IRO's conferences are not theirs to enter; nor another authority's manager's.
    for who, iro in (("iro2", "iro"), ("other_iro_manager", "iro"), ("guardian", "iro")):
        with pytest.raises(NotFound):
            async with sessions() as session, session.begin():
                await service.record_conferences(session, await world.actor(who), world.id(iro), today, 1)


async def test_weights_are_bounded_and_the_authoritys_own(world: World, engine: AsyncEngine) -> None:
    sessions = create_session_factory(engine)
    riverside = world.orgs["riverside"].id
    bad = service.WeightingInput(
        riverside, sibling_group=-1.5, in_proceedings=0.333, out_of_area=2, conference=6
    )
    with pytest.raises(DomainError) as refused:
        async with sessions() as session, session.begin():
            await service.set_weighting(session, await world.actor("iro_manager"), bad)
    assert sorted((p.code, p.field) for p in refused.value.problems) == [
        (ErrorCode.INVALID_VALUE, "inProceedings"),
        (ErrorCode.OUT_OF_RANGE, "conference"),
        (ErrorCode.OUT_OF_RANGE, "siblingGroup"),
    ]
    good = service.WeightingInput(riverside, 0, 0, 0, 0)
    for who in ("other_iro_manager", "iro", "cafcass_manager"):
        with pytest.raises(NotFound):
            async with sessions() as session, session.begin():
                await service.set_weighting(session, await world.actor(who), good)


async def test_the_dashboard_weighs_each_iro_and_the_authority(world: World, engine: AsyncEngine) -> None:
    """Ivan: 0.8 FTE, 48 held, 6 siblings, 3 out of area, 10 conferences last month, and 4 children in
    proceedings in the portal (two cases of two): 55 weighted, 68.75 per FTE, within. Iris: 0.5 FTE, 1 held
    but 2 in the portal (stale: the portal's 2 weighed), no conferences: 2 + 2 × 0.5 = 3, 6 per FTE, under."""
    today = clock.today()
    last = service.last_month(today)
    await world.open_case([("Amy", LegalStatus.INTERIM_CARE_ORDER), ("Ben", LegalStatus.INTERIM_CARE_ORDER)])
    await world.open_case([("Cal", LegalStatus.INTERIM_CARE_ORDER), ("Dee", LegalStatus.INTERIM_CARE_ORDER)])
    await world.open_case(
        [("Eve", LegalStatus.INTERIM_CARE_ORDER), ("Fay", LegalStatus.INTERIM_CARE_ORDER)], iro="iro2"
    )
    sessions = create_session_factory(engine)
    manager = await world.actor("iro_manager")
    async with sessions() as session, session.begin():
        await service.set_profile(session, manager, _profile(world))
        await service.set_profile(
            session,
            manager,
            _profile(
                world,
                "iro2",
                full_time_equivalence=0.5,
                employment=Employment.AGENCY,
                children_held=1,
                sibling_group_children=0,
                out_of_area_children=0,
            ),
        )
        await service.record_conferences(session, manager, world.id("iro"), last, 10)
        await service.set_weighting(
            session, manager, service.WeightingInput(world.orgs["riverside"].id, -0.25, 0.5, 0.5, 0.5)
        )
    other_manager, cafcass = await world.actor("other_iro_manager"), await world.actor("cafcass_manager")
    async with sessions() as session:
        found = await authority_workload(session, manager, today)
        assert found is not None
        loads = {load.name: load for load in found.iros}
        ivan, iris = loads["Ivan Reviewer"], loads["Iris Second"]
        assert (ivan.children, ivan.in_proceedings, ivan.children_held, ivan.conferences_last_month) == (
            4,
            4,
            48,
            10,
        )
        assert (ivan.weighted_hundredths, ivan.per_fte, ivan.standing, ivan.stale) == (
            5500,
            Fraction(275, 4),
            Standing.WITHIN,
            False,
        )
        assert (iris.weighted_hundredths, iris.per_fte, iris.standing, iris.stale) == (
            300,
            Fraction(6),
            Standing.UNDER,
            True,
        )
        # The authority: (55 + 3) / (0.8 + 0.5) = 44.615...: under.
        assert (found.weighted_hundredths, found.fte_hundredths, found.without_profile) == (5800, 130, 0)
        assert found.per_fte == Fraction(5800, 130)
        assert found.standing is Standing.UNDER
        # The plain list answers the same, and another authority's manager sees only their own IROs.
        assert [load.weighted_hundredths for load in await iro_workload(session, manager, today)] == [
            300,
            5500,
        ]
        other = await authority_workload(session, other_manager, today)
        assert other is not None
        assert [(load.name, load.profile_missing) for load in other.iros] == [("Nora Northmoor", True)]
        assert other.per_fte is None
        assert await authority_workload(session, cafcass, today) is None


async def test_the_api_serves_the_figures_and_refuses_others(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    manager = await world.token("iro_manager")
    await world.open_case()
    answer = await gql(
        client,
        manager,
        "SetIroProfile",
        input={
            "iroId": str(world.id("iro")),
            "fullTimeEquivalence": 0.5,
            "employment": "SESSIONAL",
            "childrenHeld": 40,
            "siblingGroupChildren": 0,
            "outOfAreaChildren": 5,
        },
    )
    assert answer["data"]["setIroProfile"]["errors"] == []
    assert answer["data"]["setIroProfile"]["profile"]["fullTimeEquivalence"] == 0.5
    weights = await gql(
        client,
        manager,
        "SetWorkloadWeights",
        input={"organisationId": str(world.orgs["riverside"].id), "outOfArea": 0.2},
    )
    assert weights["data"]["setWorkloadWeights"]["weights"]["outOfArea"] == 0.2
    body = await gql(client, manager, "AuthorityWorkload")
    found = body["data"]["authorityWorkload"]
    ivan = next(load for load in found["iros"] if load["name"] == "Ivan Reviewer")
    # 40 + 5 × 0.2 = 41 weighted; 41 / 0.5 = 82 per FTE: over.
    assert (ivan["weightedCaseload"], ivan["perFullTimeEquivalent"], ivan["standing"], ivan["overRange"]) == (
        41.0,
        82.0,
        "OVER",
        True,
    )
    assert (ivan["employment"], ivan["childrenHeld"], ivan["children"], ivan["staleFigure"]) == (
        "SESSIONAL",
        40,
        1,
        False,
    )
    assert (found["weightedCaseload"], found["fullTimeEquivalence"], found["irosWithoutProfile"]) == (
        41.0,
        0.5,
        1,
    )
    refused = await gql(
        client,
        await world.token("guardian"),
        "SetIroProfile",
        input={
            "iroId": str(world.id("iro")),
            "fullTimeEquivalence": 1,
            "employment": "DIRECT",
            "childrenHeld": 1,
            "siblingGroupChildren": 0,
            "outOfAreaChildren": 0,
        },
    )
    assert payload_codes(refused["data"]["setIroProfile"]) == [("NOT_FOUND", "iroId")]
    async with create_session_factory(engine)() as session:
        outcome = await session.scalar(
            sa.select(AuditEvent.outcome).where(
                AuditEvent.action == "refused:iro_profile.set", AuditEvent.person_id == world.id("guardian")
            )
        )
    assert outcome is AuditOutcome.REFUSED
    assert error_codes(
        await gql(client, await world.token("iro2"), "IroProfile", iroId=str(world.id("iro")))
    ) == ["NOT_FOUND"]
    mine = await gql(client, await world.token("iro"), "IroProfile", iroId=str(world.id("iro")))
    assert mine["data"]["iroProfile"]["profile"]["outOfAreaChildren"] == 5


async def test_the_demo_shows_each_standing_a_missing_profile_and_a_conflict(
    session: AsyncSession, settings: Settings
) -> None:
    """The demo (portal/demo_workloads.py): Daniel within the range, Aisha (0.6 FTE) over it, Fiona under it,
    Owen with no profile, and Aisha's conflict of interest with a child of Daniel's."""
    from models import Person
    from portal.auth.actor import Via
    from portal.auth.service import actor_for_person
    from portal.demo import load_demo
    from portal.storage import blob_store

    today = clock.today()
    await load_demo(session, today=today, store=blob_store(settings))
    await session.commit()
    figures = {}
    for manager in ("Margaret Lowe", "Richard Stone"):
        person = await session.scalar(sa.select(Person).where(Person.name == manager))
        assert person is not None
        actor = await actor_for_person(session, person.id, via=Via.WEB)
        assert actor is not None
        found = await authority_workload(session, actor, today)
        assert found is not None
        figures.update({load.name: load for load in found.iros})
    assert [figures[name].standing for name in ("Daniel Price", "Aisha Rahman", "Fiona Campbell")] == [
        Standing.WITHIN,
        Standing.OVER,
        Standing.UNDER,
    ]
    assert figures["Owen Davies"].profile_missing
    assert [(c.child_name != "", c.assigned) for c in figures["Aisha Rahman"].conflicts] == [(True, False)]
