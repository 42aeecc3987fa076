"""Mutations on IRO workloads as IRO managers count them, and on conflicts of interest between an IRO and a
child (issue 19)."""

from __future__ import annotations

from datetime import date

import strawberry

from models import ConflictKind, Employment
from portal.api.context import Info
from portal.api.doc import field, input_type, mutation, object_type
from portal.api.errors import UserError, attempt, parse_id
from portal.api.types.workloads import ConferencesChaired, ConflictOfInterest, IroProfile, WorkloadWeights
from portal.workloads import conflicts, service


@input_type
class SetIroProfileInput:
    """An IRO's profile as their manager keeps it."""

    iro_id: strawberry.ID = field("The IRO, of your authority.")
    full_time_equivalence: float | None = field("Of a full-time post: 0.01 to 1, to two decimal places.")
    employment: Employment | None = field("How they are employed.")
    children_held: int | None = field("Every looked-after child they hold, in proceedings or not: 0 to 250.")
    sibling_group_children: int | None = field("Of those, the children in a sibling group (0 if none).")
    out_of_area_children: int | None = field("Of those, the children placed out of area (0 if none).")


@object_type
class IroProfilePayload:
    """The profile as it now is, or the errors (and nothing written)."""

    profile: IroProfile | None = field("The profile.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@input_type
class RecordConferencesChairedInput:
    """The child-protection conferences an IRO chaired in a month."""

    iro_id: strawberry.ID = field(
        "The IRO: yourself, or an IRO of your authority if you keep their workload."
    )
    month: date | None = field("Any day of the month: this month or earlier.")
    conferences: int | None = field("How many they chaired: 0 to 100.")


@object_type
class ConferencesChairedPayload:
    """The month as it now is, or the errors (and nothing written)."""

    month: ConferencesChaired | None = field("The month.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@input_type
class SetWorkloadWeightsInput:
    """A local authority's weights of its IROs' caseloads, each in units of a child, to two decimal places."""

    organisation_id: strawberry.ID = field("The local authority: your own.")
    sibling_group: float = field("Added per child in a sibling group: -1 to 2.", default=0.0)
    in_proceedings: float = field("Added per child in care proceedings: -1 to 2.", default=0.0)
    out_of_area: float = field("Added per child placed out of area: -1 to 2.", default=0.0)
    conference: float = field(
        "Added per child-protection conference chaired last month: 0 to 5.", default=0.0
    )


@object_type
class WorkloadWeightsPayload:
    """The weights as they now are, or the errors (and nothing written)."""

    weights: WorkloadWeights | None = field("The weights.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@input_type
class RecordConflictOfInterestInput:
    """A conflict of interest between an IRO and a child of the case."""

    case_id: strawberry.ID = field("The case.")
    child_id: strawberry.ID | None = field("The child.")
    iro_id: strawberry.ID | None = field(
        "The IRO, of the child's authority (an IRO manager); empty for yourself (the IRO on the case)."
    )
    kind: ConflictKind | None = field("What the conflict is.")
    details: str = field("What more there is to say (needed for OTHER). Up to 2,000 characters.", default="")


@input_type
class WithdrawConflictOfInterestInput:
    """Withdrawing a conflict of interest."""

    id: strawberry.ID = field("The conflict.")
    reason: str = field("Why it no longer stands. Up to 2,000 characters.")


@object_type
class ConflictOfInterestPayload:
    """The conflict as it now is, or the errors (and nothing written)."""

    conflict: ConflictOfInterest | None = field("The conflict.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@object_type
class WorkloadMutations:
    """IRO workloads and conflicts of interest."""

    @mutation
    async def set_iro_profile(self, info: Info, input: SetIroProfileInput) -> IroProfilePayload:
        """Keep an IRO's profile: full-time equivalence, employment, every looked-after child they hold and,
        of those, the children in sibling groups and placed out of area (the IRO manager and administrators
        of their authority; NOT_FOUND for anyone else). Audited; the last change is kept with who and
        when."""

        async def work() -> IroProfile:
            data = service.ProfileInput(
                iro_id=parse_id(input.iro_id, "iroId"),
                full_time_equivalence=input.full_time_equivalence,
                employment=input.employment,
                children_held=input.children_held,
                sibling_group_children=input.sibling_group_children,
                out_of_area_children=input.out_of_area_children,
            )
            actor = info.context.require_actor()
            return IroProfile.of(await info.context.uow.run(lambda s: service.set_profile(s, actor, data)))

        profile, errors = await attempt(info.context, work())
        return IroProfilePayload(profile=profile, errors=errors)

    @mutation
    async def record_conferences_chaired(
        self, info: Info, input: RecordConferencesChairedInput
    ) -> ConferencesChairedPayload:
        """Enter the child-protection conferences an IRO chaired in a month (replacing what was entered for
        it): the IRO for themselves, or whoever keeps their workload. Audited."""

        async def work() -> ConferencesChaired:
            iro_id = parse_id(input.iro_id, "iroId")
            actor = info.context.require_actor()
            row = await info.context.uow.run(
                lambda s: service.record_conferences(s, actor, iro_id, input.month, input.conferences)
            )
            return ConferencesChaired.of(row)

        month, errors = await attempt(info.context, work())
        return ConferencesChairedPayload(month=month, errors=errors)

    @mutation
    async def set_workload_weights(
        self, info: Info, input: SetWorkloadWeightsInput
    ) -> WorkloadWeightsPayload:
        """Set your authority's weights of its IROs' caseloads (its IRO managers and administrators;
        NOT_FOUND for anyone else). Audited."""

        async def work() -> WorkloadWeights:
            data = service.WeightingInput(
                organisation_id=parse_id(input.organisation_id, "organisationId"),
                sibling_group=input.sibling_group,
                in_proceedings=input.in_proceedings,
                out_of_area=input.out_of_area,
                conference=input.conference,
            )
            actor = info.context.require_actor()
            row = await info.context.uow.run(lambda s: service.set_weighting(s, actor, data))
            return WorkloadWeights.of(service.weights_of(row), row.updated_at)

        weights, errors = await attempt(info.context, work())
        return WorkloadWeightsPayload(weights=weights, errors=errors)

    @mutation
    async def record_conflict_of_interest(
        self, info: Info, input: RecordConflictOfInterestInput
    ) -> ConflictOfInterestPayload:
        """Record a conflict of interest between an IRO and a child of the case: the IRO manager in scope, for
        an IRO of the child's authority; the IRO on the case, for themselves. Assigning that IRO to the child
        then needs it acknowledged (assignIro's conflictAcknowledged). Recorded for the child's IRO now, it
        is flagged to the authority's IRO managers, who are told by email with no case content."""

        async def work() -> ConflictOfInterest:
            data = conflicts.RecordConflict(
                case_id=parse_id(input.case_id, "caseId"),
                child_id=parse_id(input.child_id, "childId") if input.child_id else None,
                iro_id=parse_id(input.iro_id, "iroId") if input.iro_id else None,
                kind=input.kind,
                details=input.details,
            )
            actor = info.context.require_actor()
            found = await info.context.uow.run(lambda s: conflicts.record_conflict(s, actor, data))
            return ConflictOfInterest.of(found)

        conflict, errors = await attempt(info.context, work())
        return ConflictOfInterestPayload(conflict=conflict, errors=errors)

    @mutation
    async def withdraw_conflict_of_interest(
        self, info: Info, input: WithdrawConflictOfInterestInput
    ) -> ConflictOfInterestPayload:
        """Withdraw a conflict of interest, with the reason: the IRO manager in scope, or the IRO it is
        about."""

        async def work() -> ConflictOfInterest:
            conflict_id = parse_id(input.id, "id")
            actor = info.context.require_actor()
            found = await info.context.uow.run(
                lambda s: conflicts.withdraw_conflict(s, actor, conflict_id, input.reason)
            )
            return ConflictOfInterest.of(found)

        conflict, errors = await attempt(info.context, work())
        return ConflictOfInterestPayload(conflict=conflict, errors=errors)
