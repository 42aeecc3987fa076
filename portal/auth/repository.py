"""Queries for signing in and API tokens: the accounts at identity providers bound to people, web sessions,
API tokens, and the sign-in attempts counted for rate limiting. (The Actor's own queries are the people's
and the cases' repositories'.)"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import ApiToken, Counted, PersonIdentity, SignInAttempt, WebSession


async def identity_at(session: AsyncSession, issuer: str, subject: str) -> PersonIdentity | None:
    """The binding of the provider's account (issuer and subject) to a person, if there is one."""
    stmt = sa.select(PersonIdentity).where(PersonIdentity.issuer == issuer, PersonIdentity.subject == subject)
    return (await session.execute(stmt)).scalar_one_or_none()


async def identity_of(session: AsyncSession, person_id: uuid.UUID, issuer: str) -> PersonIdentity | None:
    """The account at this issuer the person is bound to, if any (there is at most one)."""
    stmt = sa.select(PersonIdentity).where(
        PersonIdentity.person_id == person_id, PersonIdentity.issuer == issuer
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def forget_attempts_before(session: AsyncSession, before: datetime, *, at_most: int) -> int:
    """Delete up to ``at_most`` sign-in attempts made before ``before``, of any address or account; how
    many. Rows another transaction is deleting are skipped (PostgreSQL), so sweepers never queue on each
    other."""
    old = (
        sa.select(SignInAttempt.id)
        .where(SignInAttempt.attempted_at < before)
        .limit(at_most)
        .with_for_update(skip_locked=True)
    )
    result = await session.execute(sa.delete(SignInAttempt).where(SignInAttempt.id.in_(old)))
    return int(getattr(result, "rowcount", 0) or 0)


async def attempts_since(session: AsyncSession, counted: Counted, key: str, since: datetime) -> int:
    """How many sign-in attempts have been counted against ``key`` (an address or an account) since
    ``since``."""
    stmt = sa.select(sa.func.count()).where(
        SignInAttempt.counted == counted, SignInAttempt.key == key, SignInAttempt.attempted_at >= since
    )
    return (await session.execute(stmt)).scalar_one()


async def token_by_hash(session: AsyncSession, token_hash: str) -> ApiToken | None:
    """The API token whose secret hashes to ``token_hash``, live or not."""
    return (await session.execute(_TOKEN, {"token_hash": token_hash})).scalar_one_or_none()


# Every API request runs it: built once.
_TOKEN = sa.select(ApiToken).where(ApiToken.token_hash == sa.bindparam("token_hash", type_=sa.String()))


async def stamp_token_use(
    session: AsyncSession, token_id: uuid.UUID, now: datetime, every: timedelta
) -> None:
    """Move the token's last use to ``now`` unless it was stamped within ``every``."""
    await session.execute(
        sa.update(ApiToken)
        .where(
            ApiToken.id == token_id,
            sa.or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - every),
        )
        .values(last_used_at=now)
    )


async def tokens_of(session: AsyncSession, person_id: uuid.UUID) -> list[ApiToken]:
    """A person's tokens, live and ended, newest first."""
    stmt = sa.select(ApiToken).where(ApiToken.person_id == person_id).order_by(ApiToken.created_at.desc())
    return list((await session.execute(stmt)).scalars())


async def revoke_made_with(session: AsyncSession, token_id: uuid.UUID, now: datetime) -> list[uuid.UUID]:
    """Revoke every live token made with ``token_id``, and those made with them, in one statement; their
    ids."""
    made = sa.select(ApiToken.id).where(ApiToken.made_with_id == token_id).cte("made", recursive=True)
    made = made.union_all(sa.select(ApiToken.id).where(ApiToken.made_with_id == made.c.id))
    revoked = await session.execute(
        sa.update(ApiToken)
        .where(ApiToken.id.in_(sa.select(made.c.id)), ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(ApiToken.id)
    )
    return list(revoked.scalars())


async def web_session_by_hash(
    session: AsyncSession, token_hash: str, *, live_only: bool = False
) -> WebSession | None:
    """The web session whose token hashes to ``token_hash`` (only if not ended, with ``live_only``)."""
    stmt = sa.select(WebSession).where(WebSession.token_hash == token_hash)
    if live_only:
        stmt = stmt.where(WebSession.ended_at.is_(None))
    return (await session.execute(stmt)).scalar_one_or_none()


async def record_session_use(
    session: AsyncSession, session_id: uuid.UUID, now: datetime, *, ended: str | None
) -> None:
    """End a web session for the reason ``ended``, or move its last use on to ``now``; nothing if it has
    ended already (or, for its use, moved on further)."""
    stmt = sa.update(WebSession).where(WebSession.id == session_id, WebSession.ended_at.is_(None))
    if ended:
        await session.execute(stmt.values(ended_at=now, end_reason=ended))
    else:
        await session.execute(stmt.where(WebSession.last_seen_at < now).values(last_seen_at=now))
