"""Who is asking, over HTTP: a bearer token (the API) or the signed session cookie (the pages)."""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from models import utcnow
from portal import logs
from portal.audit import service as audit
from portal.auth import sessions, tokens
from portal.auth.actor import Actor, Via
from portal.auth.service import actor_for_person
from portal.db import UnitOfWork
from portal.settings import Settings

# The portal's one cookie: signed, it holds the session's token and its CSRF token (and, while someone signs
# in with their organisation's account, that sign-in's state). The cookies page lists it by this name.
SESSION_COOKIE = "portal_session"
SESSION_TOKEN = "session"
SESSION_CSRF = "csrf"


class BadToken(Exception):
    """A bearer token was sent but is unknown, expired or revoked."""


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(connection: HTTPConnection) -> str:
    """Where the request came from: for rate limiting sign-in, the audit trail and sessions, the one place
    that decides it.

    The address that connected, unless it is one of the trusted proxies (the ``trusted_proxies`` setting):
    then the right-most address in X-Forwarded-For that is not a trusted proxy. Every proxy appends the
    address that connected to it, so everything right of that address was written by a trusted proxy, and
    anything left of it may have been made up by the client."""
    peer = connection.client.host if connection.client else ""
    settings: Settings = connection.app.state.settings
    return forwarded_client(peer, connection.headers.getlist("x-forwarded-for"), settings.trusted_proxies)


def forwarded_client(peer: str, forwarded_for: Sequence[str], trusted: Sequence[IPNetwork]) -> str:
    """The client's address, given the address that connected, the X-Forwarded-For headers (in order) and
    the trusted proxies."""
    if not trusted or not _trusted(_address(peer), trusted):
        return peer
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
    client = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # A trusted proxy wrote something that is not an address ("unknown"): the last address we
            # know is the nearest we can say.
            return client
        client = str(address)
        if not _trusted(address, trusted):
            return client
    # Every hop is a trusted proxy: the request came from inside; the left-most is where.
    return client


def _address(text: str) -> IPAddress | None:
    """An IP address as X-Forwarded-For may give it: bare, with a port, or in brackets (IPv6)."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: IPAddress | None, trusted: Sequence[IPNetwork]) -> bool:
    return address is not None and any(address in network for network in trusted)


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
    logs.PERSON.set(str(actor.person_id))
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
    else:
        logs.PERSON.set(str(actor.person_id))
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
