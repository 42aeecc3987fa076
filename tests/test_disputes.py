"""Disputes about a child's care plan (issue 17; IRO Handbook ch. 6; PROTOCOL.md §3): a challenge recorded
from its first informal word; the authority's ladder, versioned, each stage a duty on the manager named to
answer it, due in working days (bank holidays skipped), reminded and chased once each; a fast-track start;
the whole ladder's time; and who sees a dispute (DISPUTE_SIGHT), with everyone else told it does not
exist."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, time, timedelta
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import (
    AuditEvent,
    AuditOutcome,
    Dispute,
    DisputeLadder,
    DisputeNote,
    DisputeStage,
    DisputeState,
    DisputeSubject,
    IssueKind,
    Obligation,
    ObligationState,
    OutboxMessage,
    Person,
    RaisedIssue,
    StageOutcome,
)
from portal import clock
from portal.audit import pending
from portal.clock import london_datetime
from portal.db import create_session_factory
from portal.disputes import ladders
from portal.disputes import service as disputes
from portal.disputes.ladders import LadderSpec, StageSpec
from portal.errors import DomainError, ErrorCode, NotFound
from portal.raised_issues import service as raised_issues
from portal.reminders.service import tick
from portal.retention.repository import delete_case
from portal.settings import Settings
from tests.conftest import Travel
from tests.support.queries import QueryCounter
from tests.support.world import World

T = TypeVar("T")
# Riverside's own ladder for these tests: three stages, 12 working days in all, the lawyers from stage 2.
RIVERSIDE = LadderSpec(
    stages=(StageSpec("Team manager", 5), StageSpec("Head of service", 3), StageSpec("Director", 2)),
    overall_working_days=12,
    solicitor_from_stage=2,
)


async def _as(world: World, who: str, work: Callable[[AsyncSession, Any], Awaitable[T]]) -> T:
    async with world.sessions() as session, session.begin():
        return await work(session, await world.actor(who))


def _challenge(case_id: uuid.UUID, **changes: Any) -> disputes.RaiseChallenge:
    fields: dict[str, Any] = {
        "case_id": case_id,
        "subject": DisputeSubject.PLACEMENT_MOVE,
        "summary": "The plan moves Amy from her foster carers without the review's agreement.",
        "raised_with": "The social worker",
        "resolution_sought": "Keep the placement until the review has considered the move.",
        "sought_by": clock.today() + timedelta(days=14),
    }
    return disputes.RaiseChallenge(**(fields | changes))


async def _raise(world: World, case_id: uuid.UUID, **changes: Any) -> uuid.UUID:
    found = await _as(
        world, "iro", lambda s, a: disputes.raise_challenge(s, a, _challenge(case_id, **changes))
    )
    return found.id


async def _riverside_ladder(world: World) -> None:
    riverside = world.orgs["riverside"].id
    await _as(world, "admin", lambda s, a: disputes.set_ladder(s, a, riverside, RIVERSIDE))


async def _sent(engine: AsyncEngine, kind: str) -> list[tuple[str, str]]:
    async with AsyncSession(engine) as session:
        rows = await session.execute(
            sa.select(Person.name, OutboxMessage.body)
            .join(Person, Person.id == OutboxMessage.person_id)
            .where(OutboxMessage.kind == kind)
            .order_by(OutboxMessage.created_at, Person.name)
        )
        return [(name, body) for name, body in rows]


async def test_an_informal_challenge_with_its_exchanges_resolved(world: World, engine: AsyncEngine) -> None:
    """The Handbook asks for informal exchanges to be recorded; the research found they mostly were not."""
    case_id = await world.open_case()
    dispute_id = await _raise(world, case_id)
    today = clock.today()
    await _as(
        world,
        "iro",
        lambda s, a: disputes.record_exchange(
            s, a, dispute_id, today, "Team manager", "Agreed to look again at the move."
        ),
    )
    resolved = await _as(
        world,
        "iro",
        lambda s, a: disputes.resolve(
            s, a, dispute_id, "The move is put off to the review (team manager).", None
        ),
    )
    assert (resolved.state, resolved.stage, resolved.resolved_on) == (DisputeState.RESOLVED, 0, today)
    view = await _as(world, "iro", lambda s, a: disputes.dispute(s, a, dispute_id))
    assert [n.kind for n in view.notes] == ["raised", "exchange", "resolved"]
    assert view.stages == []
    assert view.dispute.formal_from is None
    with pytest.raises(DomainError) as closed:
        await _as(world, "iro", lambda s, a: disputes.record_exchange(s, a, dispute_id, today, "TM", "More"))
    assert closed.value.problems[0].code is ErrorCode.ALREADY_CLOSED
    async with AsyncSession(engine) as session:
        actions = (
            await session.scalars(
                sa.select(AuditEvent.action)
                .where(AuditEvent.subject_id == dispute_id)
                .order_by(AuditEvent.occurred_at)
            )
        ).all()
    assert actions == ["dispute.raise", "dispute.exchange", "dispute.resolve", "case.dispute"]


async def test_escalated_through_three_stages_across_a_bank_holiday_reminded_and_chased_once_each(
    world: World, engine: AsyncEngine, settings: Settings, travel: Travel
) -> None:
    sessions = create_session_factory(engine)
    # Wednesday 23 December 2026: Christmas, the Boxing Day holiday (Monday 28th) and New Year's Day fall
    # within the team manager's 5 working days, which end on Monday 4 January 2027.
    travel(london_datetime(date(2026, 12, 23), time(9)))
    await _riverside_ladder(world)
    case_id = await world.open_case()
    dispute_id = await _raise(world, case_id, sought_by=date(2027, 1, 8))
    manager = world.id("team_manager")
    first = await _as(
        world, "iro", lambda s, a: disputes.escalate(s, a, dispute_id, manager, "Not settled informally.")
    )
    assert (first.position, first.answerer_post, first.started_on, first.due_on) == (
        1,
        "Team manager",
        date(2026, 12, 23),
        date(2027, 1, 4),
    )
    assert await _sent(engine, "dispute.stage") == [
        (
            "Tamsin Manager",
            "You are named to answer a dispute raised by an Independent Reviewing Officer, by "
            "4 January 2027.",
        )
    ]
    view = await _as(world, "iro", lambda s, a: disputes.dispute(s, a, dispute_id))
    # The whole ladder's 12 working days from the first formal stage.
    assert (view.dispute.formal_from, view.dispute.limit_on) == (date(2026, 12, 23), date(2027, 1, 13))

    # Thursday 31 December: due within two working days: one reminder, however many ticks and clocks.
    travel(london_datetime(date(2026, 12, 31), time(9)))
    assert (await tick(sessions, settings)).dispute_notices == 1
    assert (await tick(sessions, settings)).dispute_notices == 0
    # Tuesday 5 January: unanswered; the manager and the IRO are told it is overdue, once.
    travel(london_datetime(date(2027, 1, 5), time(9)))
    assert (await tick(sessions, settings)).dispute_notices == 2
    assert (await tick(sessions, settings)).dispute_notices == 0
    assert sorted(name for name, _ in await _sent(engine, "dispute.stage_overdue")) == [
        "Ivan Reviewer",
        "Tamsin Manager",
    ]

    second = await _as(
        world,
        "iro",
        lambda s, a: disputes.escalate(
            s, a, dispute_id, world.id("head_of_service"), "No answer by the date."
        ),
    )
    assert (second.position, second.answerer_post, second.due_on) == (2, "Head of service", date(2027, 1, 8))
    answered = await _as(
        world,
        "head_of_service",
        lambda s, a: disputes.answer(s, a, dispute_id, "The move goes ahead; the carers cannot continue."),
    )
    assert answered.answered_at is not None
    assert [name for name, _ in await _sent(engine, "dispute.answered")] == ["Ivan Reviewer"]
    third = await _as(
        world,
        "iro",
        lambda s, a: disputes.escalate(
            s, a, dispute_id, world.id("director"), "The answer ignores Amy's wishes."
        ),
    )
    assert (third.position, third.due_on) == (3, date(2027, 1, 7))
    view = await _as(world, "iro", lambda s, a: disputes.dispute(s, a, dispute_id))
    assert [(s.position, s.outcome) for s in view.stages] == [
        (1, StageOutcome.ESCALATED),
        (2, StageOutcome.ESCALATED),
        (3, None),
    ]
    assert [n.kind for n in view.notes] == ["raised", "escalated", "escalated", "answered", "escalated"]
    # No fourth stage on Riverside's ladder: what remains is a referral to Cafcass.
    with pytest.raises(DomainError) as top:
        await _as(
            world, "iro", lambda s, a: disputes.escalate(s, a, dispute_id, world.id("director"), "Still no.")
        )
    assert top.value.problems[0].code is ErrorCode.OUT_OF_RANGE
    await _as(
        world, "iro", lambda s, a: disputes.resolve(s, a, dispute_id, "Director agreed to keep Amy.", None)
    )
    view = await _as(world, "iro", lambda s, a: disputes.dispute(s, a, dispute_id))
    assert view.stages[-1].outcome is StageOutcome.RESOLVED


async def test_a_very_serious_issue_starts_at_a_formal_stage_at_once(world: World) -> None:
    case_id = await world.open_case()
    with pytest.raises(DomainError) as no_reason:
        await _raise(world, case_id, fast_track_stage=2, answerer_id=world.id("head_of_service"))
    assert [(p.code, p.field) for p in no_reason.value.problems] == [(ErrorCode.REQUIRED, "fastTrackReason")]
    dispute_id = await _raise(
        world,
        case_id,
        fast_track_stage=2,
        fast_track_reason="An unplanned move tomorrow, against the review's decision.",
        answerer_id=world.id("head_of_service"),
    )
    view = await _as(world, "iro", lambda s, a: disputes.dispute(s, a, dispute_id))
    assert (view.dispute.state, view.dispute.stage) == (DisputeState.FORMAL, 2)
    assert view.dispute.fast_track_reason
    # The national default ladder's second stage.
    assert [(s.position, s.answerer_post) for s in view.stages] == [(2, ladders.DEFAULT.stages[1].answerer)]
    assert [n.kind for n in view.notes] == ["raised", "fast tracked"]


async def test_a_dispute_keeps_the_ladder_it_started_on(world: World) -> None:
    await _riverside_ladder(world)
    case_id = await world.open_case()
    dispute_id = await _raise(world, case_id)
    riverside = world.orgs["riverside"].id
    changed = LadderSpec((StageSpec("Practice lead", 10), StageSpec("Director", 10)), 20, None)
    await _as(world, "admin", lambda s, a: disputes.set_ladder(s, a, riverside, changed))
    stage = await _as(
        world, "iro", lambda s, a: disputes.escalate(s, a, dispute_id, world.id("team_manager"), "Unsettled.")
    )
    assert stage.answerer_post == "Team manager"
    later = await _raise(world, case_id)
    stage = await _as(
        world, "iro", lambda s, a: disputes.escalate(s, a, later, world.id("team_manager"), "Unsettled.")
    )
    assert stage.answerer_post == "Practice lead"
    ladder = await _as(world, "admin", lambda s, a: disputes.authority_ladder(s, a, riverside))
    assert (ladder.row.version, [s.answerer for s in ladder.stages]) == (2, ["Practice lead", "Director"])


async def test_a_ladder_of_the_wrong_shape_is_refused_and_another_authority_is_not_found(
    world: World,
) -> None:
    riverside, northmoor = world.orgs["riverside"].id, world.orgs["northmoor"].id
    wrong = LadderSpec((StageSpec(" ", 0), StageSpec("Director", 61)), 101, 3)
    with pytest.raises(DomainError) as refused:
        await _as(world, "admin", lambda s, a: disputes.set_ladder(s, a, riverside, wrong))
    assert [(p.code, p.field) for p in refused.value.problems] == [
        (ErrorCode.REQUIRED, "stages.0.answerer"),
        (ErrorCode.OUT_OF_RANGE, "stages.0.workingDays"),
        (ErrorCode.OUT_OF_RANGE, "stages.1.workingDays"),
        (ErrorCode.OUT_OF_RANGE, "overallWorkingDays"),
        (ErrorCode.OUT_OF_RANGE, "solicitorFromStage"),
    ]
    for who, where in (("admin", northmoor), ("iro_manager", riverside)):
        with pytest.raises(NotFound):
            await _as(world, who, lambda s, a, where=where: disputes.set_ladder(s, a, where, RIVERSIDE))


async def test_a_challenge_is_checked_before_anything_is_kept(world: World, engine: AsyncEngine) -> None:
    case_id = await world.open_case()
    with pytest.raises(DomainError) as refused:
        await _raise(
            world,
            case_id,
            summary=" ",
            raised_with="",
            resolution_sought="",
            sought_by=clock.today() - timedelta(days=1),
            child_id=uuid.uuid4(),
        )
    assert [(p.code, p.field) for p in refused.value.problems] == [
        (ErrorCode.REQUIRED, "summary"),
        (ErrorCode.REQUIRED, "raisedWith"),
        (ErrorCode.REQUIRED, "resolutionSought"),
        (ErrorCode.DATE_IN_PAST, "soughtBy"),
        (ErrorCode.NOT_IN_PROCEEDINGS, "childId"),
    ]
    dispute_id = await _raise(world, case_id)
    # Only a manager of the case's authority may be named to answer: not a social worker, nor another
    # authority's manager.
    for who in ("social_worker", "other_la_manager"):
        with pytest.raises(DomainError) as wrong:
            await _as(
                world, "iro", lambda s, a, who=who: disputes.escalate(s, a, dispute_id, world.id(who), "No.")
            )
        assert [(p.code, p.field) for p in wrong.value.problems] == [(ErrorCode.WRONG_ROLE, "answererId")]
    view = await _as(world, "iro", lambda s, a: disputes.dispute(s, a, dispute_id))
    assert (view.dispute.stage, view.stages) == (0, [])


async def _sees(world: World, who: str, dispute_id: uuid.UUID) -> bool:
    try:
        await _as(world, who, lambda s, a: disputes.dispute(s, a, dispute_id))
    except NotFound:
        return False
    return True


async def test_who_sees_a_dispute(world: World, engine: AsyncEngine) -> None:
    """DISPUTE_SIGHT: the IRO and the IRO manager always; the guardian once told (P9); the authority's
    solicitor from the ladder's stated stage; the managers named at a stage. Never the social worker, the
    Cafcass manager, another authority: to them it does not exist, and the refusal is recorded."""
    await _riverside_ladder(world)
    case_id = await world.open_case()
    dispute_id = await _raise(world, case_id)
    everyone = [
        "iro",
        "iro_manager",
        "guardian",
        "solicitor",
        "team_manager",
        "head_of_service",
        "social_worker",
        "cafcass_manager",
        "other_iro_manager",
        "other_la_manager",
        "admin",
    ]

    async def seeing() -> list[str]:
        return [who for who in everyone if await _sees(world, who, dispute_id)]

    assert await seeing() == ["iro", "iro_manager"]
    await _as(world, "iro", lambda s, a: disputes.escalate(s, a, dispute_id, world.id("team_manager"), "No."))
    assert await seeing() == ["iro", "iro_manager", "team_manager"]
    await _as(world, "iro", lambda s, a: disputes.tell_guardian(s, a, dispute_id))
    assert await seeing() == ["iro", "iro_manager", "guardian", "team_manager"]
    await _as(
        world, "iro", lambda s, a: disputes.escalate(s, a, dispute_id, world.id("head_of_service"), "No.")
    )
    assert await seeing() == [
        "iro",
        "iro_manager",
        "guardian",
        "solicitor",
        "team_manager",
        "head_of_service",
    ]
    # Each refusal is recorded (kept even though the request's own work is not).
    async with world.sessions() as session:
        mark = pending.mark(session)
        with pytest.raises(NotFound):
            await disputes.dispute(session, await world.actor("social_worker"), dispute_id)
        refused = [(p.row["action"], p.row["outcome"], p.kept) for p in pending.since(session, mark)]
    assert refused == [("refused:dispute:read", AuditOutcome.REFUSED, True)]
    # The case's list shows each what they may see: the solicitor sees it now; a missing dispute and a
    # hidden one look the same.
    listed = await _as(world, "solicitor", lambda s, a: disputes.readable_disputes(s, a))
    assert [v.dispute.id for v in listed] == [dispute_id]
    with pytest.raises(NotFound) as missing:
        await _as(world, "social_worker", lambda s, a: disputes.dispute(s, a, uuid.uuid4()))
    with pytest.raises(NotFound) as hidden:
        await _as(world, "social_worker", lambda s, a: disputes.dispute(s, a, dispute_id))
    assert str(missing.value) == str(hidden.value)


async def test_telling_the_guardian_is_a_significant_issue_and_they_give_their_view(
    world: World, engine: AsyncEngine
) -> None:
    case_id = await world.open_case()
    dispute_id = await _raise(world, case_id)
    with pytest.raises(DomainError):
        await _as(world, "guardian", lambda s, a: disputes.give_guardian_view(s, a, dispute_id, "I agree."))
    await _as(world, "iro", lambda s, a: disputes.tell_guardian(s, a, dispute_id))
    async with AsyncSession(engine) as session:
        issue = (
            await session.scalars(sa.select(RaisedIssue).where(RaisedIssue.proceedings_id == case_id))
        ).one()
        p9 = (
            await session.scalars(
                sa.select(Obligation).where(Obligation.proceedings_id == case_id, Obligation.code == "P9")
            )
        ).one()
    assert issue.kind is IssueKind.SIGNIFICANT_ISSUE
    assert issue.shared_at is not None
    assert p9.state is ObligationState.MET
    view = await _as(
        world, "guardian", lambda s, a: disputes.give_guardian_view(s, a, dispute_id, "I agree.")
    )
    assert view.guardian_view == "I agree."
    assert [name for name, _ in await _sent(engine, "dispute.guardian_view")] == ["Ivan Reviewer"]
    with pytest.raises(DomainError) as again:
        await _as(world, "iro", lambda s, a: disputes.tell_guardian(s, a, dispute_id))
    assert again.value.problems[0].code is ErrorCode.ALREADY_DONE


async def test_only_the_manager_named_at_the_stage_answers_it_once(world: World) -> None:
    case_id = await world.open_case()
    dispute_id = await _raise(world, case_id)
    with pytest.raises(NotFound):
        await _as(world, "team_manager", lambda s, a: disputes.answer(s, a, dispute_id, "Yes."))
    await _as(world, "iro", lambda s, a: disputes.escalate(s, a, dispute_id, world.id("team_manager"), "No."))
    with pytest.raises(NotFound):
        await _as(world, "head_of_service", lambda s, a: disputes.answer(s, a, dispute_id, "Yes."))
    named = await _as(world, "team_manager", lambda s, a: disputes.readable_disputes(s, a))
    assert [(v.dispute.id, v.may_answer) for v in named] == [(dispute_id, True)]
    await _as(world, "team_manager", lambda s, a: disputes.answer(s, a, dispute_id, "We will look again."))
    with pytest.raises(DomainError) as again:
        await _as(world, "team_manager", lambda s, a: disputes.answer(s, a, dispute_id, "Yes."))
    assert again.value.problems[0].code is ErrorCode.NOT_PERMITTED
    assert await _as(world, "head_of_service", lambda s, a: disputes.readable_disputes(s, a)) == []


async def test_a_case_deleted_under_its_retention_rule_takes_its_disputes_not_the_ladder(
    world: World, engine: AsyncEngine
) -> None:
    """A dispute that took up the guardian's concern, with a stage and its notes, goes with its case (the
    retention clock's deletion follows the foreign keys); the authority's ladder stays."""
    case_id = await world.open_case()
    concern = await _as(
        world,
        "guardian",
        lambda s, a: raised_issues.raise_issue(
            s, a, raised_issues.RaiseIssue(case_id, IssueKind.CONCERN, "The move is rushed.")
        ),
    )
    dispute_id = await _raise(world, case_id, concern_id=concern.id)
    await _as(world, "iro", lambda s, a: disputes.escalate(s, a, dispute_id, world.id("team_manager"), "No."))
    async with world.sessions() as session, session.begin():
        assert await delete_case(session, case_id) > 0
    async with AsyncSession(engine) as session:
        for model in (Dispute, DisputeStage, DisputeNote, RaisedIssue):
            assert (await session.scalars(sa.select(model))).all() == [], model
        assert (await session.scalars(sa.select(DisputeLadder))).all()


async def test_each_sees_the_disputes_across_their_cases_in_statements_that_do_not_grow(
    world: World, count_queries: QueryCounter
) -> None:
    """The IRO manager sees every dispute on their authority's cases and the stage it is at; the guardian
    only those told; a manager only those named; another authority's IRO manager none. The open come first.
    The statements do not grow with the number of cases."""
    first, second = await world.open_case(), await world.open_case()
    told = await _raise(world, first)
    await _as(world, "iro", lambda s, a: disputes.tell_guardian(s, a, told))
    named = await _raise(world, second)
    await _as(world, "iro", lambda s, a: disputes.escalate(s, a, named, world.id("team_manager"), "No."))
    settled = await _raise(world, second)
    await _as(world, "iro", lambda s, a: disputes.resolve(s, a, settled, "Agreed.", None))

    async def listed(who: str) -> list[uuid.UUID]:
        return [v.dispute.id for v in await _as(world, who, disputes.readable_disputes)]

    with count_queries() as two_cases:
        assert set(await listed("iro_manager")) == {told, named, settled}
    assert (await listed("iro_manager"))[-1] == settled
    assert await listed("guardian") == [told]
    assert await listed("team_manager") == [named]
    assert set(await listed("iro")) == {told, named, settled}
    assert await listed("other_iro_manager") == []
    assert await listed("social_worker") == []

    for _ in range(3):
        await _raise(world, await world.open_case())
    with count_queries() as five_cases:
        assert len(await listed("iro_manager")) == 6
    assert len(five_cases) == len(two_cases)


async def test_a_fast_track_start_is_checked_with_everything_else(world: World, engine: AsyncEngine) -> None:
    """A stage that does not exist, a manager who is not the authority's and no reason come back together
    with the rest, and nothing is written."""
    case_id = await world.open_case()
    with pytest.raises(DomainError) as refused:
        await _raise(world, case_id, summary="", fast_track_stage=9, answerer_id=world.id("social_worker"))
    assert [(p.code, p.field) for p in refused.value.problems] == [
        (ErrorCode.REQUIRED, "summary"),
        (ErrorCode.REQUIRED, "fastTrackReason"),
        (ErrorCode.OUT_OF_RANGE, "fastTrackStage"),
        (ErrorCode.WRONG_ROLE, "answererId"),
    ]
    async with AsyncSession(engine) as session:
        assert (await session.scalars(sa.select(Dispute))).all() == []
