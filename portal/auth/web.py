"""Who is asking, over HTTP: a bearer token (the API) or the signed session cookie (the pages)."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from portal.auth.actor import Actor, Via
from portal.auth.service import actor_for_person, person_for_token
from portal.db import UnitOfWork

SESSION_PERSON = "person_id"
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
        person_id = await person_for_token(session, secret.strip())
        if person_id is None:
            return None
        return await actor_for_person(session, person_id, via=Via.API, source=client_address(connection))

    actor = await uow.run(lookup)
    if not actor:
        raise BadToken
    return actor


async def session_actor(connection: HTTPConnection, uow: UnitOfWork) -> Actor | None:
    """The actor for a page request, from the signed session cookie."""
    raw = connection.session.get(SESSION_PERSON)
    if not raw:
        return None
    try:
        person_id = uuid.UUID(raw)
    except ValueError:
        return None
    return await uow.run(
        lambda session: actor_for_person(session, person_id, via=Via.WEB, source=client_address(connection))
    )


def sign_in(connection: HTTPConnection, person_id: uuid.UUID) -> None:
    """Start a fresh session for the person: nothing from before sign-in is kept."""
    connection.session.clear()
    connection.session[SESSION_PERSON] = str(person_id)
    connection.session[SESSION_CSRF] = secrets.token_urlsafe(32)


def sign_out(connection: HTTPConnection) -> None:
    connection.session.clear()


def csrf_token(connection: HTTPConnection) -> str:
    token = connection.session.get(SESSION_CSRF)
    if not token:
        token = connection.session[SESSION_CSRF] = secrets.token_urlsafe(32)
    return token


def csrf_valid(connection: HTTPConnection, submitted: str | None) -> bool:
    expected = connection.session.get(SESSION_CSRF)
    return bool(expected and submitted and secrets.compare_digest(expected, submitted))
