"""The IRO manager's coverage between reviews (issue 19; RESEARCH-NOTES.md §7.2: 30-50% of children monitored
between reviews in practice), per IRO of the authority and for the authority, on a world where every answer is
known by construction; each figure's drill-down lists exactly the children it counts; the period's measure
counts the reviews held in it that had a midpoint check in the cycle before them. For IRO managers only (a
Cafcass manager gets none; anyone else is refused), audited as every dashboard section is, and counted in a
few statements however many children there are.

Riverside's looked-after children, all looked after from Monday 1 March 2027 (first review due by 31 March,
midpoint 16 March), seen on Monday 22 March:

- Amy (case A, Ivan Reviewer): checked 10 March, no review yet: monitored.
- Ben (case A, Iris Second): no check, no review, midpoint passed: not monitored.
- Cara (case B, Ivan): checked 12 March, review held 19 March: a new cycle to 19 June (midpoint 4 May), not
  yet due; over March, her review had a check before it.
- Eve (case B, Ivan): review held 18 March with no check: not yet due; over March, her review had none.
- Dan (case C) is at home on a supervision order: not looked after, not counted.

So Ivan: 3 children, 1 due, 1 monitored, 0 not monitored, 2 not yet due (100%); 2 reviews, 1 checked (50%).
Iris: 1 child, 1 due, 0 monitored (0%); no reviews. Riverside: 4 children, 2 due, 1 monitored (50%), 2 not
yet due; 2 reviews, 1 checked (50%)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import AuditEvent, LegalStatus, Person
from portal import clock
from portal.auth.actor import Via
from portal.auth.service import actor_for_person
from portal.db import create_session_factory
from portal.demo import load_demo
from portal.midpoints import service as midpoints
from portal.settings import Settings
from portal.storage import blob_store
from tests.conftest import Travel
from tests.support.graphql import error_codes, gql
from tests.support.queries import QueryCounter
from tests.support.world import World
from tests.test_protocol_walkthrough import Walk, at
from tests.test_review_duties import _book_and_hold

SINCE = date(2027, 3, 1)
TODAY = date(2027, 3, 22)
PERIOD = {"start": "2027-03-01", "end": "2027-03-31"}
FIGURES = ("children", "due", "monitored", "notMonitored", "notYetDue", "coveragePercent")
PERIOD_FIGURES = ("reviews", "reviewsChecked", "reviewsUnchecked", "periodCoveragePercent")


async def _check(walk: Walk, child_id: str, day: date, travel: Travel) -> None:
    travel(at(day, 15))
    walk.world.forget_tokens()
    await walk.change(
        "iro",
        "RecordMidpointCheck",
        "recordMidpointCheck",
        caseId=walk.case_id,
        childId=child_id,
        doneOn=day.isoformat(),
        fileRead=True,
        socialWorkerContact="EMAIL",
        outcome="ON_TRACK",
    )


async def _riverside(client: httpx.AsyncClient, world: World, travel: Travel) -> dict[str, Any]:
    """The world of the module's docstring, seen on TODAY: each child's case walk and id."""
    travel(at(SINCE, 9))
    world.forget_tokens()
    icos = [("Amy", LegalStatus.INTERIM_CARE_ORDER), ("Ben", LegalStatus.INTERIM_CARE_ORDER)]
    a = Walk(client, world, await world.open_case(icos, case_number="ZA0001", issued_weeks_ago=0, iro=None))
    kids = {c["givenName"]: c["id"] for c in (await a.case())["children"]}
    for who, name in (("iro", "Amy"), ("iro2", "Ben")):
        await a.change(
            "iro_manager",
            "AssignIro",
            "assignIro",
            caseId=a.case_id,
            personId=str(world.id(who)),
            childIds=[kids[name]],
        )
    b = Walk(
        client,
        world,
        await world.open_case(
            [("Cara", LegalStatus.INTERIM_CARE_ORDER), ("Eve", LegalStatus.INTERIM_CARE_ORDER)],
            case_number="ZB0002",
            issued_weeks_ago=0,
        ),
    )
    await world.open_case(
        [("Dan", LegalStatus.INTERIM_SUPERVISION_ORDER)], case_number="ZC0003", issued_weeks_ago=0
    )
    kids |= {c["givenName"]: c["id"] for c in (await b.case())["children"]}
    await _check(a, kids["Amy"], date(2027, 3, 10), travel)
    await _check(b, kids["Cara"], date(2027, 3, 12), travel)
    await _book_and_hold(b, travel, kids["Eve"], date(2027, 3, 18))
    await _book_and_hold(b, travel, kids["Cara"], date(2027, 3, 19))
    travel(at(TODAY, 9))
    world.forget_tokens()
    return {"A": a, "B": b, **kids}


LINE = """id name children due monitored notMonitored notYetDue coveragePercent reviews reviewsChecked
reviewsUnchecked periodCoveragePercent"""
# The dashboard's section alone (the dashboard's own document, Adherence, asks for it beside the others).
COVERAGE = f"""query Coverage($start: Date!, $end: Date!) {{
  midpointCoverage(start: $start, end: $end) {{ iros {{ {LINE} }} authority {{ {LINE} }} }}
}}"""


async def _ask(client: httpx.AsyncClient, world: World, who: str, **period: str) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={"query": COVERAGE, "variables": period or PERIOD},
        headers={"Authorization": f"Bearer {await world.token(who)}"},
    )
    body: dict[str, Any] = response.json()
    return body


async def _coverage(
    client: httpx.AsyncClient, world: World, who: str = "iro_manager", **period: str
) -> dict[str, Any]:
    body = await _ask(client, world, who, **period)
    assert "errors" not in body, body
    coverage: dict[str, Any] = body["data"]["midpointCoverage"]
    return coverage


def _figures(line: dict[str, Any], keys: tuple[str, ...] = FIGURES + PERIOD_FIGURES) -> tuple[Any, ...]:
    return tuple(line[k] for k in keys)


async def _behind(
    client: httpx.AsyncClient, world: World, figure: str, iro: str | None = None
) -> list[tuple[str, str, str | None, str | None, str | None]]:
    """(case, child, their IRO, checked on, review held) for each child behind the figure."""
    body = await gql(
        client,
        await world.token("iro_manager"),
        "DashboardCases",
        figure=figure,
        iroId=str(world.id(iro)) if iro else None,
        **PERIOD,
    )
    assert "errors" not in body, body
    return sorted(
        (ref["caseNumber"], m["givenName"], m["iroName"], m["checkedOn"], m["reviewHeldOn"])
        for ref in body["data"]["dashboardCases"]
        for m in ref["midpoints"]
    )


async def test_coverage_per_iro_and_for_the_authority_with_each_figures_children(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, travel: Travel
) -> None:
    await _riverside(client, world, travel)
    coverage = await _coverage(client, world)
    assert {line["name"]: _figures(line) for line in coverage["iros"]} == {
        "Iris Second": (1, 1, 0, 1, 0, 0, 0, 0, 0, None),
        "Ivan Reviewer": (3, 1, 1, 0, 2, 100, 2, 1, 1, 50),
    }
    assert [line["name"] for line in coverage["iros"]] == ["Iris Second", "Ivan Reviewer"]
    authority = coverage["authority"]
    assert (authority["name"], authority["id"]) == ("Riverside City Council", str(world.orgs["riverside"].id))
    assert _figures(authority) == (4, 2, 1, 1, 2, 50, 2, 1, 1, 50)
    # Each figure's drill-down lists exactly the children it counts, with their IRO and check.
    ivan, iris = "Ivan Reviewer", "Iris Second"
    assert await _behind(client, world, "MIDPOINTS_MONITORED") == [
        ("ZA0001", "Amy", ivan, "2027-03-10", None)
    ]
    assert await _behind(client, world, "MIDPOINTS_NOT_MONITORED") == [("ZA0001", "Ben", iris, None, None)]
    assert await _behind(client, world, "MIDPOINTS_NOT_YET_DUE", "iro") == [
        ("ZB0002", "Cara", ivan, None, None),
        ("ZB0002", "Eve", ivan, None, None),
    ]
    assert await _behind(client, world, "MIDPOINTS_NOT_YET_DUE", "iro2") == []
    assert await _behind(client, world, "MIDPOINTS_DUE", "iro2") == [("ZA0001", "Ben", iris, None, None)]
    assert await _behind(client, world, "MIDPOINTS_REVIEWS_CHECKED") == [
        ("ZB0002", "Cara", ivan, "2027-03-12", "2027-03-19")
    ]
    assert await _behind(client, world, "MIDPOINTS_REVIEWS_UNCHECKED", "iro") == [
        ("ZB0002", "Eve", ivan, None, "2027-03-18")
    ]
    # And every figure's drill-down has as many children as the figure, for every line.
    drills = {
        "children": "MIDPOINTS_CHILDREN",
        "due": "MIDPOINTS_DUE",
        "monitored": "MIDPOINTS_MONITORED",
        "notMonitored": "MIDPOINTS_NOT_MONITORED",
        "notYetDue": "MIDPOINTS_NOT_YET_DUE",
        "reviews": "MIDPOINTS_REVIEWS",
        "reviewsChecked": "MIDPOINTS_REVIEWS_CHECKED",
        "reviewsUnchecked": "MIDPOINTS_REVIEWS_UNCHECKED",
    }
    for key, figure in drills.items():
        assert len(await _behind(client, world, figure)) == authority[key], figure
        for who in ("iro", "iro2"):
            line = next(line for line in coverage["iros"] if line["id"] == str(world.id(who)))
            assert len(await _behind(client, world, figure, who)) == line[key], (figure, who)
    # The reading is audited as a dashboard section's; the drill-downs as looks at the cases behind them.
    async with create_session_factory(engine)() as session:
        actions = list(
            (
                await session.execute(
                    sa.select(AuditEvent.action).where(AuditEvent.person_id == world.id("iro_manager"))
                )
            ).scalars()
        )
    assert actions.count("midpoints.read") == 1
    assert "case.drill_down" in actions


async def test_the_period_counts_the_reviews_held_in_it(
    client: httpx.AsyncClient, world: World, travel: Travel
) -> None:
    await _riverside(client, world, travel)
    # Only 19 March: Cara's review, with her check of 12 March before it.
    authority = (await _coverage(client, world, start="2027-03-19", end="2027-03-31"))["authority"]
    assert _figures(authority, PERIOD_FIGURES) == (1, 1, 0, 100)
    # February: none; today's figures are the same whatever the period.
    authority = (await _coverage(client, world, start="2027-02-01", end="2027-02-28"))["authority"]
    assert _figures(authority) == (4, 2, 1, 1, 2, 50, 0, 0, 0, None)


async def test_the_service_function_the_annual_report_calls(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, travel: Travel, count_queries: QueryCounter
) -> None:
    """coverage_for_period, called as other code calls it: the same figures as the dashboard's, in a few
    statements however many children."""
    await _riverside(client, world, travel)
    actor = await world.actor("iro_manager")
    async with create_session_factory(engine)() as session, session.begin():
        with count_queries() as counted:
            found = await midpoints.coverage_for_period(
                session, actor, start=SINCE, end=date(2027, 3, 31), today=TODAY
            )
    assert len(counted) == 6, counted
    assert found.authority is not None
    authority = found.authority
    assert (authority.children, authority.due, authority.monitored, authority.coverage) == (4, 2, 1, 50)
    assert (authority.reviews, authority.reviews_checked, authority.period_coverage) == (2, 1, 50)
    assert [(line.name, line.children) for line in found.iros] == [("Iris Second", 1), ("Ivan Reviewer", 3)]


async def test_for_iro_managers_only(client: httpx.AsyncClient, world: World, travel: Travel) -> None:
    await _riverside(client, world, travel)
    # A Cafcass manager sees the dashboards, but not the IRO service's own account.
    assert await _coverage(client, world, "cafcass_manager") == {"iros": [], "authority": None}
    # Another authority's IRO manager sees none of Riverside's children.
    other = await _coverage(client, world, "other_iro_manager")
    assert _figures(other["authority"]) == (0, 0, 0, 0, 0, None, 0, 0, 0, None)
    body = await gql(
        client,
        await world.token("other_iro_manager"),
        "DashboardCases",
        figure="MIDPOINTS_CHILDREN",
        **PERIOD,
    )
    assert body["data"]["dashboardCases"] == []
    # Anyone else is refused.
    for who in ("guardian", "iro"):
        assert error_codes(await _ask(client, world, who)) == ["NOT_PERMITTED"], who


@pytest.mark.parametrize("extra", [0, 6])
async def test_counted_in_a_few_statements_however_many_children(
    client: httpx.AsyncClient,
    world: World,
    engine: AsyncEngine,
    travel: Travel,
    count_queries: QueryCounter,
    extra: int,
) -> None:
    """No statement per child: the same count with six more children, each with a check and a review."""
    travel(at(SINCE, 9))
    world.forget_tokens()
    for n in range(extra):
        walk = Walk(client, world, await world.open_case(issued_weeks_ago=0))
        child = (await walk.case())["children"][0]["id"]
        await _check(walk, child, date(2027, 3, 3 + n), travel)
    actor = await world.actor("iro_manager")
    async with create_session_factory(engine)() as session, session.begin():
        with count_queries() as counted:
            found = await midpoints.coverage_for_period(
                session, actor, start=SINCE, end=date(2027, 3, 31), today=TODAY
            )
    assert found.authority is not None
    assert found.authority.monitored == extra
    assert len(counted) == 6, counted


async def test_the_demo_shows_a_real_mix(session: AsyncSession, settings: Settings) -> None:
    """The demo's Riverside: children monitored this cycle and not, and reviews with a check before them and
    without, for the IRO manager (Margaret Lowe)."""
    today = clock.today()
    await load_demo(session, today=today, store=blob_store(settings))
    await session.commit()
    manager = await session.scalar(sa.select(Person.id).where(Person.name == "Margaret Lowe"))
    assert manager is not None
    actor = await actor_for_person(session, manager, via=Via.WEB, source="test")
    assert actor is not None
    found = await midpoints.coverage_for_period(
        session, actor, start=today - timedelta(days=365), end=today, today=today
    )
    assert found.authority is not None
    authority = found.authority
    assert authority.monitored > 0
    assert authority.not_monitored + authority.not_yet_due > 0
    assert 0 < authority.reviews_checked < authority.reviews
    assert sum(line.children for line in found.iros) >= authority.children
