"""Web sessions kept on the server: the browser holds a random token, the database its hash, so a session
can be ended (signing out, timing out) and not merely forgotten by the browser."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models import WebSession, utcnow
from portal.auth import repository

# last_seen_at is moved at most this often, so that reading pages does not write on every request.
TOUCH_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start(
    session: AsyncSession, person_id: uuid.UUID, *, issuer: str | None, id_token: str | None, source: str
) -> str:
    """A new session for the person; returns the token for the cookie (shown once, never stored)."""
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=_hash(token),
            person_id=person_id,
            issuer=issuer,
            id_token=id_token,
            source=source[:100],
        )
    )
    await session.flush()
    return token


@dataclass(frozen=True)
class Resumed:
    """A session looked up for a request: the live one (or None), and what to record of it afterwards,
    outside the request's transaction (which may only read)."""

    live: WebSession | None
    id: uuid.UUID | None = None
    # The session has just ended, for this reason ("idle", "expired").
    ended: str | None = None
    # Its last use is worth moving on.
    touched: bool = False

    @property
    def bookkeeping(self) -> bool:
        return self.ended is not None or self.touched


async def resume(
    session: AsyncSession, token: str, *, idle: timedelta, absolute: timedelta, now: datetime | None = None
) -> Resumed:
    """The live session for ``token``. A session idle too long, or older than the absolute limit, is not
    live, and ``record_use`` ends it."""
    now = now or utcnow()
    found = await repository.web_session_by_hash(session, _hash(token))
    if found is None or found.ended_at is not None:
        return Resumed(None)
    if now - found.last_seen_at > idle:
        return Resumed(None, found.id, ended="idle")
    if now - found.created_at > absolute:
        return Resumed(None, found.id, ended="expired")
    return Resumed(found, found.id, touched=now - found.last_seen_at > TOUCH_EVERY)


async def record_use(session: AsyncSession, resumed: Resumed, now: datetime) -> None:
    """End the session, or move its last use on, as ``resume`` found (a no-op if another request did)."""
    if resumed.id is None:
        return
    if resumed.bookkeeping:
        await repository.record_session_use(session, resumed.id, now, ended=resumed.ended)


async def end(session: AsyncSession, token: str, *, reason: str = "signed out") -> WebSession | None:
    """End the session (if it is live); returns it, so that it can be ended at its provider too."""
    found = await repository.web_session_by_hash(session, _hash(token), live_only=True)
    if found is not None:
        found.ended_at, found.end_reason = utcnow(), reason
    return found
