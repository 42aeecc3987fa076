"""Building the Actor for a person: who they are, their roles, and the cases they are on."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from models import CaseRole, utcnow
from portal.auth.actor import Actor, Via
from portal.cases import repository as cases
from portal.people import repository as people


async def actor_for_person(
    session: AsyncSession,
    person_id: uuid.UUID,
    *,
    via: Via,
    source: str = "",
    scopes: frozenset[str] | None = None,
    token_id: uuid.UUID | None = None,
) -> Actor | None:
    """The Actor for an active person, or None: two queries, whatever the caseload."""
    row = await people.active_person_with_organisation(session, person_id)
    if row is None:
        return None
    person, organisation, roles = row
    memberships = await cases.live_case_roles_of(session, person_id)
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
        organisation_ons_code=organisation.ons_code,
        roles=frozenset(roles),
        case_roles={k: frozenset(v) for k, v in case_roles.items()},
        read_only_cases=frozenset(read_only),
        via=via,
        source=source,
        scopes=scopes,
        token_id=token_id,
    )
