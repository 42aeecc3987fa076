"""The hash chain over the audit trail: appending events, and verifying that none was altered or removed.

Each event's hash is SHA-256 over its contents and the previous event's hash. Appends lock the single
``audit_head`` row, so concurrent requests chain one after another instead of forking the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from models import GENESIS_HASH, AuditEvent, AuditHead

VERIFY_BATCH = 5000


def digest(event: AuditEvent, prev_hash: str) -> str:
    """The hash of an event: its every field, in a fixed order, and the previous hash."""
    fields = [
        event.seq,
        event.occurred_at.isoformat(timespec="microseconds"),
        str(event.person_id or ""),
        event.acting_as,
        event.action,
        event.subject_type,
        str(event.subject_id or ""),
        str(event.case_id or ""),
        event.outcome.value,
        event.channel,
        event.source,
        str(event.id),
        prev_hash,
    ]
    return hashlib.sha256(json.dumps(fields, separators=(",", ":")).encode()).hexdigest()


def append(session: Session, events: Iterable[AuditEvent]) -> None:
    """Chain ``events`` onto the end of the trail, in the caller's transaction (a synchronous session:
    this runs in the session's ``before_commit`` hook)."""
    head = session.execute(sa.select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
    for event in events:
        event.seq = head.seq + 1
        event.prev_hash = head.hash
        event.hash = digest(event, head.hash)
        head.seq, head.hash = event.seq, event.hash
        session.add(event)
    session.flush()


@dataclass(frozen=True)
class Verdict:
    rows: int
    # The first problem found, naming the row; None when the whole trail verifies.
    problem: str | None = None

    @property
    def clean(self) -> bool:
        return self.problem is None


def _fault(event: AuditEvent, seq: int, prev: str) -> str | None:
    """What is wrong with ``event`` if it should be row ``seq``, following a row whose hash is ``prev``."""
    if event.seq != seq:
        return f"row {seq} is missing: row {event.seq} (id {event.id}) follows row {seq - 1}"
    if event.prev_hash != prev:
        return f"row {seq} (id {event.id}) does not follow row {seq - 1}: the chain is broken there"
    if event.hash != digest(event, prev):
        return f"row {seq} (id {event.id}) has been altered: its contents do not match its hash"
    return None


async def verify(session: AsyncSession) -> Verdict:
    """Walk the whole trail in order, a batch at a time, recomputing every hash."""
    seq, prev = 1, GENESIS_HASH
    while True:
        stmt = sa.select(AuditEvent).where(AuditEvent.seq >= seq).order_by(AuditEvent.seq).limit(VERIFY_BATCH)
        batch = (await session.execute(stmt)).scalars().all()
        for event in batch:
            if fault := _fault(event, seq, prev):
                return Verdict(seq - 1, fault)
            seq, prev = seq + 1, event.hash
        session.expunge_all()
        if len(batch) < VERIFY_BATCH:
            break
    last = seq - 1
    head = (await session.execute(sa.select(AuditHead).where(AuditHead.id == 1))).scalar_one()
    if head.seq > last:
        return Verdict(
            last,
            f"the trail ends at row {last} but its head records row {head.seq}: "
            f"rows {last + 1} to {head.seq} have been removed",
        )
    if (head.seq, head.hash) != (last, prev):
        return Verdict(last, f"the head of the trail does not match row {last}: it has been altered")
    return Verdict(last)
