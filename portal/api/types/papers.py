"""Court papers on a case: their versions, who has them, the IRO's receipts, and the P6 checklist."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry

from models import Confidentiality, FilingParty, LawfulBasis, PaperKind
from models import CourtPaper as CourtPaperModel
from models import ForwardingConfirmation as ConfirmationModel
from models import PaperShare as ShareModel
from models import PaperVersion as VersionModel
from portal.api.context import Info
from portal.api.doc import enum_type, field, object_type, resolver
from portal.api.types.iro_views import IroView
from portal.api.types.people import PersonRef, person_ref

PaperKindEnum = enum_type(
    PaperKind, "What a court paper is, in the family court's categories (PROTOCOL.md §4)."
)
FilingPartyEnum = enum_type(FilingParty, "The party that filed a paper.")
ConfidentialityEnum = enum_type(
    Confidentiality,
    "Who may open a paper: STANDARD everyone on the case; RESTRICTED the guardian, IRO and LA solicitor; "
    "LEGAL_ONLY the guardian and LA solicitor.",
)
LawfulBasisEnum = enum_type(
    LawfulBasis, "The lawful basis for sharing a paper with the IRO (FPR 2010 Part 12)."
)


@object_type
class PaperReceipt:
    """A version shared with someone (the IRO, P6), and whether they have opened it."""

    shared_at: datetime = field("When it was shared.")
    first_opened_at: datetime | None = field("When they first opened it; empty while unopened.")
    _person_id: strawberry.Private[uuid.UUID]

    @resolver
    def person(self, info: Info) -> PersonRef:
        """Whom it was shared with."""
        return person_ref(info, self._person_id)


@object_type
class PaperVersion:
    """One version of a paper; a new version supersedes it but never overwrites it."""

    id: strawberry.ID = field("The version's id.")
    version: int = field("1 for the first, then 2, 3 ...")
    filename: str = field("The file's name as uploaded.")
    size: int = field("In bytes.")
    content_type: str = field("The type sniffed from its content.")
    sha256: str = field("The SHA-256 of its content, for the statutory record.")
    filed_on: date = field("When it was filed with the court.")
    uploaded_at: datetime = field("When it reached the portal.")
    download_url: str = field("Where to download it (for those who may open it).")
    receipts: list[PaperReceipt] = field("Whom it was shared with and whether they have opened it.")
    _uploaded_by: strawberry.Private[uuid.UUID]

    @resolver
    def uploaded_by(self, info: Info) -> PersonRef:
        """Who uploaded it."""
        return person_ref(info, self._uploaded_by)

    @staticmethod
    def of(model: VersionModel, shares: list[ShareModel]) -> PaperVersion:
        return PaperVersion(
            id=strawberry.ID(str(model.id)),
            version=model.version,
            filename=model.filename,
            size=model.size,
            content_type=model.content_type,
            sha256=model.sha256,
            filed_on=model.filed_on,
            uploaded_at=model.uploaded_at,
            download_url=f"/papers/{model.id}",
            receipts=[
                PaperReceipt(shared_at=s.shared_at, first_opened_at=s.first_opened_at, _person_id=s.person_id)
                for s in shares
            ],
            _uploaded_by=model.uploaded_by_id,
        )


@object_type
class CourtPaper:
    """A court paper filed on the case, with its versions, newest first."""

    id: strawberry.ID = field("The paper's id.")
    kind: PaperKind = field("What it is.")
    title: str = field("Its title.")
    filed_by_party: FilingParty = field("The party that filed it.")
    confidentiality: Confidentiality = field("Who may open it.")
    lawful_basis: LawfulBasis = field("The basis for sharing it with the IRO.")
    versions: list[PaperVersion] = field("Every version, newest first (those you may open).")
    _case_id: strawberry.Private[uuid.UUID]

    @resolver
    async def iro_view(self, info: Info) -> IroView | None:
        """For a guardian's analysis: whether it cites the IRO's view of the care plan, as the guardian
        recorded it (issue 19); empty until they have (and for every other paper)."""
        found = await info.context.loaders.iro_views.load(self._case_id)
        return next((IroView.of(v) for v in found if str(v.paper_id) == self.id), None)

    @staticmethod
    def of(model: CourtPaperModel, versions: list[PaperVersion]) -> CourtPaper:
        return CourtPaper(
            id=strawberry.ID(str(model.id)),
            kind=model.kind,
            title=model.title,
            filed_by_party=model.filed_by_party,
            confidentiality=model.confidentiality,
            lawful_basis=model.lawful_basis,
            versions=versions,
            _case_id=model.proceedings_id,
        )


@object_type
class ChecklistItem:
    """One of the kinds of paper the IRO must be supplied with (P6), and how far they have it."""

    label: str = field("The kind, e.g. 'Care plans'.")
    kinds: list[PaperKind] = field("The paper kinds it covers.")
    filed: int = field("Papers of these kinds filed (not counting any the court withheld from the IRO).")
    with_iro: int = field("Of those, how many the IRO has (their latest version shared with the IRO).")
    opened_by_iro: int = field("Of those, how many the IRO has opened.")
    missing: bool = field("Whether none of these has been filed yet.")


@object_type
class ForwardingConfirmation:
    """The guardian's confirmation that every court paper was forwarded to the IRO (Practice Note 2.2)."""

    confirmed_at: datetime = field("When.")
    versions_forwarded: int = field("How many versions the IRO had then.")
    note: str = field("The guardian's note.")
    _guardian_id: strawberry.Private[uuid.UUID]

    @resolver
    def guardian(self, info: Info) -> PersonRef:
        """The guardian who confirmed."""
        return person_ref(info, self._guardian_id)

    @staticmethod
    def of(model: ConfirmationModel) -> ForwardingConfirmation:
        return ForwardingConfirmation(
            confirmed_at=model.confirmed_at,
            versions_forwarded=model.versions_forwarded,
            note=model.note,
            _guardian_id=model.guardian_id,
        )


@object_type
class PlanInBrief:
    """A care plan in brief."""

    placement: str = field("Where the child will live, and with whom.")
    permanence: str = field("The plan for permanence.")
    family_contact: str = field("Family time and contact.")
    services: str = field("Services planned.")


@object_type
class PlanChange:
    """One field of the plan in brief that changed from the version before."""

    key: str = field("The field's key, e.g. placement.")
    label: str = field("The field's name.")
    before: str = field("What it said before.")
    after: str = field("What it says now.")


@object_type
class CarePlanVersion:
    """One version of a care plan on the case, as LA legal reads them: oldest first, with what changed."""

    paper_id: strawberry.ID = field("The paper.")
    title: str = field("The paper's title.")
    kind: PaperKind = field("Interim or final.")
    filed_by_party: FilingParty = field("Who filed it.")
    is_final: bool = field("Whether this is the final care plan (the latest final one).")
    version: PaperVersion = field("The version: its number, date filed, who uploaded it, its download.")
    plan_in_brief: PlanInBrief | None = field("The plan in brief, when it was given.")
    changes: list[PlanChange] = field("What changed in the plan in brief from the version before.")
    compared: bool = field(
        "Whether its plan in brief was compared with an earlier version's: false for the first one given, "
        "and for a version filed without one (which says nothing about the plan, so nothing in it changed)."
    )
