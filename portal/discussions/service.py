"""Discussion records (P7): the IRO records every discussion with the guardian on the child's case file, with
the actions agreed. A discussion held opens P7 (a call or meeting logged in the ledger does it too); the
record meets it. The final discussion of the care plan after the final order meets P13."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    AgreedAction,
    CaseRole,
    Contact,
    Discussion,
    DiscussionKind,
    DiscussionMode,
    Proceedings,
    Trigger,
)
from portal import clock
from portal.access.policy import Permission
from portal.access.service import access_case
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.cases import repository as cases
from portal.errors import ErrorCode, Problems
from portal.obligations import repository as obligation_rows
from portal.obligations import service as obligations
from portal.validation import check_past_date, clean, clean_required

SUMMARY_MAX_LENGTH = 8000
MAX_ACTIONS = 20


@dataclass(frozen=True)
class ActionInput:
    description: str
    owner_id: uuid.UUID | None
    due_on: date | None


@dataclass(frozen=True)
class RecordDiscussion:
    case_id: uuid.UUID
    held_on: date | None
    mode: DiscussionMode
    summary: str
    kind: DiscussionKind = DiscussionKind.DURING_PROCEEDINGS
    others_present: str = ""
    contact_id: uuid.UUID | None = None
    actions: Sequence[ActionInput] = field(default_factory=list)


async def record_discussion(session: AsyncSession, actor: Actor, data: RecordDiscussion) -> Discussion:
    access = await access_case(session, actor, data.case_id, Permission.RECORD_DISCUSSION)
    case = access.case
    problems = Problems()
    members = await cases.live_memberships(session, case.id)
    guardian = next((m.person_id for m in members if m.role is CaseRole.GUARDIAN), None)
    if guardian is None:
        problems.add(ErrorCode.NOT_ON_CASE, "A discussion record needs a guardian on the case")
    check_past_date(
        problems,
        data.held_on,
        "heldOn",
        missing="Enter the date of the discussion",
        label="The date of the discussion",
        today=clock.today(),
        not_before=case.issued_on,
        too_early="The discussion cannot be before the proceedings were issued",
    )
    summary = clean_required(
        problems, data.summary, "summary", "Enter what was discussed", SUMMARY_MAX_LENGTH
    )
    others = clean(data.others_present)
    if len(others) > 500:
        problems.add(ErrorCode.TOO_LONG, "Others present must be 500 characters or fewer", "othersPresent")
    if data.kind is DiscussionKind.FINAL_DISCUSSION:
        made = await cases.final_orders_made_on(session, case.id)
        if made is None:
            problems.add(
                ErrorCode.NO_FINAL_ORDER,
                "The final discussion comes after the final order is recorded",
                "kind",
            )
        elif data.held_on is not None and data.held_on < made:
            problems.add(
                ErrorCode.DATE_TOO_EARLY, "The final discussion cannot be before the final order", "heldOn"
            )
    if data.contact_id is not None:
        contact = await session.get(Contact, data.contact_id)
        if contact is None or contact.proceedings_id != case.id:
            problems.add(ErrorCode.NOT_FOUND, "The contact was not found on this case", "contactId")
    _check_actions(problems, data, {m.person_id for m in members})
    problems.raise_if_any()
    assert data.held_on is not None
    assert guardian is not None
    discussion = Discussion(
        proceedings_id=case.id,
        kind=data.kind,
        held_on=data.held_on,
        mode=data.mode,
        guardian_id=guardian,
        iro_id=actor.person_id,
        others_present=others,
        summary=summary,
        contact_id=data.contact_id,
        recorded_by_id=actor.person_id,
    )
    session.add(discussion)
    await session.flush()
    for position, action in enumerate(data.actions):
        assert action.owner_id is not None
        assert action.due_on is not None
        session.add(
            AgreedAction(
                discussion_id=discussion.id,
                position=position,
                description=clean(action.description),
                owner_id=action.owner_id,
                due_on=action.due_on,
            )
        )
    await session.flush()
    await _meet(session, access.case, discussion, actor)
    audit.record_on_case(
        session, actor, access, "discussion.record", subject_type="discussion", subject_id=discussion.id
    )
    return discussion


def _check_actions(problems: Problems, data: RecordDiscussion, members: set[uuid.UUID]) -> None:
    if len(data.actions) > MAX_ACTIONS:
        problems.add(ErrorCode.OUT_OF_RANGE, f"Record at most {MAX_ACTIONS} actions", "actions")
    for index, action in enumerate(data.actions[:MAX_ACTIONS]):
        where = f"actions.{index}"
        clean_required(problems, action.description, f"{where}.description", "Enter the action agreed", 1000)
        if action.owner_id is None:
            problems.add(ErrorCode.REQUIRED, "Choose who will do it", f"{where}.ownerId")
        elif action.owner_id not in members:
            problems.add(
                ErrorCode.NOT_ON_CASE,
                "Choose who will do it, from the people on the case",
                f"{where}.ownerId",
            )
        if action.due_on is None:
            problems.add(ErrorCode.REQUIRED, "Enter the date it is due", f"{where}.dueOn")
        elif data.held_on is not None and action.due_on < data.held_on:
            problems.add(
                ErrorCode.DATE_TOO_EARLY, "An action cannot be due before the discussion", f"{where}.dueOn"
            )


async def _meet(session: AsyncSession, case: Proceedings, discussion: Discussion, actor: Actor) -> None:
    """The record meets the P7 its discussion opened, when logged as a contact; otherwise the discussion is
    held now, as far as the portal knows: P7 opens (from the day it was held) and is met at once, on time or
    late. A final discussion meets P13 too."""
    when = discussion.recorded_at
    met = []
    if discussion.contact_id is not None:
        met = await obligations.meet(
            session,
            discussion.proceedings_id,
            ["P7"],
            evidence_id=discussion.id,
            when=when,
            by=actor.person_id,
            triggers={discussion.contact_id},
        )
    if not met and not await _already_met(session, discussion):
        await obligations.open_obligations(
            session,
            case,
            Trigger.DISCUSSION_HELD,
            on=discussion.held_on,
            by=actor.person_id,
            trigger_id=discussion.id,
            tell=False,
        )
        await obligations.meet(
            session,
            discussion.proceedings_id,
            ["P7"],
            evidence_id=discussion.id,
            when=when,
            by=actor.person_id,
            triggers={discussion.id},
        )
    if discussion.kind is DiscussionKind.FINAL_DISCUSSION:
        await obligations.meet(
            session,
            discussion.proceedings_id,
            ["P13"],
            evidence_id=discussion.id,
            when=when,
            by=actor.person_id,
        )


async def _already_met(session: AsyncSession, discussion: Discussion) -> bool:
    """A contact already met by an earlier record (a second record of the same call) opens nothing new."""
    if discussion.contact_id is None:
        return False
    return await obligation_rows.met_by_trigger(
        session, discussion.proceedings_id, "P7", discussion.contact_id
    )
