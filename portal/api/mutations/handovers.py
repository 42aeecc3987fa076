"""Mutations on the handover (P14, P15) and the close of the guardian's involvement."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.scalars import JSON

from models import Handover as HandoverModel
from portal.api.context import Info
from portal.api.doc import field, input_type, mutation, object_type
from portal.api.errors import UserError, attempt, parse_id
from portal.api.types.handovers import Closure, Handover
from portal.handovers import service


@input_type
class StartHandoverInput:
    """The case whose handover to start (or to amend: a new version from the last)."""

    case_id: strawberry.ID = field("The case.")


@input_type
class SaveHandoverInput:
    """The draft's answers, and the revision they were edited from."""

    id: strawberry.ID = field("The draft.")
    revision: int = field(
        "The revision you started editing from; a later save by someone else is a conflict."
    )
    answers: JSON = field("Answers by the template's field keys; items as lists of objects.")


@input_type
class SubmitHandoverInput:
    """The draft to submit, at the revision last saved."""

    id: strawberry.ID = field("The draft.")
    revision: int = field("The revision you read.")


@input_type
class AnswerHandoverInput:
    """The IRO's answer to a submitted handover."""

    id: strawberry.ID = field("The handover.")
    questions: str = field("To return it: your questions for the guardian.", default="")


@object_type
class HandoverPayload:
    """The handover as it now is, or the errors (and nothing written). On a conflict, ``current`` is the
    version someone else saved."""

    handover: Handover | None = field("The handover.")
    current: Handover | None = field("On a conflict: the version as it now is.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@input_type
class CloseInvolvementInput:
    """The close of the guardian's involvement: by the guardian through the gate, or by a Cafcass manager
    with a reason."""

    case_id: strawberry.ID = field("The case.")
    override_reason: str | None = field(
        "A Cafcass manager's reason for closing without every step.", default=None
    )


@object_type
class CloseInvolvementPayload:
    """The closure, or what is still to do (and nothing written)."""

    closure: Closure | None = field("The closure.")
    errors: list[UserError] = field("What was wrong or is still to do; empty on success.")


@object_type
class HandoverMutations:
    """The end-of-proceedings handover."""

    @mutation
    async def start_handover(self, info: Info, input: StartHandoverInput) -> HandoverPayload:
        """Start the handover after the final orders (the guardian), or a new version to amend it; an open
        draft is returned as it is."""
        actor = info.context.require_actor()

        async def work(s: AsyncSession) -> HandoverModel:
            return await service.start(s, actor, parse_id(input.case_id, "caseId"))

        return await _run(info, work)

    @mutation
    async def save_handover(self, info: Info, input: SaveHandoverInput) -> HandoverPayload:
        """Save the draft. If someone saved it since your revision, nothing is written and ``current`` holds
        their version (CONFLICT): never a lost update."""
        actor = info.context.require_actor()

        async def work(s: AsyncSession) -> HandoverModel:
            answers = input.answers if isinstance(input.answers, dict) else {}
            return await service.save_draft(s, actor, parse_id(input.id, "id"), input.revision, answers)

        return await _run(info, work)

    @mutation
    async def submit_handover(self, info: Info, input: SubmitHandoverInput) -> HandoverPayload:
        """Submit the draft: every required answer given. It meets P14, opens the IRO's P15 and never changes
        again."""
        actor = info.context.require_actor()

        async def work(s: AsyncSession) -> HandoverModel:
            return await service.submit(s, actor, parse_id(input.id, "id"), input.revision)

        return await _run(info, work)

    @mutation
    async def acknowledge_handover(self, info: Info, input: AnswerHandoverInput) -> HandoverPayload:
        """Acknowledge the submitted handover (the IRO): P15 is met, its issues become your monitoring
        items."""
        actor = info.context.require_actor()

        async def work(s: AsyncSession) -> HandoverModel:
            return await service.answer(s, actor, parse_id(input.id, "id"), acknowledge=True)

        return await _run(info, work)

    @mutation
    async def return_handover(self, info: Info, input: AnswerHandoverInput) -> HandoverPayload:
        """Return the submitted handover to the guardian with your questions (the IRO)."""
        actor = info.context.require_actor()

        async def work(s: AsyncSession) -> HandoverModel:
            return await service.answer(
                s, actor, parse_id(input.id, "id"), acknowledge=False, questions=input.questions
            )

        return await _run(info, work)

    @mutation
    async def close_guardian_involvement(
        self, info: Info, input: CloseInvolvementInput
    ) -> CloseInvolvementPayload:
        """Close the guardian's involvement: the guardian once P12, P13 and P14 are met and every paper is
        confirmed forwarded; or a Cafcass manager with a recorded reason. The guardian then reads the case
        for a while, and then no longer."""
        actor = info.context.require_actor()
        days = info.context.settings.guardian_read_only_days

        async def work() -> Closure:
            case_id = parse_id(input.case_id, "caseId")
            model = await info.context.uow.run(
                lambda s: service.close_involvement(
                    s, actor, case_id, override_reason=input.override_reason, read_only_days=days
                )
            )
            return Closure.of(model)

        closure, errors = await attempt(info.context, work())
        return CloseInvolvementPayload(closure=closure, errors=errors)


Work = Callable[[AsyncSession], Awaitable[HandoverModel]]


async def _run(info: Info, work: Work) -> HandoverPayload:
    """Run a handover change; on a conflict the payload carries the version as it now is."""
    current: Handover | None = None

    async def run() -> Handover:
        nonlocal current
        try:
            return Handover.of(await info.context.uow.run(work))
        except service.Conflict as conflict:
            current = Handover.of(conflict.current)
            raise

    handover, errors = await attempt(info.context, run())
    return HandoverPayload(handover=handover, current=current, errors=errors)
