"""Referral to Cafcass (issue 17; CA 1989 s25B(3)(a); CPPCR 2010 reg 45; PROTOCOL.md §3): the IRO's referral
with its grounds, steps taken and papers, refused with every problem at once and nothing kept; the service
area's managers acknowledge it and appoint an officer, who makes enquiries and records the outcome; each step
due by the service area's timescale (kept per referral), reminded and chased once each across a bank
holiday; and who sees a referral, with everyone else told it does not exist."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, time
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import (
    AuditEvent,
    CafcassReferral,
    Confidentiality,
    CourtPaper,
    DisputeSubject,
    FilingParty,
    LawfulBasis,
    OutboxMessage,
    PaperKind,
    Person,
    ReferralGround,
    ReferralOutcome,
    ReferralState,
    StageOutcome,
)
from portal import clock
from portal.calendar import add_working_days
from portal.clock import london_datetime
from portal.db import create_session_factory
from portal.disputes import service as disputes
from portal.errors import DomainError, ErrorCode, NotFound
from portal.referrals import repository as referral_rows
from portal.referrals import service as referrals
from portal.referrals import timescales
from portal.referrals.timescales import TimescaleSpec
from portal.reminders.service import tick
from portal.settings import Settings
from tests.conftest import Travel
from tests.support.world import World

T = TypeVar("T")


async def _as(world: World, who: str, work: Callable[[AsyncSession, Any], Awaitable[T]]) -> T:
    async with world.sessions() as session, session.begin():
        return await work(session, await world.actor(who))


async def _paper(
    world: World, case_id: uuid.UUID, title: str, level: Confidentiality = Confidentiality.STANDARD
) -> uuid.UUID:
    async with world.sessions() as session, session.begin():
        paper = CourtPaper(
            proceedings_id=case_id,
            kind=PaperKind.CARE_PLAN_INTERIM,
            title=title,
            filed_by_party=FilingParty.LOCAL_AUTHORITY,
            confidentiality=level,
            lawful_basis=LawfulBasis.FPR_12_73_IRO,
            created_by_id=world.id("solicitor"),
        )
        session.add(paper)
    return paper.id


def _referral(case_id: uuid.UUID, **changes: Any) -> referrals.Refer:
    fields: dict[str, Any] = {
        "case_id": case_id,
        "ground": ReferralGround.FAMILY_LIFE,
        "grounds": "Contact with her brother stopped for six months without a decision of the court.",
        "steps_taken": "Raised informally, then taken to the head of service, who did not answer.",
    }
    return referrals.Refer(**(fields | changes))


async def _refer(world: World, case_id: uuid.UUID, **changes: Any) -> CafcassReferral:
    return await _as(world, "iro", lambda s, a: referrals.refer(s, a, _referral(case_id, **changes)))


async def _sent(engine: AsyncEngine, kind: str) -> list[tuple[str, str]]:
    async with AsyncSession(engine) as session:
        rows = await session.execute(
            sa.select(Person.name, OutboxMessage.body)
            .join(Person, Person.id == OutboxMessage.person_id)
            .where(OutboxMessage.kind == kind)
            .order_by(OutboxMessage.created_at, Person.name)
        )
        return [(name, body) for name, body in rows]


async def test_a_referral_from_the_iro_to_its_outcome_across_a_bank_holiday(
    world: World, engine: AsyncEngine, settings: Settings, travel: Travel
) -> None:
    sessions = create_session_factory(engine)
    # Thursday 24 December 2026: two working days to acknowledge skip Christmas and the Boxing Day holiday.
    travel(london_datetime(date(2026, 12, 24), time(9)))
    case_id = await world.open_case()
    other_case = await world.open_case()
    plan = await _paper(world, case_id, "Care plan, December")
    legal = await _paper(world, case_id, "Counsel's advice", Confidentiality.LEGAL_ONLY)
    elsewhere = await _paper(world, other_case, "Another child's plan")
    dispute = await _as(
        world,
        "iro",
        lambda s, a: disputes.raise_challenge(
            s,
            a,
            disputes.RaiseChallenge(
                case_id=case_id,
                subject=DisputeSubject.CARE_PLAN,
                summary="Sibling contact stopped.",
                raised_with="The team manager",
                resolution_sought="Contact restored.",
                sought_by=date(2027, 1, 8),
                fast_track_stage=1,
                fast_track_reason="Contact stopped without a decision.",
                answerer_id=world.id("team_manager"),
            ),
        ),
    )
    other_dispute = await _as(
        world,
        "iro",
        lambda s, a: disputes.raise_challenge(
            s,
            a,
            disputes.RaiseChallenge(
                case_id=other_case,
                subject=DisputeSubject.RESOURCES,
                summary="No therapy.",
                raised_with="The social worker",
                resolution_sought="Therapy funded.",
                sought_by=date(2027, 1, 8),
            ),
        ),
    )

    # Every problem at once, and nothing kept: a paper the IRO may not open, another case's paper and
    # dispute, no grounds.
    with pytest.raises(DomainError) as refused:
        await _refer(
            world,
            case_id,
            grounds="  ",
            dispute_id=other_dispute.id,
            paper_ids=[plan, legal, elsewhere],
        )
    assert [(p.code, p.field) for p in refused.value.problems] == [
        (ErrorCode.REQUIRED, "grounds"),
        (ErrorCode.NOT_FOUND, "disputeId"),
        (ErrorCode.NOT_FOUND, "paperIds"),
    ]
    async with AsyncSession(engine) as session:
        assert (await session.scalars(sa.select(CafcassReferral))).all() == []

    referral = await _refer(world, case_id, dispute_id=dispute.id, paper_ids=[plan, plan])
    assert (referral.state, referral.referred_on, referral.acknowledge_due_on, referral.due_on) == (
        ReferralState.REFERRED,
        date(2026, 12, 24),
        date(2026, 12, 30),
        date(2026, 12, 30),
    )
    assert referral.service_area_id == world.orgs["cafcass"].id
    assert [name for name, _ in await _sent(engine, "referral.made")] == ["Carla Manager"]
    # The dispute's stage ends as referred; the dispute stays open for the IRO to resolve.
    seen = await _as(world, "iro", lambda s, a: disputes.dispute(s, a, dispute.id))
    assert [s.outcome for s in seen.stages] == [StageOutcome.REFERRED]
    assert seen.notes[-1].kind == "referred to Cafcass"
    with pytest.raises(DomainError) as again:
        await _refer(world, case_id, dispute_id=dispute.id)
    assert [(p.code, p.field) for p in again.value.problems] == [(ErrorCode.DUPLICATE, "disputeId")]

    # Tuesday 29 December: due within two working days: the managers are reminded once.
    travel(london_datetime(date(2026, 12, 29), time(9)))
    assert (await tick(sessions, settings)).referral_notices == 1
    assert (await tick(sessions, settings)).referral_notices == 0
    # Thursday 31 December: overdue: chased once.
    travel(london_datetime(date(2026, 12, 31), time(9)))
    assert (await tick(sessions, settings)).referral_notices == 1
    assert (await tick(sessions, settings)).referral_notices == 0
    view = await _as(world, "cafcass_manager", lambda s, a: referrals.referral(s, a, referral.id))
    assert view.overdue(clock.today())
    assert view.may_manage
    assert not view.may_enquire
    assert [p.title for p in view.papers] == ["Care plan, December"]

    # The IRO may not take Cafcass's steps; the officer must be of the service area.
    with pytest.raises(DomainError) as not_theirs:
        await _as(world, "iro", lambda s, a: referrals.acknowledge(s, a, referral.id))
    assert not_theirs.value.problems[0].code is ErrorCode.NOT_PERMITTED
    acknowledged = await _as(world, "cafcass_manager", lambda s, a: referrals.acknowledge(s, a, referral.id))
    # Five working days from Thursday 31 December, New Year's Day skipped.
    assert (acknowledged.state, acknowledged.appoint_due_on) == (ReferralState.ACKNOWLEDGED, date(2027, 1, 8))
    assert [name for name, _ in await _sent(engine, "referral.acknowledged")] == ["Ivan Reviewer"]
    with pytest.raises(DomainError) as far:
        await _as(
            world,
            "cafcass_manager",
            lambda s, a: referrals.appoint(s, a, referral.id, world.id("other_guardian")),
        )
    assert [(p.code, p.field) for p in far.value.problems] == [(ErrorCode.WRONG_ROLE, "officerId")]
    # Before appointment the other guardian of the service area does not see it.
    with pytest.raises(NotFound):
        await _as(world, "guardian2", lambda s, a: referrals.referral(s, a, referral.id))
    async with world.sessions() as session:
        candidates = (await referral_rows.officers_of(session, [referral.service_area_id]))[
            referral.service_area_id
        ]
    assert [p.name for p in candidates] == ["Gareth Second", "Gina Guardian"]
    appointed = await _as(
        world, "cafcass_manager", lambda s, a: referrals.appoint(s, a, referral.id, world.id("guardian2"))
    )
    assert (appointed.state, appointed.outcome_due_on) == (ReferralState.OFFICER_APPOINTED, date(2027, 1, 29))
    assert [name for name, _ in await _sent(engine, "referral.officer")] == ["Gareth Second"]

    # The officer, not on the case, sees it now and makes enquiries.
    officer_view = await _as(world, "guardian2", lambda s, a: referrals.referral(s, a, referral.id))
    assert officer_view.may_enquire
    assert not officer_view.may_manage
    assert [v.referral.id for v in await _as(world, "guardian2", referrals.readable_referrals)] == [
        referral.id
    ]
    with pytest.raises(DomainError) as early:
        await _as(
            world,
            "guardian2",
            lambda s, a: referrals.record_enquiry(s, a, referral.id, date(2026, 12, 1), "", "Spoke."),
        )
    assert [(p.code, p.field) for p in early.value.problems] == [
        (ErrorCode.DATE_TOO_EARLY, "madeOn"),
        (ErrorCode.REQUIRED, "madeWith"),
    ]
    await _as(
        world,
        "guardian2",
        lambda s, a: referrals.record_enquiry(
            s, a, referral.id, clock.today(), "Head of service", "Contact to resume next week."
        ),
    )
    concluded = await _as(
        world,
        "guardian2",
        lambda s, a: referrals.record_outcome(
            s, a, referral.id, ReferralOutcome.RESOLVED_BY_CORRESPONDENCE, None, "Contact restored by letter."
        ),
    )
    assert (concluded.state, concluded.outcome_on, concluded.due_on) == (
        ReferralState.CONCLUDED,
        clock.today(),
        None,
    )
    assert [name for name, _ in await _sent(engine, "referral.outcome")] == ["Ivan Reviewer"]
    with pytest.raises(DomainError) as closed:
        await _as(
            world,
            "guardian2",
            lambda s, a: referrals.record_enquiry(s, a, referral.id, clock.today(), "LA", "More."),
        )
    assert closed.value.problems[0].code is ErrorCode.ALREADY_CLOSED
    # Concluded: the clock has nothing more to send.
    travel(london_datetime(date(2027, 3, 1), time(9)))
    assert (await tick(sessions, settings)).referral_notices == 0
    # Every email carries a link, never the case's content.
    async with AsyncSession(engine) as session:
        bodies = (
            await session.scalars(sa.select(OutboxMessage.body).where(OutboxMessage.kind.like("referral%")))
        ).all()
    assert bodies
    assert not any("Contact" in b or "brother" in b for b in bodies)
    async with AsyncSession(engine) as session:
        actions = (
            await session.scalars(
                sa.select(AuditEvent.action)
                .where(AuditEvent.subject_id == referral.id, AuditEvent.action.like("referral.%"))
                .order_by(AuditEvent.occurred_at)
            )
        ).all()
    assert actions == [
        "referral.make",
        "referral.acknowledge",
        "referral.appoint",
        "referral.enquiry",
        "referral.outcome",
    ]


async def test_who_sees_a_referral(world: World) -> None:
    case_id = await world.open_case()
    referral = await _refer(world, case_id)
    for who in ("iro", "iro_manager", "cafcass_manager"):
        view = await _as(world, who, lambda s, a: referrals.referral(s, a, referral.id))
        assert view.referral.id == referral.id, who
        listed = await _as(world, who, lambda s, a: referrals.readable_referrals(s, a, case_id))
        assert [v.referral.id for v in listed] == [referral.id], who
    # The guardian on the case is not its officer; the authority's lawyers and social workers, the other
    # service area's manager, another authority's IRO manager and the managers of the ladder see nothing.
    for who in (
        "guardian",
        "guardian2",
        "solicitor",
        "social_worker",
        "other_cafcass_manager",
        "other_iro_manager",
        "team_manager",
    ):
        with pytest.raises(NotFound):
            await _as(world, who, lambda s, a: referrals.referral(s, a, referral.id))
        assert await _as(world, who, referrals.readable_referrals) == [], who


async def test_a_referral_keeps_the_timescale_it_was_made_under(world: World) -> None:
    cafcass = world.orgs["cafcass"].id
    assert _spec(
        await _as(world, "national_admin", lambda s, a: referrals.service_area_timescale(s, a, cafcass))
    ) == (timescales.DEFAULT)
    with pytest.raises(DomainError) as bad:
        await _as(
            world,
            "national_admin",
            lambda s, a: referrals.set_timescale(s, a, cafcass, TimescaleSpec(0, 5, 500)),
        )
    assert [(p.code, p.field) for p in bad.value.problems] == [
        (ErrorCode.OUT_OF_RANGE, "acknowledgeWorkingDays"),
        (ErrorCode.OUT_OF_RANGE, "outcomeWorkingDays"),
    ]
    # Riverside's administrator administers no service area.
    with pytest.raises(NotFound):
        await _as(world, "admin", lambda s, a: referrals.service_area_timescale(s, a, cafcass))
    case_id = await world.open_case()
    before = await _refer(world, case_id)
    changed = await _as(
        world, "national_admin", lambda s, a: referrals.set_timescale(s, a, cafcass, TimescaleSpec(1, 10, 40))
    )
    assert changed.version == 1
    after = await _refer(world, case_id)
    today = clock.today()
    assert before.acknowledge_due_on == add_working_days(today, 2)
    assert after.acknowledge_due_on == add_working_days(today, 1)
    acknowledged = await _as(world, "cafcass_manager", lambda s, a: referrals.acknowledge(s, a, before.id))
    assert acknowledged.appoint_due_on == add_working_days(today, 5)


def _spec(row: Any) -> TimescaleSpec:
    return TimescaleSpec(row.acknowledge_working_days, row.appoint_working_days, row.outcome_working_days)
