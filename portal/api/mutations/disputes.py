"""Disputes about a child's care plan: the IRO's challenge and each step on it, the answers of the managers
named at each stage, the guardian's view, and each authority's ladder (portal/disputes/service.py)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models import DisputeSubject
from portal.api.context import Info
from portal.api.doc import field, input_type, mutation, object_type
from portal.api.errors import UserError, attempt, parse_id
from portal.api.types.disputes import Dispute, DisputeLadder
from portal.auth.actor import Actor
from portal.disputes import service
from portal.disputes.ladders import LadderSpec, StageSpec


@input_type
class RaiseChallengeInput:
    """The IRO's challenge on a child's case, from the first informal word."""

    case_id: strawberry.ID = field("The case.")
    subject: DisputeSubject = field("What is disputed.")
    summary: str = field("What is disputed, in your words (up to 4,000 characters).")
    raised_with: str = field("Who you raise it with first: the social worker, the team manager ...")
    resolution_sought: str = field("What resolution you seek (up to 4,000 characters).")
    sought_by: date | None = field("By when (today or later).")
    child_id: strawberry.ID | None = field("The child it concerns; empty for every child of the case.")
    concern_id: strawberry.ID | None = field("The guardian's concern (P8) it takes up, if it began as one.")
    fast_track_stage: int | None = field(
        "For a very serious issue: the formal stage to start at at once (with a reason, and a manager to "
        "answer)."
    )
    fast_track_reason: str = field("Why it starts at a formal stage at once.", default="")
    answerer_id: strawberry.ID | None = field("For a fast-track start: the manager named to answer.")


@input_type
class DisputeExchangeInput:
    """An exchange about a dispute, informal or not."""

    dispute_id: strawberry.ID = field("The dispute.")
    occurred_on: date | None = field("When it happened.")
    party: str = field("With whom.")
    note: str = field("What was said (up to 4,000 characters).")


@input_type
class EscalateDisputeInput:
    """Taking a dispute to the next stage of its ladder (the first, from informal)."""

    dispute_id: strawberry.ID = field("The dispute.")
    answerer_id: strawberry.ID = field("The manager of the authority named to answer at the next stage.")
    reason: str = field("Why it goes further: no answer by the date, or why the answer does not settle it.")


@input_type
class DisputeTextInput:
    """Words on a dispute: an answer, or the guardian's view."""

    dispute_id: strawberry.ID = field("The dispute.")
    text: str = field("The words (up to 4,000 characters).")


@input_type
class ResolveDisputeInput:
    """A dispute settled."""

    dispute_id: strawberry.ID = field("The dispute.")
    resolution: str = field("How it was resolved, and by whom.")
    resolved_on: date | None = field("When; today if empty.")


@input_type
class TellGuardianOfDisputeInput:
    """Telling the guardian of a dispute that bears on the care plan before the court."""

    dispute_id: strawberry.ID = field("The dispute.")


@input_type
class LadderStageInput:
    """A formal stage of a ladder."""

    answerer: str = field("The post that answers at it: Team manager, Head of service ...")
    working_days: int = field("The working days it allows (1 to 60).")


@input_type
class SetDisputeLadderInput:
    """A new version of a local authority's local dispute resolution ladder."""

    organisation_id: strawberry.ID = field("The local authority.")
    stages: list[LadderStageInput] = field("Its formal stages, in order (1 to 10).")
    overall_working_days: int = field("The whole ladder's working days (1 to 100; the Handbook says 20).")
    solicitor_from_stage: int | None = field(
        "The stage from which the authority's solicitor on the case sees a dispute; empty for never."
    )


@object_type
class DisputePayload:
    """The dispute as it now is, or the errors (and nothing written)."""

    dispute: Dispute | None = field("The dispute.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@object_type
class DisputeLadderPayload:
    """The ladder now in force, or the errors (and nothing written)."""

    ladder: DisputeLadder | None = field("The ladder.")
    errors: list[UserError] = field("What was wrong; empty on success.")


def _optional_id(value: strawberry.ID | None, name: str) -> uuid.UUID | None:
    return parse_id(value, name) if value is not None else None


async def _changed(
    info: Info, dispute_id: strawberry.ID, change: Callable[[AsyncSession, Actor, uuid.UUID], Awaitable[Any]]
) -> DisputePayload:
    """Make a change to a dispute, then answer with the dispute as the actor now sees it."""

    async def work() -> Dispute:
        actor = info.context.require_actor()
        id_ = parse_id(dispute_id, "disputeId")
        await info.context.uow.run(lambda s: change(s, actor, id_))
        view = await info.context.uow.run(lambda s: service.dispute(s, actor, id_))
        return Dispute.of(view, info.context.today)

    dispute, errors = await attempt(info.context, work())
    return DisputePayload(dispute=dispute, errors=errors)


@object_type
class DisputeMutations:
    """Disputes about a child's care plan."""

    @mutation
    async def raise_challenge(self, info: Info, input: RaiseChallengeInput) -> DisputePayload:
        """Raise a challenge on a child's case (the IRO on the case): informal, or for a very serious issue
        at a formal stage at once."""

        async def work() -> Dispute:
            actor = info.context.require_actor()
            data = service.RaiseChallenge(
                case_id=parse_id(input.case_id, "caseId"),
                subject=input.subject,
                summary=input.summary,
                raised_with=input.raised_with,
                resolution_sought=input.resolution_sought,
                sought_by=input.sought_by,
                child_id=_optional_id(input.child_id, "childId"),
                concern_id=_optional_id(input.concern_id, "concernId"),
                fast_track_stage=input.fast_track_stage,
                fast_track_reason=input.fast_track_reason,
                answerer_id=_optional_id(input.answerer_id, "answererId"),
            )
            raised = await info.context.uow.run(lambda s: service.raise_challenge(s, actor, data))
            view = await info.context.uow.run(lambda s: service.dispute(s, actor, raised.id))
            return Dispute.of(view, info.context.today)

        dispute, errors = await attempt(info.context, work())
        return DisputePayload(dispute=dispute, errors=errors)

    @mutation
    async def record_dispute_exchange(self, info: Info, input: DisputeExchangeInput) -> DisputePayload:
        """Record an exchange about a dispute, informal ones included (the IRO on the case)."""
        return await _changed(
            info,
            input.dispute_id,
            lambda s, a, d: service.record_exchange(s, a, d, input.occurred_on, input.party, input.note),
        )

    @mutation
    async def escalate_dispute(self, info: Info, input: EscalateDisputeInput) -> DisputePayload:
        """Take a dispute to the next stage of its ladder, naming the manager to answer (the IRO)."""
        answerer = _optional_id(input.answerer_id, "answererId")
        return await _changed(
            info, input.dispute_id, lambda s, a, d: service.escalate(s, a, d, answerer, input.reason)
        )

    @mutation
    async def answer_dispute(self, info: Info, input: DisputeTextInput) -> DisputePayload:
        """Answer the stage a dispute is at (the manager named to; or the IRO, recording an answer they
        received)."""
        return await _changed(info, input.dispute_id, lambda s, a, d: service.answer(s, a, d, input.text))

    @mutation
    async def resolve_dispute(self, info: Info, input: ResolveDisputeInput) -> DisputePayload:
        """Record how a dispute was resolved (the IRO on the case)."""
        return await _changed(
            info,
            input.dispute_id,
            lambda s, a, d: service.resolve(s, a, d, input.resolution, input.resolved_on),
        )

    @mutation
    async def tell_guardian_of_dispute(self, info: Info, input: TellGuardianOfDisputeInput) -> DisputePayload:
        """Tell the guardian of a dispute that bears on the care plan before the court: a significant issue
        (P9), shared at once (the IRO on the case)."""
        return await _changed(info, input.dispute_id, service.tell_guardian)

    @mutation
    async def give_guardian_view_of_dispute(self, info: Info, input: DisputeTextInput) -> DisputePayload:
        """Give the guardian's view of a dispute they were told of (the guardian; or the IRO, recording
        it)."""
        return await _changed(
            info, input.dispute_id, lambda s, a, d: service.give_guardian_view(s, a, d, input.text)
        )

    @mutation
    async def set_dispute_ladder(self, info: Info, input: SetDisputeLadderInput) -> DisputeLadderPayload:
        """Set a new version of a local authority's ladder (its administrators, or a national one): disputes
        raised from now on follow it; those open keep theirs."""

        async def work() -> DisputeLadder:
            actor = info.context.require_actor()
            organisation_id = parse_id(input.organisation_id, "organisationId")
            spec = LadderSpec(
                tuple(StageSpec(s.answerer, s.working_days) for s in input.stages),
                input.overall_working_days,
                input.solicitor_from_stage,
            )
            ladder = await info.context.uow.run(lambda s: service.set_ladder(s, actor, organisation_id, spec))
            return DisputeLadder.of(ladder)

        ladder, errors = await attempt(info.context, work())
        return DisputeLadderPayload(ladder=ladder, errors=errors)
