"""The records around the protocol on a case: looked-after reviews, discussion records, concerns and
significant issues, and the final orders."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry

from models import AgreedAction as AgreedActionModel
from models import (
    ChildAttendance,
    DecisionState,
    DiscussionKind,
    DiscussionMode,
    FinalOrderKind,
    IssueKind,
    ManagerResponse,
    ReviewKind,
    ViewsConveyed,
)
from models import Discussion as DiscussionModel
from models import FinalOrder as FinalOrderModel
from models import RaisedIssue as RaisedIssueModel
from models import Review as ReviewModel
from models import ReviewDecisionsCheck as ReviewDecisionsCheckModel
from models import ReviewPreparation as ReviewPreparationModel
from portal.access.policy import reads_child_wishes
from portal.api.context import Info
from portal.api.doc import enum_type, field, object_type, resolver
from portal.api.types.people import PersonRef, person_ref
from portal.audit import service as audit
from portal.audit.service import Look
from portal.cases.service import viewer_roles
from portal.reviews.decisions import overdue
from portal.reviews.repository import DecisionRow, ParticipationRow

ReviewKindEnum = enum_type(ReviewKind, "Where a looked-after review falls in the reg 33 schedule.")
ChildAttendanceEnum = enum_type(
    ChildAttendance,
    "Whether the child attended their review, all of it or part, and if not whether their views reached it.",
)
ViewsConveyedEnum = enum_type(ViewsConveyed, "How the child's views reached their review.")
DecisionStateEnum = enum_type(
    DecisionState,
    "Where a review's decision stands: open, done, carried forward to a later review, or dropped there.",
)
ManagerResponseEnum = enum_type(
    ManagerResponse, "The manager's answer on a review's decisions: confirmed, or disputed with the reason."
)
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
class ReviewParticipation:
    """The child's participation in one of their looked-after reviews, recorded by the child's IRO once it
    was held: whether they attended, how their views reached the review and by whom, and their wishes and
    feelings. "The review is the child's meeting" (IRO Handbook 2010, ch. 3), and the IRO makes sure the
    child's wishes and feelings are ascertained and considered (CPPCR 2010 reg 36; issue 18). What the
    child said may be private to their IRO (PROTOCOL.md §6): everyone else who sees the review sees this
    record, how the child took part, but not what they said."""

    attendance: ChildAttendance = field(
        "Whether the child attended all or part of the review, and if not whether their views were conveyed."
    )
    views_conveyed: ViewsConveyed | None = field("How the child's views reached the review, if they did.")
    conveyed_by: str = field(
        "Who conveyed the child's views (an advocate, the carer ...), or how, for another way; may be empty."
    )
    private: bool = field(
        "Whether what the child said is private to their IRO: only the child's IRO on the case reads it."
    )
    wishes_and_feelings: str | None = field(
        "What the child said: their wishes and feelings (may be empty when their views were not conveyed). "
        "Null when it is kept from you (see wishesWithheld): marked private, only the child's IRO on the "
        "case reads it; otherwise it is read as the review's record is (once shared with the guardian, P5; "
        "before that, by the IRO)."
    )
    wishes_withheld: bool = field(
        "Whether what the child said is kept from you: private to their IRO, or part of a review record "
        "not yet shared."
    )
    recorded_at: datetime = field("When it was first recorded.")
    updated_at: datetime = field("When it was last changed (when it was recorded, until it is changed).")
    _recorded_by_id: strawberry.Private[uuid.UUID]
    _updated_by_id: strawberry.Private[uuid.UUID]

    @resolver
    def recorded_by(self, info: Info) -> PersonRef:
        """The IRO who first recorded it."""
        return person_ref(info, self._recorded_by_id)

    @resolver
    def updated_by(self, info: Info) -> PersonRef:
        """The IRO who last changed it (who recorded it, until it is changed)."""
        return person_ref(info, self._updated_by_id)

    @staticmethod
    def of(info: Info, row: ParticipationRow) -> ReviewParticipation:
        """The record as the asker may see it (the rule is portal/access/policy.py's); a look at what the
        child said is recorded in the case's audit trail when it is shown."""
        model, actor = row.participation, info.context.require_actor()
        shown = reads_child_wishes(
            actor,
            row.case_id,
            private=model.private,
            childs_iro=row.childs_iro,
            record_visible=row.record_visible,
        )
        if shown and model.wishes_and_feelings:
            roles = viewer_roles(actor, row.case_id)
            audit.look(
                info.context.uow.session, actor, row.case_id, Look.PARTICIPATION, roles[0] if roles else None
            )
        return ReviewParticipation(
            attendance=model.attendance,
            views_conveyed=model.views_conveyed,
            conveyed_by=model.conveyed_by,
            private=model.private,
            wishes_and_feelings=model.wishes_and_feelings if shown else None,
            wishes_withheld=not shown,
            recorded_at=model.recorded_at,
            updated_at=model.updated_at,
            _recorded_by_id=model.recorded_by_id,
            _updated_by_id=model.updated_by_id,
        )


@object_type
class ReviewDecision:
    """One decision of a looked-after review, as an action: who does it, by when, and where it stands (issue
    18; IRO Handbook 2010: the decisions are circulated within 5 working days, RD). Those still open at the
    child's next review are done, dropped or carried forward there."""

    id: strawberry.ID = field("The decision's id.")
    position: int = field("Its place in the review's list, from 0.")
    description: str = field("What was decided, as an action.")
    due_on: date = field("When it is due.")
    state: DecisionState = field("Open, done, carried forward or dropped.")
    overdue: bool = field("Whether it is open past its due date (worked out today, never stored).")
    note: str = field("What was done, or why it was dropped; may be empty.")
    recorded_at: datetime = field("When the IRO recorded it.")
    closed_at: datetime | None = field("When it was done, dropped or carried forward.")
    carried_from_id: strawberry.ID | None = field(
        "The decision of an earlier review it carries forward, if it does."
    )
    carried_from_held_on: date | None = field("The date the review it was carried forward from was held.")
    _owner_id: strawberry.Private[uuid.UUID]
    _closed_by_id: strawberry.Private[uuid.UUID | None]

    @resolver
    def owner(self, info: Info) -> PersonRef:
        """Who will do it: someone on the case, or a person of the child's local authority."""
        return person_ref(info, self._owner_id)

    @resolver
    def closed_by(self, info: Info) -> PersonRef | None:
        """Who marked it done, dropped or carried it forward."""
        return person_ref(info, self._closed_by_id) if self._closed_by_id else None

    @staticmethod
    def of(row: DecisionRow, today: date) -> ReviewDecision:
        model = row.decision
        return ReviewDecision(
            id=strawberry.ID(str(model.id)),
            position=model.position,
            description=model.description,
            due_on=model.due_on,
            state=model.state,
            overdue=overdue(model, today),
            note=model.note,
            recorded_at=model.recorded_at,
            closed_at=model.closed_at,
            carried_from_id=strawberry.ID(str(model.carried_from_id)) if model.carried_from_id else None,
            carried_from_held_on=row.carried_from_held_on,
            _owner_id=model.owner_id,
            _closed_by_id=model.closed_by_id,
        )


@object_type
class ReviewDecisionsCheck:
    """That a review's decisions were recorded (RD's evidence), and, when the IRO asked one, the manager of
    the child's authority asked to confirm them and their answer: confirmed, or disputed with the reason (a
    dispute may lead to the IRO's challenge; issue 18)."""

    recorded_at: datetime = field("When the decisions were recorded.")
    response: ManagerResponse | None = field("The manager's answer, once given.")
    comment: str = field(
        "The manager's comment: why they dispute the decisions, or a note with a confirmation."
    )
    responded_at: datetime | None = field("When the manager answered.")
    _recorded_by_id: strawberry.Private[uuid.UUID]
    _manager_id: strawberry.Private[uuid.UUID | None]

    @resolver
    def recorded_by(self, info: Info) -> PersonRef:
        """The IRO who recorded the decisions."""
        return person_ref(info, self._recorded_by_id)

    @resolver
    def manager(self, info: Info) -> PersonRef | None:
        """The manager asked to confirm them, if the IRO asked one."""
        return person_ref(info, self._manager_id) if self._manager_id else None

    @staticmethod
    def of(model: ReviewDecisionsCheckModel) -> ReviewDecisionsCheck:
        return ReviewDecisionsCheck(
            recorded_at=model.recorded_at,
            response=model.response,
            comment=model.comment,
            responded_at=model.responded_at,
            _recorded_by_id=model.recorded_by_id,
            _manager_id=model.manager_id,
        )


@object_type
class ReviewPreparation:
    """The social worker's part before a review (IRO Handbook 2010, ch. 3; issue 18): the day they consulted
    the IRO (SW1, at least 15 working days before) and the day the IRO had their report and the papers (SW2,
    at least 3 working days before), as the child's social worker or IRO recorded them. Each duty's due date
    and state are among the case's obligations."""

    social_worker_consulted_on: date | None = field(
        "The day the social worker consulted the IRO, if recorded."
    )
    papers_received_on: date | None = field("The day the IRO had the social worker's report and papers.")
    updated_at: datetime = field("When it was last recorded.")
    _updated_by_id: strawberry.Private[uuid.UUID]

    @resolver
    def updated_by(self, info: Info) -> PersonRef:
        """Who last recorded it: the child's social worker or IRO."""
        return person_ref(info, self._updated_by_id)

    @staticmethod
    def of(model: ReviewPreparationModel) -> ReviewPreparation:
        return ReviewPreparation(
            social_worker_consulted_on=model.social_worker_consulted_on,
            papers_received_on=model.papers_received_on,
            updated_at=model.updated_at,
            _updated_by_id=model.updated_by_id,
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
    long_term_foster_settled: bool = field(
        "For an information-gathering review: the IRO confirmed the child is settled in a long-term foster "
        "placement, without which it must be a meeting. False for every other kind."
    )
    child_agreed: bool = field(
        "For an information-gathering review: the IRO confirmed the child agrees to one instead of a "
        "meeting. False for every other kind."
    )
    held_before_portal: bool = field(
        "Recorded afterwards by the child's IRO: held before the case came to the portal (a child looked "
        "after before the proceedings). Nothing the protocol asks around a review was due through the portal "
        "for it (no notice, record or decisions)."
    )
    _model_id: strawberry.Private[uuid.UUID]

    @resolver
    async def preparation(self, info: Info) -> ReviewPreparation | None:
        """The social worker's part before the review (SW1, SW2), once any of it is recorded."""
        model = await info.context.loaders.preparation.load(self._model_id)
        return ReviewPreparation.of(model) if model is not None else None

    @resolver
    async def participation(self, info: Info) -> ReviewParticipation | None:
        """The child's participation in the review and their wishes and feelings, once it is held and
        their IRO has recorded them (issue 18). What the child said is withheld where it is not yours to
        read; that the record exists, and how the child took part, show to everyone who sees the review."""
        row = await info.context.loaders.participation.load(self._model_id)
        return ReviewParticipation.of(info, row) if row is not None else None

    @resolver
    async def decisions(self, info: Info) -> list[ReviewDecision]:
        """Its decisions as actions, in order, once the IRO has recorded them (issue 18, RD), with those it
        carries forward from the child's earlier reviews."""
        rows = await info.context.loaders.decisions.load(self._model_id)
        return [ReviewDecision.of(row, info.context.today) for row in rows]

    @resolver
    async def decisions_check(self, info: Info) -> ReviewDecisionsCheck | None:
        """That its decisions were recorded, and the manager's confirmation or dispute of them, if one was
        asked; null until the decisions are recorded."""
        check = await info.context.loaders.decisions_check.load(self._model_id)
        return ReviewDecisionsCheck.of(check) if check is not None else None

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
            long_term_foster_settled=model.long_term_foster_settled,
            child_agreed=model.child_agreed,
            held_before_portal=model.held_before_portal,
            _model_id=model.id,
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
