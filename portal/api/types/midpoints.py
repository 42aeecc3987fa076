"""The IRO's monitoring between a looked-after child's reviews (issue 19): midpoint checks, each child's
current cycle, and the IRO manager's coverage figures (RESEARCH-NOTES.md §5.6, §7.2; the rule:
portal/midpoints/coverage.py)."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from models import MidpointCheck as MidpointCheckModel
from models import MidpointOutcome, SocialWorkerContact
from portal.api.context import Info
from portal.api.doc import enum_type, field, object_type, resolver
from portal.api.types.people import PersonRef, person_ref
from portal.midpoints.coverage import Cycle, CycleRow, Standing
from portal.midpoints.service import Coverage, Line

SocialWorkerContactEnum = enum_type(
    SocialWorkerContact,
    "How the IRO was in touch with the child's social worker for a midpoint check: not at all, a "
    "conversation (in person or by phone), email, or a meeting.",
)
MidpointOutcomeEnum = enum_type(
    MidpointOutcome,
    "What a midpoint check found: the plan on track, a matter raised with the social worker or with their "
    "team manager (IRO Handbook 2010 ch. 6: informal resolution starts there), or an additional review "
    "needed (CPPCR 2010 reg 33(3)).",
)
MidpointStandingEnum = enum_type(
    Standing,
    "Where a child's cycle between reviews stands: monitored (a midpoint check done in it), not monitored "
    "(its midpoint has come with no check), or not yet due (its midpoint still to come, no check yet).",
    name="MidpointStanding",
)


@object_type
class MidpointCheck:
    """A midpoint check on one looked-after child between their reviews, recorded by the child's IRO: the day,
    whether they read the file, their contact with the social worker, the outcome and a note (IRO Handbook
    2010 paras 3.74-3.79; RESEARCH-NOTES.md §5.6)."""

    id: strawberry.ID = field("The check's id.")
    child_id: strawberry.ID = field("The child checked on.")
    done_on: date = field("When the check was done.")
    file_read: bool = field("Whether the IRO read the child's file.")
    social_worker_contact: SocialWorkerContact = field("How the IRO was in touch with the social worker.")
    outcome: MidpointOutcome = field("What the check found.")
    note: str = field("What the IRO found, and raised or asked for (may be empty when the plan is on track).")
    recorded_at: datetime = field("When it was recorded.")
    _model: strawberry.Private[MidpointCheckModel]

    @resolver
    def recorded_by(self, info: Info) -> PersonRef:
        """The IRO who recorded it."""
        return person_ref(info, self._model.recorded_by_id)

    @staticmethod
    def of(model: MidpointCheckModel) -> MidpointCheck:
        return MidpointCheck(
            id=strawberry.ID(str(model.id)),
            child_id=strawberry.ID(str(model.child_id)),
            done_on=model.done_on,
            file_read=model.file_read,
            social_worker_contact=model.social_worker_contact,
            outcome=model.outcome,
            note=model.note,
            recorded_at=model.recorded_at,
            _model=model,
        )


@object_type
class MidpointCycle:
    """A looked-after child's current cycle between reviews, on this case: from their last review held (or the
    day they became looked after) to the latest date of their next review (as nextReview shows it), its
    midpoint halfway, and whether a midpoint check was done in it."""

    starts_on: date = field(
        "When the cycle began: the last review held, or the day they became looked after."
    )
    last_review: date | None = field("The last review held; empty when none has been held yet.")
    ends_by: date = field("The next review's latest date (CPPCR 2010 reg 33).")
    midpoint: date = field("Halfway between the two.")
    checked_on: date | None = field("The latest midpoint check done in the cycle; empty when none.")
    standing: Standing = field("Monitored, not monitored (midpoint passed), or not yet due.")

    @staticmethod
    def of(cycle: Cycle) -> MidpointCycle:
        return MidpointCycle(
            starts_on=cycle.starts_on,
            last_review=cycle.last_review,
            ends_by=cycle.ends_by,
            midpoint=cycle.midpoint,
            checked_on=cycle.checked_on,
            standing=cycle.standing,
        )


@object_type
class MidpointChild:
    """A child behind a coverage figure: in their current cycle (a figure of now), or a review of theirs held
    in the period with the cycle before it (a figure of the period)."""

    child_id: strawberry.ID = field("The child.")
    given_name: str = field("Their first name.")
    family_name: str = field("Their last name.")
    iro_name: str | None = field("Their IRO (then, for a review held in the period); empty when none.")
    starts_on: date = field("When the cycle began: the previous review, or the day they became looked after.")
    last_review: date | None = field(
        "The review the cycle began with; empty when it began with looking after."
    )
    ends_on: date = field("When the cycle ends: the next review's latest date, or the review held.")
    midpoint: date = field("Halfway through the cycle.")
    checked_on: date | None = field("The latest midpoint check done in the cycle; empty when none.")
    standing: Standing = field("Where the cycle stands (for a review held: monitored or not monitored).")
    review_held_on: date | None = field("For a figure of the period: the review held; empty otherwise.")

    @staticmethod
    def of(row: CycleRow) -> MidpointChild:
        return MidpointChild(
            child_id=strawberry.ID(str(row.child_id)),
            given_name=row.given_name,
            family_name=row.family_name,
            iro_name=row.iro_name,
            starts_on=row.starts_on,
            last_review=row.last_review,
            ends_on=row.ends_on,
            midpoint=row.midpoint,
            checked_on=row.checked_on,
            standing=row.standing,
            review_held_on=row.review_held_on,
        )


@object_type
class MidpointCoverageLine:
    """One IRO's, or the authority's, monitoring between reviews: now, the looked-after children they are the
    IRO for in their current cycle; over the period, the reviews held that had a cycle before them."""

    id: strawberry.ID = field("The IRO, or the authority.")
    name: str = field("Their name.")
    children: int = field(
        "Looked-after children in their current cycle (monitored, not monitored, not yet due)."
    )
    due: int = field("Of those, children whose cycle's midpoint has come, or who were checked already.")
    monitored: int = field("Of those due, children with a midpoint check in their current cycle.")
    not_monitored: int = field("Of those due, children with none.")
    not_yet_due: int = field("Children whose midpoint is still to come, with no check yet.")
    coverage_percent: int | None = field(
        "Monitored, as a whole percentage of those due; empty when none due."
    )
    reviews: int = field("Reviews held in the period that had a cycle before them.")
    reviews_checked: int = field("Of those, reviews with a midpoint check in the cycle before them.")
    reviews_unchecked: int = field("Of those, reviews with none.")
    period_coverage_percent: int | None = field(
        "Reviews with a check before them, as a whole percentage of those reviews; empty when none."
    )

    @staticmethod
    def of(line: Line) -> MidpointCoverageLine:
        return MidpointCoverageLine(
            id=strawberry.ID(str(line.id)),
            name=line.name,
            children=line.children,
            due=line.due,
            monitored=line.monitored,
            not_monitored=line.not_monitored,
            not_yet_due=line.not_yet_due,
            coverage_percent=line.coverage,
            reviews=line.reviews,
            reviews_checked=line.reviews_checked,
            reviews_unchecked=line.reviews_unchecked,
            period_coverage_percent=line.period_coverage,
        )


@object_type
class MidpointCoverage:
    """Monitoring between reviews (RESEARCH-NOTES.md §7.2: 30-50% of children in practice): per IRO of the
    authority, and for the authority's looked-after children."""

    iros: list[MidpointCoverageLine] = field(
        "Each active IRO of the authority (and anyone else who holds one of its children), by name."
    )
    authority: MidpointCoverageLine | None = field("The authority's figures; empty for a Cafcass manager.")

    @staticmethod
    def of(found: Coverage) -> MidpointCoverage:
        return MidpointCoverage(
            iros=[MidpointCoverageLine.of(line) for line in found.iros],
            authority=MidpointCoverageLine.of(found.authority) if found.authority else None,
        )
