"""IRO workloads as IRO managers count them, and conflicts of interest between an IRO and a child (issue 19;
IRO Handbook para 7.15; RESEARCH-NOTES.md §1.1, §3.4, §5.1, §5.9)."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from models import ConferencesChaired as ConferencesChairedModel
from models import ConflictKind, Employment
from models import ConflictOfInterest as ConflictOfInterestModel
from models import IroProfile as IroProfileModel
from portal.api.context import Info
from portal.api.doc import enum_type, field, object_type, resolver
from portal.api.types.people import PersonRef, person_ref
from portal.workloads.repository import OpenConflict
from portal.workloads.rule import Standing, Weights, in_units

EmploymentEnum = enum_type(Employment, "How an IRO is employed: directly, sessional or agency.")
ConflictKindEnum = enum_type(
    ConflictKind,
    "Why an IRO is not independent of a child's case: they review the child's foster carer, were the child's "
    "social worker, were the manager of the child's social worker, or another reason.",
)
CaseloadStandingEnum = enum_type(
    Standing,
    "A weighted caseload per full-time equivalent against the IRO Handbook's range of 50 to 70 children "
    "(para 7.15): under 50, within it (both ends included), or over 70.",
    name="CaseloadStanding",
)


@object_type
class ConflictOfInterest:
    """A conflict of interest between an IRO and a child of a case: the IRO reviews the child's foster carer,
    or was the child's social worker or their manager, or another (IRO Handbook 2.18). Recorded by the IRO
    manager or declared by the IRO; assigning that IRO to the child needs it acknowledged."""

    id: strawberry.ID = field("The conflict's id.")
    case_id: strawberry.ID = field("The child's case.")
    child_id: strawberry.ID = field("The child.")
    iro_id: strawberry.ID = field("The IRO.")
    kind: ConflictKind = field("What the conflict is.")
    details: str = field("What more was said of it (needed for OTHER).")
    recorded_at: datetime = field("When it was recorded.")
    acknowledged_at: datetime | None = field(
        "When the IRO was last assigned to the child with the conflict acknowledged; empty if never."
    )
    withdrawn_at: datetime | None = field("When it was withdrawn; empty while it stands.")
    withdrawn_reason: str = field("Why it was withdrawn; empty while it stands.")
    _model: strawberry.Private[ConflictOfInterestModel]

    @resolver
    def recorded_by(self, info: Info) -> PersonRef:
        """Who recorded it: the IRO manager, or the IRO declaring it."""
        return person_ref(info, self._model.recorded_by_id)

    @staticmethod
    def of(model: ConflictOfInterestModel) -> ConflictOfInterest:
        return ConflictOfInterest(
            id=strawberry.ID(str(model.id)),
            case_id=strawberry.ID(str(model.proceedings_id)),
            child_id=strawberry.ID(str(model.child_id)),
            iro_id=strawberry.ID(str(model.iro_id)),
            kind=model.kind,
            details=model.details,
            recorded_at=model.recorded_at,
            acknowledged_at=model.acknowledged_at,
            withdrawn_at=model.withdrawn_at,
            withdrawn_reason=model.withdrawn_reason,
            _model=model,
        )


@object_type
class OpenConflictOfInterest:
    """An open conflict of interest of one of the authority's IROs, as their manager's lists show it."""

    conflict: ConflictOfInterest = field("The conflict.")
    child_name: str = field("The child's name.")
    case_number: str = field("The case's number.")
    iro_assigned: bool = field(
        "Whether the IRO is the child's IRO on the case now: the conflict is flagged to their manager."
    )

    @staticmethod
    def of(found: OpenConflict) -> OpenConflictOfInterest:
        return OpenConflictOfInterest(
            conflict=ConflictOfInterest.of(found.conflict),
            child_name=found.child_name,
            case_number=found.case_number,
            iro_assigned=found.assigned,
        )


@object_type
class WorkloadWeights:
    """An authority's weights of its IROs' caseloads: what each child in a sibling group, in proceedings or
    placed out of area, and each child-protection conference chaired last month, adds to the count of
    children (negative lowers it). None set: every weight 0, plain counts."""

    sibling_group: float = field("Added per child in a sibling group (-1 to 2).")
    in_proceedings: float = field("Added per child in care proceedings (-1 to 2).")
    out_of_area: float = field("Added per child placed out of the authority's area (-1 to 2).")
    conference: float = field("Added per child-protection conference chaired last month (0 to 5).")
    updated_at: datetime | None = field("When they were last set; empty while none are set.")

    @staticmethod
    def of(weights: Weights, updated_at: datetime | None) -> WorkloadWeights:
        return WorkloadWeights(
            sibling_group=in_units(weights.sibling_group),
            in_proceedings=in_units(weights.in_proceedings),
            out_of_area=in_units(weights.out_of_area),
            conference=in_units(weights.conference),
            updated_at=updated_at,
        )


@object_type
class ConferencesChaired:
    """The child-protection conferences an IRO chaired in one month."""

    month: date = field("The month (its first day).")
    conferences: int = field("How many conferences they chaired.")
    recorded_at: datetime = field("When it was last entered.")
    _model: strawberry.Private[ConferencesChairedModel]

    @resolver
    def recorded_by(self, info: Info) -> PersonRef:
        """Who last entered it: the IRO or their manager."""
        return person_ref(info, self._model.recorded_by_id)

    @staticmethod
    def of(model: ConferencesChairedModel) -> ConferencesChaired:
        return ConferencesChaired(
            month=model.month, conferences=model.conferences, recorded_at=model.recorded_at, _model=model
        )


@object_type
class IroProfile:
    """One IRO's profile as their IRO manager keeps it: what the portal cannot know, since it holds only the
    children in proceedings."""

    full_time_equivalence: float = field("Of a full-time post: 0.01 to 1.")
    employment: Employment = field("How they are employed.")
    children_held: int = field("Every looked-after child they hold, in proceedings or not.")
    sibling_group_children: int = field("Of those, the children in a sibling group.")
    out_of_area_children: int = field("Of those, the children placed out of the authority's area.")
    updated_at: datetime = field("When it was last changed.")
    _model: strawberry.Private[IroProfileModel]

    @resolver
    def updated_by(self, info: Info) -> PersonRef:
        """Who last changed it."""
        return person_ref(info, self._model.updated_by_id)

    @staticmethod
    def of(model: IroProfileModel) -> IroProfile:
        return IroProfile(
            full_time_equivalence=in_units(model.fte_hundredths),
            employment=model.employment,
            children_held=model.children_held,
            sibling_group_children=model.sibling_group_children,
            out_of_area_children=model.out_of_area_children,
            updated_at=model.updated_at,
            _model=model,
        )


@object_type
class IroWorkloadProfile:
    """An IRO, their profile (empty until their manager keeps one) and their latest months of conferences."""

    iro_id: strawberry.ID = field("The IRO.")
    name: str = field("Their name.")
    organisation_id: strawberry.ID = field("Their authority.")
    profile: IroProfile | None = field("Their profile; empty until their manager keeps one.")
    conferences: list[ConferencesChaired] = field(
        "The child-protection conferences they chaired, by month, the latest 12 months entered, latest first."
    )
