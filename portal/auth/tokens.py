"""API tokens: scoped, expiring, revocable, listed; only their SHA-256 is stored, and each use is audited."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models import ApiToken, Person, utcnow
from portal.access.policy import Permission, grantable, has_global_permission
from portal.audit import service as audit
from portal.auth import repository
from portal.auth.actor import Actor
from portal.errors import DomainError, ErrorCode, NotFound, Problems
from portal.people import repository as people
from portal.validation import clean_required

PREFIX = "gip_"
DEFAULT_DAYS = 90
MAX_DAYS = 365
# A token's last use is stamped at most this often.
STAMP_EVERY = timedelta(minutes=1)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def scopes_of(token: ApiToken) -> frozenset[str]:
    return frozenset(token.scopes.split())


def _may_manage(actor: Actor | None, person_id: uuid.UUID) -> bool:
    """People manage their own tokens; at the command line (no actor), an administrator manages anyone's."""
    return actor is None or (
        actor.person_id == person_id
        and has_global_permission(actor.roles, Permission.MANAGE_TOKENS, actor.scopes)
    )


async def live_token(session: AsyncSession, secret: str, *, now: datetime | None = None) -> ApiToken | None:
    """The token for ``secret`` if it is neither revoked nor expired."""
    if not secret.startswith(PREFIX):
        return None
    token = await repository.token_by_hash(session, hash_token(secret))
    now = now or utcnow()
    if token is None or token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        return None
    return token


def use_is_stale(token: ApiToken, now: datetime) -> bool:
    """Whether the token's last use is worth stamping again: at most once a minute, so that requests with
    one token do not all queue to update its row."""
    return token.last_used_at is None or now - token.last_used_at >= STAMP_EVERY


async def stamp_use(session: AsyncSession, token_id: uuid.UUID, now: datetime) -> None:
    """Record the token's use, in a short transaction of its own after the request (never inside it); a
    stamp from another process in the same minute makes this one do nothing."""
    await repository.stamp_token_use(session, token_id, now, STAMP_EVERY)


async def create_token(
    session: AsyncSession,
    actor: Actor | None,
    person_id: uuid.UUID,
    *,
    label: str,
    scopes: Iterable[str],
    expires_in_days: int | None = DEFAULT_DAYS,
) -> tuple[ApiToken, str]:
    """A token for a person: by themselves, or (``actor`` None) by an administrator at the command line.
    Returns the token and its secret, which is shown once and never stored. A token never carries more
    than its person may do, nor, when made with another token, more than that token, nor does it outlive
    it: its expiry is brought forward to that token's."""
    if not _may_manage(actor, person_id):
        raise DomainError.one(ErrorCode.NOT_PERMITTED, "You can make tokens only for yourself")
    # Locked, so that revoking the parent (which locks it too) cannot miss a child made at the same moment.
    parent = await _locked_live(session, actor.token_id) if actor and actor.token_id else None
    if actor and actor.token_id and parent is None:
        raise DomainError.one(ErrorCode.NOT_PERMITTED, "The token this request came with is no longer live")
    roles = frozenset(await people.roles_of(session, person_id))
    if await session.get(Person, person_id) is None:
        raise NotFound("Person", "personId")
    problems = Problems()
    label = clean_required(problems, label, "label", "Say what the token is for", 200)
    wanted = sorted(set(scopes))
    allowed = {p.value for p in grantable(roles)} & (
        actor.scopes if actor and actor.scopes is not None else {p.value for p in Permission}
    )
    if not wanted:
        problems.add(ErrorCode.REQUIRED, "Choose what the token may be used for", "scopes")
    for scope in wanted:
        if scope not in allowed:
            problems.add(ErrorCode.OUT_OF_RANGE, f"A token cannot do what you may not: {scope}", "scopes")
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_DAYS:
        problems.add(ErrorCode.OUT_OF_RANGE, f"A token lasts between 1 and {MAX_DAYS} days", "expiresInDays")
    problems.raise_if_any()
    secret = PREFIX + secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    if parent is not None and parent.expires_at is not None:
        expires_at = min(expires_at or parent.expires_at, parent.expires_at)
    token = ApiToken(
        person_id=person_id,
        token_hash=hash_token(secret),
        label=label,
        scopes=" ".join(wanted),
        expires_at=expires_at,
        made_with_id=parent.id if parent else None,
    )
    session.add(token)
    await session.flush()
    audit.record(session, actor, "token.create", subject_type="api_token", subject_id=token.id)
    return token, secret


async def tokens_of(session: AsyncSession, person_id: uuid.UUID) -> list[ApiToken]:
    """A person's tokens, live and ended, newest first."""
    return await repository.tokens_of(session, person_id)


async def revoke_token(
    session: AsyncSession, actor: Actor | None, person_id: uuid.UUID, token_id: uuid.UUID
) -> ApiToken:
    """Revoke one of the person's tokens; revoking it again changes nothing."""
    if not _may_manage(actor, person_id):
        raise NotFound("Token", "id")
    token = await session.get(ApiToken, token_id, with_for_update=True)
    if token is None or token.person_id != person_id:
        raise NotFound("Token", "id")
    if token.revoked_at is None:
        now = utcnow()
        token.revoked_at = now
        audit.record(session, actor, "token.revoke", subject_type="api_token", subject_id=token.id)
        for made_with in await repository.revoke_made_with(session, token.id, now):
            audit.record(session, actor, "token.revoke", subject_type="api_token", subject_id=made_with)
    return token


async def _locked_live(session: AsyncSession, token_id: uuid.UUID) -> ApiToken | None:
    token = await session.get(ApiToken, token_id, with_for_update=True)
    now = utcnow()
    if token is None or token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        return None
    return token
