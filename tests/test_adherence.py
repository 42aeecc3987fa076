"""Adherence per obligation code: on generated data with known adherence, every figure equals one computed
independently in Python from the rows; SQLite and PostgreSQL agree (the suite runs on both); a manager sees
only their scope, and drill-downs never reach a case outside it."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models import LegalStatus, Obligation, ObligationState, Organisation, Person, Proceedings, Team
from portal import clock
from portal.dashboards.adherence import GroupBy, Measure
from portal.dashboards.service import adherence
from portal.dashboards.service import cases_behind_adherence as cases_behind
from portal.db import create_session_factory
from portal.errors import DomainError
from tests.support.graphql import error_codes, gql
from tests.support.world import World

TODAY = clock.today()
START, END = TODAY - timedelta(days=120), TODAY


def _nearest_rank(values: list[int], p: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, -(-int(p * 100) * len(ordered) // 100) - 1)]


async def _world_with_known_adherence(world: World, engine: AsyncEngine) -> dict[uuid.UUID, str]:
    """Cases in two service areas and two authorities, with obligations closed in known ways. Returns each
    case's service area."""
    areas = {}
    for n in range(16):
        areas[await world.open_case(case_number=f"RV{n}")] = "cafcass"
    elsewhere = await world.open_case(case_number="FA1", court="other_court", guardian=None)
    await world.allocate(elsewhere, "other_guardian", manager="other_cafcass_manager")
    areas[elsewhere] = "other_cafcass"
    northmoor = await world.open_case(
        [("Nia", LegalStatus.INTERIM_CARE_ORDER)], case_number="NM1", solicitor="other_solicitor", iro=None
    )
    await world.assign_iro(northmoor, "other_iro", manager="other_iro_manager")
    areas[northmoor] = "cafcass"
    picker = random.Random(7)
    async with create_session_factory(engine)() as session, session.begin():
        # The guardian works in a team; the IROs in none (a group of its own).
        guardian = await session.get(Person, world.people["guardian"].id)
        assert guardian is not None
        team = Team(organisation_id=guardian.organisation_id, name="North team")
        session.add(team)
        await session.flush()
        guardian.team_id = team.id
        obligations = (await session.execute(sa.select(Obligation))).scalars().all()
        for n, obligation in enumerate(obligations):
            if n % 4 == 0:  # some owned by someone in no team
                obligation.owner_person_id = world.people["iro"].id
            obligation.opened_at = datetime.combine(
                TODAY - timedelta(days=picker.randint(0, 150)), time(9), tzinfo=UTC
            )
            obligation.due_on = obligation.opened_at.date() + timedelta(days=7)
            roll = picker.random()
            if roll < 0.55:
                obligation.state = ObligationState.MET
                days = picker.choice([-3, 0, 1, 2, 5, 9, 20])
                obligation.closed_at = datetime.combine(
                    obligation.due_on + timedelta(days=days), time(15), tzinfo=UTC
                )
            elif roll < 0.65:
                obligation.state, obligation.closed_at = ObligationState.WAIVED, obligation.opened_at
            elif roll < 0.7:
                obligation.state, obligation.closed_at = ObligationState.NOT_APPLICABLE, obligation.opened_at
            elif roll < 0.75:
                obligation.state, obligation.closed_at = ObligationState.MISSED, obligation.opened_at
    return areas


async def _expected(engine: AsyncEngine, in_scope: set[uuid.UUID], by: str) -> dict[tuple[str, str], dict]:
    """The same figures, counted in Python from the rows."""
    async with create_session_factory(engine)() as session:
        rows = (await session.execute(sa.select(Obligation, Proceedings).join(Proceedings))).all()
        teams = dict((await session.execute(sa.select(Person.id, Person.team_id))).all())
        areas = dict((await session.execute(sa.select(Organisation.id, Organisation.service_area_id))).all())
    groups: dict[tuple[str, str], list[Obligation]] = defaultdict(list)
    for obligation, case in rows:
        opened = obligation.opened_at.date()
        if case.id not in in_scope or not START <= opened <= END:
            continue
        # A duty of no one by name (IA, the IRO managers') counts by case, never by team or practitioner.
        if obligation.owner_person_id is None and by in ("team", "practitioner"):
            continue
        key = {
            "none": "",
            "service_area": str(areas[case.court_id]),
            "local_authority": str(case.local_authority_id),
            "team": str(teams.get(obligation.owner_person_id) or ""),
            "practitioner": str(obligation.owner_person_id),
        }[by]
        groups[(key, obligation.code)].append(obligation)
    expected = {}
    for key, found in groups.items():
        met = [o for o in found if o.state is ObligationState.MET]
        late = [(o.closed_at.date() - o.due_on).days for o in met if (o.closed_at.date() - o.due_on).days > 0]
        expected[key] = {
            "opened": len(found),
            "met_on_time": len(met) - len(late),
            "met_late": len(late),
            "late_median_days": _nearest_rank(late, 0.5),
            "late_p90_days": _nearest_rank(late, 0.9),
            "waived": sum(o.state is ObligationState.WAIVED for o in found),
            "not_applicable": sum(o.state is ObligationState.NOT_APPLICABLE for o in found),
            "missed": sum(o.state is ObligationState.MISSED for o in found),
            "open": sum(o.state is ObligationState.OPEN for o in found),
            "overdue": sum(o.state is ObligationState.OPEN and o.due_on < TODAY for o in found),
        }
    return expected


@pytest.mark.parametrize("by", ["none", "service_area", "local_authority", "team", "practitioner"])
async def test_every_figure_equals_the_one_counted_in_python(
    world: World, engine: AsyncEngine, by: str
) -> None:
    areas = await _world_with_known_adherence(world, engine)
    in_scope = {case for case, area in areas.items() if area == "cafcass"}
    actor = await world.actor("cafcass_manager")
    async with create_session_factory(engine)() as session:
        lines = await adherence(session, actor, start=START, end=END, by=GroupBy(by), today=TODAY)
    found = {
        ("" if line.group_id is None else str(line.group_id), line.code): {
            "opened": line.opened,
            "met_on_time": line.met_on_time,
            "met_late": line.met_late,
            "late_median_days": line.late_median_days,
            "late_p90_days": line.late_p90_days,
            "waived": line.waived,
            "not_applicable": line.not_applicable,
            "missed": line.missed,
            "open": line.open,
            "overdue": line.overdue,
        }
        for line in lines
    }
    expected = await _expected(engine, in_scope, by)
    for key in sorted(set(found) | set(expected)):
        assert found.get(key) == expected.get(key), key
    assert sum(v["met_late"] for v in expected.values()) > 3  # the data exercises the percentiles
    if by == "team":  # both the team and the group of those in none, which drills down by itself
        assert len({group for group, _ in expected}) == 2
        code = next(code for group, code in expected if group == "")
        async with create_session_factory(engine)() as session:
            behind = await cases_behind(
                session,
                actor,
                start=START,
                end=END,
                code=code,
                measure=Measure.OPENED,
                by=GroupBy.TEAM,
                group_id=None,
                today=TODAY,
            )
        assert behind
        assert {found.case.id for found in behind} <= in_scope


async def test_managers_see_only_their_scope_and_so_do_drill_downs(world: World, engine: AsyncEngine) -> None:
    areas = await _world_with_known_adherence(world, engine)
    sessions = create_session_factory(engine)
    elsewhere = next(case for case, area in areas.items() if area == "other_cafcass")
    actors = {
        who: await world.actor(who)
        for who in ("cafcass_manager", "other_cafcass_manager", "other_iro_manager", "guardian")
    }
    async with sessions() as session:
        names = {
            case.id: case.case_number for case in (await session.execute(sa.select(Proceedings))).scalars()
        }
        for who, outside in (
            ("cafcass_manager", {elsewhere}),
            ("other_cafcass_manager", set(areas) - {elsewhere}),
        ):
            actor = actors[who]
            for measure in Measure:
                for code in ("P2", "P3"):
                    cases = await cases_behind(
                        session,
                        actor,
                        start=START,
                        end=END,
                        code=code,
                        measure=measure,
                        by=GroupBy.NONE,
                        group_id=None,
                        today=TODAY,
                    )
                    assert not {c.case.id for c in cases} & outside, (who, measure, code)
        northmoor = [case for case, number in names.items() if number == "NM1"]
        iro_manager = actors["other_iro_manager"]
        lines = await adherence(
            session, iro_manager, start=START, end=END, by=GroupBy.LOCAL_AUTHORITY, today=TODAY
        )
        assert {line.group_name for line in lines} <= {"Northmoor County Council"}
        for measure in Measure:
            cases = await cases_behind(
                session,
                iro_manager,
                start=START,
                end=END,
                code="P2",
                measure=measure,
                by=GroupBy.NONE,
                group_id=None,
                today=TODAY,
            )
            assert {c.case.id for c in cases} <= set(northmoor)
        with pytest.raises(DomainError, match="Cafcass and IRO managers"):
            await adherence(session, actors["guardian"], start=START, end=END, by=GroupBy.NONE, today=TODAY)


async def test_a_period_the_dashboards_refuse_gets_a_stable_code(
    client: httpx.AsyncClient, world: World
) -> None:
    token = await world.token("cafcass_manager")
    backwards = await gql(client, token, "Adherence", start="2026-06-01", end="2026-05-01", by="NONE")
    assert set(error_codes(backwards)) == {"DATE_TOO_EARLY"}
    drilled = await gql(
        client, token, "DashboardCases", figure="PAPERS_FILED", start="2026-06-01", end="2026-05-01"
    )
    assert error_codes(drilled) == ["DATE_TOO_EARLY"]


@pytest.mark.parametrize("code", ["P2\x00", "\x00", "P99"])
async def test_a_drill_down_into_a_code_with_a_nul_is_answered(
    client: httpx.AsyncClient, world: World, code: str
) -> None:
    """Found by the fuzzer (tests/api/test_fuzz.py): the code went into the statement as it came, so a NUL
    in it was an INTERNAL on PostgreSQL (its text cannot hold one)."""
    await world.open_case()
    token = await world.token("cafcass_manager")
    period = {"start": START.isoformat(), "end": END.isoformat(), "measure": "OPENED", "by": "NONE"}
    body = await gql(client, token, "AdherenceCases", code=code, **period)
    assert "errors" not in body
    assert len(body["data"]["adherenceCases"]) == (1 if code.startswith("P2") else 0)
