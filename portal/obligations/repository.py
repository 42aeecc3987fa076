"""Queries on obligations."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import Obligation, ObligationEvent, ObligationRule, ObligationState, Proceedings


async def open_obligations(
    session: AsyncSession, case_id: uuid.UUID, codes: Sequence[str]
) -> list[Obligation]:
    stmt = sa.select(Obligation).where(
        Obligation.proceedings_id == case_id,
        Obligation.code.in_(codes),
        Obligation.state == ObligationState.OPEN,
    )
    # The session does not autoflush: one closed earlier in this transaction is still open in the database.
    return [o for o in (await session.execute(stmt)).scalars() if o.state is ObligationState.OPEN]


async def met_by_trigger(session: AsyncSession, case_id: uuid.UUID, code: str, trigger_id: uuid.UUID) -> bool:
    stmt = sa.select(Obligation.id).where(
        Obligation.proceedings_id == case_id,
        Obligation.code == code,
        Obligation.trigger_id == trigger_id,
        Obligation.state == ObligationState.MET,
    )
    return (await session.execute(stmt.limit(1))).first() is not None


async def rule_of(session: AsyncSession, obligation: Obligation) -> ObligationRule:
    rule = await session.get(ObligationRule, obligation.rule_id)
    assert rule is not None
    return rule


async def obligations_by_case(
    session: AsyncSession, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[Obligation, ObligationRule]]]:
    """Each case's obligations with the rule each was opened under, in the order they fall due."""
    rows = await session.execute(
        sa.select(Obligation, ObligationRule)
        .join(ObligationRule, ObligationRule.id == Obligation.rule_id)
        .where(Obligation.proceedings_id.in_(case_ids))
        .order_by(Obligation.due_on, Obligation.code)
    )
    grouped: dict[uuid.UUID, list[tuple[Obligation, ObligationRule]]] = defaultdict(list)
    for obligation, rule in rows:
        grouped[obligation.proceedings_id].append((obligation, rule))
    return grouped


async def history_by_obligation(
    session: AsyncSession, obligation_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ObligationEvent]]:
    rows = await session.execute(
        sa.select(ObligationEvent)
        .where(ObligationEvent.obligation_id.in_(obligation_ids))
        .order_by(ObligationEvent.occurred_at, ObligationEvent.id)
    )
    grouped: dict[uuid.UUID, list[ObligationEvent]] = defaultdict(list)
    for event in rows.scalars():
        grouped[event.obligation_id].append(event)
    return grouped


async def tasks_of(
    session: AsyncSession, person_id: uuid.UUID, readable: sa.ColumnElement[bool], closed_since: datetime
) -> list[tuple[Obligation, ObligationRule, Proceedings]]:
    """A person's obligations (theirs, or shared with them) on cases they may read: the open ones, and those
    closed since ``closed_since``, by due date. One query, however many there are."""
    rows = await session.execute(
        sa.select(Obligation, ObligationRule, Proceedings)
        .join(ObligationRule, ObligationRule.id == Obligation.rule_id)
        .join(Proceedings, Proceedings.id == Obligation.proceedings_id)
        .where(
            sa.or_(Obligation.owner_person_id == person_id, Obligation.partner_person_id == person_id),
            readable,
            sa.or_(Obligation.state == ObligationState.OPEN, Obligation.closed_at >= closed_since),
        )
        .order_by(Obligation.due_on, Proceedings.case_number, Obligation.code)
    )
    return [(o, r, p) for o, r, p in rows]
