"""The monthly management report by team (issue 19; RESEARCH-NOTES.md §1.2, §7.2): for an authority's IRO
manager and a calendar month, per team of the authority's social workers, reviews held late and overdue,
the reviews' decisions overdue, disputes opened, resolved and open at the month's end, and the children
concerned; each figure reconciled with the dashboard's for the same month; for the authority's IRO managers
only, audited as a dashboard read. Built by construction: two teams in March 2027."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
import sqlalchemy as sa

from models import (
    AuditEvent,
    CaseMembership,
    CaseRole,
    Child,
    Dispute,
    DisputeLadder,
    DisputeState,
    DisputeSubject,
    LegalStatus,
    ProceedingsChild,
    Review,
    ReviewDecision,
    ReviewKind,
    Role,
    Team,
)
from portal.dashboards import service as dashboards
from portal.errors import DomainError, NotFound
from portal.people import service as people
from portal.reports.monthly import MonthlyReport, monthly_report
from tests.conftest import Travel
from tests.support.world import World
from tests.test_protocol_walkthrough import at

LOOKED_AFTER = date(2027, 1, 4)  # the first review is due by 1 February 2027 (20 working days)
MARCH = (date(2027, 3, 1), date(2027, 3, 31))


async def _child(world: World, case_id: uuid.UUID) -> uuid.UUID:
    async with world.sessions() as session, session.begin():
        child_id = await session.scalar(
            sa.select(ProceedingsChild.child_id).where(ProceedingsChild.proceedings_id == case_id)
        )
        assert child_id is not None
        child = await session.get(Child, child_id)
        assert child is not None
        child.looked_after_since = LOOKED_AFTER
        return child_id


async def _construct(world: World, travel: Travel) -> dict[str, uuid.UUID]:
    """Two teams of Riverside's social workers. Amy (Children in care 1): her first review, due by 1
    February, held late on 3 March; a decision of it due 15 March still open. Ben (Children in care 2): no
    review held, overdue since 1 February; a dispute raised on 5 March (open), one raised on 10 February and
    resolved on 12 March, and one raised on 20 February still open. Nell (Northmoor): a dispute of another
    authority's."""
    travel(at(date(2027, 1, 20), 9))
    world.forget_tokens()
    amy_case = await world.open_case([("Amy", LegalStatus.INTERIM_CARE_ORDER)], case_number="RV-AMY")
    ben_case = await world.open_case([("Ben", LegalStatus.INTERIM_CARE_ORDER)], case_number="RV-BEN")
    amy, ben = await _child(world, amy_case), await _child(world, ben_case)
    riverside = world.orgs["riverside"].id
    async with world.sessions() as session, session.begin():
        first, second = (
            Team(organisation_id=riverside, name="Children in care 1"),
            Team(organisation_id=riverside, name="Children in care 2"),
        )
        session.add_all([first, second, Team(organisation_id=riverside, name="Leaving care")])
        await session.flush()
        other = await people.add_person(
            session,
            None,
            organisation_id=riverside,
            name="Sue Second",
            email="sue@riverside.example.gov.uk",
            roles=[Role.SOCIAL_WORKER],
        )
        other.team_id = second.id
        sam = await session.get(type(other), world.id("social_worker"))
        assert sam is not None
        sam.team_id = first.id
        session.add_all(
            [
                CaseMembership(
                    proceedings_id=amy_case, child_id=amy, person_id=sam.id, role=CaseRole.SOCIAL_WORKER
                ),
                CaseMembership(
                    proceedings_id=ben_case, child_id=ben, person_id=other.id, role=CaseRole.SOCIAL_WORKER
                ),
            ]
        )
        review = Review(
            proceedings_id=amy_case,
            child_id=amy,
            kind=ReviewKind.FIRST,
            review_date=date(2027, 3, 3),
            arrangements="At the placement",
            scheduled_by_id=world.id("iro"),
            held_on=date(2027, 3, 3),
        )
        session.add(review)
        await session.flush()
        session.add(
            ReviewDecision(
                review_id=review.id,
                proceedings_id=amy_case,
                child_id=amy,
                position=1,
                description="Arrange family time with her brother",
                owner_id=sam.id,
                due_on=date(2027, 3, 15),
                recorded_by_id=world.id("iro"),
            )
        )
        ladder = DisputeLadder(version=99, overall_working_days=20)
        session.add(ladder)
        await session.flush()

        def dispute(case: uuid.UUID, child: uuid.UUID | None, raised: date, resolved: date | None) -> Dispute:
            return Dispute(
                proceedings_id=case,
                child_id=child,
                subject=DisputeSubject.DRIFT_OR_DELAY,
                summary="Drift",
                raised_with="Team manager",
                resolution_sought="A plan",
                sought_by=raised,
                raised_by_id=world.id("iro"),
                raised_at=at(raised, 10),
                ladder_id=ladder.id,
                state=DisputeState.RESOLVED if resolved else DisputeState.INFORMAL,
                resolved_on=resolved,
            )

        session.add_all(
            [
                dispute(ben_case, ben, date(2027, 3, 5), None),
                dispute(ben_case, None, date(2027, 2, 10), date(2027, 3, 12)),
                dispute(ben_case, ben, date(2027, 2, 20), None),
            ]
        )
    return {"first": first.id, "second": second.id, "amy_case": amy_case, "ben_case": ben_case}


async def _report(world: World, who: str, today: date, month: int = 3, **kwargs: object) -> MonthlyReport:
    async with world.sessions() as session, session.begin():
        return await monthly_report(
            session,
            await world.actor(who),
            year=2027,
            month=month,
            today=today,
            **kwargs,  # type: ignore[arg-type]
        )


def _figures(report: MonthlyReport) -> list[tuple[str, int, int, int, int, int, int]]:
    return [
        (
            line.team_name,
            line.reviews_held_late,
            line.reviews_overdue,
            line.actions_overdue,
            line.disputes_opened,
            line.disputes_resolved,
            line.disputes_open,
        )
        for line in [*report.teams, report.total]
    ]


async def test_the_month_by_team_with_the_children_concerned(world: World, travel: Travel) -> None:
    await _construct(world, travel)
    travel(at(date(2027, 4, 10), 9))
    world.forget_tokens()
    report = await _report(world, "iro_manager", date(2027, 4, 10))
    assert (report.start, report.end, report.as_of) == (*MARCH, date(2027, 3, 31))
    assert report.authority_name == "Riverside City Council"
    assert _figures(report) == [
        ("Children in care 1", 1, 0, 1, 0, 0, 0),
        ("Children in care 2", 0, 1, 0, 1, 1, 2),
        ("Leaving care", 0, 0, 0, 0, 0, 0),
        ("All teams", 1, 1, 1, 1, 1, 2),
    ]
    first, second, leaving = report.teams
    assert [(c.case_number, c.child_name, c.concerns) for c in first.children] == [
        (
            "RV-AMY",
            "Amy Example",
            [
                "Review held late on 3 March 2027 (due by 1 February 2027)",
                "Review decision overdue since 15 March 2027: Arrange family time with her brother",
            ],
        )
    ]
    assert [(c.case_number, c.child_name) for c in second.children] == [("RV-BEN", "Ben Example")]
    assert second.children[0].concerns == [
        "Next review overdue: due by 1 February 2027",
        "Dispute open at the month's end",
        "Dispute open at the month's end",
        "Dispute raised in the month",
        "Dispute resolved in the month (every child of the case)",
    ]
    assert leaving.children == []
    # February: the disputes raised then, and Ben's review already overdue at its end; Amy's too (not yet
    # held on 28 February).
    february = await _report(world, "iro_manager", date(2027, 4, 10), month=2)
    assert _figures(february)[-1] == ("All teams", 0, 2, 0, 2, 0, 2)


async def test_each_figure_reconciles_with_the_dashboard_for_the_same_month(
    world: World, travel: Travel
) -> None:
    await _construct(world, travel)
    today = date(2027, 3, 20)
    travel(at(today, 9))
    world.forget_tokens()
    report = await _report(world, "iro_manager", today)
    assert report.as_of == today
    manager = await world.actor("iro_manager")
    async with world.sessions() as session, session.begin():
        disputes = await dashboards.disputes(session, manager, start=MARCH[0], end=MARCH[1], today=today)
        workload = await dashboards.iro_workload(session, manager, today)
    total = report.total
    assert (total.disputes_opened, total.disputes_resolved, total.disputes_open) == (1, 1, 2)
    assert (total.disputes_opened, total.disputes_resolved, total.disputes_open) == (
        disputes.opened,
        disputes.resolved,
        disputes.open,
    )
    assert total.reviews_overdue == sum(load.overdue_reviews for load in workload) == 1


async def test_only_the_authoritys_iro_managers_read_it_audited(world: World, travel: Travel) -> None:
    await _construct(world, travel)
    today = date(2027, 4, 10)
    travel(at(today, 9))
    world.forget_tokens()
    for who in ("guardian", "cafcass_manager", "iro", "social_worker", "admin"):
        with pytest.raises(DomainError) as refused:
            await _report(world, who, today)
        assert [p.code.value for p in refused.value.problems] == ["NOT_PERMITTED"]
    # Another authority's IRO manager reads their own (none of Riverside's children), never Riverside's.
    theirs = await _report(world, "other_iro_manager", today)
    assert theirs.authority_name == "Northmoor County Council"
    assert _figures(theirs) == [("All teams", 0, 0, 0, 0, 0, 0)]
    with pytest.raises(NotFound):
        await _report(world, "other_iro_manager", today, authority_id=world.orgs["riverside"].id)
    for month, code in ((13, "OUT_OF_RANGE"), (5, "DATE_IN_FUTURE")):
        with pytest.raises(DomainError) as refused:
            await _report(world, "iro_manager", today, month=month)
        assert [p.code.value for p in refused.value.problems] == [code]
    await _report(world, "iro_manager", today)
    async with world.sessions() as session:
        reads = (
            (
                await session.execute(
                    sa.select(AuditEvent.person_id).where(AuditEvent.action == "monthly_report.read")
                )
            )
            .scalars()
            .all()
        )
        looks = (
            (
                await session.execute(
                    sa.select(AuditEvent.case_id).where(
                        AuditEvent.action == "case.drill_down",
                        AuditEvent.person_id == world.id("iro_manager"),
                    )
                )
            )
            .scalars()
            .all()
        )
    assert sorted(reads) == sorted([world.id("other_iro_manager"), world.id("iro_manager")])
    assert len(set(looks)) == 2
