"""Queries about organisations, people, their roles and their teams."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import Organisation, Person, PersonRole, Role, Team
from portal.in_list import in_list


async def roles_by_person(
    session: AsyncSession, person_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Role]]:
    """Each person's roles (in no particular order); people without any are absent."""
    rows = await session.execute(
        sa.select(PersonRole.person_id, PersonRole.role).where(in_list(PersonRole.person_id, person_ids))
    )
    grouped: dict[uuid.UUID, list[Role]] = defaultdict(list)
    for person_id, role in rows:
        grouped[person_id].append(role)
    return grouped


async def roles_of(session: AsyncSession, person_id: uuid.UUID) -> set[Role]:
    """One person's roles (empty for someone unknown)."""
    rows = await session.execute(sa.select(PersonRole.role).where(PersonRole.person_id == person_id))
    return set(rows.scalars())


async def remove_roles(session: AsyncSession, person_id: uuid.UUID) -> None:
    """Delete every role the person has (before their new ones are added)."""
    await session.execute(sa.delete(PersonRole).where(PersonRole.person_id == person_id))


async def active_person_with_organisation(
    session: AsyncSession, person_id: uuid.UUID
) -> tuple[Person, Organisation, set[Role]] | None:
    """The person, their organisation and their roles (one query), or None when there is no such person or
    they are inactive."""
    rows = (await session.execute(_PERSON_WITH_ORGANISATION, {"person_id": person_id})).all()
    if not rows:
        return None
    # Outer-joined: a person with no roles comes back once, with none.
    return rows[0][0], rows[0][1], {role for _, _, role in rows} - {None}


# Every request runs it (for its actor): built once.
_PERSON_WITH_ORGANISATION = (
    sa.select(Person, Organisation, PersonRole.role)
    .join(Organisation, Organisation.id == Person.organisation_id)
    .outerjoin(PersonRole, PersonRole.person_id == Person.id)
    .where(Person.id == sa.bindparam("person_id", type_=sa.Uuid()), Person.active)
)


async def person_with_email(session: AsyncSession, email: str) -> Person | None:
    """The person with this email address (trimmed and lower-cased, as stored), active or not."""
    stmt = sa.select(Person).where(Person.email == email.strip().lower())
    return (await session.execute(stmt)).scalar_one_or_none()


async def people_of_organisation(session: AsyncSession, organisation_id: uuid.UUID) -> list[Person]:
    """Everyone in the organisation, active or not, by name."""
    stmt = sa.select(Person).where(Person.organisation_id == organisation_id).order_by(Person.name)
    return list((await session.execute(stmt)).scalars())


async def active_people_with_roles(session: AsyncSession) -> list[tuple[Person, str, Role]]:
    """Each role of each active person, with their organisation's name: one row per role, by organisation
    name then person name (people without a role are left out)."""
    rows = await session.execute(
        sa.select(Person, Organisation.name, PersonRole.role)
        .join(Organisation, Organisation.id == Person.organisation_id)
        .join(PersonRole, PersonRole.person_id == Person.id)
        .where(Person.active)
        .order_by(Organisation.name, Person.name)
    )
    return [(person, organisation, role) for person, organisation, role in rows]


async def organisations(session: AsyncSession) -> list[Organisation]:
    """Every organisation, by kind and name."""
    stmt = sa.select(Organisation).order_by(Organisation.kind, Organisation.name)
    return list((await session.execute(stmt)).scalars())


async def any_organisation(session: AsyncSession) -> bool:
    """Whether any organisation exists (an empty database has none)."""
    return (await session.execute(sa.select(Organisation.id).limit(1))).first() is not None


async def organisation_named(session: AsyncSession, name: str) -> Organisation | None:
    """The organisation with this name, ignoring case and surrounding spaces."""
    stmt = sa.select(Organisation).where(sa.func.lower(Organisation.name) == name.strip().lower())
    return (await session.execute(stmt)).scalar_one_or_none()


async def _organisation_where_lower(
    session: AsyncSession, column: sa.SQLColumnExpression[str | None], value: str
) -> bool:
    stmt = sa.select(sa.literal(1)).where(sa.func.lower(column) == value.lower())
    return (await session.execute(stmt)).first() is not None


async def organisation_name_taken(session: AsyncSession, name: str) -> bool:
    """Whether an organisation has this name already, ignoring case."""
    return await _organisation_where_lower(session, Organisation.name, name)


async def ons_code_taken(session: AsyncSession, code: str) -> bool:
    """Whether an organisation has this ONS code already, ignoring case."""
    return await _organisation_where_lower(session, Organisation.ons_code, code)


async def team_named(session: AsyncSession, organisation_id: uuid.UUID, name: str) -> uuid.UUID | None:
    """The id of the organisation's team with exactly this name, if there is one."""
    return await session.scalar(
        sa.select(Team.id).where(Team.organisation_id == organisation_id, Team.name == name)
    )


async def teams_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Team]:
    """The teams with these ids, by id (unknown ids are absent)."""
    rows = await session.execute(sa.select(Team).where(in_list(Team.id, ids)))
    return {team.id: team for team in rows.scalars()}
