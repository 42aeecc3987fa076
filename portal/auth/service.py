"""Building the Actor for a person, and API tokens (only their hashes are stored)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import ApiToken, CaseMembership, CaseRole, Organisation, Person, PersonRole, utcnow
from portal.auth.actor import Actor, Via

TOKEN_PREFIX = "gip_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def actor_for_person(
    session: AsyncSession, person_id: uuid.UUID, *, via: Via, source: str = ""
) -> Actor | None:
    """The Actor for an active person, or None: three queries, whatever the caseload."""
    row = (
        await session.execute(
            select(Person, Organisation)
            .join(Organisation, Organisation.id == Person.organisation_id)
            .where(Person.id == person_id, Person.active)
        )
    ).first()
    if row is None:
        return None
    person, organisation = row
    roles = (
        await session.execute(select(PersonRole.role).where(PersonRole.person_id == person_id))
    ).scalars()
    memberships = await session.execute(
        select(CaseMembership.proceedings_id, CaseMembership.role).where(
            CaseMembership.person_id == person_id, CaseMembership.ended_at.is_(None)
        )
    )
    case_roles: dict[uuid.UUID, set[CaseRole]] = defaultdict(set)
    for proceedings_id, case_role in memberships:
        case_roles[proceedings_id].add(case_role)
    return Actor(
        person_id=person.id,
        name=person.name,
        email=person.email,
        organisation_id=organisation.id,
        organisation_name=organisation.name,
        organisation_kind=organisation.kind,
        roles=frozenset(roles),
        case_roles={k: frozenset(v) for k, v in case_roles.items()},
        via=via,
        source=source,
    )


async def create_token(
    session: AsyncSession, person_id: uuid.UUID, *, label: str = "", expires_in: timedelta | None = None
) -> str:
    """Create a token for a person and return its secret, which is shown once and never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = utcnow() + expires_in if expires_in else None
    session.add(
        ApiToken(person_id=person_id, token_hash=hash_token(secret), label=label, expires_at=expires_at)
    )
    await session.flush()
    return secret


async def person_for_token(
    session: AsyncSession, secret: str, *, now: datetime | None = None
) -> uuid.UUID | None:
    """The person a live token belongs to; records its use."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        await session.execute(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    ).scalar_one_or_none()
    now = now or utcnow()
    if token is None or token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        return None
    token.last_used_at = now
    return token.person_id
