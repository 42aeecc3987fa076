"""Every statement on the outbox: claiming what is due for a sender and renewing the claim, settling how
sending went, gathering a person's held notices into their daily digest, queueing undelivered mail again,
and what the outbox holds."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import OutboxMessage, OutboxState, Person
from portal.in_list import in_list

DIGEST = "digest"


async def due_for_sending(session: AsyncSession, now: datetime, limit: int) -> list[OutboxMessage]:
    """Up to ``limit`` pending messages due by ``now`` that no sender holds (or whose hold has lapsed), the
    oldest first, locked for this transaction; rows another sender has locked are skipped, not waited for."""
    stmt = (
        sa.select(OutboxMessage)
        .where(
            OutboxMessage.state == OutboxState.PENDING,
            OutboxMessage.deliver_after <= now,
            sa.or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .order_by(OutboxMessage.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(stmt)).scalars())


async def renew(session: AsyncSession, message_id: uuid.UUID, claim: str, until: datetime) -> bool:
    """Hold the message until ``until``, if it is still pending under the claim ``claim``: whether it is.
    A sender renews just before sending, so it never sends what another sender has taken over."""
    renewed = await session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.claimed_by == claim,
            OutboxMessage.state == OutboxState.PENDING,
        )
        .values(claimed_until=until)
        .returning(OutboxMessage.id)
    )
    return renewed.first() is not None


async def settle(session: AsyncSession, message_id: uuid.UUID, worker: str, **values: object) -> None:
    """Release ``worker``'s hold on the message and write ``values`` (its state, attempts, error ...), only
    if the hold is still ``worker``'s."""
    await session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == worker)
        .values(claimed_until=None, claimed_by=None, **values)
    )


async def count_by_state(session: AsyncSession) -> list[tuple[OutboxState, int]]:
    """How many messages are in each state, for the states that have any, in no particular order."""
    rows = await session.execute(
        sa.select(OutboxMessage.state, sa.func.count()).group_by(OutboxMessage.state)
    )
    return [(state, count) for state, count in rows]


async def oldest_waiting(session: AsyncSession) -> datetime | None:
    """When the message that has waited longest to be sent was queued, if any is waiting."""
    return await session.scalar(
        sa.select(sa.func.min(OutboxMessage.queued_at)).where(OutboxMessage.state == OutboxState.PENDING)
    )


async def undelivered_to(
    session: AsyncSession, organisations: frozenset[uuid.UUID] | None, limit: int
) -> list[tuple[OutboxMessage, str]]:
    """Up to ``limit`` of the messages that gave up to people of ``organisations`` (None: anyone's), the
    latest queued first, each with its recipient's name."""
    stmt = (
        sa.select(OutboxMessage, Person.name)
        .join(Person, Person.id == OutboxMessage.person_id)
        .where(OutboxMessage.state == OutboxState.DEAD)
        .order_by(OutboxMessage.queued_at.desc(), OutboxMessage.id)
        .limit(limit)
    )
    if organisations is not None:
        stmt = stmt.where(in_list(Person.organisation_id, list(organisations)))
    return [(message, name) for message, name in await session.execute(stmt)]


async def recipient_organisation(session: AsyncSession, message_id: uuid.UUID) -> uuid.UUID | None:
    """The organisation of the person a message that gave up was for; None if no such message gave up."""
    return await session.scalar(
        sa.select(Person.organisation_id)
        .join(OutboxMessage, OutboxMessage.person_id == Person.id)
        .where(OutboxMessage.id == message_id, OutboxMessage.state == OutboxState.DEAD)
    )


async def requeue(session: AsyncSession, now: datetime, message_id: uuid.UUID | None = None) -> int:
    """Queue every message that gave up (or just ``message_id``, if it did) again, to be sent now and
    retried afresh: how many were."""
    stmt = sa.update(OutboxMessage).where(OutboxMessage.state == OutboxState.DEAD)
    if message_id is not None:
        stmt = stmt.where(OutboxMessage.id == message_id)
    requeued = await session.execute(
        stmt.values(state=OutboxState.PENDING, queued_at=now, deliver_after=now, attempts=0).returning(
            OutboxMessage.id
        )
    )
    return len(requeued.all())


async def people_with_held_messages(session: AsyncSession) -> list[uuid.UUID]:
    """The people who have messages held for their daily digest, in no particular order."""
    rows = await session.execute(
        sa.select(OutboxMessage.person_id)
        .where(OutboxMessage.state == OutboxState.HELD)
        .group_by(OutboxMessage.person_id)
    )
    return list(rows.scalars().all())


async def digest_written_since(session: AsyncSession, person_id: uuid.UUID, since: datetime) -> bool:
    """Whether a digest for the person has been written since ``since``."""
    count = await session.scalar(
        sa.select(sa.func.count()).where(
            OutboxMessage.person_id == person_id,
            OutboxMessage.kind == DIGEST,
            OutboxMessage.created_at >= since,
        )
    )
    return bool(count)


async def gather_held(
    session: AsyncSession, person_id: uuid.UUID, digest_id: uuid.UUID
) -> list[tuple[str, str, str, datetime]]:
    """Mark every message held for the person as part of the digest ``digest_id``: the subject, body, link
    path and creation time of each, in no particular order. Two clocks cannot gather the same message."""
    rows = await session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.person_id == person_id, OutboxMessage.state == OutboxState.HELD)
        .values(state=OutboxState.DIGESTED, digest_id=digest_id)
        .returning(
            OutboxMessage.subject,
            OutboxMessage.body,
            OutboxMessage.link_path,
            OutboxMessage.created_at,
        )
    )
    return [(subject, body, link, created_at) for subject, body, link, created_at in rows]


async def discard_unsent(session: AsyncSession) -> None:
    """Drop every message not yet sent: only for the demo, whose past was never mailed to anyone."""
    await session.execute(
        sa.delete(OutboxMessage).where(OutboxMessage.state.in_([OutboxState.PENDING, OutboxState.HELD]))
    )
