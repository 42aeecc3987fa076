"""The cases a drill-down selects, each with the obligations behind the figure on it."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import Proceedings
from portal.dashboards.drill import Behind
from portal.dashboards.repository.sql import as_uuid


async def behind(
    session: AsyncSession, rows: sa.Select[Any, Any], params: Mapping[str, Any] | None = None
) -> list[Behind]:
    """The cases whose ids ``rows`` selects first (with ``params`` bound), by case number, each with the
    obligation ids it selects second (NULL for a figure of no obligation)."""
    found: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for case_id, obligation_id in (await session.execute(rows, params)).all():
        found[as_uuid(case_id)].update([as_uuid(obligation_id)] if obligation_id is not None else [])
    if not found:
        return []
    cases = await session.execute(
        sa.select(Proceedings).where(Proceedings.id.in_(found)).order_by(Proceedings.case_number)
    )
    return [Behind(case, frozenset(found[case.id])) for case in cases.scalars()]
