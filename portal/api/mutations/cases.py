"""Mutations on proceedings: opening them, allocating the guardian and the IRO, the timetable."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models import CaseRole, LegalStatus, Role, Stage
from portal.access.policy import Permission
from portal.access.service import access_case
from portal.api.context import Info
from portal.api.doc import field, input_type, mutation, object_type
from portal.api.errors import UserError, attempt, parse_id
from portal.api.types.cases import Case, case_node
from portal.audit.service import Look
from portal.auth.actor import Actor
from portal.cases import service


@object_type
class CasePayload:
    """The result of a change to a case: the case as it now is, or the errors (and nothing written)."""

    case: Case | None = field("The case after the change; empty if there were errors.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@input_type
class NewChildInput:
    """A child not yet known to the portal."""

    given_name: str = field("First name.")
    family_name: str = field("Last name.")
    date_of_birth: date | None = field("Date of birth.")
    legal_status: LegalStatus | None = field("The current legal status.")
    looked_after_since: date | None = field(
        "When the child became looked after; required for a looked-after status, empty otherwise.",
        default=None,
    )


@input_type
class OpenProceedingsInput:
    """Care proceedings just issued by the court."""

    court_id: strawberry.ID = field("The family court.")
    case_number: str = field("The court's case number.")
    issued_on: date | None = field("When the application was issued.")
    new_children: list[NewChildInput] = field("Children new to the portal.", default_factory=list)
    existing_child_ids: list[strawberry.ID] = field(
        "Children of your authority already known to the portal (e.g. accommodated under section 20).",
        default_factory=list,
    )


@input_type
class AllocationInput:
    """Putting a person on a case in a role, for some or all of its children."""

    case_id: strawberry.ID = field("The case.")
    person_id: strawberry.ID = field("The person to allocate, from your own organisation.")
    child_ids: list[strawberry.ID] = field(
        "The children to allocate them to; empty for every child the role applies to.", default_factory=list
    )
    reallocation_reason: str | None = field(
        "Required to replace someone who holds the role now: their part ends with this reason.", default=None
    )
    appointed_on: date | None = field(
        "assignIro only: the day the IRO was appointed, when earlier than today (before the proceedings, for "
        "a child looked after before them); the appointment within 5 working days (IA) is judged on it. "
        "Empty: today.",
        default=None,
    )
    conflict_acknowledged: bool = field(
        "assignIro only: you go ahead knowing of the IRO's open conflicts of interest with these children "
        "(IroWorkload.conflicts); the acknowledgement is kept on each conflict and audited. Without it, an "
        "open conflict refuses the assignment with CONFLICT_OF_INTEREST, its kind and details said.",
        default=False,
    )


@input_type
class RecordExtensionInput:
    """An extension of the 26-week timetable granted by the court."""

    case_id: strawberry.ID = field("The case.")
    weeks: int = field("Weeks added: 1 to 8.")
    reason: str = field("Why the court found the extension necessary.")
    granted_on: date | None = field("When the court granted it.")


@input_type
class AdvanceStageInput:
    """The proceedings reaching a later stage."""

    case_id: strawberry.ID = field("The case.")
    stage: Stage = field("The stage reached.")
    changed_on: date | None = field("The date of the hearing or decision.")


@input_type
class RecordLegalStatusInput:
    """A change to a child's legal status."""

    case_id: strawberry.ID = field("The case.")
    child_id: strawberry.ID = field("The child.")
    status: LegalStatus = field("The new legal status.")
    effective_from: date | None = field("When it took effect.")


@object_type
class ProceedingsCheck:
    """What would stop proceedings being opened, found without opening them."""

    errors: list[UserError] = field("Every problem with the input; empty when the proceedings can be opened.")


def opening(input: OpenProceedingsInput) -> service.OpenProceedings:
    """The service's form of the input (an id that does not parse is refused with its field)."""
    return service.OpenProceedings(
        court_id=parse_id(input.court_id, "courtId"),
        case_number=input.case_number,
        issued_on=input.issued_on,
        new_children=[
            service.NewChild(
                c.given_name, c.family_name, c.date_of_birth, c.legal_status, c.looked_after_since
            )
            for c in input.new_children
        ],
        existing_child_ids=[
            parse_id(c, f"existingChildIds.{i}") for i, c in enumerate(input.existing_child_ids)
        ],
    )


async def check_opening(info: Info, input: OpenProceedingsInput) -> ProceedingsCheck:
    """Check proceedings as ``openProceedings`` would, writing nothing."""

    async def work() -> None:
        actor = info.context.require_actor()
        data = opening(input)
        await info.context.uow.run(lambda s: service.check_open_proceedings(s, actor, data))

    _, errors = await attempt(info.context, work())
    return ProceedingsCheck(errors=errors)


def _allocation(data: AllocationInput) -> service.Allocation:
    return service.Allocation(
        case_id=parse_id(data.case_id, "caseId"),
        person_id=parse_id(data.person_id, "personId"),
        child_ids=[parse_id(c, f"childIds.{i}") for i, c in enumerate(data.child_ids)],
        reallocation_reason=data.reallocation_reason,
        appointed_on=data.appointed_on,
        conflict_acknowledged=data.conflict_acknowledged,
    )


Change = Callable[[AsyncSession, Actor], Awaitable[uuid.UUID]]


async def _change_case(info: Info, change: Change) -> CasePayload:
    """Run a change to a case; answer with the case as the actor now sees it, or with the errors."""

    async def work() -> Case:
        actor = info.context.require_actor()

        async def changed(session: AsyncSession) -> Case:
            case_id = await change(session, actor)
            access = await access_case(session, actor, case_id, Permission.READ_CASE)
            return case_node(info, access.case, access.roles, Look.VIEW)

        return await info.context.uow.run(changed)

    case, errors = await attempt(info.context, work())
    return CasePayload(case=case, errors=errors)


async def _allocate(
    info: Info,
    input: AllocationInput,
    allocate: Callable[[AsyncSession, Actor, service.Allocation], Awaitable[object]],
) -> CasePayload:
    async def change(session: AsyncSession, actor: Actor) -> uuid.UUID:
        data = _allocation(input)
        await allocate(session, actor, data)
        return data.case_id

    return await _change_case(info, change)


@object_type
class CaseMutations:
    """Mutations on proceedings."""

    @mutation
    async def open_proceedings(self, info: Info, input: OpenProceedingsInput) -> CasePayload:
        """Open proceedings for one or more children of your authority (LA solicitors). You become the case's
        LA solicitor."""

        async def work() -> Case:
            data = opening(input)
            actor = info.context.require_actor()
            proceedings = await info.context.uow.run(lambda s: service.open_proceedings(s, actor, data))
            # The actor was computed before they joined the case: they hold it as its solicitor now.
            info.context.joined(proceedings.id, CaseRole.LA_SOLICITOR)
            return case_node(info, proceedings, [Role.LA_SOLICITOR], Look.VIEW)

        case, errors = await attempt(info.context, work())
        return CasePayload(case=case, errors=errors)

    @mutation
    async def allocate_guardian(self, info: Info, input: AllocationInput) -> CasePayload:
        """Allocate a children's guardian from your service area to children in proceedings (Cafcass
        managers). A child has one live guardian: to replace one, give a reallocation reason."""
        return await _allocate(info, input, service.allocate_guardian)

    @mutation
    async def assign_iro(self, info: Info, input: AllocationInput) -> CasePayload:
        """Assign an IRO of your authority to its looked-after children in the case (IRO managers). A child
        who is not looked after has no IRO. An IRO with an open conflict of interest with a child is assigned
        only with ``conflictAcknowledged``."""
        return await _allocate(info, input, service.assign_iro)

    @mutation
    async def assign_social_worker(self, info: Info, input: AllocationInput) -> CasePayload:
        """Record the social worker your authority has allocated to the children (LA solicitors)."""
        return await _allocate(info, input, service.assign_social_worker)

    @mutation
    async def record_extension(self, info: Info, input: RecordExtensionInput) -> CasePayload:
        """Record an extension of the timetable (LA solicitors)."""

        async def change(session: AsyncSession, actor: Actor) -> uuid.UUID:
            data = service.RecordExtension(
                case_id=parse_id(input.case_id, "caseId"),
                weeks=input.weeks,
                reason=input.reason,
                granted_on=input.granted_on,
            )
            await service.record_extension(session, actor, data)
            return data.case_id

        return await _change_case(info, change)

    @mutation
    async def advance_stage(self, info: Info, input: AdvanceStageInput) -> CasePayload:
        """Record that the proceedings reached a later stage (LA solicitors)."""

        async def change(session: AsyncSession, actor: Actor) -> uuid.UUID:
            case_id = parse_id(input.case_id, "caseId")
            await service.advance_stage(session, actor, case_id, input.stage, input.changed_on)
            return case_id

        return await _change_case(info, change)

    @mutation
    async def record_legal_status(self, info: Info, input: RecordLegalStatusInput) -> CasePayload:
        """Record a change to a child's legal status (LA solicitors). A child who stops being looked after
        no longer has an IRO."""

        async def change(session: AsyncSession, actor: Actor) -> uuid.UUID:
            data = service.RecordLegalStatus(
                case_id=parse_id(input.case_id, "caseId"),
                child_id=parse_id(input.child_id, "childId"),
                status=input.status,
                effective_from=input.effective_from,
            )
            await service.record_legal_status(session, actor, data)
            return data.case_id

        return await _change_case(info, change)
