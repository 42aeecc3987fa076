"""Issue 7's acceptance on generated data (``portal synth`` at a small scale): every figure of the handover,
court paper, tracker and workload sections, and of Table 1, equals one computed independently in plain Python
from the rows; every drill-down lists exactly the cases behind its figure, all within the manager's scope
(a Cafcass manager: their service area's courts; an IRO manager: their authority). Runs on both databases."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from datetime import UTC, date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models import (
    CaseMembership,
    CaseRole,
    Child,
    ChildAttendance,
    ChildSummary,
    Contact,
    CourtPaper,
    Discussion,
    DiscussionKind,
    Dispute,
    DisputeState,
    Extension,
    Handover,
    IroIntroduction,
    IroViewCitation,
    MidpointCheck,
    Obligation,
    ObligationState,
    Organisation,
    PaperShare,
    PaperVersion,
    Person,
    PersonRole,
    Proceedings,
    ProceedingsChild,
    Review,
    ReviewParticipation,
    Role,
    Side,
    Stage,
    StageChange,
    ViewsConveyed,
)
from portal import clock
from portal.auth.actor import Actor, Via
from portal.auth.service import actor_for_person
from portal.calendar import working_days_between
from portal.cases.timescale import timescale
from portal.dashboards import service as dashboards
from portal.dashboards.adherence import GroupBy
from portal.dashboards.drill import Figure
from portal.dashboards.handovers import Handovers
from portal.dashboards.papers import Papers
from portal.dashboards.participation import Participation
from portal.db import create_engine, create_session_factory
from portal.midpoints.service import FIGURES as MIDPOINT_FIGURES
from portal.midpoints.service import Coverage, coverage_for_period
from portal.migrations import upgrade
from portal.papers.iro_view import ANALYSES
from portal.reviews.schedule import standing
from portal.synth import generate
from tests.support.dashboards import every_section

TODAY = clock.today()
START, END = TODAY - timedelta(days=200), TODAY


def _nearest_rank(values: list[int], p: int) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[-(-p * len(ordered) // 100) - 1]


@pytest.fixture
async def synthetic(engine: AsyncEngine) -> dict[str, Any]:
    """A small synthetic England, and every row the figures are counted from."""
    sessions = create_session_factory(engine)
    async with sessions() as session, session.begin():
        await generate(session, scale=0.02, today=TODAY, seed=7)
    async with sessions() as session:

        async def rows(model: Any) -> list[Any]:
            return list((await session.execute(sa.select(model))).scalars())

        data = {
            model.__name__: await rows(model)
            for model in (
                Proceedings,
                Organisation,
                Obligation,
                Handover,
                Child,
                PaperVersion,
                PaperShare,
                Extension,
                StageChange,
                Contact,
                Discussion,
                CaseMembership,
                ProceedingsChild,
                Review,
                ReviewParticipation,
                IroIntroduction,
                Dispute,
                ChildSummary,
                CourtPaper,
                IroViewCitation,
                MidpointCheck,
                Person,
                PersonRole,
            )
        }
    return data


async def _manager(engine: AsyncEngine, data: dict[str, Any], role: Role) -> Actor:
    person_id = next(r.person_id for r in data["PersonRole"] if r.role is role)
    async with create_session_factory(engine)() as session:
        actor = await actor_for_person(session, person_id, via=Via.API)
    assert actor is not None
    return actor


def _scope(data: dict[str, Any], actor: Actor) -> set[uuid.UUID]:
    area_of = {o.id: o.service_area_id for o in data["Organisation"]}
    return {
        case.id
        for case in data["Proceedings"]
        if (
            area_of[case.court_id] == actor.organisation_id
            if actor.has_role(Role.CAFCASS_MANAGER)
            else case.local_authority_id == actor.organisation_id
        )
    }


def _participation(
    data: dict[str, Any], scope: set[uuid.UUID]
) -> tuple[dict[str, set[uuid.UUID]], Counter[str]]:
    """Each participation figure (issue 19) from the rows, and the cases behind it: the reviews held in the
    period and the child's part in each; the IRO allocations begun in it and the IRO's introduction to the
    child; the disputes resolved in it and whether the child was told."""
    found: dict[str, set[uuid.UUID]] = defaultdict(set)
    counted: Counter[str] = Counter()

    def count(figure: str, case: uuid.UUID) -> None:
        found[figure].add(case)
        counted[figure] += 1

    took_part = {p.review_id: p for p in data["ReviewParticipation"]}
    for review in data["Review"]:
        held = review.held_on
        if review.proceedings_id not in scope or held is None or not START <= held <= END:
            continue
        if review.held_before_portal:
            continue
        case = review.proceedings_id
        count("reviews", case)
        part = took_part.get(review.id)
        if part is None:
            count("reviews_not_recorded", case)
            continue
        count(f"reviews_{part.attendance.value}", case)
        if part.views_conveyed is not None:
            count(f"reviews_by_{part.views_conveyed.value}", case)
    introduced = {(i.proceedings_id, i.child_id, i.iro_id): i for i in data["IroIntroduction"]}
    for m in data["CaseMembership"]:
        started = m.started_at.astimezone(UTC).date()
        if m.role is not CaseRole.IRO or m.proceedings_id not in scope or not START <= started <= END:
            continue
        count("allocations", m.proceedings_id)
        introduction = introduced.get((m.proceedings_id, m.child_id, m.person_id))
        if introduction is None or introduction.explained_on > END:
            count("allocations_not_introduced", m.proceedings_id)
            continue
        count("allocations_introduced", m.proceedings_id)
        if introduction.advocacy_explained:
            count("allocations_advocacy", m.proceedings_id)
    told = {s.dispute_id for s in data["ChildSummary"]}
    for d in data["Dispute"]:
        if d.proceedings_id in scope and d.state is DisputeState.RESOLVED and START <= d.resolved_on <= END:
            count("disputes_resolved", d.proceedings_id)
            if d.id in told:
                count("disputes_told", d.proceedings_id)
    return found, counted


def _midpoints(data: dict[str, Any], coverage: Coverage, role: Role) -> dict[str, set[uuid.UUID]]:
    """The cases behind each coverage figure: its rows' cases. Checks that each row's check was recorded for
    its child, and that the authority's line counts the rows."""
    if role is Role.CAFCASS_MANAGER:
        assert (coverage.iros, coverage.authority) == ([], None)
        return {}
    checks = {(c.proceedings_id, c.child_id, c.done_on) for c in data["MidpointCheck"]}
    rows = coverage.children + coverage.reviews
    assert all(r.checked_on is None or (r.case_id, r.child_id, r.checked_on) in checks for r in rows)
    found: dict[str, set[uuid.UUID]] = {}
    for category, (current, test) in MIDPOINT_FIGURES.items():
        behind = [r for r in (coverage.children if current else coverage.reviews) if test(r)]
        assert behind, category  # the data exercises each
        found[category] = {r.case_id for r in behind}
        if hasattr(coverage.authority, category):
            assert getattr(coverage.authority, category) == len(behind), category
    return found


def _iro_views(data: dict[str, Any], scope: set[uuid.UUID]) -> dict[str, set[uuid.UUID]]:
    """The cases behind each figure of the IRO's view in the guardians' analyses (issue 19): the analyses
    first filed in the period, by whether the guardian recorded that they cite the IRO's view."""
    first: dict[uuid.UUID, date] = {}
    for v in data["PaperVersion"]:
        first[v.paper_id] = min(v.filed_on, first.get(v.paper_id, v.filed_on))
    cites = {c.paper_id: c.cites for c in data["IroViewCitation"]}
    found: dict[str, set[uuid.UUID]] = defaultdict(set)
    for paper in data["CourtPaper"]:
        if paper.kind not in ANALYSES or paper.proceedings_id not in scope:
            continue
        if paper.id not in first or not START <= first[paper.id] <= END:
            continue
        found["filed"].add(paper.proceedings_id)
        status = {True: "cited", False: "not_cited", None: "not_recorded"}[cites.get(paper.id)]
        found[status].add(paper.proceedings_id)
    return found


def _handovers(data: dict[str, Any], scope: set[uuid.UUID]) -> dict[str, set[uuid.UUID]]:
    due: dict[uuid.UUID, date] = {}
    for o in data["Obligation"]:
        if o.code == "P14" and o.state is not ObligationState.NOT_APPLICABLE and o.proceedings_id in scope:
            due[o.proceedings_id] = min(o.due_on, due.get(o.proceedings_id, o.due_on))
    written: dict[uuid.UUID, list[Handover]] = defaultdict(list)
    for h in data["Handover"]:
        written[h.proceedings_id].append(h)
    found: dict[str, set[uuid.UUID]] = defaultdict(set)
    for case, on in due.items():
        if not START <= on <= END:
            continue
        submitted = [h.submitted_at for h in written[case] if h.submitted_at]
        status = (
            ("on_time" if min(submitted).date() <= on else "late")
            if submitted
            else ("missing" if on < TODAY else "awaited")
        )
        found[status].add(case)
        found["due"].add(case)
    # Acknowledged: one definition with adherence's P15 line, the P15s opened in the period and met.
    for o in data["Obligation"]:
        opened = o.opened_at.astimezone(UTC).date()
        if (
            o.code == "P15"
            and o.state is ObligationState.MET
            and o.proceedings_id in scope
            and START <= opened <= END
        ):
            found["acknowledged"].add(o.proceedings_id)
    return found


def _papers(data: dict[str, Any], scope: set[uuid.UUID]) -> tuple[dict[str, list[uuid.UUID]], list[int]]:
    shares: dict[uuid.UUID, list[PaperShare]] = defaultdict(list)
    for share in data["PaperShare"]:
        shares[share.version_id].append(share)
    found: dict[str, list[uuid.UUID]] = defaultdict(list)
    days = []
    for version in data["PaperVersion"]:
        if version.proceedings_id not in scope or not START <= version.filed_on <= END:
            continue
        opened = [s.first_opened_at for s in shares[version.id] if s.first_opened_at]
        found["filed"].append(version.proceedings_id)
        if opened:
            found["opened"].append(version.proceedings_id)
            days.append(working_days_between(version.filed_on, min(opened).date()))
        else:
            found["unopened" if shares[version.id] else "not_with_iro"].append(version.proceedings_id)
    return found, days


def _tracker(data: dict[str, Any], scope: set[uuid.UUID]) -> dict[str, set[uuid.UUID]]:
    """Buckets by weeks since issue; extended; at risk by the case view's own rule (timescale)."""
    extensions: dict[uuid.UUID, list[int]] = defaultdict(list)
    for e in data["Extension"]:
        extensions[e.proceedings_id].append(e.weeks)
    found: dict[str, set[uuid.UUID]] = defaultdict(set)
    for case in data["Proceedings"]:
        if case.id not in scope or case.stage is Stage.CONCLUDED:
            continue
        weeks = (TODAY - case.issued_on).days // 7
        bucket = 3 if weeks >= 27 else 2 if weeks >= 21 else 1 if weeks >= 13 else 0
        found[str(bucket)].add(case.id)
        if extensions[case.id]:
            found["extended"].add(case.id)
        if timescale(case.issued_on, case.stage, extensions[case.id], TODAY).at_risk:
            found["at_risk"].add(case.id)
    return found


def _table1(data: dict[str, Any], scope: set[uuid.UUID]) -> dict[str, set[uuid.UUID]]:
    """Proceedings where the protocol applies and a guardian was allocated, measured from the allocation to
    the earliest of the conclusion, END and TODAY."""
    concluded: dict[uuid.UUID, date] = {}
    for change in data["StageChange"]:
        if change.stage is Stage.CONCLUDED:
            concluded[change.proceedings_id] = min(
                change.changed_on, concluded.get(change.proceedings_id, date.max)
            )
    allocated: dict[uuid.UUID, date] = {}
    for m in data["CaseMembership"]:
        if m.role is CaseRole.GUARDIAN:
            day = m.started_at.astimezone(UTC).date()
            allocated[m.proceedings_id] = min(day, allocated.get(m.proceedings_id, date.max))
    children = {child.id: child for child in data["Child"]}
    applies = {
        link.proceedings_id
        for link in data["ProceedingsChild"]
        if children[link.child_id].legal_status.is_looked_after
    }
    bounds: dict[uuid.UUID, tuple[date, date]] = {}
    for case in data["Proceedings"]:
        ended = concluded.get(case.id)
        starts = allocated.get(case.id)
        if (
            case.id in scope
            and case.id in applies
            and starts is not None
            and starts <= min(END, TODAY)
            and (ended is None or ended >= START)
        ):
            bounds[case.id] = (starts, min(ended or END, END, TODAY))
    periods: dict[tuple[uuid.UUID, Side], set[int]] = defaultdict(set)
    for contact in data["Contact"]:
        if contact.corrects_id is None and contact.proceedings_id in bounds:
            day = contact.occurred_at.astimezone(UTC).date()
            starts, ends = bounds[contact.proceedings_id]
            if starts <= day <= ends:
                periods[(contact.proceedings_id, contact.initiated_by)].add((day - starts).days // 30)
    held = {d.proceedings_id for d in data["Discussion"] if d.kind is DiscussionKind.FINAL_DISCUSSION}
    found: dict[str, set[uuid.UUID]] = defaultdict(set)
    for case_id, (starts, ends) in bounds.items():
        windows = (ends - starts).days // 30 + 1
        for question, side in (("guardian_contacts_iro", Side.GUARDIAN), ("iro_contacts_guardian", Side.IRO)):
            share = len(periods[(case_id, side)]) / windows
            category = (
                "always_or_mostly" if share >= 0.75 else "sometimes" if share >= 0.25 else "rarely_or_never"
            )
            found[f"{question}:{category}"].add(case_id)
        ended = concluded.get(case_id)
        if ended is not None and ended <= END:
            found["final_discussion:" + ("held" if case_id in held else "not_held")].add(case_id)
    return found


def _workload(data: dict[str, Any], actor: Actor, scope: set[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    stage = {case.id: case.stage for case in data["Proceedings"]}
    iros = {
        p.id
        for p in data["Person"]
        if p.organisation_id == actor.organisation_id and p.active
        for r in data["PersonRole"]
        if r.person_id == p.id and r.role is Role.IRO
    }
    # Late by the case page's own rule (a child's nextReview), from each child's reviews on the case.
    reviews: dict[tuple[uuid.UUID, uuid.UUID], list[tuple[date, date | None]]] = defaultdict(list)
    for review in data["Review"]:
        reviews[(review.proceedings_id, review.child_id)].append((review.review_date, review.held_on))
    children = {child.id: child for child in data["Child"]}

    def late(case: uuid.UUID, child_id: uuid.UUID) -> bool:
        child = children[child_id]
        if not child.legal_status.is_looked_after or child.looked_after_since is None:
            return False
        return standing(child.looked_after_since, reviews[(case, child_id)], TODAY).late

    found: dict[uuid.UUID, dict[str, Any]] = {
        iro: {"children": set(), "in_proceedings": set(), "overdue": set(), "cases": defaultdict(set)}
        for iro in iros
    }
    for m in data["CaseMembership"]:
        if m.role is not CaseRole.IRO or m.ended_at is not None or m.person_id not in iros:
            continue
        if m.proceedings_id not in scope:
            continue
        load = found[m.person_id]
        load["children"].add(m.child_id)
        load["cases"]["children"].add(m.proceedings_id)
        if stage[m.proceedings_id] is not Stage.CONCLUDED:
            load["in_proceedings"].add(m.child_id)
            load["cases"]["in_proceedings"].add(m.proceedings_id)
        if late(m.proceedings_id, m.child_id):
            load["overdue"].add(m.child_id)
            load["cases"]["overdue_reviews"].add(m.proceedings_id)
    return found


async def _drill(engine: AsyncEngine, actor: Actor, figure: Figure, iro_id: uuid.UUID | None = None) -> set:
    async with create_session_factory(engine)() as session:
        found = await dashboards.cases_behind(
            session, actor, figure, start=START, end=END, today=TODAY, iro_id=iro_id
        )
    return {behind.case.id for behind in found}


@pytest.mark.parametrize("role", [Role.CAFCASS_MANAGER, Role.IRO_MANAGER])
async def test_every_section_equals_python_and_drills_down_to_its_cases(
    engine: AsyncEngine, synthetic: dict[str, Any], role: Role
) -> None:
    data = synthetic
    actor = await _manager(engine, data, role)
    scope = _scope(data, actor)
    assert 0 < len(scope) < len(data["Proceedings"])  # a real scope, not everything
    sessions = create_session_factory(engine)
    async with sessions() as session:
        handed = await dashboards.handovers(session, actor, start=START, end=END, today=TODAY)
        filed = await dashboards.papers(session, actor, start=START, end=END, today=TODAY)
        tracked = await dashboards.tracker(session, actor, TODAY)
        measured = await dashboards.table1(session, actor, start=START, end=END, today=TODAY)
        loads = await dashboards.iro_workload(session, actor, TODAY)
        took_part = await dashboards.participation(session, actor, start=START, end=END, today=TODAY)
        coverage = await coverage_for_period(session, actor, start=START, end=END, today=TODAY)

    # Handovers (P14, P15)
    expected_handovers = _handovers(data, scope)
    assert handed == Handovers(
        *(
            len(expected_handovers[k])
            for k in ("due", "on_time", "late", "missing", "awaited", "acknowledged")
        )
    )
    # The data exercises each.
    assert handed.on_time
    assert handed.late
    assert handed.missing
    # Court papers (P6)
    expected_papers, days = _papers(data, scope)
    assert filed == Papers(
        *(len(expected_papers[k]) for k in ("filed", "opened", "unopened", "not_with_iro")),
        median_working_days=_nearest_rank(days, 50),
        p90_working_days=_nearest_rank(days, 90),
    )
    assert filed.opened
    assert filed.unopened
    # The 26-week tracker
    expected_tracker = _tracker(data, scope)
    assert [count for _, count in tracked.buckets] == [len(expected_tracker[str(n)]) for n in range(4)]
    assert tracked.extended == len(expected_tracker["extended"])
    assert tracked.extended or role is Role.IRO_MANAGER  # exercised, over a service area's cases at least
    assert {case for case, *_ in tracked.at_risk} == expected_tracker["at_risk"]
    # Table 1
    expected_table1 = _table1(data, scope)
    for line in measured:
        categories = (
            ("held", "", "not_held")
            if line.question == "final_discussion"
            else ("always_or_mostly", "sometimes", "rarely_or_never")
        )
        counts = [len(expected_table1[f"{line.question}:{c}"]) for c in categories]
        assert [line.always_or_mostly, line.sometimes, line.rarely_or_never] == counts, line.question

    # The children's participation (issue 19): every figure, and the data exercises each way of taking part.
    expected_participation, participation_counts = _participation(data, scope)
    assert took_part == Participation(
        reviews=participation_counts["reviews"],
        attendance=[(how, participation_counts[f"reviews_{how.value}"]) for how in ChildAttendance],
        not_recorded=participation_counts["reviews_not_recorded"],
        conveyed=[(how, participation_counts[f"reviews_by_{how.value}"]) for how in ViewsConveyed],
        allocations=participation_counts["allocations"],
        introduced=participation_counts["allocations_introduced"],
        not_introduced=participation_counts["allocations_not_introduced"],
        advocacy=participation_counts["allocations_advocacy"],
        disputes_resolved=participation_counts["disputes_resolved"],
        disputes_told=participation_counts["disputes_told"],
    )
    assert all(n for _, n in took_part.attendance)
    assert took_part.not_recorded
    assert took_part.introduced
    assert took_part.not_introduced
    assert took_part.advocacy

    # Every drill-down: exactly the cases behind the figure, and none outside scope.
    # Monitoring between reviews (issue 19): each figure is its rows, each row's check is one recorded for
    # that child on that case, and the data exercises each standing.
    expected_midpoints = _midpoints(data, coverage, role)

    expected_iro_views = _iro_views(data, scope)
    assert expected_iro_views["cited"]
    assert expected_iro_views["not_cited"]
    assert expected_iro_views["not_recorded"]
    expected_cases = {
        **{f"participation:{k}": v for k, v in expected_participation.items()},
        **{f"iro_view:{k}": v for k, v in expected_iro_views.items()},
        **{f"midpoints:{k}": v for k, v in expected_midpoints.items()},
        **{f"handovers:{k}": v for k, v in expected_handovers.items()},
        **{f"papers:{k}": set(v) for k, v in expected_papers.items()},
        **{f"tracker:{k}": v for k, v in expected_tracker.items()},
        **expected_table1,
    }
    for figure in Figure:
        if figure.value.startswith("iro:"):
            continue
        behind = await _drill(engine, actor, figure)
        assert behind == expected_cases.get(figure.value, set()), figure
        assert behind <= scope

    # IRO workload: for the IRO manager only, each IRO's figures and cases.
    if role is Role.CAFCASS_MANAGER:
        assert loads == []
        return
    expected_loads = _workload(data, actor, scope)
    assert {load.iro_id for load in loads} == set(expected_loads)
    for load in loads:
        expected = expected_loads[load.iro_id]
        assert (load.children, load.in_proceedings, load.overdue_reviews) == (
            len(expected["children"]),
            len(expected["in_proceedings"]),
            len(expected["overdue"]),
        )
    busiest = max(loads, key=lambda load: load.children)
    for figure in (
        Figure.IRO_CHILDREN,
        Figure.IRO_IN_PROCEEDINGS,
        Figure.IRO_OVERDUE_REVIEWS,
    ):
        behind = await _drill(engine, actor, figure, busiest.iro_id)
        assert behind == expected_loads[busiest.iro_id]["cases"][figure.value.split(":")[1]]
    assert await _drill(engine, actor, Figure.IRO_CHILDREN, busiest.iro_id)  # something to see


async def _every_figure(engine: AsyncEngine) -> dict[str, Any]:
    """Every section for every manager, as plain values."""
    sessions = create_session_factory(engine)
    async with sessions() as session:
        people = (
            await session.execute(
                sa.select(PersonRole.person_id, PersonRole.role).where(
                    PersonRole.role.in_([Role.CAFCASS_MANAGER, Role.IRO_MANAGER])
                )
            )
        ).all()
    found: dict[str, Any] = {}
    for person_id, role in sorted(people, key=lambda row: str(row[0])):
        async with sessions() as session:
            actor = await actor_for_person(session, person_id, via=Via.API)
            assert actor is not None
            found[f"{role}:{person_id}"] = await every_section(
                session, actor, start=START, end=END, today=TODAY, by=GroupBy.TEAM
            )
    return found


async def test_sqlite_and_postgresql_give_the_same_figures(engine: AsyncEngine, tmp_path: Path) -> None:
    """The same generated data (one seed, the same ids) in both databases: every figure of every section for
    every manager is the same. Runs in the PostgreSQL pass, beside a SQLite database of its own."""
    if engine.dialect.name != "postgresql":
        pytest.skip("compares PostgreSQL with SQLite: runs in the suite's PostgreSQL pass")
    sqlite = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'same.db'}")
    await upgrade(sqlite)
    try:
        for each in (engine, sqlite):
            async with create_session_factory(each)() as session, session.begin():
                await generate(session, scale=0.02, today=TODAY, seed=11)
        on_postgresql, on_sqlite = await _every_figure(engine), await _every_figure(sqlite)
    finally:
        await sqlite.dispose()
    assert len(on_postgresql) > 4
    assert on_postgresql == on_sqlite
