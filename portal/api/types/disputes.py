"""Disputes about a child's care plan: the IRO's challenges, the stages of the authority's ladder they
reached, and the ladders themselves (portal/disputes/)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry

from models import DisputeDocument as DisputeDocumentModel
from models import DisputeNote as DisputeNoteModel
from models import DisputeStage as DisputeStageModel
from models import DisputeState, DisputeSubject, StageOutcome
from models import LadderStage as LadderStageModel
from portal.api.context import Info
from portal.api.doc import field, object_type, resolver
from portal.api.types.letters import ChildSummary
from portal.api.types.people import PersonRef, person_ref
from portal.disputes.service import DisputeView, Ladder


@object_type
class DisputeStage:
    """A formal stage of the authority's ladder that a dispute reached: a duty on the manager named to
    answer it, by its due date in working days."""

    position: int = field("The stage's place on the ladder: 1 is the first formal stage.")
    answerer_post: str = field("The post that answers at this stage, as the ladder named it then.")
    started_on: date = field("When the dispute reached it.")
    due_on: date = field("When the answer is due: the stage's working days after it started.")
    answer: str | None = field("The answer, once given.")
    answered_at: datetime | None = field("When the answer was recorded.")
    ended_at: datetime | None = field("When the dispute left the stage; empty while it is there.")
    outcome: StageOutcome | None = field("How the stage ended; empty while the dispute is there.")
    _answerer_id: strawberry.Private[uuid.UUID]

    @resolver
    def answerer(self, info: Info) -> PersonRef:
        """The manager named to answer."""
        return person_ref(info, self._answerer_id)

    @staticmethod
    def of(model: DisputeStageModel) -> DisputeStage:
        return DisputeStage(
            position=model.position,
            answerer_post=model.answerer_post,
            started_on=model.started_on,
            due_on=model.due_on,
            answer=model.answer,
            answered_at=model.answered_at,
            ended_at=model.ended_at,
            outcome=model.outcome,
            _answerer_id=model.answerer_id,
        )


@object_type
class DisputeNote:
    """A step on a dispute, or an exchange about it (informal ones included), as recorded."""

    kind: str = field(
        'What it records: "raised", "exchange", "escalated", "answered", "fast tracked", "guardian told", '
        '"guardian\'s view", "document" (added), "referred to Cafcass" or "resolved".'
    )
    occurred_on: date = field("When it happened.")
    party: str = field("With whom (an exchange), or the post answering (an escalation or an answer).")
    note: str = field("What was said or decided.")
    recorded_at: datetime = field("When it was recorded.")
    _recorded_by_id: strawberry.Private[uuid.UUID]

    @resolver
    def recorded_by(self, info: Info) -> PersonRef:
        """Who recorded it."""
        return person_ref(info, self._recorded_by_id)

    @staticmethod
    def of(model: DisputeNoteModel) -> DisputeNote:
        return DisputeNote(
            kind=model.kind,
            occurred_on=model.occurred_on,
            party=model.party,
            note=model.note,
            recorded_at=model.recorded_at,
            _recorded_by_id=model.recorded_by_id,
        )


@object_type
class DisputeDocument:
    """A document kept with a dispute as evidence (a stage's answer in writing, a letter, minutes), seen by
    whoever sees the dispute."""

    id: strawberry.ID = field("The document's id.")
    description: str = field("What it is, in the words of whoever added it.")
    stage: int = field("The formal stage the dispute was at when it was added; 0 while informal.")
    filename: str = field("The file's name as uploaded.")
    size: int = field("In bytes.")
    content_type: str = field("The type sniffed from its content.")
    sha256: str = field("The SHA-256 of its content.")
    added_at: datetime = field("When it was added.")
    download_url: str = field("Where to download it (opening it is recorded in the audit trail).")
    _added_by_id: strawberry.Private[uuid.UUID]

    @resolver
    def added_by(self, info: Info) -> PersonRef:
        """Who added it."""
        return person_ref(info, self._added_by_id)

    @staticmethod
    def of(model: DisputeDocumentModel) -> DisputeDocument:
        return DisputeDocument(
            id=strawberry.ID(str(model.id)),
            description=model.description,
            stage=model.stage,
            filename=model.filename,
            size=model.size,
            content_type=model.content_type,
            sha256=model.sha256,
            added_at=model.added_at,
            download_url=f"/dispute-documents/{model.id}",
            _added_by_id=model.added_by_id,
        )


@object_type
class DisputeAbilities:
    """What the viewer may do on the dispute."""

    manage: bool = field(
        "Record exchanges, take it to the next stage, tell the guardian, resolve it (the IRO on the case)."
    )
    answer: bool = field("Answer the stage it is at (the manager named to, while it is unanswered).")
    give_view: bool = field("Give the guardian's view (the guardian on the case, once told of it).")
    add_document: bool = field(
        "Add a document (the IRO, or the manager named at the stage it is at, while it is open), by "
        "POST /disputes/{id}/documents/uploads."
    )


@object_type
class Dispute:
    """A challenge the IRO makes about a child's care plan (IRO Handbook ch. 6): informal first, then up the
    authority's local dispute resolution ladder, each formal stage a duty on the manager named to answer it.
    Seen by the IRO and the IRO manager; the guardian once told of it; the authority's solicitor from the
    ladder's stated stage; and the managers named at a stage. To anyone else it does not exist."""

    id: strawberry.ID = field("The dispute's id.")
    case_id: strawberry.ID = field("The case it is on.")
    case_number: str = field("The case's number.")
    child_id: strawberry.ID | None = field("The child it concerns; empty for every child of the case.")
    subject: DisputeSubject = field("What is disputed.")
    summary: str = field("What is disputed, in the IRO's words.")
    raised_with: str = field("Who it was raised with first (the social worker, the team manager ...).")
    resolution_sought: str = field("What resolution the IRO seeks.")
    sought_by: date = field("By when.")
    raised_at: datetime = field("When it was raised.")
    state: DisputeState = field("Informal, on the ladder (formal), or resolved.")
    stage: int = field("The formal stage it is at; 0 while informal.")
    fast_track_reason: str | None = field("Why it started at a formal stage at once, if it did.")
    formal_from: date | None = field("When its first formal stage began: the ladder's time runs from here.")
    limit_on: date | None = field("When the whole ladder's time runs out (20 working days by default).")
    beyond_limit: bool = field("Whether it is unresolved after the ladder's time ran out.")
    resolved_on: date | None = field("When it was resolved.")
    resolution: str | None = field("How it was resolved, and by whom.")
    guardian_told_at: datetime | None = field(
        "When the IRO told the guardian of it (a significant issue, P9); empty if not."
    )
    guardian_view: str | None = field("The guardian's view of it, once given.")
    stages: list[DisputeStage] = field("The formal stages it reached, in order.")
    next_stage: LadderStage | None = field(
        "The stage of its ladder it would go to next, while it is open: who answers there and in how many "
        "working days. Empty at the top of the ladder (what remains is a referral to Cafcass)."
    )
    notes: list[DisputeNote] = field("Its steps and exchanges, the first first.")
    documents: list[DisputeDocument] = field("The documents kept with it as evidence, the first added first.")
    viewer_can: DisputeAbilities = field("What you may do on it.")
    _raised_by_id: strawberry.Private[uuid.UUID]
    _id: strawberry.Private[uuid.UUID]

    @resolver
    def raised_by(self, info: Info) -> PersonRef:
        """The IRO who raised it."""
        return person_ref(info, self._raised_by_id)

    @resolver
    async def child_summaries(self, info: Info) -> list[ChildSummary]:
        """Once resolved, what was decided, in plain words for each child it concerns, written by the
        child's IRO (issue 19), the first written first: read by everyone who sees the dispute."""
        return [ChildSummary.of(c) for c in await info.context.loaders.child_summaries.load(self._id)]

    @staticmethod
    def of(view: DisputeView, today: date) -> Dispute:
        d = view.dispute
        return Dispute(
            id=strawberry.ID(str(d.id)),
            case_id=strawberry.ID(str(d.proceedings_id)),
            case_number=view.case_number,
            child_id=strawberry.ID(str(d.child_id)) if d.child_id else None,
            subject=d.subject,
            summary=d.summary,
            raised_with=d.raised_with,
            resolution_sought=d.resolution_sought,
            sought_by=d.sought_by,
            raised_at=d.raised_at,
            state=d.state,
            stage=d.stage,
            fast_track_reason=d.fast_track_reason,
            formal_from=d.formal_from,
            limit_on=d.limit_on,
            beyond_limit=view.beyond_limit(today),
            resolved_on=d.resolved_on,
            resolution=d.resolution,
            guardian_told_at=d.guardian_told_at,
            guardian_view=d.guardian_view,
            stages=[DisputeStage.of(s) for s in view.stages],
            next_stage=LadderStage.of(view.next_stage) if view.next_stage else None,
            notes=[DisputeNote.of(n) for n in view.notes],
            documents=[DisputeDocument.of(d) for d in view.documents],
            _id=d.id,
            viewer_can=DisputeAbilities(
                manage=view.may_manage,
                answer=view.may_answer,
                give_view=view.may_give_view,
                add_document=view.may_add_document,
            ),
            _raised_by_id=d.raised_by_id,
        )


@object_type
class LadderStage:
    """A formal stage of a ladder."""

    position: int = field("Its place: 1 is the first formal stage.")
    answerer: str = field("The post that answers at it.")
    working_days: int = field("The working days it allows for the answer.")

    @staticmethod
    def of(model: LadderStageModel) -> LadderStage:
        return LadderStage(position=model.position, answerer=model.answerer, working_days=model.working_days)


@object_type
class DisputeLadder:
    """A local authority's local dispute resolution ladder in force (its own, or the national default
    until it sets one): the disputes raised from now on follow it, and keep it."""

    version: int = field("Its version; each change is a new one.")
    own: bool = field("Whether it is the authority's own (otherwise the national default).")
    overall_working_days: int = field("The whole ladder's working days, from the first formal stage.")
    solicitor_from_stage: int | None = field(
        "The stage from which the authority's solicitor on the case sees a dispute; empty for never."
    )
    stages: list[LadderStage] = field("Its stages, in order.")

    @staticmethod
    def of(ladder: Ladder) -> DisputeLadder:
        return DisputeLadder(
            version=ladder.row.version,
            own=ladder.row.organisation_id is not None,
            overall_working_days=ladder.row.overall_working_days,
            solicitor_from_stage=ladder.row.solicitor_from_stage,
            stages=[LadderStage.of(s) for s in ladder.stages],
        )
