"""Queries on concerns and significant issues."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import CaseMembership, CaseRole, IssueKind, Proceedings, RaisedIssue
from portal.access.policy import Permission
from portal.access.repository import CaseRows, Filters, Template
from portal.auth.actor import Actor, Viewer


async def issues_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[RaisedIssue]]:
    """Each case's concerns and significant issues that the viewer may read, the most recently raised
    first: for the guardian, the IRO and their managers (P8, P9), never the authority's lawyers or social
    workers; a significant issue not yet shared with the guardian, only for the IRO."""
    return await _ISSUES.fetch(session, viewer, case_ids)


_ISSUES = CaseRows(
    RaisedIssue,
    need=Permission.READ_ISSUES,
    where=lambda filters: (
        # A significant issue not yet shared: only for the IRO.
        sa.or_(
            RaisedIssue.shared_at.is_not(None),
            filters.member_as([CaseRole.IRO], RaisedIssue.proceedings_id),
        ),
    ),
    order_by=(RaisedIssue.raised_at.desc(),),
)


async def awaiting_acknowledgement(
    session: AsyncSession, viewer: Actor, acknowledged_by: Mapping[IssueKind, CaseRole]
) -> list[tuple[RaisedIssue, Proceedings]]:
    """Issues shared and not yet acknowledged, on cases where the viewer may read them, where the viewer is
    live on the case in the role that acknowledges the issue's kind (``acknowledged_by``), each with its
    case, the longest shared first. One query."""
    key = frozenset(acknowledged_by.items())
    if key not in _AWAITING:
        _AWAITING[key] = Template(lambda filters: _awaiting(filters, acknowledged_by), Permission.READ_ISSUES)
    stmt, params = _AWAITING[key].bound(viewer, person_id=viewer.person_id)
    return [(i, p) for i, p in await session.execute(stmt, params)]


# By who acknowledges what (one rule, so one statement per shape of access).
_AWAITING: dict[frozenset[tuple[IssueKind, CaseRole]], Template[sa.Select[RaisedIssue, Proceedings]]] = {}


def _awaiting(
    filters: Filters, acknowledged_by: Mapping[IssueKind, CaseRole]
) -> sa.Select[RaisedIssue, Proceedings]:
    receiving = sa.or_(
        *(
            sa.and_(RaisedIssue.kind == kind, CaseMembership.role == role)
            for kind, role in acknowledged_by.items()
        )
    )
    mine = (
        sa.select(CaseMembership.proceedings_id)
        .where(
            CaseMembership.person_id == sa.bindparam("person_id", type_=sa.Uuid()),
            CaseMembership.ended_at.is_(None),
            CaseMembership.proceedings_id == RaisedIssue.proceedings_id,
            receiving,
        )
        .exists()
    )
    return (
        sa.select(RaisedIssue, Proceedings)
        .join(Proceedings, Proceedings.id == RaisedIssue.proceedings_id)
        .where(
            RaisedIssue.shared_at.is_not(None),
            RaisedIssue.acknowledged_at.is_(None),
            mine,
            filters.readable(RaisedIssue.proceedings_id),
        )
        .order_by(RaisedIssue.shared_at)
    )
