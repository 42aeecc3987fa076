"""Queries on IRO workloads as IRO managers count them (issue 19): the authority's IROs weighed, with its
total; an IRO's profile and conferences; and the authority's weights."""

from __future__ import annotations

from datetime import date

import strawberry

from portal.api.context import Info
from portal.api.doc import field, object_type, resolver
from portal.api.errors import parse_id
from portal.api.types.adherence import IroWorkload
from portal.api.types.workloads import (
    ConferencesChaired,
    IroProfile,
    IroWorkloadProfile,
    WorkloadWeights,
)
from portal.dashboards import service as dashboards
from portal.workloads import service as workloads
from portal.workloads.rule import Standing, in_units, two_places


@object_type
class AuthorityWorkload:
    """An IRO manager's authority's IROs, their workloads weighed as IRO managers count them, and the
    authority's total against the IRO Handbook's range of 50 to 70 children per full-time IRO (para 7.15)."""

    iros: list[IroWorkload] = field("Each IRO of the authority, by name.")
    weights: WorkloadWeights = field("The authority's weights in force.")
    month: date = field("The month whose child-protection conferences are weighed (its first day): the last.")
    weighted_caseload: float = field("The weighted caseloads of the IROs with a profile, added up.")
    full_time_equivalence: float = field("Their full-time equivalence, added up.")
    per_full_time_equivalent: float | None = field(
        "The one over the other, to two decimal places; empty while no IRO has a profile."
    )
    standing: Standing | None = field(
        "That against the Handbook's 50 to 70; empty while no IRO has a profile."
    )
    iros_without_profile: int = field("IROs of the authority whose manager has not entered their profile.")


@object_type
class WorkloadQueries:
    """Reading IRO workloads (IRO managers, and for their profiles the IROs themselves)."""

    @resolver
    async def authority_workload(self, info: Info) -> AuthorityWorkload | None:
        """For an IRO manager: your authority's IROs' workloads, weighed, and the authority's total; empty for
        a Cafcass manager; NOT_PERMITTED for anyone else, as the dashboards are."""
        actor = info.context.require_actor()
        today = info.context.today
        found = await info.context.uow.run(lambda s: dashboards.authority_workload(s, actor, today))
        if found is None:
            return None
        return AuthorityWorkload(
            iros=[IroWorkload.of(info, load) for load in found.iros],
            weights=WorkloadWeights.of(found.weights, found.weights_updated_at),
            month=found.month,
            weighted_caseload=in_units(found.weighted_hundredths),
            full_time_equivalence=in_units(found.fte_hundredths),
            per_full_time_equivalent=None if found.per_fte is None else two_places(found.per_fte),
            standing=found.standing,
            iros_without_profile=found.without_profile,
        )

    @resolver
    async def iro_profile(self, info: Info, iro_id: strawberry.ID) -> IroWorkloadProfile:
        """An IRO's profile and their latest months of child-protection conferences: for the IRO manager and
        administrators of their authority, and for the IRO themselves; NOT_FOUND for anyone else."""
        actor = info.context.require_actor()
        person_id = parse_id(iro_id, "iroId")
        found = await info.context.uow.run(lambda s: workloads.read_profile(s, actor, person_id))
        return IroWorkloadProfile(
            iro_id=strawberry.ID(str(found.iro.id)),
            name=found.iro.name,
            organisation_id=strawberry.ID(str(found.iro.organisation_id)),
            profile=IroProfile.of(found.profile) if found.profile else None,
            conferences=[ConferencesChaired.of(month) for month in found.months],
        )

    @resolver
    async def workload_weights(self, info: Info, organisation_id: strawberry.ID) -> WorkloadWeights:
        """A local authority's weights of its IROs' caseloads (none set: every weight 0): for its IRO managers
        and administrators; NOT_FOUND for anyone else."""
        actor = info.context.require_actor()
        authority = parse_id(organisation_id, "organisationId")
        row = await info.context.uow.run(lambda s: workloads.read_weighting(s, actor, authority))
        return WorkloadWeights.of(workloads.weights_of(row), row.updated_at if row else None)
