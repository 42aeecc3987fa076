"""The protocol engine: events open obligations under the rules in force, evidence meets them, and a
change of guardian or IRO passes the open ones on, with history. Overdue is never stored: it is the due
date against today, in working days."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    CaseRole,
    Child,
    Contact,
    Obligation,
    ObligationEvent,
    ObligationRule,
    ObligationState,
    Organisation,
    Owner,
    Person,
    Proceedings,
    Side,
    Trigger,
    utcnow,
)
from portal import calendar, clock
from portal.access.cases import access_case, readable_cases
from portal.access.policy import Permission
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.cases import repository as cases
from portal.errors import DomainError, ErrorCode, NotFound, Problems
from portal.mail.outbox import enqueue
from portal.obligations import repository
from portal.obligations.rules import DEFAULTS, codes_opened_by, rules_for
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
    make contact too. ``tell`` False opens them silently (the demo replaying its past)."""
    if not protocol_applies(children):
        return []
    codes = codes_opened_by(Trigger.GUARDIAN_ALLOCATED)
    open_now = {o.code: o for o in await repository.open_obligations(session, case.id, codes)}
    iro = await _holder(session, case.id, CaseRole.IRO)
    court = await session.get(Organisation, case.court_id)
    rules = await rules_for(
        session,
        codes,
        local_authority_id=case.local_authority_id,
        service_area_id=court.service_area_id if court else None,
    )
    opened: list[Obligation] = []
    handed_over: list[Obligation] = []
    opened_on = _day(at) if at else clock.today()
    at = at or utcnow()
    for code in codes:
        existing = open_now.get(code)
        if existing is not None:
            if existing.owner_person_id != guardian_id:
                _record(session, existing, "reassigned", by, "passed to the new guardian", at)
                existing.owner_person_id = guardian_id
                handed_over.append(existing)
            continue
        rule = rules[code]
        obligation = Obligation(
            proceedings_id=case.id,
            code=code,
            rule_id=rule.id,
            owner_person_id=guardian_id,
            partner_person_id=iro if rule.owner is Owner.BOTH else None,
            opened_at=at,
            due_on=calendar.add_working_days(opened_on, rule.working_days),
        )
        session.add(obligation)
        _record(
            session, obligation, "opened", by, f"guardian allocated; rule {code} version {rule.version}", at
        )
        opened.append(obligation)
    await session.flush()
    if not tell:
        return opened
    for obligation in opened:
        await _tell(
            session,
            obligation,
            rules[obligation.code],
            {obligation.owner_person_id, obligation.partner_person_id},
        )
    for obligation in handed_over:
        await _tell(session, obligation, rules[obligation.code], {guardian_id})
    return opened


async def _tell(
    session: AsyncSession, obligation: Obligation, rule: ObligationRule, people: set[uuid.UUID | None]
) -> None:
    """An email, through the outbox, to each person who now holds the duty: its kind and its date only."""
    for person_id in people - {None}:
        person = await session.get(Person, person_id)
        if person is None or not person.active:
            continue
        enqueue(
            session,
            person,
            kind="obligation.opened",
            subject=f"New task under the guardian–IRO protocol ({rule.code})",
            body=f"You have a new task under the guardian–IRO protocol: {rule.code}, "
            f"{rule.description[0].lower()}{rule.description[1:]}. It is due by {obligation.due_on.day} "
            f"{obligation.due_on:%B %Y}.",
            link_path=f"/cases/{obligation.proceedings_id}#protocol",
        )


async def iro_assigned(
    session: AsyncSession, case: Proceedings, iro_id: uuid.UUID, by: uuid.UUID | None
) -> None:
    """The IRO is the partner in the duties both sides share, and the owner of the IRO's own duties."""
    for obligation in await repository.open_obligations(session, case.id, list(_codes_involving(Owner.IRO))):
        field = "owner_person_id" if obligation.code in _codes_owned_by(Owner.IRO) else "partner_person_id"
        if getattr(obligation, field) != iro_id:
            _record(session, obligation, "reassigned", by, "passed to the new IRO", utcnow())
            setattr(obligation, field, iro_id)
            await _tell(session, obligation, await repository.rule_of(session, obligation), {iro_id})


def _codes_owned_by(owner: Owner) -> set[str]:
    return {code for code, spec in DEFAULTS.items() if spec.owner is owner}


def _codes_involving(side: Owner) -> set[str]:
    return _codes_owned_by(side) | _codes_owned_by(Owner.BOTH)


async def contact_logged(session: AsyncSession, contact: Contact) -> None:
    """A contact the guardian made to the IRO meets the guardian's P2 (PROTOCOL.md §2)."""
    if contact.initiated_by is not Side.GUARDIAN:
        return
    for obligation in await repository.open_obligations(session, contact.proceedings_id, ["P2"]):
        # The day counts, not the minute: allocation is often recorded after the guardian has started.
        if obligation.owner_person_id == contact.from_person_id and _day(contact.occurred_at) >= _day(
            obligation.opened_at
        ):
            close(
                session,
                obligation,
                ObligationState.MET,
                contact.occurred_at,
                contact.recorded_by_id,
                evidence_id=contact.id,
            )


def _day(moment: datetime) -> date:
    return moment.astimezone(clock.LONDON).date()


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
    found = await repository.tasks_of(session, actor.person_id, readable_cases(actor), since)
    audit.record(session, actor, "tasks.read", subject_type="task_list")
    return found
