"""Reading the audit trail."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent


async def events_for_case(
    session: AsyncSession, case_id: uuid.UUID, *, first: int, before_seq: int | None
) -> tuple[list[AuditEvent], bool]:
    """A page of the events on a case, newest first (an index on case and sequence serves it)."""
    stmt = sa.select(AuditEvent).where(AuditEvent.case_id == case_id)
    if before_seq is not None:
        stmt = stmt.where(AuditEvent.seq < before_seq)
    rows = list((await session.execute(stmt.order_by(AuditEvent.seq.desc()).limit(first + 1))).scalars())
    return rows[:first], len(rows) > first
