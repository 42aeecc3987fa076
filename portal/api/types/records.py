"""The records around the protocol on a case: looked-after reviews, discussion records, concerns and
significant issues, and the final orders."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry

from models import AgreedAction as AgreedActionModel
from models import Discussion as DiscussionModel
from models import DiscussionKind, DiscussionMode, FinalOrderKind, IssueKind, ReviewKind
from models import FinalOrder as FinalOrderModel
from models import RaisedIssue as RaisedIssueModel
from models import Review as ReviewModel
from portal.api.context import Info
from portal.api.doc import enum_type, field, object_type, resolver
from portal.api.types.people import PersonRef, person_ref

ReviewKindEnum = enum_type(ReviewKind, "Where a looked-after review falls in the reg 33 schedule.")
DiscussionKindEnum = enum_type(
    DiscussionKind, "A discussion during proceedings, or the final discussion (P13)."
)
DiscussionModeEnum = enum_type(DiscussionMode, "How a discussion took place.")
IssueKindEnum = enum_type(
    IssueKind, "A guardian's concern (P8) or a significant issue the IRO tells of (P9)."
)
FinalOrderKindEnum = enum_type(FinalOrderKind, "The outcome of the proceedings for one child.")


@object_type
class NextReview:
    """When a looked-after child's next review is due under CPPCR reg 33."""

    kind: ReviewKind = field("First, second or subsequent.")
    due_by: date = field("The latest date the schedule allows.")
    booked_on: date | None = field("The date of the review booked next, if one is.")
    late: bool = field(
        "Whether it is late: the latest date has passed with no review held, or the review booked is after "
        "it. The IRO workload's late reviews count the same."
    )


@object_type
class Review:
    """A looked-after review of one child, chaired by the IRO; what the guardian is told of it (P4, P5), and
    whether they are asked to come (generally not, P10)."""

    id: strawberry.ID = field("The review's id.")
    child_id: strawberry.ID = field("The child reviewed.")
    kind: ReviewKind = field("Where it falls in the reg 33 schedule.")
    review_date: date = field("The date it is booked for.")
    arrangements: str = field("Time, place and how to join: what the guardian is told (P4).")
    guardian_invited: bool = field(
        "Whether the IRO asked the guardian to attend (generally not needed, P10)."
    )
    notice_sent_at: datetime | None = field("When the guardian was told the arrangements (P4).")
    held_on: date | None = field("When it was held, once it has been.")
    record: str | None = field(
        "Its record (decisions and recommendations), once shared with the guardian (P5); the IRO sees it "
        "before sharing."
    )
    record_shared_at: datetime | None = field("When its record was shared with the guardian (P5).")

    @staticmethod
    def of(model: ReviewModel, *, show_record: bool) -> Review:
        shown = model.record if show_record else None
        return Review(
            id=strawberry.ID(str(model.id)),
            child_id=strawberry.ID(str(model.child_id)),
            kind=model.kind,
            review_date=model.review_date,
            arrangements=model.arrangements,
            guardian_invited=model.guardian_invited,
            notice_sent_at=model.notice_sent_at,
            held_on=model.held_on,
            record=shown,
            record_shared_at=model.record_shared_at,
        )


@object_type
class AgreedAction:
    """An action agreed in a discussion: who does it, and by when."""

    description: str = field("What was agreed.")
    due_on: date = field("When it is due.")
    done_at: datetime | None = field("When it was done.")
    _owner_id: strawberry.Private[uuid.UUID]

    @resolver
    def owner(self, info: Info) -> PersonRef:
        """Who will do it."""
        return person_ref(info, self._owner_id)

    @staticmethod
    def of(model: AgreedActionModel) -> AgreedAction:
        return AgreedAction(
            description=model.description,
            due_on=model.due_on,
            done_at=model.done_at,
            _owner_id=model.owner_id,
        )


@object_type
class Discussion:
    """A discussion between the guardian and the IRO as recorded on the child's case file (P7); the final
    discussion of the care plan meets P13."""

    id: strawberry.ID = field("The record's id.")
    kind: DiscussionKind = field("During proceedings, or the final discussion.")
    held_on: date = field("When the discussion took place.")
    mode: DiscussionMode = field("How.")
    others_present: str = field("Anyone else who took part.")
    summary: str = field("What was discussed.")
    contact_id: strawberry.ID | None = field("The ledger entry for the same conversation, if there is one.")
    recorded_at: datetime = field("When the IRO recorded it.")
    _model: strawberry.Private[DiscussionModel]

    @resolver
    def guardian(self, info: Info) -> PersonRef:
        """The guardian in the discussion."""
        return person_ref(info, self._model.guardian_id)

    @resolver
    def iro(self, info: Info) -> PersonRef:
        """The IRO, who recorded it."""
        return person_ref(info, self._model.iro_id)

    @resolver
    async def actions(self, info: Info) -> list[AgreedAction]:
        """The actions agreed, in the order recorded."""
        return [AgreedAction.of(a) for a in await info.context.loaders.agreed_actions.load(self._model.id)]

    @staticmethod
    def of(model: DiscussionModel) -> Discussion:
        return Discussion(
            id=strawberry.ID(str(model.id)),
            kind=model.kind,
            held_on=model.held_on,
            mode=model.mode,
            others_present=model.others_present,
            summary=model.summary,
            contact_id=strawberry.ID(str(model.contact_id)) if model.contact_id else None,
            recorded_at=model.recorded_at,
            _model=model,
        )


@object_type
class RaisedIssue:
    """A concern the guardian raised with the IRO (P8), or a significant issue the IRO told the guardian of
    (P9), and its acknowledgement by the other side."""

    id: strawberry.ID = field("Its id.")
    kind: IssueKind = field("A concern or a significant issue.")
    arose_on: date = field("The date of the meeting it arose in (a significant issue) or it was raised.")
    meeting: str = field("The meeting a significant issue arose in.")
    summary: str = field("What it is.")
    raised_at: datetime = field("When it was recorded.")
    shared_at: datetime | None = field("When the other side was told (for a significant issue, P9).")
    acknowledged_at: datetime | None = field("When the other side acknowledged it.")
    response: str | None = field("The other side's response, with the acknowledgement.")
    _model: strawberry.Private[RaisedIssueModel]

    @resolver
    def raised_by(self, info: Info) -> PersonRef:
        """Who raised it."""
        return person_ref(info, self._model.raised_by_id)

    @resolver
    def acknowledged_by(self, info: Info) -> PersonRef | None:
        """Who acknowledged it."""
        return person_ref(info, self._model.acknowledged_by_id) if self._model.acknowledged_by_id else None

    @staticmethod
    def of(model: RaisedIssueModel) -> RaisedIssue:
        return RaisedIssue(
            id=strawberry.ID(str(model.id)),
            kind=model.kind,
            arose_on=model.arose_on,
            meeting=model.meeting,
            summary=model.summary,
            raised_at=model.raised_at,
            shared_at=model.shared_at,
            acknowledged_at=model.acknowledged_at,
            response=model.response,
            _model=model,
        )


@object_type
class FinalOrder:
    """The final order made for one child, ending the proceedings."""

    child_id: strawberry.ID = field("The child.")
    order: FinalOrderKind = field("The order made.")
    made_on: date = field("When.")

    @staticmethod
    def of(model: FinalOrderModel) -> FinalOrder:
        return FinalOrder(
            child_id=strawberry.ID(str(model.child_id)), order=model.order, made_on=model.made_on
        )
