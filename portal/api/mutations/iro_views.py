"""Mutations on the IRO's view before the court (issue 19): the guardian records whether their analysis cites
the IRO's view of the care plan."""

from __future__ import annotations

import strawberry

from portal.api.context import Info
from portal.api.doc import field, input_type, mutation, object_type
from portal.api.errors import UserError, attempt, parse_id
from portal.api.types.iro_views import IroView
from portal.papers import iro_view as service


@input_type
class RecordIroViewInput:
    """Whether a guardian's analysis (initial or final) cites the IRO's view of the care plan."""

    paper_id: strawberry.ID = field("The analysis: a court paper of a guardian's analysis kind.")
    cites: bool | None = field("Whether it cites the IRO's view of the care plan.")
    reason: str = field(
        "Why it does not (optional; only when it does not). Up to 500 characters.", default=""
    )


@object_type
class RecordIroViewPayload:
    """The record as it now is, or the errors (and nothing written)."""

    iro_view: IroView | None = field("Whether the analysis cites the IRO's view.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@object_type
class IroViewMutations:
    """The IRO's view before the court."""

    @mutation
    async def record_iro_view(self, info: Info, input: RecordIroViewInput) -> RecordIroViewPayload:
        """Record, as the case's guardian, whether your analysis cites the IRO's view of the care plan
        (RESEARCH-NOTES.md §1.7), with a short reason when it does not; at filing or afterwards, and again
        to change it. Anyone else is told the paper was not found (NOT_FOUND); a paper that is not a
        guardian's analysis is refused with INVALID_VALUE on paperId."""

        async def work() -> IroView:
            actor = info.context.require_actor()
            data = service.RecordIroView(
                paper_id=parse_id(input.paper_id, "paperId"), cites=input.cites, reason=input.reason
            )
            found = await info.context.uow.run(lambda s: service.record_iro_view(s, actor, data))
            return IroView.of(found)

        found, errors = await attempt(info.context, work())
        return RecordIroViewPayload(iro_view=found, errors=errors)
