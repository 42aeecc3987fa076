"""Mutations on significant changes in a looked-after child's circumstances (SC; CPPCR 2010 reg 33(3)): the
child's social worker tells the IRO; the IRO answers, with no review needed (an additional review is booked
with scheduleReview, naming the change)."""

from __future__ import annotations

from datetime import date

import strawberry

from models import ChangeKind, ChangeResponse
from portal.api.context import Info
from portal.api.doc import field, input_type, mutation, object_type
from portal.api.errors import UserError, attempt, parse_id
from portal.api.types.significant_changes import SignificantChange
from portal.significant_changes import service


@input_type
class NotifySignificantChangeInput:
    """A significant change in a looked-after child's circumstances, to tell the child's IRO of."""

    case_id: strawberry.ID = field("The case.")
    child_id: strawberry.ID | None = field(
        "The child whose circumstances changed: one you are the social worker or IRO for."
    )
    kind: ChangeKind | None = field("What kind of change it is.")
    occurred_on: date | None = field("When the change happened: today or earlier.")
    summary: str = field("What changed, and why. Up to 4,000 characters.")


@input_type
class RespondToSignificantChangeInput:
    """The child's IRO's answer to a significant change: no review needed, with the reason. (To bring the
    review forward instead, book an additional review with scheduleReview, naming the change.)"""

    id: strawberry.ID = field("The significant change.")
    response: ChangeResponse | None = field("NO_REVIEW (REVIEW_BOOKED is given by booking the review).")
    reason: str = field("Why no review is needed (needed for NO_REVIEW). Up to 4,000 characters.", default="")


@object_type
class SignificantChangePayload:
    """The significant change as it now is, or the errors (and nothing written)."""

    change: SignificantChange | None = field("The change.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@object_type
class SignificantChangeMutations:
    """Significant changes in looked-after children's circumstances."""

    @mutation
    async def notify_significant_change(
        self, info: Info, input: NotifySignificantChangeInput
    ) -> SignificantChangePayload:
        """Tell a looked-after child's IRO of a significant change in the child's circumstances (the child's
        social worker, or their IRO recording one they learned of). Opens SC, the IRO's duty to consider it
        within 5 working days and either book an additional review (CPPCR 2010 reg 33(3)) or record why none
        is needed; the IRO is told by email, with no case content. Anyone else who reads the case is refused
        with NOT_ON_CASE."""

        async def work() -> SignificantChange:
            data = service.NotifyChange(
                case_id=parse_id(input.case_id, "caseId"),
                child_id=parse_id(input.child_id, "childId") if input.child_id else None,
                kind=input.kind,
                occurred_on=input.occurred_on,
                summary=input.summary,
            )
            actor = info.context.require_actor()
            change = await info.context.uow.run(lambda s: service.notify_change(s, actor, data))
            return SignificantChange.of(change)

        change, errors = await attempt(info.context, work())
        return SignificantChangePayload(change=change, errors=errors)

    @mutation
    async def respond_to_significant_change(
        self, info: Info, input: RespondToSignificantChangeInput
    ) -> SignificantChangePayload:
        """Answer a significant change with no review needed, and the reason (the child's IRO; once; meets
        SC). Whoever notified it is told by email. To bring the review forward instead, book an additional
        review with scheduleReview and its significantChangeId."""

        async def work() -> SignificantChange:
            change_id = parse_id(input.id, "id")
            actor = info.context.require_actor()
            change = await info.context.uow.run(
                lambda s: service.respond(s, actor, change_id, input.response, input.reason)
            )
            return SignificantChange.of(change)

        change, errors = await attempt(info.context, work())
        return SignificantChangePayload(change=change, errors=errors)
