"""Queries on obligations, the versioned rules they are opened under, and consultation arrangements (P3)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    ConsultationArrangement,
    Obligation,
    ObligationEvent,
    ObligationRule,
    ObligationState,
    Proceedings,
    ProceedingsChild,
    UTCDateTime,
)
from portal.access.policy import Permission
from portal.access.repository import Filters, Template, granted
from portal.auth.actor import Actor, Viewer
from portal.in_list import in_list, in_param


async def open_child_obligations(
    session: AsyncSession, child_ids: Sequence[uuid.UUID], codes: Sequence[str]
) -> list[Obligation]:
    """The open obligations with these codes about these children, on any of their proceedings (a child's
    review duties outlive one set), as far as this transaction knows."""
    cases = sa.select(ProceedingsChild.proceedings_id).where(in_list(ProceedingsChild.child_id, child_ids))
    stmt = sa.select(Obligation).where(
        Obligation.proceedings_id.in_(cases),
        in_list(Obligation.code, codes),
        in_list(Obligation.child_id, child_ids),
        Obligation.state == ObligationState.OPEN,
    )
    return [o for o in (await session.execute(stmt)).scalars() if o.state is ObligationState.OPEN]


async def open_obligations(
    session: AsyncSession,
    case_id: uuid.UUID,
    codes: Sequence[str],
    states: Collection[ObligationState] = (ObligationState.OPEN,),
) -> list[Obligation]:
    """The case's obligations with these codes that are open (or in one of ``states``), as far as this
    transaction knows."""
    stmt = sa.select(Obligation).where(
        Obligation.proceedings_id == case_id,
        in_list(Obligation.code, codes),
        Obligation.state.in_(states),
    )
    # The session does not autoflush: one closed earlier in this transaction is still open in the database.
    return [o for o in (await session.execute(stmt)).scalars() if o.state in states]


async def met_by_trigger(session: AsyncSession, case_id: uuid.UUID, code: str, trigger_id: uuid.UUID) -> bool:
    """Whether an obligation with this code that ``trigger_id`` opened on the case has been met."""
    stmt = sa.select(Obligation.id).where(
        Obligation.proceedings_id == case_id,
        Obligation.code == code,
        Obligation.trigger_id == trigger_id,
        Obligation.state == ObligationState.MET,
    )
    return (await session.execute(stmt.limit(1))).first() is not None


async def rule_of(session: AsyncSession, obligation: Obligation) -> ObligationRule:
    """The rule version the obligation was opened under."""
    rule = await session.get(ObligationRule, obligation.rule_id)
    assert rule is not None
    return rule


_OBLIGATIONS = Template(
    lambda filters: (
        sa.select(Obligation, ObligationRule)
        .join(ObligationRule, ObligationRule.id == Obligation.rule_id)
        .where(in_param(Obligation.proceedings_id, "case_ids"), filters.granted(Obligation.proceedings_id))
        .order_by(Obligation.due_on, Obligation.code, Obligation.id)
    )
)


async def obligations_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[Obligation, ObligationRule]]]:
    """Each case's obligations with the rule each was opened under, in the order they fall due."""
    rows = await session.execute(*_OBLIGATIONS.bound(viewer, case_ids=list(case_ids)))
    grouped: dict[uuid.UUID, list[tuple[Obligation, ObligationRule]]] = defaultdict(list)
    for obligation, rule in rows:
        grouped[obligation.proceedings_id].append((obligation, rule))
    return grouped


async def history_by_obligation(
    session: AsyncSession, viewer: Viewer, obligation_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ObligationEvent]]:
    """Each obligation's history of events, oldest first."""
    rows = await session.execute(
        sa.select(ObligationEvent)
        .join(Obligation, Obligation.id == ObligationEvent.obligation_id)
        .where(
            in_list(ObligationEvent.obligation_id, obligation_ids),
            granted(viewer, Permission.READ_CASE, Obligation.proceedings_id),
        )
        .order_by(ObligationEvent.occurred_at, ObligationEvent.id)
    )
    grouped: dict[uuid.UUID, list[ObligationEvent]] = defaultdict(list)
    for event in rows.scalars():
        grouped[event.obligation_id].append(event)
    return grouped


async def tasks_of(
    session: AsyncSession, viewer: Actor, closed_since: datetime
) -> list[tuple[Obligation, ObligationRule, Proceedings]]:
    """The viewer's obligations (theirs, or shared with them) on cases they may read: the open ones, and
    those closed since ``closed_since``, by due date. One query, however many there are."""
    stmt, params = _TASKS.bound(viewer, person_id=viewer.person_id, closed_since=closed_since)
    return [(o, r, p) for o, r, p in await session.execute(stmt, params)]


def _tasks(filters: Filters) -> sa.Select[Obligation, ObligationRule, Proceedings]:
    person_id = sa.bindparam("person_id", type_=sa.Uuid())
    return (
        sa.select(Obligation, ObligationRule, Proceedings)
        .join(ObligationRule, ObligationRule.id == Obligation.rule_id)
        .join(Proceedings, Proceedings.id == Obligation.proceedings_id)
        .where(
            sa.or_(Obligation.owner_person_id == person_id, Obligation.partner_person_id == person_id),
            filters.readable(Proceedings.id),
            sa.or_(
                Obligation.state == ObligationState.OPEN,
                Obligation.closed_at >= sa.bindparam("closed_since", type_=UTCDateTime()),
            ),
        )
        .order_by(Obligation.due_on, Proceedings.case_number, Obligation.code, Obligation.id)
    )


_TASKS = Template(_tasks)


async def obligations_with_rules(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[tuple[Obligation, ObligationRule]]:
    """The obligations with these ids, each with the rule it was opened under, in no particular order."""
    rows = await session.execute(
        sa.select(Obligation, ObligationRule)
        .join(ObligationRule, ObligationRule.id == Obligation.rule_id)
        .where(in_list(Obligation.id, ids))
    )
    return [(o, r) for o, r in rows]


async def current_rule(
    session: AsyncSession, code: str, organisation_id: uuid.UUID | None
) -> ObligationRule | None:
    """The version in force of the rule for ``code``: the organisation's override, or with
    ``organisation_id`` None the default; None if there is none."""
    stmt = (
        sa.select(ObligationRule)
        .where(ObligationRule.code == code, ObligationRule.superseded_at.is_(None))
        .where(
            ObligationRule.organisation_id.is_(None)
            if organisation_id is None
            else ObligationRule.organisation_id == organisation_id
        )
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def current_defaults(session: AsyncSession) -> dict[str, ObligationRule]:
    """The default rule in force for each code, by code."""
    stmt = sa.select(ObligationRule).where(
        ObligationRule.organisation_id.is_(None), ObligationRule.superseded_at.is_(None)
    )
    return {rule.code: rule for rule in (await session.execute(stmt)).scalars()}


async def current_rules_for(
    session: AsyncSession, codes: Sequence[str], organisation_ids: Sequence[uuid.UUID]
) -> list[ObligationRule]:
    """The rules in force for these codes: the defaults and the overrides of these organisations, in no
    particular order (the caller chooses among them)."""
    stmt = sa.select(ObligationRule).where(
        in_list(ObligationRule.code, codes),
        ObligationRule.superseded_at.is_(None),
        sa.or_(
            ObligationRule.organisation_id.is_(None),
            in_list(ObligationRule.organisation_id, organisation_ids),
        ),
    )
    return list((await session.execute(stmt)).scalars())


async def rules_in_force(session: AsyncSession) -> list[ObligationRule]:
    """Every rule in force, defaults and every organisation's overrides, in no particular order."""
    stmt = sa.select(ObligationRule).where(ObligationRule.superseded_at.is_(None))
    return list((await session.execute(stmt)).scalars())


async def current_arrangements_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ConsultationArrangement]:
    """Each case's consultation arrangement in force (not replaced), for the cases that have one."""
    rows = await session.execute(*_ARRANGEMENTS.bound(viewer, case_ids=list(case_ids)))
    return {a.proceedings_id: a for a in rows.scalars()}


_ARRANGEMENTS = Template(
    lambda filters: sa.select(ConsultationArrangement).where(
        in_param(ConsultationArrangement.proceedings_id, "case_ids"),
        ConsultationArrangement.replaced_at.is_(None),
        filters.granted(ConsultationArrangement.proceedings_id),
    )
)


async def replace_current_arrangement(session: AsyncSession, case_id: uuid.UUID, at: datetime) -> None:
    """Mark the case's arrangement in force, if any, as replaced at ``at``."""
    await session.execute(
        sa.update(ConsultationArrangement)
        .where(
            ConsultationArrangement.proceedings_id == case_id, ConsultationArrangement.replaced_at.is_(None)
        )
        .values(replaced_at=at)
    )
