"""Retention's statements: which concluded cases are past their authority's rule, the legal holds, and
deleting a case with everything recorded under it.

What belongs to a case is read from the tables' foreign keys, not listed by hand: a table added later that
refers to a case (or to a record of one) is deleted with it, and tests/test_retention.py checks that nothing
is left behind in any table."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

import models
from models import (
    Child,
    DeletedCase,
    LegalHold,
    Organisation,
    Proceedings,
    ProceedingsChild,
    Stage,
    StageChange,
)
from portal.access.repository import CaseRows
from portal.auth.actor import Viewer
from portal.retention.policy import DEFAULT_AGE, add_years

# Kept when a case goes: the record that it was deleted. (The audit trail refers to cases by id only and
# has no foreign keys, so it is never reached.)
KEPT = frozenset({DeletedCase.__tablename__})


@dataclass(frozen=True)
class Concluded:
    """A concluded case, with what its retention date is worked out from."""

    id: uuid.UUID
    local_authority_id: uuid.UUID
    concluded_on: date
    dates_of_birth: tuple[date, ...]
    keep_years: int | None


def _concluded_on() -> sa.ScalarSelect[date]:
    return (
        sa.select(sa.func.max(StageChange.changed_on))
        .where(StageChange.proceedings_id == Proceedings.id, StageChange.stage == Stage.CONCLUDED)
        .scalar_subquery()
    )


def _youngest_born() -> sa.ScalarSelect[date]:
    return (
        sa.select(sa.func.max(Child.date_of_birth))
        .join(ProceedingsChild, ProceedingsChild.child_id == Child.id)
        .where(ProceedingsChild.proceedings_id == Proceedings.id)
        .scalar_subquery()
    )


def _held() -> sa.Exists:
    return sa.exists(
        sa.select(LegalHold.id).where(
            LegalHold.proceedings_id == Proceedings.id, LegalHold.lifted_at.is_(None)
        )
    )


async def keep_years_by_authority(session: AsyncSession) -> dict[uuid.UUID, int]:
    """The authorities with a rule of their own: years after conclusion."""
    rows = await session.execute(
        sa.select(Organisation.id, Organisation.keep_concluded_years).where(
            Organisation.keep_concluded_years.is_not(None)
        )
    )
    return {i: years for i, years in rows if years is not None}


async def candidates(
    session: AsyncSession, today: date, limit: int, case_id: uuid.UUID | None = None
) -> list[Concluded]:
    """Concluded cases without a legal hold that may be past their rule on ``today`` (the rule itself,
    portal/retention/policy.py, decides); ``case_id`` narrows it to one."""
    rules = await keep_years_by_authority(session)
    by_years: dict[int, list[uuid.UUID]] = defaultdict(list)
    for authority, years in rules.items():
        by_years[years].append(authority)
    concluded_on, youngest = _concluded_on(), _youngest_born()
    due = [
        sa.and_(Proceedings.local_authority_id.in_(ids), concluded_on <= add_years(today, -years))
        for years, ids in by_years.items()
    ]
    due.append(
        sa.and_(
            Proceedings.local_authority_id.not_in(list(rules)), youngest <= add_years(today, -DEFAULT_AGE)
        )
    )
    stmt = (
        sa.select(Proceedings.id, Proceedings.local_authority_id, concluded_on)
        .where(Proceedings.stage == Stage.CONCLUDED, ~_held(), sa.or_(*due))
        .order_by(Proceedings.id)
        .limit(limit)
    )
    if case_id is not None:
        stmt = stmt.where(Proceedings.id == case_id)
    rows = (await session.execute(stmt)).all()
    born = await dates_of_birth(session, [r[0] for r in rows])
    return [Concluded(i, authority, on, born.get(i, ()), rules.get(authority)) for i, authority, on in rows]


async def dates_of_birth(
    session: AsyncSession, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[date, ...]]:
    if not case_ids:
        return {}
    rows = await session.execute(
        sa.select(ProceedingsChild.proceedings_id, Child.date_of_birth)
        .join(Child, Child.id == ProceedingsChild.child_id)
        .where(ProceedingsChild.proceedings_id.in_(case_ids))
    )
    found: dict[uuid.UUID, tuple[date, ...]] = defaultdict(tuple)
    for case_id, born in rows:
        found[case_id] += (born,)
    return dict(found)


async def lock_case(session: AsyncSession, case_id: uuid.UUID) -> bool:
    """Lock the case's row until the transaction ends (a legal hold being placed waits for it, and is seen
    by the checks after), or False if it has gone."""
    found = await session.scalar(sa.select(Proceedings.id).where(Proceedings.id == case_id).with_for_update())
    return found is not None


async def claim(session: AsyncSession, case: Concluded, kept_until: date, now: datetime) -> bool:
    """Record the case's deletion: False if another clock already did."""
    values = {
        "proceedings_id": case.id,
        "local_authority_id": case.local_authority_id,
        "concluded_on": case.concluded_on,
        "kept_until": kept_until,
        "deleted_at": now,
        "records": 0,
    }
    insert = (
        postgresql.insert(DeletedCase)
        if session.get_bind().dialect.name == "postgresql"
        else sqlite.insert(DeletedCase)
    )
    stmt = insert.values(values).on_conflict_do_nothing(index_elements=["proceedings_id"])
    result = await session.execute(stmt.returning(DeletedCase.proceedings_id))
    return result.first() is not None


@cache
def _belonging_to(root: sa.Table) -> list[tuple[sa.Table, sa.ColumnElement[bool]]]:
    """Every table whose rows belong to the ``root`` rows whose ids are the parameter ``ids``, directly or
    through a parent whose rows do, with the condition picking them; dependants before what they depend on."""
    ids: sa.BindParameter[uuid.UUID] = sa.bindparam("ids", expanding=True)
    owned: dict[sa.Table, sa.ColumnElement[bool]] = {root: root.c.id.in_(ids)}
    for table in models.metadata.sorted_tables:
        if table in owned or table.name in KEPT:
            continue
        # A reference to the root itself first, the simplest condition.
        for fk in sorted(table.foreign_keys, key=lambda fk: fk.column.table is not root):
            parent = fk.column.table
            if parent is table or parent not in owned:
                continue
            owned[table] = (
                fk.parent.in_(ids)
                if parent is root
                else fk.parent.in_(sa.select(fk.column).where(owned[parent]))
            )
            break
    return [(table, owned[table]) for table in reversed(models.metadata.sorted_tables) if table in owned]


def belonging_to(root: str) -> list[str]:
    """The tables whose rows belong to a row of ``root`` (a case's, or a child's): what deleting one reaches,
    and what the view versions must follow (tests/test_reuse.py)."""
    return [table.name for table, _ in _belonging_to(models.metadata.tables[root])]


async def delete_case(session: AsyncSession, case_id: uuid.UUID) -> int:
    """Delete the case, everything recorded under it, and its children once no other case concerns them
    (their legal status history with them). The count of rows deleted."""
    child_ids = list(
        await session.scalars(
            sa.select(ProceedingsChild.child_id).where(ProceedingsChild.proceedings_id == case_id)
        )
    )
    deleted = await _delete_all(session, models.metadata.tables["proceedings"], [case_id])
    if child_ids:
        orphans = list(
            await session.scalars(
                sa.select(Child.id).where(
                    Child.id.in_(child_ids),
                    ~sa.exists(
                        sa.select(ProceedingsChild.child_id).where(ProceedingsChild.child_id == Child.id)
                    ),
                )
            )
        )
        if orphans:
            deleted += await _delete_all(session, models.metadata.tables["child"], orphans)
    await session.execute(
        sa.update(DeletedCase).where(DeletedCase.proceedings_id == case_id).values(records=deleted)
    )
    return deleted


async def _delete_all(session: AsyncSession, root: sa.Table, ids: list[uuid.UUID]) -> int:
    deleted = 0
    for table, belongs in _belonging_to(root):
        result = await session.execute(sa.delete(table).where(belongs), {"ids": ids})
        deleted += max(getattr(result, "rowcount", 0), 0)
    return deleted


async def holds_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[LegalHold]]:
    """Each case's legal holds, lifted ones too, the first placed first."""
    return await _HOLDS.fetch(session, viewer, case_ids)


_HOLDS = CaseRows(LegalHold, order_by=(LegalHold.placed_at, LegalHold.id))


async def deleted_since(
    session: AsyncSession, local_authority_id: uuid.UUID, limit: int
) -> list[DeletedCase]:
    """The authority's cases deleted under retention, the latest first."""
    return list(
        await session.scalars(
            sa.select(DeletedCase)
            .where(DeletedCase.local_authority_id == local_authority_id)
            .order_by(DeletedCase.deleted_at.desc())
            .limit(limit)
        )
    )
