"""Every query on the audit trail: appending events, the sealer's queue and chain, a case's log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from models import GENESIS_HASH, AuditEvent, AuditQueue, AuditSeal
from portal.in_list import in_list

# Rows per INSERT: a request's looks fit in one (a page of cases is at most 100), and a bulk load's events
# stay under both databases' limits on bound parameters.
INSERT_BATCH = 1000
# Any number will do, as long as nothing else in the database takes the same advisory lock.
SEALER_LOCK = 0x5EA1_0A0D17


# The table itself, not the model: the ORM's bulk insert would leave out empty columns, and a request whose
# events differ in which are empty would then take a statement for each kind.
_EVENTS = cast(sa.Table, sa.inspect(AuditEvent).local_table)


def insert_events(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Append events: one INSERT statement for a request's events (a trigger queues them for sealing). The
    rows go as parameters, not in the statement, so it compiles once however many there are."""
    for start in range(0, len(rows), INSERT_BATCH):
        session.execute(sa.insert(_EVENTS), list(rows[start : start + INSERT_BATCH]))


Cursor = tuple[datetime, uuid.UUID]


async def events_for_case(
    session: AsyncSession, case_id: uuid.UUID, *, first: int, before: Cursor | None
) -> tuple[list[AuditEvent], bool]:
    """A page of the events on a case, newest first (an index on case, time and id serves it)."""
    stmt = sa.select(AuditEvent).where(AuditEvent.case_id == case_id)
    if before is not None:
        stmt = stmt.where(sa.tuple_(AuditEvent.occurred_at, AuditEvent.id) < sa.tuple_(*before))
    stmt = stmt.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(first + 1)
    rows = list((await session.execute(stmt)).scalars())
    return rows[:first], len(rows) > first


async def take_sealer_lock(session: AsyncSession) -> bool:
    """Whether this transaction may seal: on PostgreSQL one sealer at a time holds an advisory lock until
    it commits (the others skip their round); SQLite's single writer already serialises sealers."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool((await session.execute(sa.select(sa.func.pg_try_advisory_xact_lock(SEALER_LOCK)))).scalar())


async def chain_head(session: AsyncSession) -> tuple[int, str]:
    """The last seal's position and hash, or the start of the chain."""
    stmt = sa.select(AuditSeal.seq, AuditSeal.hash).order_by(AuditSeal.seq.desc()).limit(1)
    row = (await session.execute(stmt)).first()
    return (row[0], row[1]) if row else (0, GENESIS_HASH)


async def queued(session: AsyncSession, limit: int) -> list[tuple[uuid.UUID, AuditEvent | None]]:
    """The oldest queued events, in the order they occurred (None for a queued id whose event is gone)."""
    stmt = (
        sa.select(AuditQueue.event_id, AuditEvent)
        .outerjoin(AuditEvent, AuditEvent.id == AuditQueue.event_id)
        .order_by(AuditQueue.occurred_at, AuditQueue.event_id)
        .limit(limit)
    )
    return [(event_id, event) for event_id, event in await session.execute(stmt)]


async def add_seals(
    session: AsyncSession, seals: Sequence[dict[str, Any]], taken: Sequence[uuid.UUID]
) -> None:
    """Append seals and take their events off the queue, in the sealer's transaction."""
    if seals:
        # Many rows of one statement, compiled once (a VALUES list is compiled afresh for each length).
        await session.execute(sa.insert(AuditSeal), list(seals))
    if taken:
        await session.execute(sa.delete(AuditQueue).where(in_list(AuditQueue.event_id, list(taken))))


async def seals_from(
    session: AsyncSession, seq: int, limit: int
) -> list[tuple[AuditSeal, AuditEvent | None]]:
    """Seals from position ``seq`` on, in order, each with its event (None when the event is gone)."""
    stmt = (
        sa.select(AuditSeal, AuditEvent)
        .outerjoin(AuditEvent, AuditEvent.id == AuditSeal.event_id)
        .where(AuditSeal.seq >= seq)
        .order_by(AuditSeal.seq)
        .limit(limit)
    )
    return [(seal, event) for seal, event in await session.execute(stmt)]


async def unaccounted_events(session: AsyncSession, limit: int) -> list[AuditEvent]:
    """Events neither sealed nor waiting to be: put there behind the trail's back."""
    stmt = (
        sa.select(AuditEvent)
        .where(
            ~sa.exists().where(AuditSeal.event_id == AuditEvent.id),
            ~sa.exists().where(AuditQueue.event_id == AuditEvent.id),
        )
        .order_by(AuditEvent.occurred_at)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def backlog(session: AsyncSession) -> tuple[int, datetime | None]:
    """How many events wait to be sealed, and when the oldest of them occurred."""
    count, oldest = (
        await session.execute(sa.select(sa.func.count(), sa.func.min(AuditQueue.occurred_at)))
    ).one()
    return count, oldest
