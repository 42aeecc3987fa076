"""Who is asking, over HTTP: a bearer token (the API) or the signed session cookie (the pages)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from models import utcnow
from portal.audit import service as audit
from portal.auth import sessions, tokens
from portal.auth.actor import Actor, Via
from portal.auth.service import actor_for_person
from portal.db import UnitOfWork
from portal.settings import Settings

SESSION_TOKEN = "session"
SESSION_CSRF = "csrf"


class BadToken(Exception):
    """A bearer token was sent but is unknown, expired or revoked."""


def client_address(connection: HTTPConnection) -> str:
    return connection.client.host if connection.client else ""


async def api_actor(connection: HTTPConnection, uow: UnitOfWork) -> Actor | None:
    """The actor for an API request: None without a token; BadToken for a token that is not live."""
    header = connection.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if not header:
        return None
    if scheme.lower() != "bearer" or not secret:
        raise BadToken

    async def lookup(session: AsyncSession) -> Actor | None:
        now = utcnow()
        token = await tokens.live_token(session, secret.strip(), now=now)
        if token is None:
            return None
        actor = await actor_for_person(
            session,
            token.person_id,
            via=Via.API,
            source=client_address(connection),
            scopes=tokens.scopes_of(token),
            token_id=token.id,
        )
        if actor is not None:
            audit.record(
                session, actor, "token.use", subject_type="api_token", subject_id=token.id, kept=True
            )
            if tokens.use_is_stale(token, now):
                token_id = token.id
                uow.after(("token", token_id), lambda s: tokens.stamp_use(s, token_id, now))
        return actor

    actor = await uow.run(lookup)
    if not actor:
        raise BadToken
    return actor


async def session_actor(connection: HTTPConnection, uow: UnitOfWork, settings: Settings) -> Actor | None:
    """The actor for a page request: the live server-side session named by the signed cookie."""
    token = connection.session.get(SESSION_TOKEN)
    if not token:
        return None

    async def lookup(session: AsyncSession) -> Actor | None:
        now = utcnow()
        resumed = await sessions.resume(
            session,
            token,
            idle=timedelta(minutes=settings.session_idle_minutes),
            absolute=timedelta(hours=settings.session_absolute_hours),
            now=now,
        )
        if resumed.bookkeeping:
            uow.after(("session", resumed.id), lambda s: sessions.record_use(s, resumed, now))
        if resumed.live is None:
            return None
        return await actor_for_person(
            session, resumed.live.person_id, via=Via.WEB, source=client_address(connection)
        )

    actor = await uow.run(lookup)
    if actor is None:
        connection.session.clear()  # a cookie for a session that has ended
    return actor


def begin_session(connection: HTTPConnection, token: str) -> None:
    """Put a new session in the cookie. Nothing from before sign-in is kept: a new session token and a
    new CSRF token, so that a session fixed by someone else before sign-in is worthless."""
    connection.session.clear()
    connection.session[SESSION_TOKEN] = token
    connection.session[SESSION_CSRF] = secrets.token_urlsafe(32)


def end_session(connection: HTTPConnection) -> str | None:
    """Empty the cookie; returns the session token it held, to end the session on the server."""
    token = connection.session.get(SESSION_TOKEN)
    connection.session.clear()
    return token


def csrf_token(connection: HTTPConnection) -> str:
    token = connection.session.get(SESSION_CSRF)
    if not token:
        token = connection.session[SESSION_CSRF] = secrets.token_urlsafe(32)
    return token


def csrf_valid(connection: HTTPConnection, submitted: str | None) -> bool:
    expected = connection.session.get(SESSION_CSRF)
    return bool(expected and submitted and secrets.compare_digest(expected, submitted))
