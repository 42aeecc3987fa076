"""Referral to Cafcass (issue 17; CA 1989 s25B(3)(a); CPPCR 2010 reg 45; PROTOCOL.md §3).

The IRO refers a case, at any stage, when they think the authority's failure may breach the child's human
rights: the right at stake and why, the steps already taken (the dispute it takes further, if any, and how
far up the ladder that went) and the papers. It lands in the queue of the managers of the court's Cafcass
service area, who acknowledge it and appoint a Cafcass officer; the officer makes enquiries and records the
outcome. Each step is a duty due in working days by the service area's timescale (the version in force when
the referral was made, which it keeps), reminded and chased by the clock through the outbox.

Who reads a referral: the IRO and their manager, the service area's managers (READ_REFERRALS in the role
table), and the officer appointed, who need not be on the case. Everyone else gets NOT_FOUND, as for one that
does not exist, and the refusal is recorded; every read and write is in the audit trail. Emails carry no
case content.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    AuditOutcome,
    CafcassReferral,
    CaseRole,
    CourtPaper,
    OrganisationKind,
    Person,
    ReferralEnquiry,
    ReferralGround,
    ReferralOutcome,
    ReferralPaper,
    ReferralState,
    ReferralTimescale,
    Role,
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
)
from portal.access.service import access_case, administered_authority
from portal.audit import service as audit
from portal.audit.service import Look
from portal.auth.actor import Actor
from portal.cases import repository as cases
from portal.disputes import service as disputes
from portal.errors import DomainError, ErrorCode, NotFound, Problems
from portal.mail.outbox import enqueue
from portal.obligations.service import REMIND_WORKING_DAYS
from portal.papers.access import may_read
from portal.referrals import repository, timescales
from portal.referrals.timescales import TimescaleSpec
from portal.validation import check_past_date, clean_required

TEXT_MAX_LENGTH = 8000
NAME_MAX_LENGTH = 200
PAPERS_MAX = 50


@dataclass(frozen=True)
class ReferralView:
    """A referral as one viewer may see it: its enquiries and papers, and what they may do on it."""

    referral: CafcassReferral
    # The case's number and its authority's name: what an officer needs to make enquiries.
    case_number: str
    local_authority: str
    enquiries: list[ReferralEnquiry]
    papers: list[CourtPaper]
    acting_as: Role
    # A manager of the service area: acknowledge, appoint (or change) the officer, and what the officer does.
    may_manage: bool
    # The officer appointed, or a manager, once an officer is appointed: enquiries and the outcome.
    may_enquire: bool

    def overdue(self, today: date) -> bool:
        """The step it waits for is past its date."""
        due = self.referral.due_on
        return self.referral.state is not ReferralState.CONCLUDED and due is not None and today > due


@dataclass(frozen=True)
class Refer:
    case_id: uuid.UUID
    ground: ReferralGround
    grounds: str
    steps_taken: str
    child_id: uuid.UUID | None = None
    dispute_id: uuid.UUID | None = None
    paper_ids: Sequence[uuid.UUID] = ()


# ---------------------------------------------------------------------------------------------------------
# Timescales


async def sync_default_timescale(session: AsyncSession) -> ReferralTimescale | None:
    """Record a new version of the national default whenever the one here differs from the database's."""
    current = await repository.current_timescale(session, None)
    if current is not None and _spec(current) == timescales.DEFAULT:
        return None
    return await _new_version(session, None, timescales.DEFAULT, None)


async def timescale_in_force(
    session: AsyncSession, organisation_id: uuid.UUID, *, record: bool = True
) -> ReferralTimescale:
    """The service area's timescale, or the national default if it has none of its own (recorded now on a
    database never given it, or for a read shown as it would be recorded)."""
    found = await repository.current_timescale(
        session, organisation_id
    ) or await repository.current_timescale(session, None)
    if found is not None:
        return found
    if not record:
        return _row(None, 1, timescales.DEFAULT, None)
    recorded = await sync_default_timescale(session)
    assert recorded is not None
    return recorded


async def service_area_timescale(
    session: AsyncSession, actor: Actor, organisation_id: uuid.UUID
) -> ReferralTimescale:
    """The timescale in force for a Cafcass service area, for its administrators."""
    await administered_authority(
        session, actor, organisation_id, "referral-timescale.read", OrganisationKind.CAFCASS_SERVICE_AREA
    )
    found = await timescale_in_force(session, organisation_id, record=False)
    audit.record(
        session, actor, "referral-timescale.read", subject_type="organisation", subject_id=organisation_id
    )
    return found


async def set_timescale(
    session: AsyncSession, actor: Actor, organisation_id: uuid.UUID, spec: TimescaleSpec
) -> ReferralTimescale:
    """A new version of the service area's timescale, for the referrals made from now on."""
    await administered_authority(
        session, actor, organisation_id, "referral-timescale.set", OrganisationKind.CAFCASS_SERVICE_AREA
    )
    row = await _new_version(session, organisation_id, timescales.check(spec), actor.person_id)
    audit.record(
        session, actor, "referral-timescale.set", subject_type="referral_timescale", subject_id=row.id
    )
    return row


async def _new_version(
    session: AsyncSession, organisation_id: uuid.UUID | None, spec: TimescaleSpec, by: uuid.UUID | None
) -> ReferralTimescale:
    now = utcnow()
    version = await repository.last_version(session, organisation_id) + 1
    await repository.supersede(session, organisation_id, now)
    row = _row(organisation_id, version, spec, by)
    row.created_at = now
    session.add(row)
    await session.flush()
    return row


def _row(
    organisation_id: uuid.UUID | None, version: int, spec: TimescaleSpec, by: uuid.UUID | None
) -> ReferralTimescale:
    return ReferralTimescale(
        organisation_id=organisation_id,
        version=version,
        acknowledge_working_days=spec.acknowledge_working_days,
        appoint_working_days=spec.appoint_working_days,
        outcome_working_days=spec.outcome_working_days,
        created_by_id=by,
    )


def _spec(row: ReferralTimescale) -> TimescaleSpec:
    return TimescaleSpec(row.acknowledge_working_days, row.appoint_working_days, row.outcome_working_days)


# ---------------------------------------------------------------------------------------------------------
# The steps


async def refer(session: AsyncSession, actor: Actor, data: Refer) -> CafcassReferral:
    """The IRO's referral of the case to the court's Cafcass service area, whose managers are told."""
    access = await access_case(session, actor, data.case_id, Permission.REFER_TO_CAFCASS)
    today = clock.today()
    problems = Problems()
    grounds = clean_required(
        problems,
        data.grounds,
        "grounds",
        "Say how the child's human rights may be breached",
        TEXT_MAX_LENGTH,
    )
    steps = clean_required(
        problems, data.steps_taken, "stepsTaken", "Say what you have done to resolve it", TEXT_MAX_LENGTH
    )
    if data.child_id is not None and data.child_id not in {
        c.id for c in await cases.case_children(session, access.case.id)
    }:
        problems.add(ErrorCode.NOT_IN_PROCEEDINGS, "Choose a child of these proceedings", "childId")
    if data.dispute_id is not None:
        if not await disputes.managed_on(session, actor, data.dispute_id, access.case.id):
            problems.add(ErrorCode.NOT_FOUND, "Choose one of your disputes on this case", "disputeId")
        elif await repository.open_referral_of_dispute(session, data.dispute_id) is not None:
            problems.add(ErrorCode.DUPLICATE, "This dispute has been referred already", "disputeId")
    wanted = list(dict.fromkeys(data.paper_ids))
    if len(wanted) > PAPERS_MAX:
        problems.add(ErrorCode.OUT_OF_RANGE, f"Send at most {PAPERS_MAX} papers", "paperIds")
        wanted = []
    papers = [
        p
        for p in await repository.case_papers(session, access.case.id, wanted)
        if may_read([Role.IRO], p.confidentiality)
    ]
    if len(papers) != len(wanted):
        problems.add(ErrorCode.NOT_FOUND, "Choose papers of this case that you may open", "paperIds")
    service_area = await repository.service_area_of(session, access.case)
    if service_area is None:
        problems.add(
            ErrorCode.NO_SERVICE_AREA,
            "The case's court has no Cafcass service area and there is no guardian: ask an administrator "
            "to set the court's service area",
            "caseId",
        )
    problems.raise_if_any()
    assert service_area is not None
    timescale = await timescale_in_force(session, service_area)
    due = calendar.add_working_days(today, timescale.acknowledge_working_days)
    referral = CafcassReferral(
        proceedings_id=access.case.id,
        child_id=data.child_id,
        dispute_id=data.dispute_id,
        service_area_id=service_area,
        timescale_id=timescale.id,
        referred_by_id=actor.person_id,
        referred_on=today,
        ground=data.ground,
        grounds=grounds,
        steps_taken=steps,
        due_on=due,
        acknowledge_due_on=due,
    )
    session.add(referral)
    await session.flush()
    session.add_all(ReferralPaper(referral_id=referral.id, paper_id=p.id) for p in papers)
    if data.dispute_id is not None:
        await disputes.referred(session, actor, data.dispute_id, today)
    for manager in (await repository.managers_of(session, [service_area])).get(service_area, []):
        _tell(
            session,
            manager,
            "referral.made",
            "An IRO has referred a case to Cafcass",
            f"An Independent Reviewing Officer has referred a case to your service area. Please acknowledge "
            f"it by {calendar.long_date(due)}.",
            referral,
        )
    audit.record_on_case(
        session, actor, access, "referral.make", subject_type="cafcass_referral", subject_id=referral.id
    )
    return referral


async def acknowledge(session: AsyncSession, actor: Actor, referral_id: uuid.UUID) -> CafcassReferral:
    """A manager of the service area acknowledges the referral: the appointment of an officer is due next."""
    view = await _view(session, actor, referral_id, lock=True)
    _require(view.may_manage, "Only a manager of the Cafcass service area acknowledges a referral")
    referral = view.referral
    if referral.state is not ReferralState.REFERRED:
        raise DomainError.one(ErrorCode.ALREADY_DONE, "The referral has been acknowledged", "id")
    await _acknowledged(session, actor, referral)
    for iro in await cases.live_people(session, referral.proceedings_id, CaseRole.IRO):
        _tell(
            session,
            iro,
            "referral.acknowledged",
            "Cafcass has acknowledged your referral",
            "Cafcass has acknowledged a referral you made and will appoint an officer.",
            referral,
        )
    _recorded(session, actor, view, "referral.acknowledge")
    return referral


async def _acknowledged(session: AsyncSession, actor: Actor, referral: CafcassReferral) -> None:
    timescale = await _timescale_of(session, referral)
    due = calendar.add_working_days(clock.today(), timescale.appoint_working_days)
    referral.state = ReferralState.ACKNOWLEDGED
    referral.acknowledged_at, referral.acknowledged_by_id = utcnow(), actor.person_id
    referral.appoint_due_on = due
    _next_step(referral, due)


async def appoint(
    session: AsyncSession, actor: Actor, referral_id: uuid.UUID, officer_id: uuid.UUID
) -> CafcassReferral:
    """A manager appoints a Cafcass officer of the service area (acknowledging the referral too, if it was
    not), or appoints another in their place; the officer is told and the outcome is due."""
    view = await _view(session, actor, referral_id, lock=True)
    _require(view.may_manage, "Only a manager of the Cafcass service area appoints an officer")
    referral = view.referral
    _open(referral)
    chosen = await repository.officer(session, officer_id, referral.service_area_id)
    if chosen is None:
        raise DomainError.one(ErrorCode.WRONG_ROLE, "Choose an officer of the service area", "officerId")
    if chosen.id == referral.officer_id:
        raise DomainError.one(ErrorCode.ALREADY_DONE, "This officer is appointed already", "officerId")
    if referral.state is ReferralState.REFERRED:
        await _acknowledged(session, actor, referral)
    if referral.state is ReferralState.ACKNOWLEDGED:
        timescale = await _timescale_of(session, referral)
        due = calendar.add_working_days(clock.today(), timescale.outcome_working_days)
        referral.state, referral.outcome_due_on = ReferralState.OFFICER_APPOINTED, due
        _next_step(referral, due)
    referral.officer_id, referral.appointed_at, referral.appointed_by_id = (
        chosen.id,
        utcnow(),
        actor.person_id,
    )
    assert referral.outcome_due_on is not None
    _tell(
        session,
        chosen,
        "referral.officer",
        "You have been appointed to a referral",
        f"You have been appointed as the Cafcass officer for a referral from an Independent Reviewing "
        f"Officer. Its outcome is due by {calendar.long_date(referral.outcome_due_on)}.",
        referral,
    )
    _recorded(session, actor, view, "referral.appoint")
    return referral


async def record_enquiry(
    session: AsyncSession,
    actor: Actor,
    referral_id: uuid.UUID,
    made_on: date | None,
    made_with: str,
    note: str,
) -> ReferralEnquiry:
    """An enquiry the officer made: when, of whom, and what they learnt."""
    view = await _view(session, actor, referral_id, lock=True)
    _require(view.may_enquire, "The officer appointed records the enquiries")
    referral = view.referral
    _open(referral)
    problems = Problems()
    check_past_date(
        problems,
        made_on,
        "madeOn",
        missing="Enter the date of the enquiry",
        label="The enquiry's date",
        today=clock.today(),
        not_before=referral.referred_on,
        too_early="The enquiry cannot be before the referral",
    )
    whom = clean_required(problems, made_with, "madeWith", "Say whom the enquiry was of", NAME_MAX_LENGTH)
    text = clean_required(problems, note, "note", "Say what the enquiry found", TEXT_MAX_LENGTH)
    problems.raise_if_any()
    assert made_on is not None
    enquiry = ReferralEnquiry(
        referral_id=referral.id, made_on=made_on, made_with=whom, note=text, recorded_by_id=actor.person_id
    )
    session.add(enquiry)
    _recorded(session, actor, view, "referral.enquiry")
    return enquiry


async def record_outcome(
    session: AsyncSession,
    actor: Actor,
    referral_id: uuid.UUID,
    outcome: ReferralOutcome,
    outcome_on: date | None,
    note: str,
) -> CafcassReferral:
    """How the referral ended, and when: the referral is concluded and the IRO told."""
    view = await _view(session, actor, referral_id, lock=True)
    _require(view.may_enquire, "The officer appointed records the outcome")
    referral = view.referral
    _open(referral)
    problems = Problems()
    on = outcome_on or clock.today()
    check_past_date(
        problems,
        on,
        "outcomeOn",
        missing="",
        label="The outcome's date",
        today=clock.today(),
        not_before=referral.referred_on,
        too_early="The outcome cannot be before the referral",
    )
    text = clean_required(
        problems, note, "note", "Say how it was resolved or what was decided", TEXT_MAX_LENGTH
    )
    problems.raise_if_any()
    referral.state, referral.due_on = ReferralState.CONCLUDED, None
    referral.outcome, referral.outcome_on, referral.outcome_note = outcome, on, text
    referral.outcome_by_id = actor.person_id
    for iro in await cases.live_people(session, referral.proceedings_id, CaseRole.IRO):
        _tell(
            session,
            iro,
            "referral.outcome",
            "Cafcass has recorded the outcome of your referral",
            "Cafcass has recorded the outcome of a referral you made.",
            referral,
        )
    _recorded(session, actor, view, "referral.outcome")
    return referral


def _next_step(referral: CafcassReferral, due: date) -> None:
    """The referral waits for a new step, due on ``due``: the clock reminds and chases it afresh."""
    referral.due_on, referral.reminded_at, referral.overdue_notice_at = due, None, None


async def _timescale_of(session: AsyncSession, referral: CafcassReferral) -> ReferralTimescale:
    found = await session.get(ReferralTimescale, referral.timescale_id)
    assert found is not None
    return found


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise DomainError.one(ErrorCode.NOT_PERMITTED, message, "id")


def _open(referral: CafcassReferral) -> None:
    if referral.state is ReferralState.CONCLUDED:
        raise DomainError.one(ErrorCode.ALREADY_CLOSED, "The referral has concluded", "id")


# ---------------------------------------------------------------------------------------------------------
# Reading


async def referral(session: AsyncSession, actor: Actor, referral_id: uuid.UUID) -> ReferralView:
    """One referral, if the actor may see it; otherwise NotFound, as if there were none."""
    view = await _view(session, actor, referral_id)
    _recorded(session, actor, view, Look.REFERRAL, kept=True)
    return view


async def readable_referrals(
    session: AsyncSession, actor: Actor, case_id: uuid.UUID | None = None
) -> list[ReferralView]:
    """Every referral the actor may see (on one case, given ``case_id``), the open first, then the latest:
    for a Cafcass manager, their service area's queue; for the IRO manager, their authority's; for the IRO,
    theirs; for an officer, those they are appointed to. Each is recorded as read."""
    cases_read = access_repository.readable_cases(
        actor, CafcassReferral.proceedings_id, Permission.READ_REFERRALS
    )
    if case_id is not None:
        cases_read = sa.and_(cases_read, CafcassReferral.proceedings_id == case_id)
    found = await repository.referrals_on(session, cases_read)
    managers = [role for role in MANAGER_ROLES if role in actor.roles]
    rights = {
        case: _rights(
            actor, case, acting_roles(actor.roles, actor.case_roles.get(case, frozenset()), managers)
        )
        for case in {r.proceedings_id for r in found}
    }
    seen = {r.id for r in found}
    officer = [
        r
        for r in await _officer_referrals(session, actor)
        if r.id not in seen and case_id in {None, r.proceedings_id}
    ]
    views = await _views(
        session, actor, [(r, rights[r.proceedings_id]) for r in found] + [(r, None) for r in officer]
    )
    for view in views:
        _recorded(session, actor, view, Look.REFERRAL_LIST, kept=True)
    return views


async def _officer_referrals(session: AsyncSession, actor: Actor) -> list[CafcassReferral]:
    if not has_global_permission(actor.roles, Permission.ENQUIRE_REFERRAL, actor.scopes):
        return []
    return await repository.officer_referrals(session, actor.person_id)


# A viewer's rights on a referral's case: the role they read it in, and whether they manage it; None for
# the officer, who reads it by appointment.
Rights = tuple[Role, bool] | None


def _rights(actor: Actor, case_id: uuid.UUID, roles: list[Role]) -> Rights:
    reader = granting_role(actor, case_id, roles, Permission.READ_REFERRALS)
    if reader is None:
        return None
    manages = granting_role(actor, case_id, roles, Permission.MANAGE_REFERRAL) is not None
    return reader, manages


async def _view(
    session: AsyncSession, actor: Actor, referral_id: uuid.UUID, lock: bool = False
) -> ReferralView:
    """The referral as the actor may see it; NotFound (and the refusal recorded) if they may not."""
    found = await (
        repository.lock_referral(session, referral_id) if lock else session.get(CafcassReferral, referral_id)
    )
    views: list[ReferralView] = []
    if found is not None:
        case = await access_repository.case_in_scopes(session, actor, found.proceedings_id)
        roles = (
            acting_roles(actor.roles, actor.case_roles.get(found.proceedings_id, frozenset()), case.scopes)
            if case is not None
            else []
        )
        rights = _rights(actor, found.proceedings_id, roles)
        if rights is not None or _is_officer(actor, found):
            views = await _views(session, actor, [(found, rights)])
    if not views:
        audit.record(
            session,
            actor,
            "refused:referral:read",
            subject_type="cafcass_referral",
            subject_id=referral_id,
            case_id=found.proceedings_id if found else None,
            outcome=AuditOutcome.REFUSED,
        )
        raise NotFound("Referral", "id")
    return views[0]


def _is_officer(actor: Actor, referral: CafcassReferral) -> bool:
    return referral.officer_id == actor.person_id and has_global_permission(
        actor.roles, Permission.ENQUIRE_REFERRAL, actor.scopes
    )


async def _views(
    session: AsyncSession, actor: Actor, seen: list[tuple[CafcassReferral, Rights]]
) -> list[ReferralView]:
    """Each referral as the actor sees it: its enquiries and papers fetched for all at once."""
    ids = [r.id for r, _ in seen]
    enquiries = await repository.enquiries_of(session, ids)
    papers = await repository.papers_of(session, ids)
    numbered = await cases.numbers_and_authorities(session, list({r.proceedings_id for r, _ in seen}))
    views = []
    for found, rights in seen:
        manages = rights is not None and rights[1]
        views.append(
            ReferralView(
                referral=found,
                case_number=numbered[found.proceedings_id][0],
                local_authority=numbered[found.proceedings_id][1],
                enquiries=enquiries.get(found.id, []),
                papers=papers.get(found.id, []),
                acting_as=rights[0] if rights is not None else Role.GUARDIAN,
                may_manage=manages,
                may_enquire=found.officer_id is not None and (manages or _is_officer(actor, found)),
            )
        )
    return views


def _recorded(
    session: AsyncSession, actor: Actor, view: ReferralView, action: str, kept: bool = False
) -> None:
    audit.record(
        session,
        actor,
        action,
        subject_type="cafcass_referral",
        subject_id=view.referral.id,
        case_id=view.referral.proceedings_id,
        acting_as=view.acting_as,
        kept=kept,
    )


# ---------------------------------------------------------------------------------------------------------
# The clock


async def remind_and_chase(session: AsyncSession, today: date, now: datetime) -> int:
    """Remind those who owe a referral's next step (the service area's managers; once appointed, the
    officer) when it is due within REMIND_WORKING_DAYS, and chase it once past its date (the officer's
    managers too): each once per step, whichever of several clocks wins. How many emails."""
    remind_by = calendar.add_working_days(today, REMIND_WORKING_DAYS)
    due = await repository.claim_reminders(session, remind_by, now)
    overdue = await repository.claim_overdue(session, today, now)
    managers = await repository.managers_of(session, list({r.service_area_id for r in due + overdue}))
    officers = await cases.people_by_id(session, [r.officer_id for r in due + overdue if r.officer_id])
    sent = 0
    for found in due:
        if found.overdue_notice_at == now:
            continue  # already past its date: the overdue notice says so
        assert found.due_on is not None
        for person in _owers(found, managers, officers, chased=False):
            sent += _tell(
                session,
                person,
                "referral.step_due",
                "A step on a referral to Cafcass is due soon",
                f"The next step on a referral to Cafcass is due by {calendar.long_date(found.due_on)}.",
                found,
            )
    for found in overdue:
        assert found.due_on is not None
        for person in _owers(found, managers, officers, chased=True):
            sent += _tell(
                session,
                person,
                "referral.step_overdue",
                "A step on a referral to Cafcass is overdue",
                f"The next step on a referral to Cafcass was due by {calendar.long_date(found.due_on)} and "
                f"has not been taken.",
                found,
            )
    return sent


def _owers(
    found: CafcassReferral,
    managers: dict[uuid.UUID, list[Person]],
    officers: dict[uuid.UUID, Person],
    *,
    chased: bool,
) -> list[Person]:
    """Who owes the referral's next step: its officer once appointed (and, when chased, the managers)."""
    officer = officers.get(found.officer_id) if found.officer_id else None
    if officer is not None and found.state is ReferralState.OFFICER_APPOINTED:
        return [officer, *managers.get(found.service_area_id, [])] if chased else [officer]
    return managers.get(found.service_area_id, [])


def _tell(
    session: AsyncSession, person: Person, kind: str, subject: str, body: str, found: CafcassReferral
) -> int:
    if not person.active:
        return 0
    enqueue(session, person, kind=kind, subject=subject, body=body, link_path=f"/referrals/{found.id}")
    return 1
