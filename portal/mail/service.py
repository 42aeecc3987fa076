"""Who sees the email that gave up, and queueing it again. An administrator sees their organisation's staff's
(a national administrator everyone's) and may queue it again; a Cafcass or IRO manager sees their own
organisation's, as they see its adherence: a guardian or IRO who is not told of their tasks (P2, P3, ...)
is the protocol not happening."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditOutcome, OutboxMessage, utcnow
from portal.access.policy import Permission, has_global_permission
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.errors import DomainError, ErrorCode, NotFound
from portal.mail import repository

# The most the portal lists at once; the rest are there for `portal outbox status`.
SHOWN = 200


def _seen_by(actor: Actor) -> frozenset[uuid.UUID] | None:
    """Whose undelivered email the actor sees: every organisation's (None), their own, or nobody's."""
    if has_global_permission(actor.roles, Permission.ADMINISTER_NATIONALLY, actor.scopes):
        return None
    if has_global_permission(actor.roles, Permission.ADMINISTER, actor.scopes) or has_global_permission(
        actor.roles, Permission.VIEW_ADHERENCE, actor.scopes
    ):
        return frozenset({actor.organisation_id})
    return frozenset()


def sees_undelivered(actor: Actor) -> bool:
    """Whether the actor looks after anyone's email (the page's link and the page itself)."""
    return _seen_by(actor) != frozenset()


def may_retry(actor: Actor) -> bool:
    """Whether the actor may queue an email that gave up again (an administrator)."""
    return has_global_permission(actor.roles, Permission.ADMINISTER, actor.scopes)


async def undelivered(session: AsyncSession, actor: Actor) -> list[tuple[OutboxMessage, str]]:
    """The email that gave up to the people the actor looks after, the latest first, each with its
    recipient's name; empty for anyone else. The reading is recorded (staff's names and addresses)."""
    organisations = _seen_by(actor)
    if organisations == frozenset():
        return []
    audit.record(session, actor, "undelivered_email.read", subject_type="outbox")
    return await repository.undelivered_to(session, organisations, SHOWN)


async def retry(session: AsyncSession, actor: Actor, message_id: uuid.UUID) -> None:
    """Queue an email that gave up again, to be sent now (an administrator of its recipient's organisation,
    or a national one). Anyone else, and any email that did not give up, gets the same NOT_FOUND."""
    if not may_retry(actor):
        raise DomainError.one(ErrorCode.NOT_PERMITTED, "Only an administrator can do this")
    organisation = await repository.recipient_organisation(session, message_id)
    seen = _seen_by(actor)
    if organisation is None or (seen is not None and organisation not in seen):
        audit.record(
            session,
            actor,
            "refused:email.retry",
            subject_type="outbox_message",
            subject_id=message_id,
            outcome=AuditOutcome.REFUSED,
        )
        raise NotFound("Email", "id")
    await repository.requeue(session, utcnow(), message_id)
    audit.record(session, actor, "email.retry", subject_type="outbox_message", subject_id=message_id)
