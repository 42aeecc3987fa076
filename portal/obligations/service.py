"""The protocol engine: events open obligations under the rules in force, evidence meets them, and a
change of guardian or IRO passes the open ones on, with history. Overdue is never stored: it is the due
date against today, in working days."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    CaseMembership,
    CaseRole,
    Channel,
    Child,
    Contact,
    ContactReply,
    DeadlineKind,
    Obligation,
    ObligationEvent,
    ObligationRule,
    ObligationState,
    Organisation,
    Owner,
    Person,
    Proceedings,
    Purpose,
    Side,
    Trigger,
    utcnow,
)
from portal import calendar, clock
from portal.access.policy import Permission
from portal.access.service import access_case
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.cases import repository as cases
from portal.errors import DomainError, ErrorCode, NotFound, Problems
from portal.mail.outbox import enqueue
from portal.obligations import repository
from portal.obligations.rules import (
    APPOINTMENT,
    DEFAULTS,
    REVIEW_CODES,
    codes_opened_by,
    rules_for,
    task_words,
)
from portal.validation import clean_required


def protocol_applies(children: list[Child]) -> bool:
    """The protocol links guardian and IRO only for a child both in proceedings and looked after
    (PROTOCOL.md §1): with no looked-after child there is no IRO, and no obligation opens."""
    return any(child.legal_status.is_looked_after for child in children)


def overdue(obligation: Obligation, today: date) -> bool:
    return obligation.state is ObligationState.OPEN and obligation.due_on < today


def met_on_time(obligation: Obligation) -> bool | None:
    """Whether a met obligation was met by its due date (None while it is not met)."""
    if obligation.state is not ObligationState.MET or obligation.closed_at is None:
        return None
    return obligation.closed_at.astimezone(clock.LONDON).date() <= obligation.due_on


async def _holder(session: AsyncSession, case_id: uuid.UUID, role: CaseRole) -> uuid.UUID | None:
    members = await cases.live_memberships(session, case_id, role)
    return members[0].person_id if members else None


async def case_rules(session: AsyncSession, case: Proceedings, codes: list[str]) -> dict[str, ObligationRule]:
    """The rules in force on the case for ``codes``: its authority's, else its court's service area's, else
    the defaults."""
    court = await session.get(Organisation, case.court_id)
    return await rules_for(
        session,
        codes,
        local_authority_id=case.local_authority_id,
        service_area_id=court.service_area_id if court else None,
    )


# An obligation falling due within this many working days of opening is reminded by its opening email.
REMIND_WORKING_DAYS = 2


def due_date(rule: ObligationRule, on: date, before: date | None) -> date:
    """AFTER: so many working days after ``on``. MONTHS_AFTER: so many months after it. BEFORE: so many
    working days before ``before`` (a review's date), but never before ``on``, the day it was opened: a late
    arrangement is due at once."""
    if rule.deadline_kind is DeadlineKind.AFTER:
        return calendar.add_working_days(on, rule.working_days)
    if rule.deadline_kind is DeadlineKind.MONTHS_AFTER:
        return calendar.add_months(on, rule.working_days)
    assert before is not None, rule.code
    return max(on, calendar.add_working_days(before, -rule.working_days))


@dataclass(frozen=True)
class Event:
    """A record that opens obligations: its id, the child it concerns, and the date they count back from;
    for events on different days, the day it happened (else the call's ``on``), and for duties of different
    people, the owner and partner of its obligations (else as the call's ``owners`` say)."""

    trigger_id: uuid.UUID | None
    child_id: uuid.UUID | None = None
    before: date | None = None
    on: date | None = None
    owners: tuple[uuid.UUID | None, uuid.UUID | None] | None = None


async def open_obligations(
    session: AsyncSession,
    case: Proceedings,
    trigger: Trigger,
    *,
    on: date,
    by: uuid.UUID | None,
    trigger_id: uuid.UUID | None = None,
    child_id: uuid.UUID | None = None,
    before: date | None = None,
    at: datetime | None = None,
    tell: bool = True,
    owners: dict[Owner, tuple[uuid.UUID | None, uuid.UUID | None]] | None = None,
    codes: list[str] | None = None,
    events: Sequence[Event] | None = None,
) -> list[Obligation]:
    """Open every obligation ``trigger`` opens (PROTOCOL.md §2) under the rules in force on the case,
    owned as each rule says: by the case's guardian, its IRO, or the guardian with the IRO as partner.
    ``on`` is the day the event happened; ``tell`` False opens them silently (the demo replaying its
    past). ``codes`` narrows it to some of them; ``events`` opens them for several records at once (the
    reviews of siblings booked together), instead of the one ``trigger_id``, ``child_id`` and ``before``
    describe."""
    codes = codes_opened_by(trigger) if codes is None else codes
    if not codes:
        return []
    rules = await case_rules(session, case, codes)
    members: Sequence[CaseMembership] | None = None  # read when an event does not say its owners
    at = at or utcnow()
    opened = []
    for event in events or [Event(trigger_id, child_id, before)]:
        for code in codes:
            rule = rules[code]
            if event.owners:
                owner, partner = event.owners
            elif owners is not None:
                owner, partner = owners[rule.owner]
            else:
                members = members if members is not None else await cases.live_memberships(session, case.id)
                owner, partner = _owners(members, rule.owner, event.child_id)
            if rule.owner is Owner.SOCIAL_WORKER and owner is None:
                continue  # the social worker's part is tracked once the authority names them on the case
            due = due_date(rule, event.on or on, event.before)
            obligation = Obligation(
                proceedings_id=case.id,
                child_id=event.child_id,
                code=code,
                rule_id=rule.id,
                trigger_id=event.trigger_id,
                owner_person_id=owner,
                partner_person_id=partner,
                opened_at=at,
                due_on=due,
                reminded_at=at
                if due <= calendar.add_working_days(clock.today(), REMIND_WORKING_DAYS)
                else None,
            )
            session.add(obligation)
            _record(
                session,
                obligation,
                "opened",
                by,
                f"{trigger.value.replace('_', ' ')}; rule {code} version {rule.version}",
                at,
            )
            opened.append(obligation)
    await session.flush()
    if tell:
        for obligation in opened:
            await _tell(
                session,
                obligation,
                rules[obligation.code],
                {obligation.owner_person_id, obligation.partner_person_id},
            )
    return opened


_HOLDER = {
    Owner.GUARDIAN: CaseRole.GUARDIAN,
    Owner.IRO: CaseRole.IRO,
    Owner.SOCIAL_WORKER: CaseRole.SOCIAL_WORKER,
}


def _owners(
    members: Sequence[CaseMembership], owner: Owner, child_id: uuid.UUID | None
) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """A duty's owner and partner among the case's live members: for a duty about one child, that child's
    holder of the role (a sibling may have another IRO), else the case's."""

    def holder(role: CaseRole) -> uuid.UUID | None:
        held = [m for m in members if m.role is role]
        childs = next((m.person_id for m in held if m.child_id == child_id), None)
        return childs or next((m.person_id for m in held), None)

    if owner is Owner.BOTH:
        return holder(CaseRole.GUARDIAN), holder(CaseRole.IRO)
    if owner is Owner.IRO_MANAGER:
        return None, None  # the authority's IRO managers', none of them by name
    return holder(_HOLDER[owner]), None


async def guardian_allocated(
    session: AsyncSession,
    case: Proceedings,
    children: list[Child],
    guardian_id: uuid.UUID,
    by: uuid.UUID | None,
    at: datetime | None = None,
    tell: bool = True,
) -> list[Obligation]:
    """P2 and P3 open when a guardian is allocated (``at``, now unless given). On a reallocation the open
    ones pass to the new guardian (with history); any already met open afresh, since the new guardian must
    make contact too."""
    if not protocol_applies(children):
        return []
    codes = codes_opened_by(Trigger.GUARDIAN_ALLOCATED)
    open_now = {o.code: o for o in await repository.open_obligations(session, case.id, codes)}
    handed_over = [o for o in open_now.values() if o.owner_person_id != guardian_id]
    for obligation in handed_over:
        _record(session, obligation, "reassigned", by, "passed to the new guardian", at or utcnow())
        obligation.owner_person_id = guardian_id
        if tell:
            await _tell(session, obligation, await repository.rule_of(session, obligation), {guardian_id})
    iro = await _holder(session, case.id, CaseRole.IRO)
    return await open_obligations(
        session,
        case,
        Trigger.GUARDIAN_ALLOCATED,
        on=clock.day_of(at) if at else clock.today(),
        by=by,
        at=at,
        tell=tell,
        owners={Owner.GUARDIAN: (guardian_id, None), Owner.IRO: (iro, None), Owner.BOTH: (guardian_id, iro)},
        codes=[code for code in codes if code not in open_now],
    )


async def meet(
    session: AsyncSession,
    case_id: uuid.UUID,
    codes: list[str],
    *,
    evidence_id: uuid.UUID | None,
    when: datetime,
    by: uuid.UUID | None,
    triggers: Collection[uuid.UUID] | None = None,
    missed_too: bool = False,
) -> list[Obligation]:
    """Close the case's open obligations of ``codes`` (those opened by one of ``triggers`` when given) as
    met by the record ``evidence_id`` (None: by the record that opened each, e.g. a review's notice);
    ``missed_too``: those already missed as well, for a record of something done in time and recorded late."""
    states = _OPEN_OR_MISSED if missed_too else (ObligationState.OPEN,)
    met = [
        o
        for o in await repository.open_obligations(session, case_id, codes, states)
        if triggers is None or o.trigger_id in triggers
    ]
    for obligation in met:
        evidence = evidence_id or obligation.trigger_id
        close(session, obligation, ObligationState.MET, when, by, evidence_id=evidence)
    return met


async def rescheduled(
    session: AsyncSession, case_id: uuid.UUID, trigger_id: uuid.UUID, new_date: date, by: uuid.UUID | None
) -> None:
    """The event an obligation counts back from (a review) moved: its open obligations' due dates follow."""
    for obligation in await repository.open_obligations(session, case_id, list(DEFAULTS)):
        if obligation.trigger_id != trigger_id:
            continue
        rule = await repository.rule_of(session, obligation)
        due = due_date(rule, clock.day_of(obligation.opened_at), new_date)
        if due != obligation.due_on:
            _record(session, obligation, "rescheduled", by, f"now due {due:%-d %B %Y}", utcnow())
            obligation.due_on, obligation.reminded_at, obligation.overdue_notice_at = due, None, None


async def no_longer_applicable(session: AsyncSession, case_id: uuid.UUID, by: uuid.UUID | None) -> None:
    """No child in the proceedings is looked after any more: the open obligations cannot apply."""
    for obligation in await repository.open_obligations(session, case_id, list(DEFAULTS)):
        close(
            session,
            obligation,
            ObligationState.NOT_APPLICABLE,
            utcnow(),
            by,
            reason="No child in the proceedings is looked after any more, so there is no IRO",
        )


async def end(
    session: AsyncSession,
    case_id: uuid.UUID,
    codes: Sequence[str],
    *,
    on: date,
    reason: str,
    by: uuid.UUID | None,
    triggers: Collection[uuid.UUID] | None = None,
    missed: bool = False,
) -> list[Obligation]:
    """Close the case's open obligations of ``codes`` (those opened by one of ``triggers`` when given) whose
    moment has passed on ``on``, as ``finish`` does."""
    ended = [
        o
        for o in await repository.open_obligations(session, case_id, list(codes))
        if triggers is None or o.trigger_id in triggers
    ]
    finish(session, ended, on=on, reason=reason, by=by, missed=missed)
    return ended


def finish(
    session: AsyncSession,
    obligations: Sequence[Obligation],
    *,
    on: date,
    reason: str,
    by: uuid.UUID | None,
    missed: bool = False,
) -> None:
    """Close open obligations whose moment passed on ``on``, with ``reason``: missed when ``missed`` or when
    already overdue then, else not applicable (it never fell due while it could be done). One rule, so
    that the dashboard counts a duty left undone as missed, and never as open for ever (issue 18)."""
    now = utcnow()
    for obligation in obligations:
        state = ObligationState.MISSED if missed or obligation.due_on < on else ObligationState.NOT_APPLICABLE
        close(session, obligation, state, now, by, reason=reason)


async def _tell(
    session: AsyncSession, obligation: Obligation, rule: ObligationRule, people: set[uuid.UUID | None]
) -> None:
    """An email, through the outbox, to each person who now holds the duty: its kind and its date only."""
    for person_id in people - {None}:
        person = await session.get(Person, person_id)
        if person is None:
            continue
        enqueue(
            session,
            person,
            kind="obligation.opened",
            subject=f"New task {task_words(rule.code)} ({rule.code})",
            body=f"You have a new task {task_words(rule.code)}: {rule.code}, "
            f"{rule.description[0].lower()}{rule.description[1:]}. It is due by {obligation.due_on.day} "
            f"{obligation.due_on:%B %Y}.",
            link_path=f"/cases/{obligation.proceedings_id}#protocol",
        )


async def iro_assigned(
    session: AsyncSession,
    case: Proceedings,
    iro_id: uuid.UUID,
    by: uuid.UUID | None,
    child_ids: Collection[uuid.UUID],
    appointed_on: date | None = None,
) -> None:
    """The IRO of ``child_ids`` is the partner in the duties both sides share, and the owner of the IRO's own
    duties: those of the whole case, and those about these children (their reviews, on any of their
    proceedings); a sibling's with another IRO stay theirs. The children's IRO is appointed (IA), on
    ``appointed_on`` when that was earlier (before the proceedings), else now."""
    children = await repository.open_child_obligations(
        session, list(child_ids), [*REVIEW_CODES.values(), APPOINTMENT]
    )
    when = clock.london_datetime(appointed_on, time(12)) if appointed_on else utcnow()
    for appointment in (o for o in children if o.code == APPOINTMENT):
        close(session, appointment, ObligationState.MET, when, by)
    codes = list(_codes_involving(Owner.IRO))
    found = {
        o.id: o
        for o in [
            *await repository.open_obligations(session, case.id, codes),
            *(o for o in children if o.code != APPOINTMENT),
        ]
        if o.child_id is None or o.child_id in child_ids
    }
    for obligation in found.values():
        field = "owner_person_id" if obligation.code in _codes_owned_by(Owner.IRO) else "partner_person_id"
        if getattr(obligation, field) != iro_id:
            _record(session, obligation, "reassigned", by, "passed to the new IRO", utcnow())
            setattr(obligation, field, iro_id)
            await _tell(session, obligation, await repository.rule_of(session, obligation), {iro_id})


async def social_worker_assigned(
    session: AsyncSession,
    case: Proceedings,
    social_worker_id: uuid.UUID,
    by: uuid.UUID | None,
    child_ids: Collection[uuid.UUID],
) -> None:
    """The social worker's open duties about ``child_ids`` (SW1, SW2 before their reviews) pass to the newly
    allocated social worker, who is told of each."""
    codes = list(_codes_owned_by(Owner.SOCIAL_WORKER))
    for obligation in await repository.open_obligations(session, case.id, codes):
        if obligation.child_id in child_ids and obligation.owner_person_id != social_worker_id:
            _record(session, obligation, "reassigned", by, "passed to the new social worker", utcnow())
            obligation.owner_person_id = social_worker_id
            rule = await repository.rule_of(session, obligation)
            await _tell(session, obligation, rule, {social_worker_id})


def _codes_owned_by(owner: Owner) -> set[str]:
    return {code for code, spec in DEFAULTS.items() if spec.owner is owner}


def _codes_involving(side: Owner) -> set[str]:
    return _codes_owned_by(side) | _codes_owned_by(Owner.BOTH)


# Contacts in which the two actually talked: a discussion, which the IRO must record on the child's file.
DISCUSSION_CHANNELS = frozenset({Channel.PHONE, Channel.VIDEO_CALL, Channel.IN_PERSON})


async def contact_logged(
    session: AsyncSession,
    case: Proceedings,
    contact: Contact,
    *,
    tell: bool = True,
    one_way_meets_p2: bool = False,
) -> None:
    """What a new ledger entry does to the obligations (PROTOCOL.md §2): a conversation the guardian started
    meets their P2 (a message left, an email or a letter only once the IRO's reply is marked, unless
    ``one_way_meets_p2``: issue 18, the research's "each side thinks the other never calls"); a pre-review
    consultation from the guardian meets P11 for the next review; and a real conversation is a discussion
    held, which opens the IRO's P7. A correction changes none of them, but for a P2 the entry it corrects
    could not meet (it said "a message" when it was a call). A P2 or P11 missed meanwhile is met all the
    same by a contact from before it was missed, logged late."""
    if contact.initiated_by is Side.GUARDIAN and (contact.channel in DISCUSSION_CHANNELS or one_way_meets_p2):
        await _meet_p2(session, case.id, contact, contact.occurred_at, contact.recorded_by_id)
    if contact.corrects_id is not None:
        return
    day = clock.day_of(contact.occurred_at)
    if contact.purpose is Purpose.PRE_REVIEW_CONSULTATION and contact.initiated_by is Side.GUARDIAN:
        # A consultation held before the review and logged after it shows the P11 it missed was done.
        upcoming = [
            o
            for o in await repository.open_obligations(session, case.id, ["P11"], _OPEN_OR_MISSED)
            if o.due_on >= day
        ]
        # One consultation covers the reviews of siblings held on the same day.
        for obligation in upcoming:
            if obligation.due_on == min(o.due_on for o in upcoming):
                close(
                    session,
                    obligation,
                    ObligationState.MET,
                    contact.occurred_at,
                    contact.recorded_by_id,
                    evidence_id=contact.id,
                )
    if contact.channel in DISCUSSION_CHANNELS:
        await open_obligations(
            session,
            case,
            Trigger.DISCUSSION_HELD,
            on=day,
            by=contact.recorded_by_id,
            trigger_id=contact.id,
            at=contact.recorded_at,
            tell=tell,
        )


_OPEN_OR_MISSED = (ObligationState.OPEN, ObligationState.MISSED)


async def reply_marked(
    session: AsyncSession, case_id: uuid.UUID, contact: Contact, reply: ContactReply
) -> None:
    """The IRO's reply to a message the guardian left (or an email, or a letter) came: the contact went both
    ways, and meets the guardian's P2 when the reply came."""
    if contact.initiated_by is Side.GUARDIAN and contact.corrects_id is None:
        await _meet_p2(session, case_id, contact, reply.replied_at, reply.recorded_by_id)


async def _meet_p2(
    session: AsyncSession, case_id: uuid.UUID, contact: Contact, when: datetime, by: uuid.UUID
) -> None:
    day = clock.day_of(contact.occurred_at)
    for obligation in await repository.open_obligations(session, case_id, ["P2"], _OPEN_OR_MISSED):
        # A contact logged late, from before the proceedings ended, shows the P2 they missed was met.
        missed_since = obligation.closed_at if obligation.state is ObligationState.MISSED else None
        # The day counts, not the minute: allocation is often recorded after the guardian has started.
        if (
            obligation.owner_person_id == contact.from_person_id
            and day >= clock.day_of(obligation.opened_at)
            and (missed_since is None or day <= clock.day_of(missed_since))
        ):
            close(session, obligation, ObligationState.MET, when, by, evidence_id=contact.id)


def close(
    session: AsyncSession,
    obligation: Obligation,
    state: ObligationState,
    when: datetime,
    by: uuid.UUID | None,
    *,
    evidence_id: uuid.UUID | None = None,
    reason: str | None = None,
) -> None:
    obligation.state, obligation.closed_at, obligation.closed_by_id = state, when, by
    obligation.evidence_id, obligation.reason = evidence_id, reason
    _record(session, obligation, state.value, by, reason or "", when)


def _record(
    session: AsyncSession, obligation: Obligation, kind: str, by: uuid.UUID | None, detail: str, at: datetime
) -> None:
    session.add(
        ObligationEvent(
            obligation_id=obligation.id, kind=kind, person_id=by, detail=detail[:500], occurred_at=at
        )
    )


async def waive(session: AsyncSession, actor: Actor, obligation_id: uuid.UUID, reason: str) -> Obligation:
    """Waive an open obligation, with a reason: by someone related to the case whose role its rule names
    (a manager, or for P11 the guardian, who may judge a pre-review consultation not needed)."""
    obligation = await session.get(Obligation, obligation_id)
    if obligation is None:
        raise NotFound("Obligation", "id")
    try:
        access = await access_case(session, actor, obligation.proceedings_id, Permission.WAIVE_OBLIGATION)
    except NotFound:
        raise NotFound("Obligation", "id") from None
    rule = await session.get(ObligationRule, obligation.rule_id)
    assert rule is not None
    waivers = [role for role in access.roles if role.value in rule.waivable_by.split()]
    if not waivers:
        raise DomainError.one(ErrorCode.NOT_PERMITTED, f"{obligation.code} cannot be waived by you", "id")
    problems = Problems()
    if obligation.state is not ObligationState.OPEN:
        problems.add(
            ErrorCode.ALREADY_CLOSED, f"{obligation.code} is {obligation.state.value.replace('_', ' ')}", "id"
        )
    text = clean_required(problems, reason, "reason", "Say why it is waived", 1000)
    problems.raise_if_any()
    close(session, obligation, ObligationState.WAIVED, utcnow(), actor.person_id, reason=text)
    await session.flush()
    audit.record(
        session,
        actor,
        "obligation.waive",
        subject_type="obligation",
        subject_id=obligation.id,
        case_id=obligation.proceedings_id,
        acting_as=waivers[0],
    )
    return obligation


RECENT_DAYS = 14


async def tasks(session: AsyncSession, actor: Actor) -> list[tuple[Obligation, ObligationRule, Proceedings]]:
    """The actor's task list: their open obligations, and those met or waived in the last fortnight."""
    since = clock.london_datetime(clock.today() - timedelta(days=RECENT_DAYS), time(0))
    return await repository.tasks_of(session, actor, since)
