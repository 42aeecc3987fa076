"""Every statement on referrals to Cafcass: the timescales, the referrals of the cases a viewer reads and
those an officer is appointed to, their enquiries and papers, the service area's people, and the clock's
claims on the reminders and overdue notices it sends once per step."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    CafcassReferral,
    CaseMembership,
    CaseRole,
    CourtPaper,
    Organisation,
    Person,
    PersonRole,
    Proceedings,
    ReferralEnquiry,
    ReferralPaper,
    ReferralState,
    ReferralTimescale,
    Role,
)
from portal.db import grouped
from portal.in_list import in_list


def _owned_by(organisation_id: uuid.UUID | None) -> sa.ColumnElement[bool]:
    """The service area's timescales (None: the national default's)."""
    if organisation_id is None:
        return ReferralTimescale.organisation_id.is_(None)
    return ReferralTimescale.organisation_id == organisation_id


async def current_timescale(
    session: AsyncSession, organisation_id: uuid.UUID | None
) -> ReferralTimescale | None:
    return await session.scalar(
        sa.select(ReferralTimescale)
        .where(_owned_by(organisation_id), ReferralTimescale.superseded_at.is_(None))
        .order_by(ReferralTimescale.version.desc())
        .limit(1)
    )


async def last_version(session: AsyncSession, organisation_id: uuid.UUID | None) -> int:
    version = sa.func.coalesce(sa.func.max(ReferralTimescale.version), 0)
    return await session.scalar(sa.select(version).where(_owned_by(organisation_id))) or 0


async def supersede(session: AsyncSession, organisation_id: uuid.UUID | None, now: datetime) -> None:
    await session.execute(
        sa.update(ReferralTimescale)
        .where(_owned_by(organisation_id), ReferralTimescale.superseded_at.is_(None))
        .values(superseded_at=now)
    )


async def lock_referral(session: AsyncSession, referral_id: uuid.UUID) -> CafcassReferral | None:
    """The referral, locked for this transaction (two managers acting on it at once: one goes first, and
    the other sees what the first did)."""
    return await session.scalar(
        sa.select(CafcassReferral)
        .where(CafcassReferral.id == referral_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


# The open first, then the latest referred.
_ORDER = (
    (CafcassReferral.state == ReferralState.CONCLUDED).asc(),
    CafcassReferral.referred_at.desc(),
    CafcassReferral.id,
)


async def referrals_on(session: AsyncSession, cases: sa.ColumnElement[bool]) -> list[CafcassReferral]:
    """The referrals on the cases ``cases`` admits (a predicate on CafcassReferral.proceedings_id), the open
    first, then the latest."""
    rows = await session.execute(sa.select(CafcassReferral).where(cases).order_by(*_ORDER))
    return list(rows.scalars())


async def officer_referrals(session: AsyncSession, person_id: uuid.UUID) -> list[CafcassReferral]:
    """The referrals the person is the appointed officer of."""
    rows = await session.execute(
        sa.select(CafcassReferral).where(CafcassReferral.officer_id == person_id).order_by(*_ORDER)
    )
    return list(rows.scalars())


async def referrals_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, CafcassReferral]:
    if not ids:
        return {}
    rows = await session.execute(sa.select(CafcassReferral).where(in_list(CafcassReferral.id, list(ids))))
    return {r.id: r for r in rows.scalars()}


async def enquiries_of(
    session: AsyncSession, referral_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ReferralEnquiry]]:
    """Each referral's enquiries, oldest first: one query."""
    if not referral_ids:
        return {}
    return await grouped(
        session,
        sa.select(ReferralEnquiry.referral_id, ReferralEnquiry)
        .where(in_list(ReferralEnquiry.referral_id, list(referral_ids)))
        .order_by(ReferralEnquiry.referral_id, ReferralEnquiry.made_on, ReferralEnquiry.recorded_at),
    )


async def papers_of(
    session: AsyncSession, referral_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[CourtPaper]]:
    """The papers sent with each referral, by title: one query."""
    if not referral_ids:
        return {}
    return await grouped(
        session,
        sa.select(ReferralPaper.referral_id, CourtPaper)
        .join(CourtPaper, CourtPaper.id == ReferralPaper.paper_id)
        .where(in_list(ReferralPaper.referral_id, list(referral_ids)))
        .order_by(ReferralPaper.referral_id, CourtPaper.title, CourtPaper.id),
    )


async def case_papers(
    session: AsyncSession, case_id: uuid.UUID, paper_ids: Sequence[uuid.UUID]
) -> list[CourtPaper]:
    """Those of ``paper_ids`` that are papers of the case."""
    if not paper_ids:
        return []
    rows = await session.execute(
        sa.select(CourtPaper).where(
            in_list(CourtPaper.id, list(paper_ids)), CourtPaper.proceedings_id == case_id
        )
    )
    return list(rows.scalars())


async def service_area_of(session: AsyncSession, case: Proceedings) -> uuid.UUID | None:
    """The Cafcass service area a referral on the case goes to: the court's, or else its live guardian's."""
    court = await session.get(Organisation, case.court_id)
    if court is not None and court.service_area_id is not None:
        return court.service_area_id
    return await session.scalar(
        sa.select(Person.organisation_id)
        .join(CaseMembership, CaseMembership.person_id == Person.id)
        .where(
            CaseMembership.proceedings_id == case.id,
            CaseMembership.role == CaseRole.GUARDIAN,
            CaseMembership.ended_at.is_(None),
        )
        .limit(1)
    )


def _holding(role: Role) -> sa.Select[Person]:
    """The active people who hold ``role``."""
    return (
        sa.select(Person)
        .join(PersonRole, PersonRole.person_id == Person.id)
        .where(Person.active.is_(True), PersonRole.role == role)
    )


async def _holding_in(
    session: AsyncSession, role: Role, service_area_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Person]]:
    """Each service area's active holders of ``role``, by name: one query."""
    if not service_area_ids:
        return {}
    return await grouped(
        session,
        _holding(role)
        .with_only_columns(Person.organisation_id, Person)
        .where(in_list(Person.organisation_id, list(service_area_ids)))
        .order_by(Person.organisation_id, Person.name, Person.id),
    )


async def managers_of(
    session: AsyncSession, service_area_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Person]]:
    """The active Cafcass managers of each service area: one query."""
    return await _holding_in(session, Role.CAFCASS_MANAGER, service_area_ids)


async def officer(session: AsyncSession, person_id: uuid.UUID, service_area_id: uuid.UUID) -> Person | None:
    """The person, if they are an active Cafcass officer (a guardian) of the service area."""
    return await session.scalar(
        _holding(Role.GUARDIAN).where(Person.id == person_id, Person.organisation_id == service_area_id)
    )


async def officers_of(
    session: AsyncSession, service_area_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Person]]:
    """Each service area's active officers, by name: whom its managers may appoint. One query."""
    return await _holding_in(session, Role.GUARDIAN, service_area_ids)


async def open_referral_of_dispute(session: AsyncSession, dispute_id: uuid.UUID) -> CafcassReferral | None:
    return await session.scalar(
        sa.select(CafcassReferral).where(
            CafcassReferral.dispute_id == dispute_id, CafcassReferral.state != ReferralState.CONCLUDED
        )
    )


async def claim_reminders(session: AsyncSession, remind_by: date, now: datetime) -> list[CafcassReferral]:
    """Open referrals whose step is due by ``remind_by``, not yet reminded of it, marked reminded now: each
    is won by one clock."""
    rows = await session.execute(
        sa.update(CafcassReferral)
        .where(
            CafcassReferral.state != ReferralState.CONCLUDED,
            CafcassReferral.reminded_at.is_(None),
            CafcassReferral.due_on <= remind_by,
        )
        .values(reminded_at=now)
        .returning(CafcassReferral)
    )
    return list(rows.scalars())


async def claim_overdue(session: AsyncSession, today: date, now: datetime) -> list[CafcassReferral]:
    """Open referrals whose step is past its date with no overdue notice yet, marked noticed now."""
    rows = await session.execute(
        sa.update(CafcassReferral)
        .where(
            CafcassReferral.state != ReferralState.CONCLUDED,
            CafcassReferral.overdue_notice_at.is_(None),
            CafcassReferral.due_on < today,
        )
        .values(overdue_notice_at=now)
        .returning(CafcassReferral)
    )
    return list(rows.scalars())
