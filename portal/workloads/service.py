"""IRO workloads as IRO managers count them (issue 19; IRO Handbook para 7.15; RESEARCH-NOTES.md §1.2, §3.4,
§5.9, §7.2).

The portal holds only children in care proceedings, and most of an IRO's looked-after children are not in
proceedings: so the IRO manager of the IRO's authority keeps each IRO's profile (full-time equivalence,
employment, every looked-after child they hold and how many of those are in sibling groups or placed out of
area), the child-protection conferences each chaired per month (the IRO may enter their own), and the
authority's weightings; the portal supplies what it knows exactly (the children in proceedings, and its own
count of the IRO's children, a floor for the total entered). The weighted caseload is rule.py's.

Who keeps them: an IRO manager (KEEP_WORKLOADS) of the IRO's own authority, or an administrator of it
(``administers``); anyone else finds no such IRO or authority (NOT_FOUND), and the refusal is recorded. Every
change is audited and the last one kept with who made it and when."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    AuditOutcome,
    ConferencesChaired,
    Employment,
    IroProfile,
    Organisation,
    OrganisationKind,
    Person,
    WorkloadWeighting,
    utcnow,
)
from portal import clock
from portal.access.policy import Permission, administers, has_global_permission
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.dashboards.workload import AuthorityLoad, IroLoad
from portal.errors import ErrorCode, NotFound, Problems
from portal.validation import date_range_problem
from portal.workloads import repository
from portal.workloads.repository import OpenConflict
from portal.workloads.rule import (
    CHILD_WEIGHT_RANGE,
    CHILDREN_MAX,
    CONFERENCE_WEIGHT_RANGE,
    CONFERENCES_MAX,
    FTE_RANGE,
    Counts,
    Weights,
    hundredths_of,
    in_units,
    per_fte,
    standing,
    weighted_hundredths,
)


def month_of(day: date) -> date:
    """The month a day is in, as its first day."""
    return day.replace(day=1)


def last_month(today: date) -> date:
    """The last whole month before today's, as its first day: the conferences weighed are that month's."""
    return month_of(month_of(today) - timedelta(days=1))


def keeps(actor: Actor, organisation_id: uuid.UUID) -> bool:
    """Whether the actor keeps the workloads of the authority's IROs: its IRO managers and administrators."""
    own = actor.organisation_id == organisation_id and has_global_permission(
        actor.roles, Permission.KEEP_WORKLOADS, actor.scopes
    )
    return own or administers(actor, organisation_id)


def _refused(session: AsyncSession, actor: Actor, action: str, subject: str, subject_id: uuid.UUID) -> None:
    audit.record(
        session,
        actor,
        f"refused:{action}",
        subject_type=subject,
        subject_id=subject_id,
        outcome=AuditOutcome.REFUSED,
    )


async def kept_iro(session: AsyncSession, actor: Actor, iro_id: uuid.UUID, action: str) -> Person:
    """The IRO, if the actor keeps their workload; otherwise NotFound (iroId), as if there were none."""
    iro = await repository.active_iro(session, iro_id)
    if iro is None or not keeps(actor, iro.organisation_id):
        _refused(session, actor, action, "person", iro_id)
        raise NotFound("IRO", "iroId")
    return iro


# ---------------------------------------------------------------------------------------------------------
# The IRO's profile


@dataclass(frozen=True)
class ProfileInput:
    """The figures as given, in units (0.8 of a full-time post): checked by ``set_profile``."""

    iro_id: uuid.UUID
    full_time_equivalence: float | None
    employment: Employment | None
    children_held: int | None
    sibling_group_children: int | None
    out_of_area_children: int | None


def _count(problems: Problems, value: int | None, field: str, missing: str, most: int, words: str) -> int:
    if value is None:
        problems.add(ErrorCode.REQUIRED, missing, field)
        return 0
    if not 0 <= value <= most:
        problems.add(ErrorCode.OUT_OF_RANGE, f"{words} must be from 0 to {most}", field)
    return value


async def set_profile(session: AsyncSession, actor: Actor, data: ProfileInput) -> IroProfile:
    """Keep an IRO's profile: full-time equivalence (0.01 to 1.00, in hundredths), employment, the
    looked-after children they hold (0 to 250) and, of those, the children in sibling groups and placed out of
    area (neither more than the children held). Every problem at once."""
    await kept_iro(session, actor, data.iro_id, "iro_profile.set")
    problems = Problems()
    fte = 0
    if data.full_time_equivalence is None:
        problems.add(ErrorCode.REQUIRED, "Enter the IRO's full-time equivalence", "fullTimeEquivalence")
    elif (found := hundredths_of(data.full_time_equivalence)) is None:
        problems.add(
            ErrorCode.INVALID_VALUE,
            "Give the full-time equivalence to two decimal places at most, like 0.8 or 0.65",
            "fullTimeEquivalence",
        )
    elif not FTE_RANGE[0] <= found <= FTE_RANGE[1]:
        problems.add(
            ErrorCode.OUT_OF_RANGE, "The full-time equivalence must be from 0.01 to 1", "fullTimeEquivalence"
        )
    else:
        fte = found
    if data.employment is None:
        problems.add(ErrorCode.REQUIRED, "Say how the IRO is employed", "employment")
    held = _count(
        problems,
        data.children_held,
        "childrenHeld",
        "Enter how many looked-after children the IRO holds",
        CHILDREN_MAX,
        "The children held",
    )
    siblings = _count(
        problems,
        data.sibling_group_children,
        "siblingGroupChildren",
        "Enter how many of them are in a sibling group (0 if none)",
        CHILDREN_MAX,
        "The children in sibling groups",
    )
    away = _count(
        problems,
        data.out_of_area_children,
        "outOfAreaChildren",
        "Enter how many of them are placed out of area (0 if none)",
        CHILDREN_MAX,
        "The children placed out of area",
    )
    for value, field, words in (
        (siblings, "siblingGroupChildren", "in sibling groups"),
        (away, "outOfAreaChildren", "placed out of area"),
    ):
        if data.children_held is not None and not problems.has(field) and value > held:
            problems.add(
                ErrorCode.OUT_OF_RANGE,
                f"The children {words} cannot be more than the {held} children held",
                field,
            )
    problems.raise_if_any()
    assert data.employment is not None
    profile = await session.get(IroProfile, data.iro_id)
    if profile is None:
        profile = IroProfile(
            iro_id=data.iro_id,
            fte_hundredths=fte,
            employment=data.employment,
            children_held=held,
            sibling_group_children=siblings,
            out_of_area_children=away,
            updated_by_id=actor.person_id,
        )
        session.add(profile)
    profile.fte_hundredths, profile.employment = fte, data.employment
    profile.children_held, profile.sibling_group_children, profile.out_of_area_children = held, siblings, away
    profile.updated_by_id, profile.updated_at = actor.person_id, utcnow()
    await session.flush()
    audit.record(session, actor, "iro_profile.set", subject_type="person", subject_id=data.iro_id)
    return profile


@dataclass(frozen=True)
class Profile:
    """An IRO's profile as read: none until their manager keeps one, and their latest months of
    conferences."""

    iro: Person
    profile: IroProfile | None
    months: list[ConferencesChaired]


async def read_profile(session: AsyncSession, actor: Actor, iro_id: uuid.UUID) -> Profile:
    """The IRO's profile and conferences: for whoever keeps their workload, and for the IRO themselves."""
    iro = await repository.active_iro(session, iro_id)
    mine = (
        iro is not None
        and iro.id == actor.person_id
        and has_global_permission(actor.roles, Permission.RECORD_CONFERENCES, actor.scopes)
    )
    if iro is None or not (mine or keeps(actor, iro.organisation_id)):
        _refused(session, actor, "iro_profile.read", "person", iro_id)
        raise NotFound("IRO", "iroId")
    found = Profile(
        iro, await session.get(IroProfile, iro_id), await repository.conference_months(session, iro_id)
    )
    audit.record(session, actor, "iro_profile.read", subject_type="person", subject_id=iro_id)
    return found


# ---------------------------------------------------------------------------------------------------------
# Conferences chaired


async def record_conferences(
    session: AsyncSession, actor: Actor, iro_id: uuid.UUID, month: date | None, conferences: int | None
) -> ConferencesChaired:
    """The child-protection conferences an IRO chaired in a month (any day of it names it): entered by whoever
    keeps their workload, or by the IRO for themselves (RECORD_CONFERENCES). A month already entered is
    replaced. Not a month after this one; 0 to 100."""
    iro = await repository.active_iro(session, iro_id)
    themselves = (
        iro is not None
        and iro.id == actor.person_id
        and has_global_permission(actor.roles, Permission.RECORD_CONFERENCES, actor.scopes)
    )
    if iro is None or not (themselves or keeps(actor, iro.organisation_id)):
        _refused(session, actor, "conferences_chaired.record", "person", iro_id)
        raise NotFound("IRO", "iroId")
    problems = Problems()
    if month is None:
        problems.add(ErrorCode.REQUIRED, "Enter the month", "month")
    elif problem := date_range_problem(month, "month"):
        problems.add(problem.code, problem.message, problem.field)
    elif month_of(month) > month_of(clock.today()):
        problems.add(ErrorCode.DATE_IN_FUTURE, "The month must be this month or earlier", "month")
    count = _count(
        problems,
        conferences,
        "conferences",
        "Enter how many child-protection conferences the IRO chaired (0 if none)",
        CONFERENCES_MAX,
        "The conferences",
    )
    problems.raise_if_any()
    assert month is not None
    first = month_of(month)
    row = await repository.conference_month(session, iro_id, first)
    if row is None:
        row = ConferencesChaired(
            iro_id=iro_id, month=first, conferences=count, recorded_by_id=actor.person_id
        )
        session.add(row)
    row.conferences, row.recorded_by_id, row.recorded_at = count, actor.person_id, utcnow()
    await session.flush()
    audit.record(session, actor, "conferences_chaired.record", subject_type="person", subject_id=iro_id)
    return row


# ---------------------------------------------------------------------------------------------------------
# The authority's weightings


@dataclass(frozen=True)
class WeightingInput:
    """The weights as given, in units (−0.25 of a child)."""

    organisation_id: uuid.UUID
    sibling_group: float
    in_proceedings: float
    out_of_area: float
    conference: float


async def _authority(session: AsyncSession, actor: Actor, organisation_id: uuid.UUID, action: str) -> None:
    found = await session.get(Organisation, organisation_id)
    if (
        found is None
        or found.kind is not OrganisationKind.LOCAL_AUTHORITY
        or not keeps(actor, organisation_id)
    ):
        _refused(session, actor, action, "organisation", organisation_id)
        raise NotFound("Local authority", "organisationId")


def weights_of(row: WorkloadWeighting | None) -> Weights:
    """The weights in force: none set, every weight 0 (plain counts)."""
    if row is None:
        return Weights()
    return Weights(
        row.sibling_group_hundredths,
        row.in_proceedings_hundredths,
        row.out_of_area_hundredths,
        row.conference_hundredths,
    )


async def set_weighting(session: AsyncSession, actor: Actor, data: WeightingInput) -> WorkloadWeighting:
    """Set the authority's weights: each child in a sibling group, in proceedings or placed out of area adds
    -1 to 2 (in hundredths), each conference chaired last month 0 to 5."""
    await _authority(session, actor, data.organisation_id, "workload_weighting.set")
    problems = Problems()
    given: dict[str, int] = {}
    for field, value, (low, high) in (
        ("siblingGroup", data.sibling_group, CHILD_WEIGHT_RANGE),
        ("inProceedings", data.in_proceedings, CHILD_WEIGHT_RANGE),
        ("outOfArea", data.out_of_area, CHILD_WEIGHT_RANGE),
        ("conference", data.conference, CONFERENCE_WEIGHT_RANGE),
    ):
        found = hundredths_of(value)
        if found is None:
            problems.add(ErrorCode.INVALID_VALUE, "Give the weight to two decimal places at most", field)
        elif not low <= found <= high:
            problems.add(
                ErrorCode.OUT_OF_RANGE,
                f"The weight must be from {in_units(low):g} to {in_units(high):g}",
                field,
            )
        else:
            given[field] = found
    problems.raise_if_any()
    row = await repository.weighting(session, data.organisation_id)
    if row is None:
        row = WorkloadWeighting(organisation_id=data.organisation_id, updated_by_id=actor.person_id)
        session.add(row)
    row.sibling_group_hundredths = given["siblingGroup"]
    row.in_proceedings_hundredths = given["inProceedings"]
    row.out_of_area_hundredths = given["outOfArea"]
    row.conference_hundredths = given["conference"]
    row.updated_by_id, row.updated_at = actor.person_id, utcnow()
    await session.flush()
    audit.record(
        session, actor, "workload_weighting.set", subject_type="organisation", subject_id=data.organisation_id
    )
    return row


async def read_weighting(
    session: AsyncSession, actor: Actor, organisation_id: uuid.UUID
) -> WorkloadWeighting | None:
    """The authority's weighting row (None: none set), for whoever keeps its workloads."""
    await _authority(session, actor, organisation_id, "workload_weighting.read")
    audit.record(
        session, actor, "workload_weighting.read", subject_type="organisation", subject_id=organisation_id
    )
    return await repository.weighting(session, organisation_id)


# ---------------------------------------------------------------------------------------------------------
# The figures, for the workload dashboard


def weighed(load: IroLoad, profile: IroProfile | None, weights: Weights, conferences: int | None) -> IroLoad:
    """One IRO's load with their profile's figures and the weighted caseload (rule.py). The portal knows its
    own children for the IRO exactly, so their number is a floor for the children held: a smaller figure
    entered is stale, flagged, and the portal's count weighed instead."""
    if profile is None:
        return replace(load, conferences_last_month=conferences)
    held = max(profile.children_held, load.children)
    weighted = weighted_hundredths(
        Counts(
            children=held,
            sibling_group=profile.sibling_group_children,
            in_proceedings=load.in_proceedings,
            out_of_area=profile.out_of_area_children,
            conferences=conferences or 0,
        ),
        weights,
    )
    ratio = per_fte(weighted, profile.fte_hundredths)
    return replace(
        load,
        fte_hundredths=profile.fte_hundredths,
        employment=profile.employment,
        children_held=profile.children_held,
        sibling_group=profile.sibling_group_children,
        out_of_area=profile.out_of_area_children,
        profile_updated_at=profile.updated_at,
        profile_updated_by_id=profile.updated_by_id,
        conferences_last_month=conferences,
        weighted_hundredths=weighted,
        per_fte=ratio,
        standing=standing(ratio),
        stale=profile.children_held < load.children,
    )


async def weigh(
    session: AsyncSession, organisation_id: uuid.UUID, loads: list[IroLoad], today: date, *, conflicts: bool
) -> AuthorityLoad:
    """The authority's IROs' loads weighed, with their open conflicts of interest (if ``conflicts``), and the
    authority's total: the sum of the weighted children over the sum of the full-time equivalence, of the
    IROs with a profile. Four statements, whatever the number of IROs."""
    ids = [load.iro_id for load in loads]
    found = await repository.profiles(session, ids)
    row = await repository.weighting(session, organisation_id)
    weights = weights_of(row)
    month = last_month(today)
    conferences = await repository.conferences_in(session, ids, month)
    theirs: dict[uuid.UUID, list[OpenConflict]] = {}
    for conflict in await repository.open_conflicts(session, organisation_id) if conflicts else []:
        theirs.setdefault(conflict.conflict.iro_id, []).append(conflict)
    iros = [
        replace(
            weighed(load, found.get(load.iro_id), weights, conferences.get(load.iro_id)),
            conflicts=theirs.get(load.iro_id, []),
        )
        for load in loads
    ]
    kept = [load for load in iros if load.weighted_hundredths is not None and load.fte_hundredths]
    weighted = sum(load.weighted_hundredths or 0 for load in kept)
    fte = sum(load.fte_hundredths or 0 for load in kept)
    ratio = per_fte(weighted, fte) if fte else None
    return AuthorityLoad(
        iros=iros,
        weights=weights,
        weights_updated_at=row.updated_at if row else None,
        month=month,
        weighted_hundredths=weighted,
        fte_hundredths=fte,
        per_fte=ratio,
        standing=standing(ratio) if ratio is not None else None,
        without_profile=len(iros) - len(kept),
    )
