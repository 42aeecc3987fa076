"""Putting email in the outbox, in the same transaction as the event that causes it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models import EmailPreference, OutboxMessage, OutboxState, Person


def enqueue(
    session: AsyncSession, person: Person, *, kind: str, subject: str, body: str, link_path: str
) -> None:
    """An email to ``person``. It must carry no case content (no names, no case numbers): what kind of
    thing, by when, and a link to the portal, where they sign in to see it. For someone who chose a daily
    digest it is held for the clock to gather into one. Someone no longer active gets nothing."""
    if not person.active:
        return
    session.add(
        OutboxMessage(
            person_id=person.id,
            to_address=person.email,
            kind=kind,
            subject=subject,
            body=body,
            link_path=link_path,
            state=OutboxState.HELD
            if person.email_preference is EmailPreference.DAILY_DIGEST
            else OutboxState.PENDING,
        )
    )
