"""Mutations on court papers. The file itself comes through the streaming upload route
(``POST /cases/{id}/papers/uploads``), which returns an upload id; these file it and confirm forwarding."""

from __future__ import annotations

from datetime import date

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models import Confidentiality, FilingParty, LawfulBasis, PaperKind
from models import CourtPaper as CourtPaperModel
from models import PaperVersion as PaperVersionModel
from portal.api.context import Info
from portal.api.doc import field, input_type, mutation, object_type
from portal.api.errors import UserError, attempt, parse_id
from portal.api.types.papers import CourtPaper, ForwardingConfirmation, PaperVersion
from portal.papers import service


@input_type
class FileCourtPaperInput:
    """An uploaded file to file on its case: as a new paper (kind, title, party, confidentiality, lawful
    basis) or as a new version of an existing paper (paperId). Without an upload nothing is filed: the
    details are checked on caseId and every problem is reported, the missing file among them, so that a
    form can show them all at once."""

    upload_id: strawberry.ID | None = field(
        "The id the upload route returned. Without it, only the details are checked.", default=None
    )
    case_id: strawberry.ID | None = field(
        "The case: needed only without an upload (an upload is filed on its own case).", default=None
    )
    filed_on: date | None = field("When it was filed with the court.")
    kind: PaperKind | None = field("What kind of paper it is (a new paper).", default=None)
    title: str = field("Its title (a new paper).", default="")
    filed_by_party: FilingParty | None = field("The party that filed it (a new paper).", default=None)
    confidentiality: Confidentiality | None = field("Who may open it (a new paper).", default=None)
    lawful_basis: LawfulBasis | None = field(
        "The basis for sharing it with the IRO (a new paper).", default=None
    )
    paper_id: strawberry.ID | None = field("The paper this is a new version of.", default=None)
    plan_in_brief: PlanInBriefInput | None = field(
        "For a care plan: the plan in brief, which LA legal's plans view compares between versions.",
        default=None,
    )


@input_type
class PlanInBriefInput:
    """A care plan in brief."""

    placement: str = field("Where the child will live, and with whom.", default="")
    permanence: str = field("The plan for permanence.", default="")
    family_contact: str = field("Family time and contact.", default="")
    services: str = field("Services planned.", default="")


@object_type
class FileCourtPaperPayload:
    """The paper and the version filed, or the errors (and nothing written). Filing the same upload twice
    returns the first result."""

    paper: CourtPaper | None = field("The paper.")
    version: PaperVersion | None = field("The version filed.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@input_type
class ConfirmPapersForwardedInput:
    """The guardian's confirmation that every court paper has been forwarded to the IRO."""

    case_id: strawberry.ID = field("The case.")
    note: str = field("Anything to add (optional).", default="")


@object_type
class ConfirmPapersForwardedPayload:
    """The confirmation, or the errors (and nothing written)."""

    confirmation: ForwardingConfirmation | None = field("The confirmation.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@object_type
class PaperMutations:
    """Filing court papers and confirming they reached the IRO (P6)."""

    @mutation
    async def file_court_paper(self, info: Info, input: FileCourtPaperInput) -> FileCourtPaperPayload:
        """File an uploaded file as a court paper (the guardian or the LA solicitor). It opens P6 and is
        shared with the case's IRO at once (or when one is assigned), who is told by email (a link only)."""

        async def work() -> tuple[CourtPaper, PaperVersion]:
            actor = info.context.require_actor()
            data = service.FilePaper(
                upload_id=parse_id(input.upload_id, "uploadId") if input.upload_id else None,
                case_id=parse_id(input.case_id, "caseId") if input.case_id else None,
                filed_on=input.filed_on,
                kind=input.kind,
                title=input.title,
                filed_by_party=input.filed_by_party,
                confidentiality=input.confidentiality,
                lawful_basis=input.lawful_basis,
                paper_id=parse_id(input.paper_id, "paperId") if input.paper_id else None,
                plan_in_brief=vars(input.plan_in_brief) if input.plan_in_brief else None,
            )

            async def file(s: AsyncSession) -> tuple[CourtPaperModel, PaperVersionModel]:
                return await service.file_paper(s, actor, data)

            paper, version = await info.context.uow.run(file)
            filed = PaperVersion.of(version, [])
            return CourtPaper.of(paper, [filed]), filed

        result, errors = await attempt(info.context, work())
        paper, version = result if result else (None, None)
        return FileCourtPaperPayload(paper=paper, version=version, errors=errors)

    @mutation
    async def confirm_papers_forwarded(
        self, info: Info, input: ConfirmPapersForwardedInput
    ) -> ConfirmPapersForwardedPayload:
        """Confirm, as the guardian, that every court paper has been forwarded to the IRO (Practice Note 2.2):
        refused while the portal can see one that has not reached them."""

        async def work() -> ForwardingConfirmation:
            actor = info.context.require_actor()
            case_id = parse_id(input.case_id, "caseId")
            made = await info.context.uow.run(
                lambda s: service.confirm_forwarded(s, actor, case_id, input.note)
            )
            return ForwardingConfirmation.of(made)

        confirmation, errors = await attempt(info.context, work())
        return ConfirmPapersForwardedPayload(confirmation=confirmation, errors=errors)
