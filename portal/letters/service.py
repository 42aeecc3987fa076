"""The IRO's introduction to a looked-after child (issue 19; RESEARCH-NOTES.md §5.1, F17): how they explained
their role, the way of keeping in touch agreed with the child, and whether the child was told they can have
an advocate. The IRO must tell the child what they are for, that they can contact them and how (IRO Handbook
2010, ch. 2), and confirm the agreed way of keeping in touch in writing, to the child or, for a young child,
their carer: the letter is drawn from this record (portal/web/letter_pages.py)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from models import CaseRole, ExplainedHow, IroIntroduction, LetterTo, utcnow
from portal import clock
from portal.access.policy import Permission
from portal.access.service import access_case
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.cases import repository as cases
from portal.errors import DomainError, ErrorCode, Problems
from portal.letters import repository
from portal.letters.addressee import addressee
from portal.validation import check_past_date, clean, clean_required

KEEPING_IN_TOUCH_MAX_LENGTH = 2000
PHONE_MAX_LENGTH = 40
# A telephone number as people write it: digits, spaces, brackets, hyphens, a leading plus; 6 digits or more.
_PHONE = re.compile(r"\+?[\d ()-]+")
_PHONE_DIGITS = 6


@dataclass(frozen=True)
class RecordIntroduction:
    case_id: uuid.UUID
    child_id: uuid.UUID | None
    explained_on: date | None
    explained_how: ExplainedHow | None
    keeping_in_touch: str
    phone: str
    advocacy_explained: bool
    letter_to: LetterTo | None
    carer_name: str = ""


async def record_introduction(
    session: AsyncSession, actor: Actor, data: RecordIntroduction
) -> IroIntroduction:
    """Record how the IRO explained their role to the child and the way of keeping in touch they agreed, or
    change it (the child's IRO; one record for each child and IRO). Anyone who may not write to the case's
    children finds no such case; another IRO on the case is told they are not the child's."""
    access = await access_case(session, actor, data.case_id, Permission.WRITE_TO_CHILD)
    case = access.case
    problems = Problems()
    children = {c.id: c for c in await cases.case_children(session, case.id)}
    child = children.get(data.child_id) if data.child_id is not None else None
    if data.child_id is None:
        problems.add(ErrorCode.REQUIRED, "Choose the child", "childId")
    elif child is None:
        problems.add(ErrorCode.NOT_IN_PROCEEDINGS, "That child is not in these proceedings", "childId")
    else:
        iros = await cases.live_memberships(session, case.id, CaseRole.IRO)
        if not any(m.child_id == child.id and m.person_id == actor.person_id for m in iros):
            raise DomainError.one(
                ErrorCode.NOT_ON_CASE, f"You are not the IRO for {child.given_name}", "childId"
            )
        if not child.legal_status.is_looked_after:
            problems.add(ErrorCode.NOT_LOOKED_AFTER, f"{child.given_name} is not looked after", "childId")
    check_past_date(
        problems,
        data.explained_on,
        "explainedOn",
        missing="Enter the date you explained your role",
        label="The date you explained your role",
        today=clock.today(),
        not_before=(child.looked_after_since or child.date_of_birth) if child else None,
        too_early="This cannot be before the child became looked after",
    )
    if data.explained_how is None:
        problems.add(ErrorCode.REQUIRED, "Say how you explained your role", "explainedHow")
    keeping_in_touch = clean_required(
        problems,
        data.keeping_in_touch,
        "keepingInTouch",
        "Say how you agreed the child will keep in touch with you",
        KEEPING_IN_TOUCH_MAX_LENGTH,
    )
    phone = _phone(problems, data.phone)
    carer_name = addressee(problems, data.letter_to, data.carer_name)
    problems.raise_if_any()
    assert child is not None
    assert data.explained_on is not None
    assert data.explained_how is not None
    assert data.letter_to is not None
    found = await repository.introduction_of(session, case.id, child.id, actor.person_id)
    now = utcnow()
    introduction = found or IroIntroduction(
        proceedings_id=case.id,
        child_id=child.id,
        iro_id=actor.person_id,
        explained_on=data.explained_on,
        explained_how=data.explained_how,
        keeping_in_touch=keeping_in_touch,
        advocacy_explained=data.advocacy_explained,
        letter_to=data.letter_to,
        recorded_at=now,
        updated_at=now,
    )
    introduction.explained_on, introduction.explained_how = data.explained_on, data.explained_how
    introduction.keeping_in_touch, introduction.phone = keeping_in_touch, phone
    introduction.advocacy_explained = data.advocacy_explained
    introduction.letter_to, introduction.carer_name = data.letter_to, carer_name
    introduction.updated_at = now
    if found is None:
        session.add(introduction)
    await session.flush()
    audit.record_on_case(
        session,
        actor,
        access,
        "introduction.change" if found else "introduction.record",
        subject_type="iro_introduction",
        subject_id=introduction.id,
    )
    return introduction


def _phone(problems: Problems, value: str) -> str:
    """The IRO's number for the child, if given: one that can be dialled."""
    phone = clean(value)
    if len(phone) > PHONE_MAX_LENGTH:
        problems.add(ErrorCode.TOO_LONG, f"This must be {PHONE_MAX_LENGTH} characters or fewer", "phone")
    elif phone and (not _PHONE.fullmatch(phone) or sum(c.isdigit() for c in phone) < _PHONE_DIGITS):
        problems.add(ErrorCode.INVALID_VALUE, "Enter a telephone number, like 01632 960 001", "phone")
    return phone
