"""Rate limiting sign-in attempts by where they come from, in the database so every app process agrees."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import SignInAttempt, utcnow


async def allow_sign_in_attempt(session: AsyncSession, source: str, *, limit: int, window: timedelta) -> bool:
    """Record an attempt from ``source``; False if it has made ``limit`` attempts within ``window``."""
    since = utcnow() - window
    # Attempts older than the window mean nothing: forget them as we go.
    await session.execute(sa.delete(SignInAttempt).where(SignInAttempt.attempted_at < since))
    recent = (
        await session.execute(
            sa.select(sa.func.count()).where(
                SignInAttempt.source == source, SignInAttempt.attempted_at >= since
            )
        )
    ).scalar_one()
    if recent >= limit:
        return False
    session.add(SignInAttempt(source=source[:100]))
    await session.flush()
    return True
