"""Every statement on disputes: the ladders, the disputes of a case with their stages, notes and documents,
the stages named to a person, and the clock's claims on the reminders and overdue notices it sends once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    CaseMembership,
    CaseRole,
    ChildSummary,
    Dispute,
    DisputeDocument,
    DisputeLadder,
    DisputeNote,
    DisputeStage,
    DisputeState,
    LadderStage,
    Person,
    PersonRole,
    Proceedings,
    Role,
)
from portal.db import grouped
from portal.in_list import in_list


def _owned_by(organisation_id: uuid.UUID | None) -> sa.ColumnElement[bool]:
    """The organisation's ladders (None: the national default's)."""
    if organisation_id is None:
        return DisputeLadder.organisation_id.is_(None)
    return DisputeLadder.organisation_id == organisation_id


async def current_ladder(
    session: AsyncSession, organisation_id: uuid.UUID | None
) -> tuple[DisputeLadder, list[LadderStage]] | None:
    """The organisation's ladder in force (None: the national default's), with its stages in order."""
    owner = _owned_by(organisation_id)
    ladder = await session.scalar(
        sa.select(DisputeLadder)
        .where(owner, DisputeLadder.superseded_at.is_(None))
        .order_by(DisputeLadder.version.desc())
        .limit(1)
    )
    return None if ladder is None else (ladder, await stages_of(session, ladder.id))


async def stages_of(session: AsyncSession, ladder_id: uuid.UUID) -> list[LadderStage]:
    return list(
        (
            await session.execute(
                sa.select(LadderStage)
                .where(LadderStage.ladder_id == ladder_id)
                .order_by(LadderStage.position)
            )
        ).scalars()
    )


async def stages_of_ladders(
    session: AsyncSession, ladder_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[LadderStage]]:
    """Each ladder's stages, in order: one query."""
    if not ladder_ids:
        return {}
    return await grouped(
        session,
        sa.select(LadderStage.ladder_id, LadderStage)
        .where(in_list(LadderStage.ladder_id, list(ladder_ids)))
        .order_by(LadderStage.ladder_id, LadderStage.position),
    )


async def last_version(session: AsyncSession, organisation_id: uuid.UUID | None) -> int:
    owner = _owned_by(organisation_id)
    return (
        await session.scalar(sa.select(sa.func.coalesce(sa.func.max(DisputeLadder.version), 0)).where(owner))
        or 0
    )


async def supersede(session: AsyncSession, organisation_id: uuid.UUID | None, now: datetime) -> None:
    owner = _owned_by(organisation_id)
    await session.execute(
        sa.update(DisputeLadder).where(owner, DisputeLadder.superseded_at.is_(None)).values(superseded_at=now)
    )


async def lock_dispute(session: AsyncSession, dispute_id: uuid.UUID) -> Dispute | None:
    """The dispute, locked for this transaction (two people escalating it at once: one goes first, and
    the other finds it moved)."""
    return await session.scalar(
        sa.select(Dispute)
        .where(Dispute.id == dispute_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def disputes_on(session: AsyncSession, cases: sa.ColumnElement[bool]) -> list[Dispute]:
    """The disputes on the cases ``cases`` admits (a predicate on Dispute.proceedings_id), the open first,
    then the latest raised."""
    return list(
        (
            await session.execute(
                sa.select(Dispute)
                .where(cases)
                .order_by(
                    (Dispute.state == DisputeState.RESOLVED).asc(), Dispute.raised_at.desc(), Dispute.id
                )
            )
        ).scalars()
    )


async def child_summaries_of_disputes(
    session: AsyncSession, dispute_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ChildSummary]]:
    """Each dispute's summaries for the children it concerns (issue 19), the first written first: one
    query."""
    if not dispute_ids:
        return {}
    return await grouped(
        session,
        sa.select(ChildSummary.dispute_id, ChildSummary)
        .where(in_list(ChildSummary.dispute_id, list(dispute_ids)))
        .order_by(ChildSummary.dispute_id, ChildSummary.written_at, ChildSummary.child_id),
    )


async def stages_of_disputes(
    session: AsyncSession, dispute_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[DisputeStage]]:
    """Each dispute's stages, in order: one query."""
    if not dispute_ids:
        return {}
    return await grouped(
        session,
        sa.select(DisputeStage.dispute_id, DisputeStage)
        .where(in_list(DisputeStage.dispute_id, list(dispute_ids)))
        .order_by(DisputeStage.dispute_id, DisputeStage.position),
    )


async def notes_of_disputes(
    session: AsyncSession, dispute_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[DisputeNote]]:
    """Each dispute's notes, oldest first: one query."""
    if not dispute_ids:
        return {}
    return await grouped(
        session,
        sa.select(DisputeNote.dispute_id, DisputeNote)
        .where(in_list(DisputeNote.dispute_id, list(dispute_ids)))
        .order_by(DisputeNote.dispute_id, DisputeNote.occurred_on, DisputeNote.recorded_at),
    )


async def documents_of_disputes(
    session: AsyncSession, dispute_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[DisputeDocument]]:
    """Each dispute's documents, the first added first: one query."""
    if not dispute_ids:
        return {}
    return await grouped(
        session,
        sa.select(DisputeDocument.dispute_id, DisputeDocument)
        .where(in_list(DisputeDocument.dispute_id, list(dispute_ids)))
        .order_by(DisputeDocument.dispute_id, DisputeDocument.added_at),
    )


async def count_documents(session: AsyncSession, dispute_id: uuid.UUID) -> int:
    """How many documents the dispute holds."""
    count = await session.scalar(sa.select(sa.func.count()).where(DisputeDocument.dispute_id == dispute_id))
    return count or 0


async def named(session: AsyncSession, dispute_id: uuid.UUID, person_id: uuid.UUID) -> bool:
    """Whether the person is named to answer at any stage of the dispute."""
    found = await session.scalar(
        sa.select(DisputeStage.id)
        .where(DisputeStage.dispute_id == dispute_id, DisputeStage.answerer_id == person_id)
        .limit(1)
    )
    return found is not None


async def named_disputes(session: AsyncSession, person_id: uuid.UUID) -> list[uuid.UUID]:
    """The disputes the person is named to answer at some stage of."""
    return list(
        (
            await session.execute(
                sa.select(DisputeStage.dispute_id).where(DisputeStage.answerer_id == person_id).distinct()
            )
        ).scalars()
    )


async def authority_manager(
    session: AsyncSession, person_id: uuid.UUID, organisation_id: uuid.UUID
) -> Person | None:
    """The person, if they are an active manager in the authority's chain (who may be named at a stage)."""
    return await session.scalar(
        sa.select(Person)
        .join(PersonRole, PersonRole.person_id == Person.id)
        .where(
            Person.id == person_id,
            Person.organisation_id == organisation_id,
            Person.active.is_(True),
            PersonRole.role == Role.LA_MANAGER,
        )
    )


async def authority_managers(session: AsyncSession, organisation_id: uuid.UUID) -> list[Person]:
    """The authority's active managers in its chain, by name: whom an IRO may name at a stage."""
    rows = await session.execute(
        sa.select(Person)
        .join(PersonRole, PersonRole.person_id == Person.id)
        .where(
            Person.organisation_id == organisation_id,
            Person.active.is_(True),
            PersonRole.role == Role.LA_MANAGER,
        )
        .order_by(Person.name, Person.id)
    )
    return list(rows.scalars())


async def case_of(session: AsyncSession, dispute: Dispute) -> Proceedings | None:
    return await session.get(Proceedings, dispute.proceedings_id)


async def claim_reminders(session: AsyncSession, remind_by: date, now: datetime) -> list[DisputeStage]:
    """Open stages due by ``remind_by`` not yet reminded, marked reminded now: each is won by one clock."""
    rows = await session.execute(
        sa.update(DisputeStage)
        .where(
            DisputeStage.ended_at.is_(None),
            DisputeStage.reminded_at.is_(None),
            DisputeStage.due_on <= remind_by,
        )
        .values(reminded_at=now)
        .returning(DisputeStage)
    )
    return list(rows.scalars())


async def claim_overdue(session: AsyncSession, today: date, now: datetime) -> list[DisputeStage]:
    """Open stages past their due date with no overdue notice yet, marked noticed now (one clock wins)."""
    rows = await session.execute(
        sa.update(DisputeStage)
        .where(
            DisputeStage.ended_at.is_(None),
            DisputeStage.overdue_notice_at.is_(None),
            DisputeStage.due_on < today,
        )
        .values(overdue_notice_at=now)
        .returning(DisputeStage)
    )
    return list(rows.scalars())


async def disputes_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Dispute]:
    if not ids:
        return {}
    rows = await session.execute(sa.select(Dispute).where(in_list(Dispute.id, list(ids))))
    return {d.id: d for d in rows.scalars()}


async def live_iros(session: AsyncSession, case_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Person]]:
    """The live IROs of each case, for the clock's notices: one query."""
    if not case_ids:
        return {}
    return await grouped(
        session,
        sa.select(CaseMembership.proceedings_id, Person)
        .join(Person, Person.id == CaseMembership.person_id)
        .where(
            in_list(CaseMembership.proceedings_id, list(case_ids)),
            CaseMembership.role == CaseRole.IRO,
            CaseMembership.ended_at.is_(None),
        )
        .order_by(CaseMembership.proceedings_id, Person.name),
    )
