"""Mutations on the IRO's monitoring between a looked-after child's reviews (issue 19): a midpoint check."""

from __future__ import annotations

from datetime import date

import strawberry

from models import MidpointOutcome, SocialWorkerContact
from portal.api.context import Info
from portal.api.doc import field, input_type, mutation, object_type
from portal.api.errors import UserError, attempt, parse_id
from portal.api.types.midpoints import MidpointCheck
from portal.midpoints import service


@input_type
class RecordMidpointCheckInput:
    """A midpoint check on a looked-after child between their reviews, by their IRO."""

    case_id: strawberry.ID = field("The case.")
    child_id: strawberry.ID | None = field("The child checked on: a looked-after child you are the IRO for.")
    done_on: date | None = field(
        "When the check was done: today or earlier, not before the child became looked after."
    )
    file_read: bool | None = field("Whether you read the child's file.")
    social_worker_contact: SocialWorkerContact | None = field("How you were in touch with the social worker.")
    outcome: MidpointOutcome | None = field("What the check found.")
    note: str = field(
        "What you found, and raised or asked for: needed unless the plan is on track. Up to 4,000 "
        "characters.",
        default="",
    )


@object_type
class MidpointCheckPayload:
    """The midpoint check recorded, or the errors (and nothing written)."""

    check: MidpointCheck | None = field("The check.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@object_type
class MidpointMutations:
    """Monitoring between reviews."""

    @mutation
    async def record_midpoint_check(
        self, info: Info, input: RecordMidpointCheckInput
    ) -> MidpointCheckPayload:
        """Record a midpoint check on a looked-after child between their reviews (the child's IRO; IRO
        Handbook 2010 paras 3.74-3.79): it counts for the child's current cycle when done after their last
        review. Anyone who may not manage the case's reviews finds no such case; another IRO on the case is
        refused with NOT_ON_CASE."""

        async def work() -> MidpointCheck:
            data = service.RecordCheck(
                case_id=parse_id(input.case_id, "caseId"),
                child_id=parse_id(input.child_id, "childId") if input.child_id else None,
                done_on=input.done_on,
                file_read=input.file_read,
                social_worker_contact=input.social_worker_contact,
                outcome=input.outcome,
                note=input.note,
            )
            actor = info.context.require_actor()
            check = await info.context.uow.run(lambda s: service.record_check(s, actor, data))
            return MidpointCheck.of(check)

        check, errors = await attempt(info.context, work())
        return MidpointCheckPayload(check=check, errors=errors)
