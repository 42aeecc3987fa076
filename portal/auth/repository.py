"""Queries for signing in: the accounts at identity providers bound to people, and the sign-in attempts
counted for rate limiting. (The Actor's own queries are the people's and the cases' repositories'.)"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import PersonIdentity, SignInAttempt


async def identity_at(session: AsyncSession, issuer: str, subject: str) -> PersonIdentity | None:
    """The binding of the provider's account (issuer and subject) to a person, if there is one."""
    stmt = sa.select(PersonIdentity).where(PersonIdentity.issuer == issuer, PersonIdentity.subject == subject)
    return (await session.execute(stmt)).scalar_one_or_none()


async def has_identity_at(session: AsyncSession, person_id: uuid.UUID, issuer: str) -> bool:
    """Whether the person is bound to some account at this issuer already."""
    stmt = sa.select(PersonIdentity.id).where(
        PersonIdentity.person_id == person_id, PersonIdentity.issuer == issuer
    )
    return (await session.execute(stmt)).first() is not None


async def forget_attempts_before(session: AsyncSession, before: datetime) -> None:
    """Delete every sign-in attempt made before ``before``, from anywhere."""
    await session.execute(sa.delete(SignInAttempt).where(SignInAttempt.attempted_at < before))


async def attempts_since(session: AsyncSession, source: str, since: datetime) -> int:
    """How many sign-in attempts ``source`` has made since ``since``."""
    stmt = sa.select(sa.func.count()).where(
        SignInAttempt.source == source, SignInAttempt.attempted_at >= since
    )
    return (await session.execute(stmt)).scalar_one()
