"""Queries on significant changes in looked-after children's circumstances."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from models import SignificantChange
from portal.access.repository import CaseRows
from portal.auth.actor import Viewer


async def changes_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[SignificantChange]]:
    """Each case's significant changes that the viewer may read (everyone who reads the case: the child's
    placement and plan are the case's), the latest notified first."""
    return await _CHANGES.fetch(session, viewer, case_ids)


_CHANGES = CaseRows(
    SignificantChange, order_by=(SignificantChange.notified_at.desc(), SignificantChange.id.desc())
)
