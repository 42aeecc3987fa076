"""Building the Actor for a person: who they are, their roles, and the cases they are on."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import CaseMembership, CaseRole, Organisation, Person, PersonRole
from portal.auth.actor import Actor, Via


async def actor_for_person(
    session: AsyncSession,
    person_id: uuid.UUID,
    *,
    via: Via,
    source: str = "",
    scopes: frozenset[str] | None = None,
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
        scopes=scopes,
    )
