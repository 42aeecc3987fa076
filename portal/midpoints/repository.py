"""Queries on midpoint checks, and the rows the IRO manager's coverage between reviews is counted from: a few
statements however many children (issue 19)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import CaseMembership, CaseRole, Child, LegalStatus, MidpointCheck, Person, Proceedings, Review
from portal.access.repository import CaseRows
from portal.auth.actor import Actor, Viewer
from portal.dashboards.repository.kept import scope_of

_LOOKED_AFTER = [status for status in LegalStatus if status.is_looked_after]


async def checks_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[MidpointCheck]]:
    """Each case's midpoint checks that the viewer may read (everyone who reads the case: the IRO's monitoring
    is part of the child's file), the latest done first."""
    return await _CHECKS.fetch(session, viewer, case_ids)


_CHECKS = CaseRows(
    MidpointCheck,
    order_by=(MidpointCheck.done_on.desc(), MidpointCheck.recorded_at.desc(), MidpointCheck.id.desc()),
)


def _authority_children(actor: Actor) -> sa.ColumnElement[bool]:
    """A child of the viewer's authority (an IRO manager's organisation is the authority)."""
    return Child.local_authority_id == actor.organisation_id


async def looked_after_children(session: AsyncSession, actor: Actor) -> Sequence[sa.RowMapping]:
    """The looked-after children of the IRO manager's authority, on the cases in their scope, each with their
    live IRO there: ``iro_id``, ``iro_name``, ``case_id``, ``case_number``, ``issued_on``, ``child_id``,
    ``given_name``, ``family_name`` and ``looked_after_since``."""
    stmt = (
        sa.select(
            CaseMembership.person_id.label("iro_id"),
            Person.name.label("iro_name"),
            CaseMembership.proceedings_id.label("case_id"),
            Proceedings.case_number,
            Proceedings.issued_on,
            Child.id.label("child_id"),
            Child.given_name,
            Child.family_name,
            Child.looked_after_since,
        )
        .join(Proceedings, Proceedings.id == CaseMembership.proceedings_id)
        .join(Person, Person.id == CaseMembership.person_id)
        .join(Child, Child.id == CaseMembership.child_id)
        .where(
            CaseMembership.role == CaseRole.IRO,
            CaseMembership.ended_at.is_(None),
            _authority_children(actor),
            Child.legal_status.in_(_LOOKED_AFTER),
            Child.looked_after_since.is_not(None),
            scope_of(actor)(Proceedings.id),
        )
    )
    return (await session.execute(stmt)).mappings().all()


async def held_reviews(session: AsyncSession, actor: Actor, *, until: date) -> Sequence[sa.RowMapping]:
    """The reviews held up to ``until`` of the authority's children on the cases in scope: ``id``,
    ``case_id``, ``case_number``, ``child_id``, ``given_name``, ``family_name``, ``looked_after_since`` and
    ``held_on``."""
    stmt = (
        sa.select(
            Review.id,
            Review.proceedings_id.label("case_id"),
            Proceedings.case_number,
            Review.child_id,
            Child.given_name,
            Child.family_name,
            Child.looked_after_since,
            Review.held_on,
        )
        .join(Proceedings, Proceedings.id == Review.proceedings_id)
        .join(Child, Child.id == Review.child_id)
        .where(
            Review.held_on.is_not(None),
            Review.held_on <= until,
            _authority_children(actor),
            scope_of(actor)(Review.proceedings_id),
        )
    )
    return (await session.execute(stmt)).mappings().all()


async def check_days(
    session: AsyncSession, actor: Actor, *, until: date
) -> Sequence[sa.Row[uuid.UUID, uuid.UUID, date]]:
    """The days of the midpoint checks done up to ``until`` on the authority's children on the cases in scope:
    (case id, child id, day)."""
    stmt = (
        sa.select(MidpointCheck.proceedings_id, MidpointCheck.child_id, MidpointCheck.done_on)
        .join(Child, Child.id == MidpointCheck.child_id)
        .where(
            MidpointCheck.done_on <= until,
            _authority_children(actor),
            scope_of(actor)(MidpointCheck.proceedings_id),
        )
    )
    return (await session.execute(stmt)).all()


async def iro_memberships(session: AsyncSession, actor: Actor) -> Sequence[sa.RowMapping]:
    """Every IRO membership, live or ended, of the authority's children on the cases in scope, to tell whose
    child a review was when it was held: ``case_id``, ``child_id``, ``iro_id``, ``iro_name``, ``started_at``
    and ``ended_at``."""
    stmt = (
        sa.select(
            CaseMembership.proceedings_id.label("case_id"),
            CaseMembership.child_id,
            CaseMembership.person_id.label("iro_id"),
            Person.name.label("iro_name"),
            CaseMembership.started_at,
            CaseMembership.ended_at,
        )
        .join(Person, Person.id == CaseMembership.person_id)
        .join(Child, Child.id == CaseMembership.child_id)
        .where(
            CaseMembership.role == CaseRole.IRO,
            _authority_children(actor),
            scope_of(actor)(CaseMembership.proceedings_id),
        )
    )
    return (await session.execute(stmt)).mappings().all()
