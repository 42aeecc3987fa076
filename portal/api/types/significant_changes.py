"""Significant changes in a looked-after child's circumstances, notified to the child's IRO, and the IRO's
response (SC; CPPCR 2010 reg 33(3); issue 18)."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from models import ChangeKind, ChangeResponse
from models import SignificantChange as SignificantChangeModel
from portal.api.context import Info
from portal.api.doc import enum_type, field, object_type, resolver
from portal.api.types.people import PersonRef, person_ref

ChangeKindEnum = enum_type(
    ChangeKind,
    "What changed in a looked-after child's circumstances: a placement move, a placement ending, the care "
    "plan, the legal status, education, health, or another change.",
)
ChangeResponseEnum = enum_type(
    ChangeResponse,
    "The IRO's answer to a significant change: an additional review booked for it (CPPCR 2010 reg 33(3)), or "
    "no review needed, with the reason.",
)


@object_type
class SignificantChange:
    """A significant change in one looked-after child's circumstances, notified to the child's IRO by their
    social worker (or recorded by the IRO), and the IRO's answer: an additional review booked for it (CPPCR
    2010 reg 33(3)), or no review needed, with the reason. Notifying it opens SC, the IRO's duty to consider
    it; the answer meets it."""

    id: strawberry.ID = field("The change's id.")
    child_id: strawberry.ID = field("The child whose circumstances changed.")
    kind: ChangeKind = field("What kind of change it is.")
    occurred_on: date = field("When the change happened.")
    summary: str = field("What changed, and why, as the person who notified it said.")
    notified_at: datetime = field("When the IRO was told of it through the portal.")
    response: ChangeResponse | None = field("The IRO's answer; empty until they answer.")
    response_reason: str = field("Why no review is needed, for that answer; empty otherwise.")
    review_id: strawberry.ID | None = field(
        "The additional review booked for the change (one of the case's reviews), for that answer."
    )
    responded_at: datetime | None = field("When the IRO answered.")
    _model: strawberry.Private[SignificantChangeModel]

    @resolver
    def notified_by(self, info: Info) -> PersonRef:
        """Who told the IRO: the child's social worker, or the IRO recording a change they learned of."""
        return person_ref(info, self._model.notified_by_id)

    @resolver
    def responded_by(self, info: Info) -> PersonRef | None:
        """The IRO who answered; empty until answered."""
        responded = self._model.responded_by_id
        return person_ref(info, responded) if responded else None

    @staticmethod
    def of(model: SignificantChangeModel) -> SignificantChange:
        return SignificantChange(
            id=strawberry.ID(str(model.id)),
            child_id=strawberry.ID(str(model.child_id)),
            kind=model.kind,
            occurred_on=model.occurred_on,
            summary=model.summary,
            notified_at=model.notified_at,
            response=model.response,
            response_reason=model.response_reason,
            review_id=strawberry.ID(str(model.review_id)) if model.review_id else None,
            responded_at=model.responded_at,
            _model=model,
        )
