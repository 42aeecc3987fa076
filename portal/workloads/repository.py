"""Queries on IRO workloads (profiles, conferences chaired, an authority's weightings) and conflicts of
interest. Each list is one statement for all the IROs it is asked about, whatever their number."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    CaseMembership,
    CaseRole,
    Child,
    ConferencesChaired,
    ConflictOfInterest,
    IroProfile,
    Person,
    PersonRole,
    Proceedings,
    Role,
    WorkloadWeighting,
)

# The months of conferences shown beside a profile.
MONTHS_SHOWN = 12


async def profiles(session: AsyncSession, iro_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, IroProfile]:
    """Each IRO's profile, of those with one."""
    if not iro_ids:
        return {}
    found = await session.scalars(sa.select(IroProfile).where(IroProfile.iro_id.in_(list(iro_ids))))
    return {p.iro_id: p for p in found}


async def weighting(session: AsyncSession, organisation_id: uuid.UUID) -> WorkloadWeighting | None:
    return await session.get(WorkloadWeighting, organisation_id)


async def conferences_in(
    session: AsyncSession, iro_ids: Sequence[uuid.UUID], month: date
) -> dict[uuid.UUID, int]:
    """The conferences each IRO chaired in ``month`` (its first day), of those entered for it."""
    if not iro_ids:
        return {}
    rows = await session.execute(
        sa.select(ConferencesChaired.iro_id, ConferencesChaired.conferences).where(
            ConferencesChaired.iro_id.in_(list(iro_ids)), ConferencesChaired.month == month
        )
    )
    return {iro: count for iro, count in rows.all()}


async def conference_month(
    session: AsyncSession, iro_id: uuid.UUID, month: date
) -> ConferencesChaired | None:
    return await session.scalar(
        sa.select(ConferencesChaired).where(
            ConferencesChaired.iro_id == iro_id, ConferencesChaired.month == month
        )
    )


async def conference_months(session: AsyncSession, iro_id: uuid.UUID) -> list[ConferencesChaired]:
    """The IRO's latest months of conferences entered, the latest first."""
    found = await session.scalars(
        sa.select(ConferencesChaired)
        .where(ConferencesChaired.iro_id == iro_id)
        .order_by(ConferencesChaired.month.desc())
        .limit(MONTHS_SHOWN)
    )
    return list(found)


async def active_iro(session: AsyncSession, person_id: uuid.UUID) -> Person | None:
    """The person, if active and an IRO."""
    return await session.scalar(
        sa.select(Person)
        .join(PersonRole, PersonRole.person_id == Person.id)
        .where(Person.id == person_id, Person.active, PersonRole.role == Role.IRO)
    )


async def iro_managers(session: AsyncSession, organisation_id: uuid.UUID) -> list[Person]:
    """The authority's active IRO managers."""
    found = await session.scalars(
        sa.select(Person)
        .join(PersonRole, PersonRole.person_id == Person.id)
        .where(Person.organisation_id == organisation_id, Person.active, PersonRole.role == Role.IRO_MANAGER)
        .order_by(Person.name)
    )
    return list(found)


def _assigned() -> sa.Exists:
    """Whether a conflict's IRO is the live IRO for its child on its case now."""
    return (
        sa.select(CaseMembership.id)
        .where(
            CaseMembership.proceedings_id == ConflictOfInterest.proceedings_id,
            CaseMembership.child_id == ConflictOfInterest.child_id,
            CaseMembership.person_id == ConflictOfInterest.iro_id,
            CaseMembership.role == CaseRole.IRO,
            CaseMembership.ended_at.is_(None),
        )
        .exists()
    )


@dataclass(frozen=True)
class OpenConflict:
    """An open conflict of interest, with what a list of them shows."""

    conflict: ConflictOfInterest
    child_name: str
    case_number: str
    # The IRO is the child's IRO on the case now: the conflict is flagged to their manager.
    assigned: bool


async def open_conflicts(session: AsyncSession, organisation_id: uuid.UUID) -> list[OpenConflict]:
    """The open conflicts of interest of the authority's IROs, the latest recorded first."""
    rows = await session.execute(
        sa.select(
            ConflictOfInterest,
            Child.given_name,
            Child.family_name,
            Proceedings.case_number,
            _assigned().label("assigned"),
        )
        .join(Person, Person.id == ConflictOfInterest.iro_id)
        .join(Child, Child.id == ConflictOfInterest.child_id)
        .join(Proceedings, Proceedings.id == ConflictOfInterest.proceedings_id)
        .where(Person.organisation_id == organisation_id, ConflictOfInterest.withdrawn_at.is_(None))
        .order_by(ConflictOfInterest.recorded_at.desc(), ConflictOfInterest.id)
    )
    return [
        OpenConflict(conflict, f"{given} {family}", number, bool(assigned))
        for conflict, given, family, number, assigned in rows.all()
    ]


async def open_conflicts_on_case(
    session: AsyncSession, case_id: uuid.UUID, iro_id: uuid.UUID
) -> list[ConflictOfInterest]:
    """The IRO's open conflicts of interest with children of the case."""
    found = await session.scalars(
        sa.select(ConflictOfInterest)
        .where(
            ConflictOfInterest.proceedings_id == case_id,
            ConflictOfInterest.iro_id == iro_id,
            ConflictOfInterest.withdrawn_at.is_(None),
        )
        .order_by(ConflictOfInterest.recorded_at, ConflictOfInterest.id)
    )
    return list(found)


async def is_childs_iro(
    session: AsyncSession, case_id: uuid.UUID, child_id: uuid.UUID, iro_id: uuid.UUID
) -> bool:
    found = await session.scalar(
        sa.select(CaseMembership.id).where(
            CaseMembership.proceedings_id == case_id,
            CaseMembership.child_id == child_id,
            CaseMembership.person_id == iro_id,
            CaseMembership.role == CaseRole.IRO,
            CaseMembership.ended_at.is_(None),
        )
    )
    return found is not None
