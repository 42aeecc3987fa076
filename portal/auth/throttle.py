"""Rate limiting sign-in attempts by where they come from, in the database so every app process agrees."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models import SignInAttempt, utcnow
from portal.auth import repository


async def allow_sign_in_attempt(session: AsyncSession, source: str, *, limit: int, window: timedelta) -> bool:
    """Record an attempt from ``source``; False if it has made ``limit`` attempts within ``window``."""
    since = utcnow() - window
    # Attempts older than the window mean nothing: forget them as we go.
    await repository.forget_attempts_before(session, since)
    if await repository.attempts_since(session, source, since) >= limit:
        return False
    session.add(SignInAttempt(source=source[:100]))
    await session.flush()
    return True
