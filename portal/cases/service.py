"""The rules for cases: opening proceedings, allocating the guardian and the IRO, and the timetable.

Services validate everything before they write anything, never commit (the request's unit of work does)
and record an audit event with each write.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    AuditEvent,
    CaseMembership,
    CaseRole,
    Child,
    ConsultationEvent,
    Extension,
    LegalStatus,
    LegalStatusEntry,
    Organisation,
    OrganisationKind,
    Proceedings,
    ProceedingsChild,
    Role,
    Stage,
    StageChange,
    utcnow,
)
from portal import clock
from portal.access.policy import (
    CASE_ROLE_REQUIRES,
    MANAGER_ROLES,
    Permission,
    acting_roles,
    has_global_permission,
)
from portal.access.service import CaseAccess, access_case
from portal.audit import repository as audit_repository
from portal.audit import service as audit
from portal.auth.actor import SYSTEM, Actor
from portal.cases import repository
from portal.cases.timescale import MAX_EXTENSION_WEEKS
from portal.errors import DomainError, ErrorCode, NotFound, Problem, Problems
from portal.handovers import service as handovers
from portal.obligations import arrangements, looked_after
from portal.obligations import service as obligations
from portal.papers import service as papers
from portal.people import repository as people
from portal.validation import check_past_date, clean, clean_required
from portal.workloads import conflicts as conflicts_of_interest

# The earliest issue date accepted: a guard against a mistyped year (1026 for 2026), not a legal limit.
EARLIEST_DATE = date(2000, 1, 1)
# A care order cannot be made for a child of 17 or over (CA 1989 s31(3)).
MAX_AGE_AT_ISSUE = 17


@dataclass(frozen=True)
class CasePage:
    cases: list[Proceedings]
    has_next: bool
    total: int


async def list_cases(
    session: AsyncSession,
    actor: Actor,
    *,
    first: int,
    after: repository.Cursor | None = None,
    stage: Stage | None = None,
    local_authority_id: uuid.UUID | None = None,
) -> CasePage:
    """A page of the cases the actor may read, newest issued first (each case in it is recorded as a look
    when the API hands it out)."""
    cases, has_next = await repository.readable_page(
        session, actor, first=first, after=after, stage=stage, local_authority_id=local_authority_id
    )
    total = await repository.count_readable(
        session, actor, stage=stage, local_authority_id=local_authority_id
    )
    return CasePage(cases, has_next, total)


async def access_log(
    session: AsyncSession,
    actor: Actor,
    case_id: uuid.UUID,
    *,
    first: int,
    before: audit_repository.Cursor | None = None,
    need: Permission = Permission.VIEW_ACCESS_LOG,
) -> tuple[list[AuditEvent], bool]:
    """Who looked at and changed the case, newest first: for the managers whose scope covers it (PROTOCOL.md
    §6), and, as part of a child's file (``need`` EXPORT_CHILD_FILE), for those who export it. Reading the
    log is itself recorded."""
    access = await access_case(session, actor, case_id, need)
    audit.record_on_case(session, actor, access, "case.access_log")
    return await audit_repository.events_for_case(session, case_id, first=first, before=before)


def viewer_roles(actor: Actor, case_id: uuid.UUID) -> list[Role]:
    """The roles the actor holds on a case they can read, without another query: their memberships, and
    their manager roles (a readable case that is not theirs is in a manager scope)."""
    return acting_roles(actor.roles, actor.case_roles.get(case_id, frozenset()), MANAGER_ROLES)


async def local_authorities(session: AsyncSession) -> list[Organisation]:
    return await repository.organisations_of_kind(session, OrganisationKind.LOCAL_AUTHORITY)


@dataclass(frozen=True)
class NewChild:
    given_name: str
    family_name: str
    date_of_birth: date | None
    legal_status: LegalStatus | None
    looked_after_since: date | None = None


@dataclass(frozen=True)
class OpenProceedings:
    court_id: uuid.UUID
    case_number: str
    issued_on: date | None
    new_children: Sequence[NewChild] = field(default_factory=tuple)
    # Children the authority already knows (e.g. accommodated under section 20 before proceedings).
    existing_child_ids: Sequence[uuid.UUID] = field(default_factory=tuple)


@dataclass(frozen=True)
class _Checked:
    court: Organisation
    case_number: str
    issued_on: date
    existing: list[Child]


async def check_open_proceedings(session: AsyncSession, actor: Actor, data: OpenProceedings) -> None:
    """Every problem that would stop ``open_proceedings``, found without writing anything: what a form
    checks before its check-your-answers page (opening starts the 26-week clock)."""
    await _check_open(session, actor, data)


async def open_proceedings(session: AsyncSession, actor: Actor, data: OpenProceedings) -> Proceedings:
    """The LA solicitor opens proceedings for one or more children of their authority, and is put on the
    case as its solicitor."""
    checked = await _check_open(session, actor, data)
    court, case_number, issued_on = checked.court, checked.case_number, checked.issued_on

    proceedings = Proceedings(
        court_id=court.id,
        local_authority_id=actor.organisation_id,
        case_number=case_number,
        issued_on=issued_on,
        stage=Stage.ISSUED,
        created_by_id=actor.person_id,
    )
    session.add(proceedings)
    session.add(
        StageChange(
            proceedings_id=proceedings.id,
            stage=Stage.ISSUED,
            changed_on=issued_on,
            recorded_by_id=actor.person_id,
        )
    )
    children = checked.existing + [_new_child(session, actor, c) for c in data.new_children]
    await session.flush()
    for child in children:
        session.add(ProceedingsChild(proceedings_id=proceedings.id, child_id=child.id))
        session.add(
            CaseMembership(
                proceedings_id=proceedings.id,
                child_id=child.id,
                person_id=actor.person_id,
                role=CaseRole.LA_SOLICITOR,
                started_by_id=actor.person_id,
            )
        )
    await session.flush()
    await looked_after.looked_after(session, proceedings, children, by=actor.person_id)
    audit.record(
        session,
        actor,
        "proceedings.open",
        subject_type="case",
        subject_id=proceedings.id,
        case_id=proceedings.id,
        acting_as=Role.LA_SOLICITOR,
    )
    return proceedings


async def _check_open(session: AsyncSession, actor: Actor, data: OpenProceedings) -> _Checked:
    if not has_global_permission(actor.roles, Permission.OPEN_PROCEEDINGS, actor.scopes):
        raise DomainError.one(ErrorCode.NOT_PERMITTED, "Only an LA solicitor can open proceedings")
    today = clock.today()
    problems = Problems()
    court = await session.get(Organisation, data.court_id)
    if court is None or court.kind is not OrganisationKind.COURT:
        problems.add(ErrorCode.NOT_FOUND, "Court not found", "courtId")
    case_number = clean(data.case_number).upper()
    if not case_number:
        problems.add(ErrorCode.REQUIRED, "Enter the court's case number", "caseNumber")
    elif len(case_number) > 40:
        problems.add(ErrorCode.TOO_LONG, "The case number must be 40 characters or fewer", "caseNumber")
    elif court is not None and await repository.case_number_taken(session, court.id, case_number):
        problems.add(
            ErrorCode.DUPLICATE, "That court already has proceedings with this case number", "caseNumber"
        )
    issued_on = data.issued_on
    check_past_date(
        problems,
        issued_on,
        "issuedOn",
        missing="Enter the date the application was issued",
        label="The issue date",
        today=today,
        not_before=EARLIEST_DATE,
        too_early=f"The issue date must be after {EARLIEST_DATE:%-d %B %Y}",
    )
    if not data.new_children and not data.existing_child_ids:
        problems.add(ErrorCode.REQUIRED, "Proceedings must concern at least one child", "children")
    existing = await _existing_children(session, actor, data.existing_child_ids, problems)
    for index, new_child in enumerate(data.new_children):
        _check_new_child(problems, new_child, f"newChildren.{index}", issued_on or today, today)
    problems.raise_if_any()
    assert issued_on is not None
    assert court is not None
    return _Checked(court, case_number, issued_on, existing)


async def _existing_children(
    session: AsyncSession, actor: Actor, child_ids: Sequence[uuid.UUID], problems: Problems
) -> list[Child]:
    if not child_ids:
        return []
    found = await repository.children_by_id(session, child_ids)
    children: list[Child] = []
    for index, child_id in enumerate(child_ids):
        child = found.get(child_id)
        # Only the authority's own children can be named: anyone else's look absent.
        if child is None or child.local_authority_id != actor.organisation_id:
            problems.add(ErrorCode.NOT_FOUND, "Child not found", f"existingChildIds.{index}")
        else:
            children.append(child)
    busy = await repository.open_proceedings_of_children(session, [c.id for c in children])
    for index, child in enumerate(children):
        if child.id in busy:
            problems.add(
                ErrorCode.ALREADY_IN_PROCEEDINGS,
                f"{child.given_name} {child.family_name} is already in proceedings that have not concluded",
                f"existingChildIds.{index}",
            )
    return children


def _check_new_child(problems: Problems, child: NewChild, prefix: str, issued_on: date, today: date) -> None:
    if not clean(child.given_name):
        problems.add(ErrorCode.REQUIRED, "Enter the child's first name", f"{prefix}.givenName")
    if not clean(child.family_name):
        problems.add(ErrorCode.REQUIRED, "Enter the child's last name", f"{prefix}.familyName")
    for name_field, value in (("givenName", child.given_name), ("familyName", child.family_name)):
        if len(clean(value)) > 100:
            problems.add(
                ErrorCode.TOO_LONG, "Names must be 100 characters or fewer", f"{prefix}.{name_field}"
            )
    born = child.date_of_birth
    if born is None:
        problems.add(ErrorCode.REQUIRED, "Enter the child's date of birth", f"{prefix}.dateOfBirth")
    elif born > today:
        problems.add(
            ErrorCode.DATE_IN_FUTURE, "The date of birth must be in the past", f"{prefix}.dateOfBirth"
        )
    elif age_on(born, issued_on) >= MAX_AGE_AT_ISSUE:
        problems.add(
            ErrorCode.OUT_OF_RANGE,
            "A care order cannot be made for a child of 17 or over",
            f"{prefix}.dateOfBirth",
        )
    if child.legal_status is None:
        problems.add(ErrorCode.REQUIRED, "Select the child's legal status", f"{prefix}.legalStatus")
        return
    # Compared with the date of birth only when that date is itself valid: one mistake, one message.
    valid_born = born if born is not None and born <= today else None
    _check_looked_after_since(
        problems,
        child.legal_status,
        child.looked_after_since,
        valid_born,
        today,
        f"{prefix}.lookedAfterSince",
    )


def _check_looked_after_since(
    problems: Problems,
    status: LegalStatus,
    since: date | None,
    born: date | None,
    today: date,
    field_name: str,
) -> None:
    if status.is_looked_after and since is None:
        problems.add(ErrorCode.REQUIRED, "Enter the date the child became looked after", field_name)
    elif not status.is_looked_after and since is not None:
        problems.add(
            ErrorCode.INVALID_VALUE, "A child who is not looked after has no looked-after date", field_name
        )
    elif since is not None and since > today:
        problems.add(
            ErrorCode.DATE_IN_FUTURE, "The looked-after date must be today or in the past", field_name
        )
    elif since is not None and born is not None and since < born:
        problems.add(
            ErrorCode.DATE_TOO_EARLY, "The looked-after date cannot be before the child was born", field_name
        )


def _new_child(session: AsyncSession, actor: Actor, data: NewChild) -> Child:
    assert data.date_of_birth is not None
    assert data.legal_status is not None
    child = Child(
        local_authority_id=actor.organisation_id,
        given_name=clean(data.given_name),
        family_name=clean(data.family_name),
        date_of_birth=data.date_of_birth,
        legal_status=data.legal_status,
        looked_after_since=data.looked_after_since,
    )
    session.add(child)
    session.add(
        LegalStatusEntry(
            child_id=child.id,
            status=data.legal_status,
            effective_from=data.looked_after_since or clock.today(),
            recorded_by_id=actor.person_id,
        )
    )
    return child


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@dataclass(frozen=True)
class Allocation:
    case_id: uuid.UUID
    person_id: uuid.UUID
    # Empty: every child the role applies to.
    child_ids: Sequence[uuid.UUID] = ()
    # Given when someone already holds the role: their membership ends, with this reason (reallocation).
    reallocation_reason: str | None = None
    # An IRO only: the day they were appointed, when earlier than today (before the proceedings): IA is judged
    # on it.
    appointed_on: date | None = None
    # An IRO only: the manager goes ahead knowing of the IRO's conflicts of interest with these children
    # (portal/workloads/conflicts.py); without it, an open conflict refuses the assignment.
    conflict_acknowledged: bool = False


async def allocate_guardian(session: AsyncSession, actor: Actor, data: Allocation) -> list[CaseMembership]:
    """A Cafcass manager allocates a guardian from their service area to children in proceedings (P2, P3
    start from here)."""
    access = await access_case(session, actor, data.case_id, Permission.ALLOCATE_GUARDIAN)
    if access.case.stage is Stage.CONCLUDED:
        raise DomainError.one(ErrorCode.PROCEEDINGS_CONCLUDED, "These proceedings have concluded")
    return await _allocate(session, actor, access, data, CaseRole.GUARDIAN, looked_after_only=False)


async def assign_iro(session: AsyncSession, actor: Actor, data: Allocation) -> list[CaseMembership]:
    """An IRO manager assigns an IRO of their authority to looked-after children. A child who is not
    looked after has no IRO (PROTOCOL.md §1)."""
    access = await access_case(session, actor, data.case_id, Permission.ASSIGN_IRO)
    conflicts, problems = await conflicts_of_interest.assignment_problems(
        session, access.case.id, data.person_id, data.child_ids, data.conflict_acknowledged
    )
    started = await _allocate(
        session, actor, access, data, CaseRole.IRO, looked_after_only=True, problems_found=problems
    )
    conflicts_of_interest.acknowledge(session, actor, access, conflicts)
    return started


async def assign_social_worker(session: AsyncSession, actor: Actor, data: Allocation) -> list[CaseMembership]:
    """The LA solicitor records which of the authority's social workers is allocated to the children."""
    access = await access_case(session, actor, data.case_id, Permission.MANAGE_PROCEEDINGS)
    return await _allocate(session, actor, access, data, CaseRole.SOCIAL_WORKER, looked_after_only=False)


def _check_appointed_on(problems: Problems, day: date | None, role: CaseRole, chosen: list[Child]) -> None:
    """The day an IRO was appointed, when given: an IRO's, in the past, and not before the children became
    looked after."""
    if day is None:
        return
    if role is not CaseRole.IRO:
        problems.add(ErrorCode.INVALID_VALUE, "Only an IRO's appointment has a day to give", "appointedOn")
    elif day > clock.today():
        problems.add(
            ErrorCode.DATE_IN_FUTURE, "The day the IRO was appointed must be today or earlier", "appointedOn"
        )
    elif any(c.looked_after_since and day < c.looked_after_since for c in chosen):
        problems.add(
            ErrorCode.DATE_TOO_EARLY,
            "The day the IRO was appointed must be on or after the day the child became looked after",
            "appointedOn",
        )


async def _allocate(
    session: AsyncSession,
    actor: Actor,
    access: CaseAccess,
    data: Allocation,
    role: CaseRole,
    *,
    looked_after_only: bool,
    problems_found: Sequence[Problem] = (),
) -> list[CaseMembership]:
    problems = Problems()
    for found in problems_found:
        problems.add(found.code, found.message, found.field)
    candidate = await people.active_person_with_organisation(session, data.person_id)
    # People are chosen from the manager's own organisation; anyone else looks absent.
    if candidate is None or candidate[0].organisation_id != actor.organisation_id:
        problems.add(ErrorCode.NOT_FOUND, "Person not found", "personId")
    elif CASE_ROLE_REQUIRES[role] not in candidate[2]:
        problems.add(ErrorCode.WRONG_ROLE, f"{candidate[0].name} is not a {_role_label(role)}", "personId")

    case_children = await repository.case_children(session, access.case.id)
    by_id = {c.id: c for c in case_children}
    if data.child_ids:
        chosen = []
        for index, child_id in enumerate(data.child_ids):
            if child_id not in by_id:
                problems.add(
                    ErrorCode.NOT_IN_PROCEEDINGS,
                    "That child is not in these proceedings",
                    f"childIds.{index}",
                )
            else:
                chosen.append(by_id[child_id])
    else:
        chosen = [c for c in case_children if c.legal_status.is_looked_after or not looked_after_only]
    if looked_after_only:
        for child in chosen:
            if not child.legal_status.is_looked_after:
                problems.add(
                    ErrorCode.NOT_LOOKED_AFTER,
                    f"{child.given_name} is not looked after, so has no IRO",
                    "childIds",
                )
        if not case_children or not any(c.legal_status.is_looked_after for c in case_children):
            problems.add(
                ErrorCode.NOT_LOOKED_AFTER, "No child in these proceedings is looked after", "childIds"
            )
        for child in chosen:
            if child.local_authority_id != actor.organisation_id:
                problems.add(
                    ErrorCode.WRONG_ORGANISATION,
                    f"{child.given_name} is looked after by another authority",
                    "childIds",
                )

    _check_appointed_on(problems, data.appointed_on, role, chosen)
    current = {m.child_id: m for m in await repository.live_memberships(session, access.case.id, role)}
    reason = clean(data.reallocation_reason or "")
    if len(reason) > 500:
        problems.add(ErrorCode.TOO_LONG, "The reason must be 500 characters or fewer", "reallocationReason")
    replacing = [
        current[c.id] for c in chosen if c.id in current and current[c.id].person_id != data.person_id
    ]
    if replacing and not reason:
        problems.add(
            ErrorCode.ALREADY_ALLOCATED,
            f"A {_role_label(role)} is already allocated; give a reason to reallocate",
            "personId",
        )
    problems.raise_if_any()

    now = utcnow()
    for old in replacing:
        old.ended_at, old.ended_by_id, old.end_reason = now, actor.person_id, reason
    await session.flush()
    started = []
    for child in chosen:
        if child.id in current and current[child.id].person_id == data.person_id:
            continue  # already theirs: allocating again changes nothing
        membership = CaseMembership(
            proceedings_id=access.case.id,
            child_id=child.id,
            person_id=data.person_id,
            role=role,
            started_at=now,
            started_by_id=actor.person_id,
        )
        session.add(membership)
        started.append(membership)
    await session.flush()
    if role is CaseRole.GUARDIAN:
        await obligations.guardian_allocated(
            session, access.case, case_children, data.person_id, actor.person_id
        )
    elif role is CaseRole.IRO:
        await obligations.iro_assigned(
            session, access.case, data.person_id, actor.person_id, [c.id for c in chosen], data.appointed_on
        )
        await papers.iro_assigned(session, access.case.id, data.person_id, actor.person_id)
        await handovers.iro_assigned(session, access.case.id, data.person_id, actor.person_id)
    elif role is CaseRole.SOCIAL_WORKER:
        await obligations.social_worker_assigned(
            session, access.case, data.person_id, actor.person_id, [c.id for c in chosen]
        )
    audit.record_on_case(session, actor, access, f"{role.value}.allocate")
    return started


def _role_label(role: CaseRole) -> str:
    return {
        CaseRole.GUARDIAN: "children's guardian",
        CaseRole.IRO: "IRO",
        CaseRole.LA_SOLICITOR: "LA solicitor",
        CaseRole.SOCIAL_WORKER: "social worker",
    }[role]


@dataclass(frozen=True)
class RecordExtension:
    case_id: uuid.UUID
    weeks: int
    reason: str
    granted_on: date | None


async def record_extension(session: AsyncSession, actor: Actor, data: RecordExtension) -> Extension:
    """An extension of up to 8 weeks, granted by the court only when necessary (CA 1989 s32(5)-(8))."""
    access = await access_case(session, actor, data.case_id, Permission.MANAGE_PROCEEDINGS)
    case = access.case
    problems = Problems()
    if case.stage is Stage.CONCLUDED:
        problems.add(ErrorCode.PROCEEDINGS_CONCLUDED, "These proceedings have concluded")
    if not 1 <= data.weeks <= MAX_EXTENSION_WEEKS:
        problems.add(
            ErrorCode.OUT_OF_RANGE, f"An extension is between 1 and {MAX_EXTENSION_WEEKS} weeks", "weeks"
        )
    reason = clean_required(
        problems, data.reason, "reason", "Enter why the court extended the timetable", 2000
    )
    check_past_date(
        problems,
        data.granted_on,
        "grantedOn",
        missing="Enter the date the extension was granted",
        label="The date granted",
        today=clock.today(),
        not_before=case.issued_on,
        too_early="The date granted cannot be before the issue date",
    )
    problems.raise_if_any()
    assert data.granted_on is not None
    extension = Extension(
        proceedings_id=case.id,
        weeks=data.weeks,
        reason=reason,
        granted_on=data.granted_on,
        recorded_by_id=actor.person_id,
    )
    session.add(extension)
    await session.flush()
    audit.record_on_case(
        session, actor, access, "proceedings.extend", subject_type="extension", subject_id=extension.id
    )
    return extension


async def advance_stage(
    session: AsyncSession, actor: Actor, case_id: uuid.UUID, stage: Stage, changed_on: date | None
) -> Proceedings:
    """Proceedings move forward through the PLO stages (PD12A); a stage may be skipped, never undone."""
    access = await access_case(session, actor, case_id, Permission.MANAGE_PROCEEDINGS)
    case = access.case
    history = (await repository.stage_changes_by_case(session, SYSTEM, [case.id])).get(case.id, [])
    problems = Problems()
    if stage is Stage.CONCLUDED:
        problems.add(
            ErrorCode.INVALID_VALUE, "Proceedings conclude when their final orders are recorded", "stage"
        )
    elif stage not in case.stage.next_by_hearing():
        problems.add(
            ErrorCode.STAGE_NOT_FORWARD, "Proceedings can only move forward to a later stage", "stage"
        )
    check_past_date(
        problems,
        changed_on,
        "changedOn",
        missing="Enter the date of the hearing or decision",
        label="The date",
        today=clock.today(),
        not_before=history[-1].changed_on if history else None,
        too_early="The date cannot be before the previous stage",
    )
    problems.raise_if_any()
    assert changed_on is not None
    case.stage = stage
    session.add(
        StageChange(
            proceedings_id=case.id, stage=stage, changed_on=changed_on, recorded_by_id=actor.person_id
        )
    )
    await session.flush()
    audit.record_on_case(session, actor, access, "proceedings.stage")
    await arrangements.event_happened(session, case.id, ConsultationEvent.AFTER_EACH_HEARING)
    return case


@dataclass(frozen=True)
class RecordLegalStatus:
    case_id: uuid.UUID
    child_id: uuid.UUID
    status: LegalStatus
    effective_from: date | None


async def record_legal_status(session: AsyncSession, actor: Actor, data: RecordLegalStatus) -> Child:
    """A change in a child's legal status (e.g. an interim care order made). A child who stops being looked
    after no longer has an IRO: that membership ends."""
    access = await access_case(session, actor, data.case_id, Permission.MANAGE_PROCEEDINGS)
    child = next(
        (c for c in await repository.case_children(session, access.case.id) if c.id == data.child_id), None
    )
    if child is None:
        raise NotFound("Child", "childId")
    history = (await repository.legal_status_by_child(session, SYSTEM, [child.id])).get(child.id, [])
    problems = Problems()
    when = data.effective_from
    check_past_date(
        problems,
        when,
        "effectiveFrom",
        missing="Enter the date the status took effect",
        label="The date",
        today=clock.today(),
        not_before=history[-1].effective_from if history else child.date_of_birth,
        too_early="The date cannot be before the child's current status began",
    )
    if data.status is child.legal_status:
        problems.add(ErrorCode.INVALID_VALUE, "That is already the child's legal status", "status")
    problems.raise_if_any()
    assert when is not None
    was_looked_after = child.legal_status.is_looked_after
    child.legal_status = data.status
    session.add(
        LegalStatusEntry(
            child_id=child.id, status=data.status, effective_from=when, recorded_by_id=actor.person_id
        )
    )
    if data.status.is_looked_after and not was_looked_after:
        child.looked_after_since = when
        await looked_after.looked_after(session, access.case, [child], by=actor.person_id)
    elif not data.status.is_looked_after:
        child.looked_after_since = None
        await looked_after.no_longer_looked_after(session, child, when, by=actor.person_id)
        for membership in await repository.live_memberships(session, access.case.id, CaseRole.IRO):
            if membership.child_id == child.id:
                membership.ended_at, membership.ended_by_id = utcnow(), actor.person_id
                membership.end_reason = "No longer looked after"
    await session.flush()
    if not obligations.protocol_applies(await repository.case_children(session, access.case.id)):
        await obligations.no_longer_applicable(session, access.case.id, actor.person_id)
    audit.record_on_case(
        session, actor, access, "child.legal_status", subject_type="child", subject_id=child.id
    )
    return child
