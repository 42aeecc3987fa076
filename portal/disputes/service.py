"""Disputes about a child's care plan (issue 17; IRO Handbook ch. 6; PROTOCOL.md §3).

The IRO records a challenge from the first informal word (what is disputed, with whom, what resolution is
sought and by when) and every exchange on it. Unsettled, it goes up the authority's ladder (the version in
force when it was raised, which it keeps): each formal stage is a duty on the manager named to answer it,
due in the stage's working days, reminded and chased by the clock, met by the answer recorded. The IRO
takes it to the next stage when the answer is missing or does not satisfy, or resolves it. A very serious
issue starts at a formal stage at once (fast track), with the reason. The whole ladder's time runs from the
first formal stage.

Who sees a dispute is DISPUTE_SIGHT in the role table (portal/access/policy.py), plus the managers named at
a stage, who need not be on the case. Everyone else gets NOT_FOUND, as for a dispute that does not exist,
and the refusal is recorded; every read and write is in the audit trail. Emails carry no case content.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    AuditOutcome,
    CaseRole,
    Dispute,
    DisputeDocument,
    DisputeLadder,
    DisputeNote,
    DisputeStage,
    DisputeState,
    DisputeSubject,
    IssueKind,
    LadderStage,
    Person,
    Proceedings,
    RaisedIssue,
    Role,
    StageOutcome,
    utcnow,
)
from portal import calendar, clock
from portal.access import repository as access_repository
from portal.access.policy import (
    MANAGER_ROLES,
    Permission,
    acting_roles,
    granting_role,
    has_global_permission,
    sees_dispute,
)
from portal.access.service import CaseAccess, access_case, administered_authority, may_access
from portal.audit import service as audit
from portal.audit.service import Look
from portal.auth.actor import Actor
from portal.cases import repository as cases
from portal.disputes import ladders, repository
from portal.disputes.ladders import LadderSpec, StageSpec
from portal.errors import DomainError, ErrorCode, NotFound, Problems
from portal.mail.outbox import enqueue
from portal.obligations.service import REMIND_WORKING_DAYS
from portal.papers.receive import Received
from portal.raised_issues import service as raised_issues
from portal.validation import check_past_date, clean, clean_required

TEXT_MAX_LENGTH = 4000
NAME_MAX_LENGTH = 200
REASON_MAX_LENGTH = 2000
DESCRIPTION_MAX_LENGTH = 300
# A dispute's evidence is letters and minutes, not a bundle: a runaway client is refused past this.
DOCUMENTS_MAX = 100
SUBJECT_WORDS = {
    DisputeSubject.REVIEW_DECISION: "a decision of a review",
    DisputeSubject.CARE_PLAN: "a point of the care plan",
    DisputeSubject.DRIFT_OR_DELAY: "drift or delay",
    DisputeSubject.PLACEMENT_MOVE: "a placement move",
    DisputeSubject.RESOURCES: "resources",
    DisputeSubject.OTHER: "another matter",
}


@dataclass(frozen=True)
class Ladder:
    """A version of a ladder, with its stages in order."""

    row: DisputeLadder
    stages: list[LadderStage]


@dataclass(frozen=True)
class DisputeView:
    """A dispute as one viewer may see it: its stages and notes, and what they may do on it."""

    dispute: Dispute
    # The case's number: how everyone on a dispute names the case.
    case_number: str
    # The formal stages of the ladder it keeps.
    ladder: list[LadderStage]
    stages: list[DisputeStage]
    notes: list[DisputeNote]
    # Its evidence, the first added first.
    documents: list[DisputeDocument]
    acting_as: Role
    # The IRO's: record exchanges, take it up the ladder, tell the guardian, resolve.
    may_manage: bool
    # Named to answer at the stage it is at, and not yet answered.
    may_answer: bool
    # The guardian on the case, told of it.
    may_give_view: bool
    # The IRO, or the manager named at the stage it is at, while it is open.
    may_add_document: bool

    def beyond_limit(self, today: date) -> bool:
        """Unresolved after the whole ladder's time ran out."""
        limit = self.dispute.limit_on
        return self.dispute.state is not DisputeState.RESOLVED and limit is not None and today > limit

    @property
    def current(self) -> DisputeStage | None:
        """The stage it is at, while it is open there."""
        return _current(self.dispute, self.stages)

    @property
    def next_stage(self) -> LadderStage | None:
        """The stage of its ladder it would go to next, while it is open; None at the top."""
        if self.dispute.state is DisputeState.RESOLVED:
            return None
        return next((s for s in self.ladder if s.position == self.dispute.stage + 1), None)


@dataclass(frozen=True)
class RaiseChallenge:
    case_id: uuid.UUID
    subject: DisputeSubject
    summary: str
    raised_with: str
    resolution_sought: str
    sought_by: date | None
    # The child it concerns (None: every child of the case).
    child_id: uuid.UUID | None = None
    # The guardian's concern (P8) the IRO takes up, if it began as one.
    concern_id: uuid.UUID | None = None
    # Fast track: start at this formal stage at once, for this reason, answered by this manager.
    fast_track_stage: int | None = None
    fast_track_reason: str = ""
    answerer_id: uuid.UUID | None = None


# ---------------------------------------------------------------------------------------------------------
# Ladders


async def sync_default_ladder(session: AsyncSession) -> DisputeLadder | None:
    """Record a new version of the national default whenever the one here differs from the database's."""
    current = await repository.current_ladder(session, None)
    if current is not None and _spec(Ladder(*current)) == ladders.DEFAULT:
        return None
    return (await _new_version(session, None, ladders.DEFAULT, None)).row


async def ladder_in_force(
    session: AsyncSession, organisation_id: uuid.UUID, *, record: bool = True
) -> Ladder:
    """The authority's ladder, or the national default if it has none of its own. On a database migrated
    but never given the default, it is recorded now (or, for a read, shown as it would be recorded)."""
    found = await repository.current_ladder(session, organisation_id) or await repository.current_ladder(
        session, None
    )
    if found is not None:
        return Ladder(*found)
    if not record:
        return _unrecorded(ladders.DEFAULT)
    await sync_default_ladder(session)
    found = await repository.current_ladder(session, None)
    assert found is not None
    return Ladder(*found)


def _unrecorded(spec: LadderSpec) -> Ladder:
    row = DisputeLadder(
        version=1,
        overall_working_days=spec.overall_working_days,
        solicitor_from_stage=spec.solicitor_from_stage,
    )
    return Ladder(row, _ladder_stages(row, spec))


def _ladder_stages(row: DisputeLadder, spec: LadderSpec) -> list[LadderStage]:
    return [
        LadderStage(ladder_id=row.id, position=n, answerer=stage.answerer, working_days=stage.working_days)
        for n, stage in enumerate(spec.stages, start=1)
    ]


async def authority_ladder(session: AsyncSession, actor: Actor, organisation_id: uuid.UUID) -> Ladder:
    """The ladder in force for a local authority, for its administrators."""
    await administered_authority(session, actor, organisation_id, "dispute-ladder.read")
    ladder = await ladder_in_force(session, organisation_id, record=False)
    audit.record(
        session, actor, "dispute-ladder.read", subject_type="organisation", subject_id=organisation_id
    )
    return ladder


async def set_ladder(
    session: AsyncSession, actor: Actor, organisation_id: uuid.UUID, spec: LadderSpec
) -> Ladder:
    """A new version of the authority's ladder, for the disputes raised from now on (those open keep the
    version they started on)."""
    await administered_authority(session, actor, organisation_id, "dispute-ladder.set")
    ladder = await _new_version(session, organisation_id, ladders.check(spec), actor.person_id)
    audit.record(
        session, actor, "dispute-ladder.set", subject_type="dispute_ladder", subject_id=ladder.row.id
    )
    return ladder


async def _new_version(
    session: AsyncSession, organisation_id: uuid.UUID | None, spec: LadderSpec, by: uuid.UUID | None
) -> Ladder:
    now = utcnow()
    version = await repository.last_version(session, organisation_id) + 1
    await repository.supersede(session, organisation_id, now)
    row = DisputeLadder(
        organisation_id=organisation_id,
        version=version,
        overall_working_days=spec.overall_working_days,
        solicitor_from_stage=spec.solicitor_from_stage,
        created_at=now,
        created_by_id=by,
    )
    session.add(row)
    await session.flush()
    stages = _ladder_stages(row, spec)
    session.add_all(stages)
    await session.flush()
    return Ladder(row, stages)


def _spec(ladder: Ladder) -> LadderSpec:
    return LadderSpec(
        tuple(StageSpec(s.answerer, s.working_days) for s in ladder.stages),
        ladder.row.overall_working_days,
        ladder.row.solicitor_from_stage,
    )


# ---------------------------------------------------------------------------------------------------------
# Raising and settling


async def raise_challenge(session: AsyncSession, actor: Actor, data: RaiseChallenge) -> Dispute:
    """The IRO's challenge on the case: informal, or (fast track) at a formal stage at once."""
    access = await access_case(session, actor, data.case_id, Permission.RAISE_CHALLENGE)
    today = clock.today()
    problems = Problems()
    summary = clean_required(problems, data.summary, "summary", "Say what is disputed", TEXT_MAX_LENGTH)
    raised_with = clean_required(
        problems, data.raised_with, "raisedWith", "Say who it is raised with", NAME_MAX_LENGTH
    )
    sought = clean_required(
        problems,
        data.resolution_sought,
        "resolutionSought",
        "Say what resolution is sought",
        TEXT_MAX_LENGTH,
    )
    if data.sought_by is None:
        problems.add(ErrorCode.REQUIRED, "Say by when the resolution is sought", "soughtBy")
    elif data.sought_by < today:
        problems.add(ErrorCode.DATE_IN_PAST, "The date it is sought by must be today or later", "soughtBy")
    if data.child_id is not None and data.child_id not in {
        c.id for c in await cases.case_children(session, access.case.id)
    }:
        problems.add(ErrorCode.NOT_IN_PROCEEDINGS, "Choose a child of these proceedings", "childId")
    if data.concern_id is not None:
        concern = await session.get(RaisedIssue, data.concern_id)
        if (
            concern is None
            or concern.proceedings_id != access.case.id
            or concern.kind is not IssueKind.CONCERN
        ):
            problems.add(
                ErrorCode.NOT_FOUND, "Choose one of the guardian's concerns on this case", "concernId"
            )
    reason = clean(data.fast_track_reason)
    if data.fast_track_stage is not None and not reason:
        problems.add(ErrorCode.REQUIRED, "Say why it starts at a formal stage at once", "fastTrackReason")
    elif len(reason) > REASON_MAX_LENGTH:
        problems.add(ErrorCode.TOO_LONG, "The reason must be 2,000 characters or fewer", "fastTrackReason")
    ladder = await ladder_in_force(session, access.case.local_authority_id)
    answerer = (
        await _stage_answerer(
            session, problems, access.case, ladder, data.fast_track_stage, data.answerer_id, "fastTrackStage"
        )
        if data.fast_track_stage is not None
        else None
    )
    problems.raise_if_any()
    assert data.sought_by is not None
    dispute = Dispute(
        proceedings_id=access.case.id,
        child_id=data.child_id,
        subject=data.subject,
        summary=summary,
        raised_with=raised_with,
        resolution_sought=sought,
        sought_by=data.sought_by,
        raised_by_id=actor.person_id,
        concern_id=data.concern_id,
        ladder_id=ladder.row.id,
        solicitor_from_stage=ladder.row.solicitor_from_stage,
    )
    session.add(dispute)
    await session.flush()
    _note(session, actor, dispute, "raised", today, raised_with, summary)
    if data.fast_track_stage is not None and answerer is not None:
        dispute.fast_track_reason = reason
        await _start_stage(session, dispute, ladder, data.fast_track_stage, answerer, today)
        _note(session, actor, dispute, "fast tracked", today, "", reason)
    audit.record_on_case(
        session, actor, access, "dispute.raise", subject_type="dispute", subject_id=dispute.id
    )
    return dispute


async def record_exchange(
    session: AsyncSession,
    actor: Actor,
    dispute_id: uuid.UUID,
    occurred_on: date | None,
    party: str,
    note: str,
) -> DisputeNote:
    """An exchange on the dispute, informal or not: when, with whom, and what was said."""
    dispute, access = await _managed(session, actor, dispute_id)
    _open(dispute)
    today = clock.today()
    problems = Problems()
    check_past_date(
        problems,
        occurred_on,
        "occurredOn",
        missing="Enter the date of the exchange",
        label="The exchange's date",
        today=today,
        not_before=clock.day_of(dispute.raised_at),
        too_early="The exchange cannot be before the dispute was raised",
    )
    with_whom = clean_required(problems, party, "party", "Say who the exchange was with", NAME_MAX_LENGTH)
    text = clean_required(problems, note, "note", "Say what was said", TEXT_MAX_LENGTH)
    problems.raise_if_any()
    assert occurred_on is not None
    recorded = _note(session, actor, dispute, "exchange", occurred_on, with_whom, text)
    audit.record_on_case(
        session, actor, access, "dispute.exchange", subject_type="dispute", subject_id=dispute.id
    )
    return recorded


async def escalate(
    session: AsyncSession, actor: Actor, dispute_id: uuid.UUID, answerer_id: uuid.UUID | None, reason: str
) -> DisputeStage:
    """Take the dispute to its ladder's next stage (the first, from informal), answered by the manager
    named; the stage it leaves ends as escalated."""
    dispute, access = await _managed(session, actor, dispute_id)
    _open(dispute)
    problems = Problems()
    why = clean_required(
        problems, reason, "reason", "Say why it goes further (no answer, or the answer)", REASON_MAX_LENGTH
    )
    ladder = await _ladder_of(session, dispute)
    answerer = await _stage_answerer(
        session, problems, access.case, ladder, dispute.stage + 1, answerer_id, "id"
    )
    problems.raise_if_any()
    assert answerer is not None
    today = clock.today()
    stages = (await repository.stages_of_disputes(session, [dispute.id])).get(dispute.id, [])
    leaving = _current(dispute, stages)
    stage = await _start_stage(session, dispute, ladder, dispute.stage + 1, answerer, today)
    if leaving is not None:
        leaving.ended_at, leaving.outcome = utcnow(), StageOutcome.ESCALATED
    _note(session, actor, dispute, "escalated", today, stage.answerer_post, why)
    audit.record_on_case(
        session, actor, access, "dispute.escalate", subject_type="dispute", subject_id=dispute.id
    )
    return stage


async def answer(session: AsyncSession, actor: Actor, dispute_id: uuid.UUID, text: str) -> DisputeStage:
    """The answer at the stage the dispute is at: by the manager named to answer it, or recorded by the
    IRO as received. It meets the stage's duty; the IRO then resolves the dispute or takes it further."""
    view = await _view(session, actor, dispute_id, lock=True)
    stage = view.current
    if not (view.may_answer or (view.may_manage and stage is not None)):
        raise DomainError.one(ErrorCode.NOT_PERMITTED, "There is no stage for you to answer", "id")
    assert stage is not None
    if stage.answered_at is not None:
        raise DomainError.one(ErrorCode.ALREADY_DONE, "This stage has been answered", "id")
    problems = Problems()
    words = clean_required(problems, text, "answer", "Enter the answer", TEXT_MAX_LENGTH)
    problems.raise_if_any()
    stage.answer, stage.answered_at, stage.answered_by_id = words, utcnow(), actor.person_id
    _note(session, actor, view.dispute, "answered", clock.today(), stage.answerer_post, words)
    for iro in await cases.live_people(session, view.dispute.proceedings_id, CaseRole.IRO):
        enqueue(
            session,
            iro,
            kind="dispute.answered",
            subject="A stage of a dispute has been answered",
            body="A stage of a dispute you raised has been answered. Please read the answer, then resolve "
            "the dispute or take it further.",
            link_path=_link(view.dispute),
        )
    _recorded(session, actor, view, "dispute.answer")
    return stage


async def resolve(
    session: AsyncSession, actor: Actor, dispute_id: uuid.UUID, resolution: str, resolved_on: date | None
) -> Dispute:
    """The dispute settled: how, and when (today unless said). The stage it was at ends as resolved."""
    dispute, access = await _managed(session, actor, dispute_id)
    _open(dispute)
    today = clock.today()
    problems = Problems()
    how = clean_required(
        problems, resolution, "resolution", "Say how it was resolved, and by whom", TEXT_MAX_LENGTH
    )
    on = resolved_on or today
    check_past_date(
        problems,
        on,
        "resolvedOn",
        missing="",
        label="The date it was resolved",
        today=today,
        not_before=clock.day_of(dispute.raised_at),
        too_early="It cannot be resolved before it was raised",
    )
    problems.raise_if_any()
    stages = (await repository.stages_of_disputes(session, [dispute.id])).get(dispute.id, [])
    for stage in stages:
        if stage.ended_at is None:
            stage.ended_at, stage.outcome = utcnow(), StageOutcome.RESOLVED
    dispute.state, dispute.resolved_on = DisputeState.RESOLVED, on
    dispute.resolution, dispute.resolved_by_id = how, actor.person_id
    _note(session, actor, dispute, "resolved", on, "", how)
    audit.record_on_case(
        session, actor, access, "dispute.resolve", subject_type="dispute", subject_id=dispute.id
    )
    return dispute


async def tell_guardian(session: AsyncSession, actor: Actor, dispute_id: uuid.UUID) -> Dispute:
    """Tell the guardian of a dispute that bears on the care plan before the court: a significant issue
    (P9), recorded and shared at once, which meets P9 and asks the guardian to acknowledge it."""
    dispute, access = await _managed(session, actor, dispute_id)
    if dispute.guardian_told_at is not None:
        raise DomainError.one(ErrorCode.ALREADY_DONE, "The guardian has been told of this dispute", "id")
    today = clock.today()
    words = f"A dispute with the local authority about {SUBJECT_WORDS[dispute.subject]}: {dispute.summary}"
    await raised_issues.raise_issue(
        session,
        actor,
        raised_issues.RaiseIssue(
            case_id=dispute.proceedings_id,
            kind=IssueKind.SIGNIFICANT_ISSUE,
            summary=words[: raised_issues.SUMMARY_MAX_LENGTH],
            arose_on=today,
            meeting="Dispute resolution",
        ),
    )
    dispute.guardian_told_at = utcnow()
    _note(session, actor, dispute, "guardian told", today, "", "")
    audit.record_on_case(
        session, actor, access, "dispute.tell_guardian", subject_type="dispute", subject_id=dispute.id
    )
    return dispute


async def give_guardian_view(
    session: AsyncSession, actor: Actor, dispute_id: uuid.UUID, view: str
) -> Dispute:
    """The guardian's view of a dispute they were told of: given by the guardian, or recorded by the IRO."""
    seen = await _view(session, actor, dispute_id, lock=True)
    if not (seen.may_give_view or (seen.may_manage and seen.dispute.guardian_told_at is not None)):
        raise DomainError.one(
            ErrorCode.NOT_PERMITTED, "The guardian's view is asked for once they are told of it", "id"
        )
    problems = Problems()
    words = clean_required(problems, view, "view", "Enter the guardian's view", TEXT_MAX_LENGTH)
    problems.raise_if_any()
    dispute = seen.dispute
    dispute.guardian_view, dispute.guardian_view_at = words, utcnow()
    _note(session, actor, dispute, "guardian's view", clock.today(), "", words)
    if seen.acting_as is Role.GUARDIAN:
        for iro in await cases.live_people(session, dispute.proceedings_id, CaseRole.IRO):
            enqueue(
                session,
                iro,
                kind="dispute.guardian_view",
                subject="The guardian has given their view of a dispute",
                body="The children's guardian has given their view of a dispute you raised.",
                link_path=_link(dispute),
            )
    _recorded(session, actor, seen, "dispute.guardian_view")
    return dispute


async def case_ladder(session: AsyncSession, actor: Actor, case_id: uuid.UUID) -> Ladder:
    """The ladder a challenge raised now on the case would follow, for the IRO on it (who names a manager
    at each stage, and may start a very serious issue at a formal stage at once)."""
    access = await access_case(session, actor, case_id, Permission.RAISE_CHALLENGE)
    return await ladder_in_force(session, access.case.local_authority_id, record=False)


async def answerer_candidates(session: AsyncSession, actor: Actor, case_id: uuid.UUID) -> list[Person]:
    """The managers of the case's authority the IRO on the case may name to answer at a stage."""
    access = await access_case(session, actor, case_id, Permission.RAISE_CHALLENGE)
    return await repository.authority_managers(session, access.case.local_authority_id)


async def managed_on(session: AsyncSession, actor: Actor, dispute_id: uuid.UUID, case_id: uuid.UUID) -> bool:
    """Whether the dispute is one on the case that the actor manages (the IRO's), recording nothing."""
    found = await session.get(Dispute, dispute_id)
    return (
        found is not None
        and found.proceedings_id == case_id
        and await may_access(session, actor, case_id, Permission.RAISE_CHALLENGE)
    )


async def referred(session: AsyncSession, actor: Actor, dispute_id: uuid.UUID, today: date) -> None:
    """The IRO has referred the dispute to Cafcass (portal/referrals/): the stage it was at ends as referred,
    and its record says so. It stays open until the IRO resolves it."""
    dispute, _ = await _managed(session, actor, dispute_id)
    stages = (await repository.stages_of_disputes(session, [dispute.id])).get(dispute.id, [])
    at = _current(dispute, stages)
    if at is not None:
        at.ended_at, at.outcome = utcnow(), StageOutcome.REFERRED
    _note(session, actor, dispute, "referred to Cafcass", today, "Cafcass", "")


# ---------------------------------------------------------------------------------------------------------
# Documents


async def check_can_add_document(session: AsyncSession, actor: Actor, dispute_id: uuid.UUID) -> None:
    """Refuse, before a byte of a file is kept, anyone who may not add a document to the dispute now: those
    who may not see it find no dispute; those who see it but may not add, or a resolved dispute, are told
    so."""
    await _adding(session, actor, dispute_id, lock=False)


def check_description(description: str) -> str:
    """What the document is, cleaned; a problem if it is missing or too long."""
    problems = Problems()
    words = clean_required(
        problems, description, "description", "Say what the document is", DESCRIPTION_MAX_LENGTH
    )
    problems.raise_if_any()
    return words


async def add_document(
    session: AsyncSession, actor: Actor, dispute_id: uuid.UUID, received: Received, description: str
) -> DisputeDocument:
    """Keep a received file with the dispute as evidence, at the stage it is at: by the IRO, or by the
    manager named to answer that stage (with their answer in writing, say). The IRO is told when someone
    else adds one."""
    view = await _adding(session, actor, dispute_id, lock=True)
    words = check_description(description)
    if await repository.count_documents(session, dispute_id) >= DOCUMENTS_MAX:
        raise DomainError.one(
            ErrorCode.OUT_OF_RANGE, f"A dispute may hold at most {DOCUMENTS_MAX} documents", "file"
        )
    dispute = view.dispute
    document = DisputeDocument(
        dispute_id=dispute.id,
        stage=dispute.stage,
        description=words,
        sha256=received.sha256,
        size=received.size,
        content_type=received.content_type,
        filename=received.filename,
        added_by_id=actor.person_id,
    )
    session.add(document)
    _note(session, actor, dispute, "document", clock.today(), received.filename, words)
    if not view.may_manage:
        for iro in await cases.live_people(session, dispute.proceedings_id, CaseRole.IRO):
            enqueue(
                session,
                iro,
                kind="dispute.document",
                subject="A document has been added to a dispute",
                body="A document has been added to a dispute you raised. Please read it on the dispute's "
                "page.",
                link_path=_link(dispute),
            )
    await session.flush()
    _recorded(session, actor, view, "dispute.document.add", subject=("dispute_document", document.id))
    return document


async def open_document(session: AsyncSession, actor: Actor, document_id: uuid.UUID) -> DisputeDocument:
    """A dispute's document to download, for whoever sees the dispute; everyone else finds none (and the
    refusal is recorded)."""
    document = await session.get(DisputeDocument, document_id)
    if document is None:
        raise NotFound("Document", "id")
    try:
        view = await _view(session, actor, document.dispute_id)
    except NotFound:
        raise NotFound("Document", "id") from None
    _recorded(session, actor, view, "dispute.document.read", subject=("dispute_document", document.id))
    return document


async def _adding(session: AsyncSession, actor: Actor, dispute_id: uuid.UUID, lock: bool) -> DisputeView:
    view = await _view(session, actor, dispute_id, lock=lock)
    _open(view.dispute)
    if not view.may_add_document:
        raise DomainError.one(
            ErrorCode.NOT_PERMITTED,
            "Only the IRO, or the manager answering the stage it is at, may add a document",
            "id",
        )
    return view


# ---------------------------------------------------------------------------------------------------------
# Reading


async def dispute(session: AsyncSession, actor: Actor, dispute_id: uuid.UUID) -> DisputeView:
    """One dispute, if the actor may see it; otherwise NotFound, as if there were none."""
    view = await _view(session, actor, dispute_id)
    _recorded(session, actor, view, Look.DISPUTE, kept=True)
    return view


async def readable_disputes(
    session: AsyncSession, actor: Actor, case_id: uuid.UUID | None = None
) -> list[DisputeView]:
    """Every dispute the actor may see (on one case, given ``case_id``), the open first, then the latest
    raised: for the IRO manager, every dispute on their authority's cases and the stage it is at; for others,
    those DISPUTE_SIGHT shows them and those they are named to answer. Each is recorded as read."""
    cases = access_repository.readable_cases(actor, Dispute.proceedings_id, Permission.READ_DISPUTES)
    if case_id is not None:
        cases = sa.and_(cases, Dispute.proceedings_id == case_id)
    found = await repository.disputes_on(session, cases)
    managers = [role for role in MANAGER_ROLES if role in actor.roles]
    readers = {
        # The case is readable (by the statement above): as a member, or as a manager in scope.
        case_id: _readers(
            actor, case_id, acting_roles(actor.roles, actor.case_roles.get(case_id, frozenset()), managers)
        )
        for case_id in {d.proceedings_id for d in found}
    }
    visible = [(d, readers[d.proceedings_id]) for d in found if _sees(readers[d.proceedings_id], d)]
    views = await _views(session, actor, visible, set())
    seen = {v.dispute.id for v in views}
    views += [
        v
        for v in await _named_views(session, actor)
        if v.dispute.id not in seen and case_id in {None, v.dispute.proceedings_id}
    ]
    for view in views:
        _recorded(session, actor, view, Look.DISPUTE_LIST, kept=True)
    order = {d.id: n for n, d in enumerate(found)}
    return sorted(
        views, key=lambda v: (v.dispute.state is DisputeState.RESOLVED, order.get(v.dispute.id, -1))
    )


async def _named_views(session: AsyncSession, actor: Actor) -> list[DisputeView]:
    """The disputes the actor is named to answer at a stage of, as they see them."""
    if not has_global_permission(actor.roles, Permission.ANSWER_DISPUTE, actor.scopes):
        return []
    ids = await repository.named_disputes(session, actor.person_id)
    found = await repository.disputes_by_id(session, ids)
    return await _views(session, actor, [(d, {}) for d in found.values()], named=set(ids))


# ---------------------------------------------------------------------------------------------------------
# The clock


async def remind_and_chase(session: AsyncSession, today: date, now: datetime) -> int:
    """Remind each named manager of a stage due within REMIND_WORKING_DAYS, and chase each stage past its
    date (the manager and the IRO): each once, whichever of several clocks wins. How many emails."""
    remind_by = calendar.add_working_days(today, REMIND_WORKING_DAYS)
    due = await repository.claim_reminders(session, remind_by, now)
    overdue = await repository.claim_overdue(session, today, now)
    disputes = await repository.disputes_by_id(session, list({s.dispute_id for s in due + overdue}))
    people = await cases.people_by_id(session, list({s.answerer_id for s in due + overdue}))
    iros = await repository.live_iros(session, list({d.proceedings_id for d in disputes.values()}))
    sent = 0
    for stage in due:
        if stage.overdue_notice_at == now:
            continue  # already past its date: the overdue notice says so
        sent += _tell(
            people.get(stage.answerer_id),
            session,
            "dispute.stage_due",
            "A dispute you are to answer is due soon",
            f"A dispute you are named to answer is due by {calendar.long_date(stage.due_on)}.",
            disputes[stage.dispute_id],
        )
    for stage in overdue:
        dispute = disputes[stage.dispute_id]
        body = f"A dispute stage was due by {calendar.long_date(stage.due_on)} and has not been resolved."
        sent += _tell(
            people.get(stage.answerer_id),
            session,
            "dispute.stage_overdue",
            "A dispute is overdue",
            body,
            dispute,
        )
        for iro in iros.get(dispute.proceedings_id, []):
            sent += _tell(iro, session, "dispute.stage_overdue", "A dispute is overdue", body, dispute)
    return sent


def _tell(
    person: Person | None, session: AsyncSession, kind: str, subject: str, body: str, dispute: Dispute
) -> int:
    if person is None or not person.active:
        return 0
    enqueue(session, person, kind=kind, subject=subject, body=body, link_path=_link(dispute))
    return 1


# ---------------------------------------------------------------------------------------------------------
# Access


async def _managed(session: AsyncSession, actor: Actor, dispute_id: uuid.UUID) -> tuple[Dispute, CaseAccess]:
    """The dispute, locked, if the actor may manage it (the IRO on its case); otherwise NotFound."""
    dispute = await repository.lock_dispute(session, dispute_id)
    if dispute is None:
        raise NotFound("Dispute", "id")
    try:
        return dispute, await access_case(session, actor, dispute.proceedings_id, Permission.RAISE_CHALLENGE)
    except NotFound:
        raise NotFound("Dispute", "id") from None


async def _view(
    session: AsyncSession, actor: Actor, dispute_id: uuid.UUID, lock: bool = False
) -> DisputeView:
    """The dispute as the actor may see it; NotFound (and the refusal recorded) if they may not."""
    found = await (repository.lock_dispute(session, dispute_id) if lock else session.get(Dispute, dispute_id))
    views: list[DisputeView] = []
    if found is not None:
        case = await access_repository.case_in_scopes(session, actor, found.proceedings_id)
        roles = (
            acting_roles(actor.roles, actor.case_roles.get(found.proceedings_id, frozenset()), case.scopes)
            if case is not None
            else []
        )
        readers = _readers(actor, found.proceedings_id, roles)
        named = (
            {found.id}
            if has_global_permission(actor.roles, Permission.ANSWER_DISPUTE, actor.scopes)
            and await repository.named(session, found.id, actor.person_id)
            else set()
        )
        if _sees(readers, found) or named:
            views = await _views(session, actor, [(found, readers)], named)
    if not views:
        audit.record(
            session,
            actor,
            "refused:dispute:read",
            subject_type="dispute",
            subject_id=dispute_id,
            case_id=found.proceedings_id if found else None,
            outcome=AuditOutcome.REFUSED,
        )
        raise NotFound("Dispute", "id")
    return views[0]


# A viewer's roles on a case that read its disputes, each with what else it may do on them.
Readers = dict[Role, frozenset[Permission]]


def _readers(actor: Actor, case_id: uuid.UUID, roles: list[Role]) -> Readers:
    """The actor's roles on the case that read disputes, each with what else it may do on them."""
    found = {}
    for role in roles:
        if granting_role(actor, case_id, [role], Permission.READ_DISPUTES) is role:
            found[role] = frozenset(
                need
                for need in (Permission.RAISE_CHALLENGE, Permission.ANSWER_DISPUTE)
                if granting_role(actor, case_id, [role], need) is role
            )
    return found


def _sees(readers: Readers, dispute: Dispute) -> bool:
    return sees_dispute(
        readers,
        told=dispute.guardian_told_at is not None,
        stage=dispute.stage,
        solicitor_from=dispute.solicitor_from_stage,
    )


async def _views(
    session: AsyncSession, actor: Actor, seen: list[tuple[Dispute, Readers]], named: set[uuid.UUID]
) -> list[DisputeView]:
    """Each dispute as the actor sees it, with ``readers`` their roles on its case that read it: its stages
    and notes fetched for all at once."""
    ids = [d.id for d, _ in seen]
    stages = await repository.stages_of_disputes(session, ids)
    notes = await repository.notes_of_disputes(session, ids)
    documents = await repository.documents_of_disputes(session, ids)
    numbered = await cases.numbers_and_authorities(session, list({d.proceedings_id for d, _ in seen}))
    ladders = await repository.stages_of_ladders(session, list({d.ladder_id for d, _ in seen}))
    views = []
    for dispute, readers in seen:
        sighted = [r for r in readers if _sees({r: readers[r]}, dispute)]
        acting_as = sighted[0] if sighted else Role.LA_MANAGER
        current = _current(dispute, stages.get(dispute.id, []))
        may_manage = any(Permission.RAISE_CHALLENGE in readers[r] for r in sighted)
        answering = dispute.id in named and current is not None and current.answerer_id == actor.person_id
        views.append(
            DisputeView(
                dispute=dispute,
                case_number=numbered[dispute.proceedings_id][0],
                ladder=ladders.get(dispute.ladder_id, []),
                stages=stages.get(dispute.id, []),
                notes=notes.get(dispute.id, []),
                documents=documents.get(dispute.id, []),
                acting_as=acting_as,
                may_manage=may_manage,
                may_answer=answering and current is not None and current.answered_at is None,
                may_give_view=dispute.guardian_told_at is not None
                and any(r is Role.GUARDIAN and Permission.ANSWER_DISPUTE in readers[r] for r in sighted),
                may_add_document=dispute.state is not DisputeState.RESOLVED and (may_manage or answering),
            )
        )
    return views


def _recorded(
    session: AsyncSession,
    actor: Actor,
    view: DisputeView,
    action: str,
    kept: bool = False,
    subject: tuple[str, uuid.UUID] | None = None,
) -> None:
    """The dispute read or written (or ``subject``, a record of it), as the viewer's role on it."""
    subject_type, subject_id = subject or ("dispute", view.dispute.id)
    audit.record(
        session,
        actor,
        action,
        subject_type=subject_type,
        subject_id=subject_id,
        case_id=view.dispute.proceedings_id,
        acting_as=view.acting_as,
        kept=kept,
    )


# ---------------------------------------------------------------------------------------------------------
# Stages


async def _ladder_of(session: AsyncSession, dispute: Dispute) -> Ladder:
    row = await session.get(DisputeLadder, dispute.ladder_id)
    assert row is not None
    return Ladder(row, await repository.stages_of(session, row.id))


async def _stage_answerer(
    session: AsyncSession,
    problems: Problems,
    case: Proceedings,
    ladder: Ladder,
    position: int,
    answerer_id: uuid.UUID | None,
    field: str,
) -> Person | None:
    """The manager named to answer at formal stage ``position`` of the ladder, with a problem added (under
    ``field`` for the stage) if there is no such stage or they are not a manager of the case's authority."""
    if not 1 <= position <= len(ladder.stages):
        further = position > len(ladder.stages) and field != "fastTrackStage"
        problems.add(
            ErrorCode.OUT_OF_RANGE,
            "The authority's ladder has no further stage: refer it to Cafcass if it is still unresolved"
            if further
            else f"Choose a stage from 1 to {len(ladder.stages)}",
            field,
        )
    answerer = (
        await repository.authority_manager(session, answerer_id, case.local_authority_id)
        if answerer_id is not None
        else None
    )
    if answerer is None:
        problems.add(
            ErrorCode.WRONG_ROLE, "Name a manager of the authority to answer at this stage", "answererId"
        )
    return answerer


async def _start_stage(
    session: AsyncSession, dispute: Dispute, ladder: Ladder, position: int, answerer: Person, today: date
) -> DisputeStage:
    """The dispute at formal stage ``position`` of its ladder from today (``_stage_answerer`` checked it),
    answered by ``answerer``, who is told."""
    spec = ladder.stages[position - 1]
    stage = DisputeStage(
        dispute_id=dispute.id,
        position=position,
        answerer_post=spec.answerer,
        answerer_id=answerer.id,
        started_on=today,
        due_on=calendar.add_working_days(today, spec.working_days),
    )
    session.add(stage)
    dispute.state, dispute.stage = DisputeState.FORMAL, position
    if dispute.formal_from is None:
        dispute.formal_from = today
        dispute.limit_on = calendar.add_working_days(today, ladder.row.overall_working_days)
    await session.flush()
    enqueue(
        session,
        answerer,
        kind="dispute.stage",
        subject="A dispute has been escalated to you",
        body=f"You are named to answer a dispute raised by an Independent Reviewing Officer, by "
        f"{calendar.long_date(stage.due_on)}.",
        link_path=_link(dispute),
    )
    return stage


def _current(dispute: Dispute, stages: list[DisputeStage]) -> DisputeStage | None:
    """Of the dispute's stages, the one it is at, while it is open there."""
    return next((s for s in stages if s.position == dispute.stage and s.ended_at is None), None)


def _open(dispute: Dispute) -> None:
    if dispute.state is DisputeState.RESOLVED:
        raise DomainError.one(ErrorCode.ALREADY_CLOSED, "The dispute has been resolved", "id")


def _note(
    session: AsyncSession, actor: Actor, dispute: Dispute, kind: str, on: date, party: str, note: str
) -> DisputeNote:
    recorded = DisputeNote(
        dispute_id=dispute.id,
        kind=kind,
        occurred_on=on,
        party=party,
        note=note,
        recorded_by_id=actor.person_id,
    )
    session.add(recorded)
    return recorded


def _link(dispute: Dispute) -> str:
    return f"/disputes/{dispute.id}"
