"""Filing court papers, sharing them with the IRO (P6), opening them, and the guardian's confirmation that
every paper has been forwarded (Practice Note 2.2).

Filing a paper opens P6 for it; sharing it with the case's IRO meets P6 at once, or when an IRO is assigned
(papers wait for them). A paper the court withheld from the IRO makes its P6 not applicable. Versions are
never overwritten; the same content filed twice on one case is reported, not stored twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    AuditOutcome,
    CaseRole,
    Confidentiality,
    CourtPaper,
    FilingParty,
    ForwardingConfirmation,
    LawfulBasis,
    ObligationState,
    PaperKind,
    PaperShare,
    PaperVersion,
    Person,
    Proceedings,
    Trigger,
    Upload,
    utcnow,
)
from portal import clock
from portal.access.policy import Permission
from portal.access.service import CaseAccess, access_case
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.cases import repository as cases
from portal.errors import ErrorCode, NotFound, Problems
from portal.mail.outbox import enqueue
from portal.obligations import repository as obligation_rows
from portal.obligations import service as obligations
from portal.papers import repository
from portal.papers.access import may_read, shareable_with_iro
from portal.papers.plans import CARE_PLANS, PLAN_FIELD_MAX_LENGTH, PLAN_FIELDS, tidy_text
from portal.papers.receive import Received
from portal.storage.blobs import BlobStore
from portal.validation import check_past_date, clean, clean_required

TITLE_MAX_LENGTH = 300


async def check_can_file(session: AsyncSession, actor: Actor, case_id: uuid.UUID) -> CaseAccess:
    """Asked before a byte of the upload is read: may the actor file papers on this case?"""
    return await access_case(session, actor, case_id, Permission.FILE_PAPER)


async def record_upload(
    session: AsyncSession, actor: Actor, case_id: uuid.UUID, received: Received
) -> Upload:
    access = await check_can_file(session, actor, case_id)
    upload = Upload(
        proceedings_id=case_id,
        sha256=received.sha256,
        size=received.size,
        content_type=received.content_type,
        filename=received.filename,
        uploaded_by_id=actor.person_id,
    )
    session.add(upload)
    await session.flush()
    audit.record_on_case(session, actor, access, "paper.upload", subject_type="upload", subject_id=upload.id)
    return upload


@dataclass(frozen=True)
class FilePaper:
    # Without an upload nothing is filed: the details are checked on ``case_id`` and every problem is
    # reported, the missing file among them (a form shows them all at once).
    upload_id: uuid.UUID | None
    filed_on: date | None
    # A new paper: what it is. A new version of an existing paper: ``paper_id`` (the rest is the paper's).
    kind: PaperKind | None = None
    title: str = ""
    filed_by_party: FilingParty | None = None
    confidentiality: Confidentiality | None = None
    lawful_basis: LawfulBasis | None = None
    paper_id: uuid.UUID | None = None
    # For a care plan: placement, permanence, family_contact and services, in brief.
    plan_in_brief: dict[str, str] | None = None
    # The case: needed only without an upload (an upload belongs to its case).
    case_id: uuid.UUID | None = None


async def file_paper(session: AsyncSession, actor: Actor, data: FilePaper) -> tuple[CourtPaper, PaperVersion]:
    problems = Problems()
    upload: Upload | None = None
    if data.upload_id is None:
        if data.case_id is None:
            raise NotFound("Case", "caseId")
        access = await check_can_file(session, actor, data.case_id)
        problems.add(ErrorCode.REQUIRED, "Choose a file to upload", "uploadId")
    else:
        upload = await session.get(Upload, data.upload_id)
        if (
            upload is None
            or upload.uploaded_by_id != actor.person_id
            or (data.case_id is not None and upload.proceedings_id != data.case_id)
        ):
            raise NotFound("Upload", "uploadId")
        try:
            access = await check_can_file(session, actor, upload.proceedings_id)
        except NotFound:
            raise NotFound("Upload", "uploadId") from None
        if upload.filed_version_id is not None:  # submitted twice: the first one stands
            version = await session.get(PaperVersion, upload.filed_version_id)
            assert version is not None
            filed = await session.get(CourtPaper, version.paper_id)
            assert filed is not None
            return filed, version
    case = access.case
    check_past_date(
        problems,
        data.filed_on,
        "filedOn",
        missing="Enter the date the paper was filed",
        label="The date filed",
        today=clock.today(),
        not_before=case.issued_on,
        too_early="A paper cannot be filed before the proceedings were issued",
    )
    paper: CourtPaper | None = None
    if data.paper_id is not None:
        paper = await session.get(CourtPaper, data.paper_id)
        if (
            paper is None
            or paper.proceedings_id != case.id
            or not may_read(access.roles, paper.confidentiality)
        ):
            problems.add(ErrorCode.NOT_FOUND, "The paper to add a version to was not found", "paperId")
    else:
        clean_required(problems, data.title, "title", "Enter the paper's title", TITLE_MAX_LENGTH)
        for value, name, message in (
            (data.kind, "kind", "Choose what kind of paper it is"),
            (data.filed_by_party, "filedByParty", "Choose the party that filed it"),
            (data.confidentiality, "confidentiality", "Choose who may see it"),
            (data.lawful_basis, "lawfulBasis", "Choose the lawful basis for sharing it with the IRO"),
        ):
            if value is None:
                problems.add(ErrorCode.REQUIRED, message, name)
        if (
            data.confidentiality is Confidentiality.LEGAL_ONLY
            and data.lawful_basis is not LawfulBasis.WITHHELD_BY_COURT
        ):
            problems.add(
                ErrorCode.INVALID_VALUE,
                "A paper for the lawyers only is one the court withheld from the IRO: choose that basis",
                "lawfulBasis",
            )
    kind = paper.kind if paper is not None else data.kind
    brief = _check_brief(problems, data.plan_in_brief, kind)
    duplicate = await repository.version_with_content(session, case.id, upload.sha256) if upload else None
    if duplicate is not None:
        problems.add(
            ErrorCode.DUPLICATE,
            f"This file is already on the case ({duplicate[1].title}, version {duplicate[0].version}): "
            "choose another file",
            "uploadId",
        )
    problems.raise_if_any()
    assert upload is not None
    assert data.filed_on is not None
    if paper is None:
        assert data.kind
        assert data.filed_by_party
        assert data.confidentiality
        assert data.lawful_basis
        paper = CourtPaper(
            proceedings_id=case.id,
            kind=data.kind,
            title=clean_required(Problems(), data.title, "title", "", TITLE_MAX_LENGTH),
            filed_by_party=data.filed_by_party,
            confidentiality=data.confidentiality,
            lawful_basis=data.lawful_basis,
            created_by_id=actor.person_id,
        )
        session.add(paper)
        await session.flush()
    latest = await repository.latest_version_number(session, paper.id)
    version = PaperVersion(
        paper_id=paper.id,
        proceedings_id=case.id,
        version=(latest or 0) + 1,
        sha256=upload.sha256,
        size=upload.size,
        content_type=upload.content_type,
        filename=upload.filename,
        filed_on=data.filed_on,
        uploaded_by_id=actor.person_id,
        plan_in_brief=brief,
    )
    session.add(version)
    await session.flush()
    upload.filed_version_id = version.id
    await _open_p6(session, case, paper, [version], actor.person_id)
    audit.record_on_case(
        session, actor, access, "paper.file", subject_type="paper_version", subject_id=version.id
    )
    return paper, version


def _check_brief(
    problems: Problems, brief: dict[str, str] | None, kind: PaperKind | None
) -> dict[str, str] | None:
    if not brief:
        return None
    if kind not in CARE_PLANS:
        problems.add(ErrorCode.INVALID_VALUE, "Only a care plan has a plan in brief", "planInBrief")
        return None
    tidy = {field: tidy_text(brief.get(field) or "") for field in PLAN_FIELDS}
    for field, text in tidy.items():
        if len(text) > PLAN_FIELD_MAX_LENGTH:
            problems.add(
                ErrorCode.TOO_LONG,
                f"{PLAN_FIELDS[field]} must be 2,000 characters or fewer",
                f"planInBrief.{field}",
            )
    return tidy if any(tidy.values()) else None


async def _open_p6(
    session: AsyncSession, case: Proceedings, paper: CourtPaper, versions: list[PaperVersion], by: uuid.UUID
) -> None:
    """P6 for each version: met by sharing with the IRO now, waiting for one, or not applicable."""
    if not obligations.protocol_applies(await cases.case_children(session, case.id)):
        return
    opened = await obligations.open_obligations(
        session,
        case,
        Trigger.PAPER_FILED,
        on=clock.today(),
        by=by,
        events=[obligations.Event(v.id) for v in versions],
        tell=False,
    )
    if not shareable_with_iro(paper.confidentiality, paper.lawful_basis):
        for obligation in opened:
            obligations.close(
                session,
                obligation,
                ObligationState.NOT_APPLICABLE,
                utcnow(),
                by,
                reason="The court withheld this paper from the IRO",
            )
        return
    iros = {m.person_id for m in await cases.live_memberships(session, case.id, CaseRole.IRO)}
    for iro in iros:
        await _share(session, case.id, versions, iro, by)


async def _share(
    session: AsyncSession,
    case_id: uuid.UUID,
    versions: Sequence[PaperVersion],
    iro_id: uuid.UUID,
    by: uuid.UUID | None,
) -> None:
    now = utcnow()
    for version in versions:
        session.add(PaperShare(version_id=version.id, person_id=iro_id, shared_at=now))
    await session.flush()
    await obligations.meet(
        session, case_id, ["P6"], evidence_id=None, when=now, by=by, triggers={v.id for v in versions}
    )
    # P12: the final care plan in the IRO's hands, at the end of the proceedings.
    final_plans = [v for v in versions if v.paper_id in await repository.final_care_plans(session, case_id)]
    if final_plans:
        await obligations.meet(session, case_id, ["P12"], evidence_id=final_plans[-1].id, when=now, by=by)
    iro = await session.get(Person, iro_id)
    if iro is not None and versions:
        count = len(versions)
        enqueue(
            session,
            iro,
            kind="paper.shared",
            subject="Court papers have been shared with you",
            body=f"{count} court {'paper has' if count == 1 else 'papers have'} been shared with you under "
            "the guardian–IRO protocol. Open the portal to read them.",
            link_path=f"/cases/{case_id}/papers",
        )


async def final_care_plan_with_iro(session: AsyncSession, case_id: uuid.UUID) -> uuid.UUID | None:
    """The latest version of a final care plan that the case's IRO has (P12's evidence), if any."""
    iros = [m.person_id for m in await cases.live_memberships(session, case_id, CaseRole.IRO)]
    return await repository.latest_final_care_plan_shared_with(session, case_id, iros)


async def iro_assigned(
    session: AsyncSession, case_id: uuid.UUID, iro_id: uuid.UUID, by: uuid.UUID | None
) -> None:
    """A new IRO receives every paper they may have that they do not have yet (P6)."""
    unshared = await repository.versions_not_shared_with(session, case_id, iro_id)
    versions = [v for v, paper in unshared if shareable_with_iro(paper.confidentiality, paper.lawful_basis)]
    if versions:
        await _share(session, case_id, versions, iro_id, by)


async def open_version(
    session: AsyncSession, actor: Actor, version_id: uuid.UUID
) -> tuple[PaperVersion, CourtPaper]:
    """A version to download, for someone on the case whose role its level admits (an IRO: once shared with
    them); everyone else gets not-found. The first opening is the receipt."""
    version = await session.get(PaperVersion, version_id)
    paper = await session.get(CourtPaper, version.paper_id) if version else None
    if version is None or paper is None:
        raise NotFound("Paper", "id")
    try:
        access = await access_case(session, actor, version.proceedings_id, Permission.READ_CASE)
    except NotFound:
        raise NotFound("Paper", "id") from None
    if not await repository.may_open(session, actor, version.id):
        audit.record(
            session,
            actor,
            "refused:paper.read",
            subject_type="paper_version",
            subject_id=version.id,
            case_id=version.proceedings_id,
            outcome=AuditOutcome.REFUSED,
        )
        raise NotFound("Paper", "id")
    share = await repository.share_of(session, version.id, actor.person_id)
    if share is not None and share.first_opened_at is None:
        share.first_opened_at = utcnow()
    audit.record_on_case(
        session, actor, access, "paper.read", subject_type="paper_version", subject_id=version.id
    )
    return version, paper


async def confirm_forwarded(
    session: AsyncSession, actor: Actor, case_id: uuid.UUID, note: str
) -> ForwardingConfirmation:
    """The guardian confirms every paper has been forwarded to the IRO: refused while one the IRO may have
    is not shared with them (the portal can see it)."""
    access = await access_case(session, actor, case_id, Permission.CONFIRM_FORWARDING)
    iros = {m.person_id for m in await cases.live_memberships(session, case_id, CaseRole.IRO)}
    problems = Problems()
    if not iros:
        problems.add(ErrorCode.NOT_ON_CASE, "There is no IRO on the case to forward papers to")
    missing = await obligation_rows.open_obligations(session, case_id, ["P6"]) if iros else []
    if missing:
        problems.add(
            ErrorCode.INVALID_VALUE,
            f"{len(missing)} {'paper has' if len(missing) == 1 else 'papers have'} not reached the IRO yet",
        )
    note = clean(note)
    if len(note) > 1000:
        problems.add(ErrorCode.TOO_LONG, "The note must be 1,000 characters or fewer", "note")
    problems.raise_if_any()
    confirmation = ForwardingConfirmation(
        proceedings_id=case_id,
        guardian_id=actor.person_id,
        versions_forwarded=await repository.count_shared_with(session, case_id, list(iros)),
        note=note,
    )
    session.add(confirmation)
    await session.flush()
    audit.record_on_case(
        session,
        actor,
        access,
        "paper.confirm_forwarded",
        subject_type="forwarding_confirmation",
        subject_id=confirmation.id,
    )
    return confirmation


# Uploads not filed within this long are swept away, and staged blobs left by interrupted writes.
UPLOAD_LIFETIME = timedelta(days=1)
STAGED_LIFETIME = timedelta(hours=1)


async def sweep(session: AsyncSession, store: BlobStore) -> tuple[int, int]:
    """Remove uploads never filed (and their blobs, unless something else holds the same content) and
    blobs left half-written. Returns (uploads removed, blobs removed)."""
    cutoff = utcnow() - UPLOAD_LIFETIME
    stale = await repository.delete_unfiled_uploads(session, cutoff)
    held = await repository.held_digests(session)
    blobs = 0
    for digest, age in await store.digests():
        # A blob nobody holds, and not one whose record is still being written: an orphan.
        if digest not in held and age > STAGED_LIFETIME.total_seconds():
            await store.delete(digest)
            blobs += 1
    for name, age in await store.staged():
        if age > STAGED_LIFETIME.total_seconds():
            await store.remove_staged(name)
            blobs += 1
    return len(stale), blobs
