"""Audit events wait on the session until its transaction commits, then are chained in one short append.

Appending at commit keeps the lock on the chain's head for milliseconds, not for the whole request. Events
of a transaction that rolls back are dropped, except refusals: those are kept, in a transaction of their own.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from models import AuditEvent, AuditOutcome
from portal.audit import chain

KEY = "audit_events"


def add(session: AsyncSession | Session, audit_event: AuditEvent) -> None:
    session.info.setdefault(KEY, []).append(audit_event)


@event.listens_for(Session, "before_commit")
def _append_on_commit(session: Session) -> None:
    events = session.info.pop(KEY, None)
    if events:
        chain.append(session, events)


async def rollback(session: AsyncSession) -> None:
    """Roll back the request's work, but keep the record of what it was refused."""
    refusals = [e for e in session.info.pop(KEY, []) if e.outcome is AuditOutcome.REFUSED]
    await session.rollback()
    if refusals:
        session.info[KEY] = refusals
        await session.commit()
