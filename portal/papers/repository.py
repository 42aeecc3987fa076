"""Queries on court papers: papers, their versions, their shares with IROs, the guardian's confirmations that
every paper was forwarded, and uploads not yet filed."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    CaseRole,
    CourtPaper,
    DisputeDocument,
    ForwardingConfirmation,
    IroViewCitation,
    PaperKind,
    PaperShare,
    PaperVersion,
    Role,
    Upload,
)
from portal.access.policy import CASE_ROLE_REQUIRES, Permission
from portal.access.repository import CaseRows, granted, member_as
from portal.auth.actor import System, Viewer
from portal.db import grouped
from portal.in_list import in_list
from portal.papers.access import READERS


async def papers_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[CourtPaper]]:
    """Each case's papers, in the order they were first filed (which versions the viewer may open is
    ``versions_by_paper``'s)."""
    return await _PAPERS.fetch(session, viewer, case_ids)


_PAPERS = CaseRows(CourtPaper, order_by=(CourtPaper.created_at,))


def openable(viewer: Viewer) -> sa.ColumnElement[bool]:
    """The viewer may open a version (of a statement joining ``PaperVersion`` to its ``CourtPaper``): in a
    role on its case that the paper's level admits; an IRO, once it is shared with them (P6). Managers
    oversee the checklist, not the papers."""
    if isinstance(viewer, System):
        return sa.true()
    case = PaperVersion.proceedings_id
    by_level = [
        sa.and_(
            CourtPaper.confidentiality == level,
            member_as(
                viewer, [c for c, r in CASE_ROLE_REQUIRES.items() if r in readers and r is not Role.IRO], case
            ),
        )
        for level, readers in READERS.items()
    ]
    shared_with_iro = sa.and_(
        CourtPaper.confidentiality.in_([level for level, readers in READERS.items() if Role.IRO in readers]),
        member_as(viewer, [CaseRole.IRO], case),
        sa.exists().where(PaperShare.version_id == PaperVersion.id, PaperShare.person_id == viewer.person_id),
    )
    return sa.and_(granted(viewer, Permission.READ_CASE, case), sa.or_(*by_level, shared_with_iro))


async def versions_by_paper(
    session: AsyncSession, viewer: Viewer, paper_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[PaperVersion]]:
    """Each paper's versions that the viewer may open, the latest first."""
    return await grouped(
        session,
        sa.select(PaperVersion.paper_id, PaperVersion)
        .join(CourtPaper, CourtPaper.id == PaperVersion.paper_id)
        .where(in_list(PaperVersion.paper_id, paper_ids), openable(viewer))
        .order_by(PaperVersion.version.desc()),
    )


async def may_open(session: AsyncSession, viewer: Viewer, version_id: uuid.UUID) -> bool:
    """Whether the viewer may open the version (the download's check, the same as the case's papers')."""
    stmt = (
        sa.select(PaperVersion.id)
        .join(CourtPaper, CourtPaper.id == PaperVersion.paper_id)
        .where(PaperVersion.id == version_id, openable(viewer))
    )
    return (await session.execute(stmt)).first() is not None


async def shares_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[PaperShare]]:
    """Every share of each case's paper versions, with whoever it was shared with, in no particular order."""
    return await grouped(
        session,
        sa.select(PaperVersion.proceedings_id, PaperShare)
        .join(PaperVersion, PaperVersion.id == PaperShare.version_id)
        .where(
            in_list(PaperVersion.proceedings_id, case_ids),
            granted(viewer, Permission.READ_CASE, PaperVersion.proceedings_id),
        ),
    )


async def confirmations_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ForwardingConfirmation]]:
    """Each case's confirmations that every paper was forwarded, the latest first."""
    return await _CONFIRMATIONS.fetch(session, viewer, case_ids)


_CONFIRMATIONS = CaseRows(ForwardingConfirmation, order_by=(ForwardingConfirmation.confirmed_at.desc(),))


async def forwarding_confirmed(session: AsyncSession, case_id: uuid.UUID) -> bool:
    """Whether the guardian has confirmed, at least once, that every paper on the case was forwarded."""
    count = await session.scalar(
        sa.select(sa.func.count()).where(ForwardingConfirmation.proceedings_id == case_id)
    )
    return bool(count)


async def iro_views_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[IroViewCitation]]:
    """Each case's records of whether the guardian's analyses cite the IRO's view of the care plan (one per
    analysis; the API shows each beside its paper, so only on papers the viewer may open)."""
    return await _IRO_VIEWS.fetch(session, viewer, case_ids)


_IRO_VIEWS = CaseRows(IroViewCitation, order_by=(IroViewCitation.recorded_at,))


async def iro_view_of(session: AsyncSession, paper_id: uuid.UUID) -> IroViewCitation | None:
    """The record of whether the analysis cites the IRO's view, if one has been made."""
    return await session.scalar(sa.select(IroViewCitation).where(IroViewCitation.paper_id == paper_id))


async def version_with_content(
    session: AsyncSession, case_id: uuid.UUID, sha256: str
) -> tuple[PaperVersion, CourtPaper] | None:
    """A version on the case with exactly this content (by its SHA-256), and its paper; None if there is
    none (if several, any one of them)."""
    row = (
        await session.execute(
            sa.select(PaperVersion, CourtPaper)
            .join(CourtPaper, CourtPaper.id == PaperVersion.paper_id)
            .where(PaperVersion.proceedings_id == case_id, PaperVersion.sha256 == sha256)
            .limit(1)
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def latest_version_number(session: AsyncSession, paper_id: uuid.UUID) -> int | None:
    """The paper's highest version number, or None before its first version."""
    return await session.scalar(
        sa.select(sa.func.max(PaperVersion.version)).where(PaperVersion.paper_id == paper_id)
    )


async def final_care_plans(session: AsyncSession, case_id: uuid.UUID) -> set[uuid.UUID]:
    """The ids of the case's papers that are final care plans."""
    rows = await session.execute(
        sa.select(CourtPaper.id).where(
            CourtPaper.proceedings_id == case_id, CourtPaper.kind == PaperKind.CARE_PLAN_FINAL
        )
    )
    return set(rows.scalars())


async def latest_final_care_plan_shared_with(
    session: AsyncSession, case_id: uuid.UUID, people: Sequence[uuid.UUID]
) -> uuid.UUID | None:
    """The id of the most recently uploaded version of a final care plan on the case that has been shared
    with any of ``people``, or None."""
    return await session.scalar(
        sa.select(PaperVersion.id)
        .join(CourtPaper, CourtPaper.id == PaperVersion.paper_id)
        .join(PaperShare, PaperShare.version_id == PaperVersion.id)
        .where(
            CourtPaper.proceedings_id == case_id,
            CourtPaper.kind == PaperKind.CARE_PLAN_FINAL,
            in_list(PaperShare.person_id, people),
        )
        .order_by(PaperVersion.uploaded_at.desc())
        .limit(1)
    )


async def versions_not_shared_with(
    session: AsyncSession, case_id: uuid.UUID, person_id: uuid.UUID
) -> list[tuple[PaperVersion, CourtPaper]]:
    """Every version on the case not yet shared with the person, with its paper, oldest upload first
    (whatever the paper's confidentiality: the caller decides what may be shared)."""
    rows = await session.execute(
        sa.select(PaperVersion, CourtPaper)
        .join(CourtPaper, CourtPaper.id == PaperVersion.paper_id)
        .where(
            PaperVersion.proceedings_id == case_id,
            ~sa.exists().where(PaperShare.version_id == PaperVersion.id, PaperShare.person_id == person_id),
        )
        .order_by(PaperVersion.uploaded_at)
    )
    return [(version, paper) for version, paper in rows]


async def share_of(session: AsyncSession, version_id: uuid.UUID, person_id: uuid.UUID) -> PaperShare | None:
    """The version's share with the person, if it has been shared with them."""
    return await session.scalar(
        sa.select(PaperShare).where(PaperShare.version_id == version_id, PaperShare.person_id == person_id)
    )


async def count_shared_with(session: AsyncSession, case_id: uuid.UUID, people: Sequence[uuid.UUID]) -> int:
    """How many shares of the case's versions there are with any of ``people``."""
    count = await session.scalar(
        sa.select(sa.func.count())
        .select_from(PaperShare)
        .join(PaperVersion, PaperVersion.id == PaperShare.version_id)
        .where(PaperVersion.proceedings_id == case_id, in_list(PaperShare.person_id, people))
    )
    return count or 0


async def delete_unfiled_uploads(session: AsyncSession, uploaded_before: datetime) -> list[str]:
    """Delete the uploads never filed that were made before ``uploaded_before``; the SHA-256 of each one
    deleted (one per upload, so repeated when several held the same content)."""
    result = await session.execute(
        sa.delete(Upload)
        .where(Upload.filed_version_id.is_(None), Upload.uploaded_at < uploaded_before)
        .returning(Upload.sha256)
    )
    return list(result.scalars())


async def held_digests(session: AsyncSession) -> set[str]:
    """The SHA-256 of every content some record holds: a paper's version, an upload, a dispute's document."""
    rows = await session.execute(
        sa.select(PaperVersion.sha256).union(sa.select(Upload.sha256), sa.select(DisputeDocument.sha256))
    )
    return set(rows.scalars())
