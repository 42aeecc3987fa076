"""The IRO's view before the court (issue 19; RESEARCH-NOTES.md §1.7, §5.2): the case's guardian records
whether each of their analyses cites the IRO's view of the care plan (with a short reason when not), at
filing or afterwards, and may change it; audited; refused for anyone else (not found) and for papers that
are not a guardian's analysis (INVALID_VALUE on paperId). The papers tab shows it; the managers' dashboard
counts the analyses first filed in a period by whether they cite it, by group, each figure drilling down to
its cases."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import httpx
import pytest
import sqlalchemy as sa

from models import (
    AuditEvent,
    Confidentiality,
    CourtPaper,
    FilingParty,
    IroViewCitation,
    LawfulBasis,
    PaperKind,
    PaperVersion,
)
from portal import clock
from portal.dashboards import service as dashboards
from portal.dashboards.adherence import GroupBy
from portal.dashboards.drill import Figure
from portal.errors import DomainError, NotFound
from portal.papers.iro_view import RecordIroView, record_iro_view
from tests.support.graphql import gql
from tests.support.world import World


async def _paper(
    world: World, case_id: uuid.UUID, kind: PaperKind, filed_on: date, by: str = "guardian"
) -> uuid.UUID:
    """A paper filed on ``filed_on`` (written as filing leaves it: the paper and its first version)."""
    async with world.sessions() as session, session.begin():
        paper = CourtPaper(
            proceedings_id=case_id,
            kind=kind,
            title=f"{kind.value} {filed_on}",
            filed_by_party=FilingParty.CHILDRENS_GUARDIAN,
            confidentiality=Confidentiality.STANDARD,
            lawful_basis=LawfulBasis.FPR_12_73_IRO,
            created_by_id=world.id(by),
        )
        session.add(paper)
        await session.flush()
        session.add(
            PaperVersion(
                paper_id=paper.id,
                proceedings_id=case_id,
                version=1,
                sha256=uuid.uuid4().hex * 2,
                size=10,
                content_type="application/pdf",
                filename="analysis.pdf",
                filed_on=filed_on,
                uploaded_by_id=world.id(by),
            )
        )
    return paper.id


async def _record(world: World, who: str, paper_id: uuid.UUID, cites: bool | None, reason: str = "") -> None:
    async with world.sessions() as session, session.begin():
        await record_iro_view(session, await world.actor(who), RecordIroView(paper_id, cites, reason))


def _codes(error: DomainError) -> list[tuple[str, str | None]]:
    return [(p.code.value, p.field) for p in error.problems]


async def test_the_guardian_records_and_changes_it_audited_and_nobody_else_may(world: World) -> None:
    case_id = await world.open_case()
    analysis = await _paper(world, case_id, PaperKind.GUARDIAN_ANALYSIS_INITIAL, clock.today())
    plan = await _paper(world, case_id, PaperKind.CARE_PLAN_INTERIM, clock.today(), by="solicitor")
    await _record(world, "guardian", analysis, False, "  The IRO had not yet given a view. ")
    async with world.sessions() as session:
        first = (await session.execute(sa.select(IroViewCitation))).scalars().all()
        assert [(r.cites, r.reason) for r in first] == [(False, "The IRO had not yet given a view.")]
    await _record(world, "guardian", analysis, True)
    async with world.sessions() as session:
        rows = (await session.execute(sa.select(IroViewCitation))).scalars().all()
        assert [(r.paper_id, r.cites, r.reason, r.recorded_by_id) for r in rows] == [
            (analysis, True, "", world.id("guardian"))
        ]
        events = (
            await session.execute(
                sa.select(AuditEvent.action, AuditEvent.subject_id, AuditEvent.case_id).where(
                    AuditEvent.action == "paper.iro_view"
                )
            )
        ).all()
        assert [(a, s, c) for a, s, c in events] == [("paper.iro_view", analysis, case_id)] * 2
    for who in (
        "iro",
        "solicitor",
        "social_worker",
        "cafcass_manager",
        "iro_manager",
        "other_guardian",
        "guardian2",
    ):
        with pytest.raises(NotFound):
            await _record(world, who, analysis, False)
    with pytest.raises(NotFound):
        await _record(world, "guardian", uuid.uuid4(), True)
    with pytest.raises(DomainError) as refused:
        await _record(world, "guardian", plan, True)
    assert _codes(refused.value) == [("INVALID_VALUE", "paperId")]
    with pytest.raises(DomainError) as refused:
        await _record(world, "guardian", analysis, None, "x" * 501)
    assert _codes(refused.value) == [("REQUIRED", "cites"), ("TOO_LONG", "reason")]
    with pytest.raises(DomainError) as refused:
        await _record(world, "guardian", analysis, True, "cited after all")
    assert _codes(refused.value) == [("INVALID_VALUE", "reason")]


async def test_the_api_records_it_and_the_paper_shows_it(client: httpx.AsyncClient, world: World) -> None:
    case_id = await world.open_case()
    final = await _paper(world, case_id, PaperKind.GUARDIAN_ANALYSIS_FINAL, clock.today())
    token = await world.token("guardian")

    async def shown(who: str) -> list[object]:
        case = (await gql(client, await world.token(who), "CasePapers", id=str(case_id)))["data"]["case"]
        return [p["iroView"] for p in case["papers"]]

    assert await shown("guardian") == [None]
    done = await gql(
        client,
        token,
        "RecordIroView",
        input={"paperId": str(final), "cites": False, "reason": "No view given"},
    )
    assert done["data"]["recordIroView"]["errors"] == []
    assert done["data"]["recordIroView"]["iroView"]["cites"] is False
    for who in ("guardian", "solicitor"):  # everyone who may open the paper
        [view] = await shown(who)
        assert isinstance(view, dict)
        assert (view["cites"], view["reason"], view["recordedBy"]["name"]) == (
            False,
            "No view given",
            "Gina Guardian",
        )
    refused = await gql(
        client, await world.token("iro"), "RecordIroView", input={"paperId": str(final), "cites": True}
    )
    assert [e["code"] for e in refused["data"]["recordIroView"]["errors"]] == ["NOT_FOUND"]


async def test_the_dashboard_counts_analyses_filed_in_the_period_by_group_and_drills_down(
    world: World,
) -> None:
    today = clock.today()
    start, end = today - timedelta(days=30), today
    first = await world.open_case(case_number="RV-CITED")
    second = await world.open_case(case_number="RV-SECOND", guardian="guardian2")
    cited = await _paper(world, first, PaperKind.GUARDIAN_ANALYSIS_INITIAL, today - timedelta(days=10))
    not_cited = await _paper(world, first, PaperKind.GUARDIAN_ANALYSIS_FINAL, today - timedelta(days=2))
    await _paper(
        world, second, PaperKind.GUARDIAN_ANALYSIS_INITIAL, today - timedelta(days=5), by="guardian2"
    )
    # Not counted: an analysis filed before the period (though recorded), and a care plan.
    before = await _paper(
        world, second, PaperKind.GUARDIAN_ANALYSIS_FINAL, today - timedelta(days=60), by="guardian2"
    )
    await _paper(world, second, PaperKind.CARE_PLAN_FINAL, today - timedelta(days=3), by="solicitor")
    await _record(world, "guardian", cited, True)
    await _record(world, "guardian", not_cited, False)
    await _record(world, "guardian2", before, True)
    # A later version does not count an analysis again, nor move it into the period.
    async with world.sessions() as session, session.begin():
        session.add(
            PaperVersion(
                paper_id=before,
                proceedings_id=second,
                version=2,
                sha256="f" * 64,
                size=10,
                content_type="application/pdf",
                filename="analysis-2.pdf",
                filed_on=today - timedelta(days=1),
                uploaded_by_id=world.id("guardian2"),
            )
        )
    manager = await world.actor("cafcass_manager")
    async with world.sessions() as session, session.begin():
        overall = await dashboards.iro_views(
            session, manager, start=start, end=end, by=GroupBy.NONE, today=today
        )
        people = await dashboards.iro_views(
            session, manager, start=start, end=end, by=GroupBy.PRACTITIONER, today=today
        )
        teams = await dashboards.iro_views(
            session, manager, start=start, end=end, by=GroupBy.TEAM, today=today
        )
    assert [(g.group_name, g.filed, g.cited, g.not_cited, g.not_recorded) for g in overall] == [
        ("All cases in your scope", 3, 1, 1, 1)
    ]
    assert [(g.group_id, g.filed, g.cited, g.not_cited, g.not_recorded) for g in people] == [
        (world.id("guardian2"), 1, 0, 0, 1),
        (world.id("guardian"), 2, 1, 1, 0),
    ]
    assert [(g.group_id, g.group_name, g.filed) for g in teams] == [(None, "No team (Cafcass Riverside)", 3)]

    async def behind(figure: Figure, by: GroupBy = GroupBy.NONE, group: uuid.UUID | None = None) -> list[str]:
        async with world.sessions() as session, session.begin():
            found = await dashboards.cases_behind(
                session, manager, figure, start=start, end=end, today=today, by=by, group_id=group
            )
        return [b.case.case_number for b in found]

    assert await behind(Figure.IRO_VIEW_FILED) == ["RV-CITED", "RV-SECOND"]
    assert await behind(Figure.IRO_VIEW_CITED) == ["RV-CITED"]
    assert await behind(Figure.IRO_VIEW_NOT_CITED) == ["RV-CITED"]
    assert await behind(Figure.IRO_VIEW_NOT_RECORDED) == ["RV-SECOND"]
    assert await behind(Figure.IRO_VIEW_NOT_RECORDED, GroupBy.PRACTITIONER, world.id("guardian")) == []
    assert await behind(Figure.IRO_VIEW_FILED, GroupBy.PRACTITIONER, world.id("guardian2")) == ["RV-SECOND"]
    assert await behind(Figure.IRO_VIEW_FILED, GroupBy.TEAM, None) == ["RV-CITED", "RV-SECOND"]
    # Another service area's manager sees none of it; the reading is audited as a dashboard's.
    other = await world.actor("other_cafcass_manager")
    async with world.sessions() as session, session.begin():
        assert (
            await dashboards.iro_views(session, other, start=start, end=end, by=GroupBy.NONE, today=today)
            == []
        )
    async with world.sessions() as session:
        reads = await session.scalar(
            sa.select(sa.func.count()).where(AuditEvent.action == "iro_views_dashboard.read")
        )
    assert reads == 4
    guardian = await world.actor("guardian")
    async with world.sessions() as session, session.begin():
        with pytest.raises(DomainError):
            await dashboards.iro_views(session, guardian, start=start, end=end, by=GroupBy.NONE, today=today)
