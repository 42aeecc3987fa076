"""Logging contacts between the guardian and the IRO (P1, P2), and marking replies.

The ledger is append-only: an entry is never edited; a correction is a new entry pointing at the one it
corrects, and a reply is recorded beside the entry it answers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from models import CaseRole, Channel, Contact, ContactReply, Proceedings, Purpose, Role, Side, utcnow
from portal import clock
from portal.access.policy import Permission
from portal.access.service import access_case
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.calendar import add_working_days
from portal.cases import repository as cases
from portal.contacts import repository
from portal.errors import DomainError, ErrorCode, NotFound, Problems
from portal.obligations import service as obligations
from portal.obligations.rules import REPLY_WINDOW
from portal.validation import clean_required

SUMMARY_MAX_LENGTH = 4000
# Clocks differ: a contact stamped a moment ahead of the server is not "in the future".
CLOCK_SKEW = timedelta(minutes=5)

# The side a person is on in the ledger, by the role they act in on the case.
SIDE_OF_ROLE = {Role.GUARDIAN: Side.GUARDIAN, Role.IRO: Side.IRO}
CASE_ROLE_OF_SIDE = {Side.GUARDIAN: CaseRole.GUARDIAN, Side.IRO: CaseRole.IRO}


class Direction(StrEnum):
    """Seen from the person logging: did they make the contact, or receive it?"""

    OUTGOING = "outgoing"
    INCOMING = "incoming"


@dataclass(frozen=True)
class LogContact:
    case_id: uuid.UUID
    counterpart_id: uuid.UUID
    direction: Direction
    occurred_at: datetime | None
    channel: Channel
    purpose: Purpose
    summary: str
    reply_expected: bool = False
    reply_due_on: date | None = None
    corrects_id: uuid.UUID | None = None
    # Private to the guardian and the IRO (a correction of a private entry stays private).
    private: bool = False
    # A message left, an email or a letter from the guardian meets P2 at once (otherwise: once answered).
    one_way_meets_p2: bool = False


async def _reply_due(session: AsyncSession, case: Proceedings, occurred_at: datetime) -> date:
    """A reply expected with no date given is due within the reply window in force on the case (its rule,
    RW: the authority's, else the service area's, else 3 working days)."""
    window = (await obligations.case_rules(session, case, [REPLY_WINDOW]))[REPLY_WINDOW]
    return add_working_days(occurred_at.astimezone(clock.LONDON).date(), window.working_days)


async def log_contact(session: AsyncSession, actor: Actor, data: LogContact) -> Contact:
    access = await access_case(session, actor, data.case_id, Permission.LOG_CONTACT)
    case = access.case
    side = SIDE_OF_ROLE[access.acting_as]
    other_side = Side.IRO if side is Side.GUARDIAN else Side.GUARDIAN
    problems = Problems()

    counterparts = {
        m.person_id for m in await cases.live_memberships(session, case.id, CASE_ROLE_OF_SIDE[other_side])
    }
    if data.counterpart_id not in counterparts:
        problems.add(
            ErrorCode.NOT_ON_CASE, f"Choose the {_side_label(other_side)} on this case", "counterpartId"
        )

    occurred_at = data.occurred_at
    if occurred_at is None:
        problems.add(ErrorCode.REQUIRED, "Enter when the contact happened", "occurredAt")
    elif occurred_at > utcnow() + CLOCK_SKEW:
        problems.add(ErrorCode.DATE_IN_FUTURE, "The contact must be dated today or in the past", "occurredAt")
    elif occurred_at.astimezone(clock.LONDON).date() < case.issued_on:
        problems.add(
            ErrorCode.DATE_TOO_EARLY, "The contact cannot be before the proceedings were issued", "occurredAt"
        )

    summary = clean_required(
        problems, data.summary, "summary", "Enter a summary of the contact", SUMMARY_MAX_LENGTH
    )

    if data.reply_due_on is not None and not data.reply_expected:
        problems.add(ErrorCode.INVALID_VALUE, "A reply date needs a reply to be expected", "replyDueOn")
    elif (
        data.reply_due_on is not None
        and occurred_at is not None
        and data.reply_due_on < occurred_at.astimezone(clock.LONDON).date()
    ):
        problems.add(ErrorCode.DATE_TOO_EARLY, "The reply cannot be due before the contact", "replyDueOn")

    private = data.private
    if data.corrects_id is not None:
        found = await repository.contact_in_case(session, case.id, data.corrects_id)
        private = private or (found is not None and found[0].private)
        if found is None:
            problems.add(ErrorCode.NOT_FOUND, "The entry to correct was not found", "correctsId")
        elif found[2] is not None:
            problems.add(
                ErrorCode.ALREADY_CORRECTED,
                "That entry has been corrected already: correct the latest version",
                "correctsId",
            )
        elif actor.person_id not in {found[0].from_person_id, found[0].to_person_id, found[0].recorded_by_id}:
            problems.add(ErrorCode.NOT_PERMITTED, "Only the people in a contact can correct it", "correctsId")
    problems.raise_if_any()
    assert occurred_at is not None

    me, them = actor.person_id, data.counterpart_id
    from_id, to_id = (me, them) if data.direction is Direction.OUTGOING else (them, me)
    contact = Contact(
        proceedings_id=case.id,
        from_person_id=from_id,
        to_person_id=to_id,
        initiated_by=side if data.direction is Direction.OUTGOING else other_side,
        occurred_at=occurred_at,
        channel=data.channel,
        purpose=data.purpose,
        summary=summary,
        private=private,
        reply_expected=data.reply_expected,
        reply_due_on=data.reply_due_on
        or (await _reply_due(session, case, occurred_at) if data.reply_expected else None),
        corrects_id=data.corrects_id,
        recorded_by_id=actor.person_id,
    )
    session.add(contact)
    await session.flush()
    await obligations.contact_logged(session, case, contact, one_way_meets_p2=data.one_way_meets_p2)
    audit.record_on_case(session, actor, access, "contact.log", subject_type="contact", subject_id=contact.id)
    return contact


async def mark_reply(
    session: AsyncSession,
    actor: Actor,
    case_id: uuid.UUID,
    contact_id: uuid.UUID,
    replied_at: datetime | None,
) -> tuple[Contact, ContactReply]:
    """Record that the reply to a contact came, and when; either person in the contact may mark it."""
    access = await access_case(session, actor, case_id, Permission.MARK_REPLY)
    found = await repository.contact_in_case(session, case_id, contact_id)
    if found is None:
        raise NotFound("Contact", "contactId")
    contact, existing, _ = found
    problems = Problems()
    if actor.person_id not in {contact.from_person_id, contact.to_person_id}:
        raise DomainError.one(
            ErrorCode.NOT_PERMITTED, "Only the people in a contact can mark its reply", "contactId"
        )
    if not contact.reply_expected:
        problems.add(ErrorCode.NO_REPLY_EXPECTED, "No reply was expected to that contact", "contactId")
    elif existing is not None:
        problems.add(
            ErrorCode.ALREADY_REPLIED, "The reply to that contact has been marked already", "contactId"
        )
    replied_at = replied_at or utcnow()
    if replied_at > utcnow() + CLOCK_SKEW:
        problems.add(ErrorCode.DATE_IN_FUTURE, "The reply must be dated today or in the past", "repliedAt")
    elif replied_at < contact.occurred_at:
        problems.add(ErrorCode.DATE_TOO_EARLY, "The reply cannot come before the contact", "repliedAt")
    problems.raise_if_any()
    reply = ContactReply(contact_id=contact.id, replied_at=replied_at, recorded_by_id=actor.person_id)
    session.add(reply)
    await session.flush()
    await obligations.reply_marked(session, case_id, contact, reply)
    audit.record_on_case(
        session, actor, access, "contact.reply", subject_type="contact", subject_id=contact.id
    )
    return contact, reply


def _side_label(side: Side) -> str:
    return "children's guardian" if side is Side.GUARDIAN else "IRO"
