"""Building the Actor for a person: who they are, their roles, and the cases they are on."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import CaseMembership, CaseRole, Closure, Organisation, Person, PersonRole, utcnow
from portal.auth.actor import Actor, Via


async def actor_for_person(
    session: AsyncSession,
    person_id: uuid.UUID,
    *,
    via: Via,
    source: str = "",
    scopes: frozenset[str] | None = None,
    token_id: uuid.UUID | None = None,
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
        select(CaseMembership.proceedings_id, CaseMembership.role, Closure.read_only_until)
        .outerjoin(Closure, Closure.proceedings_id == CaseMembership.proceedings_id)
        .where(CaseMembership.person_id == person_id, CaseMembership.ended_at.is_(None))
    )
    case_roles: dict[uuid.UUID, set[CaseRole]] = defaultdict(set)
    read_only: set[uuid.UUID] = set()
    now = utcnow()
    for proceedings_id, case_role, read_only_until in memberships:
        if case_role is CaseRole.GUARDIAN and read_only_until is not None:
            # The guardian's involvement has closed: reading for a while, then nothing.
            if read_only_until < now:
                continue
            read_only.add(proceedings_id)
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
        read_only_cases=frozenset(read_only),
        via=via,
        source=source,
        scopes=scopes,
        token_id=token_id,
    )
