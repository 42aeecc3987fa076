"""Queries on looked-after reviews."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models import (
    CaseMembership,
    CaseRole,
    Child,
    DecisionState,
    Person,
    Proceedings,
    Review,
    ReviewDecision,
    ReviewDecisionsCheck,
    ReviewParticipation,
    ReviewPreparation,
)
from portal.access.repository import Filters, Template
from portal.auth.actor import Actor, Viewer
from portal.db import grouped
from portal.in_list import in_list, in_param


async def held_reviews(
    session: AsyncSession, child_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Review]]:
    """Each child's reviews held so far, oldest first."""
    return await grouped(
        session,
        sa.select(Review.child_id, Review)
        .where(in_list(Review.child_id, child_ids), Review.held_on.is_not(None))
        .order_by(Review.held_on),
    )


def _record_visible(filters: Filters) -> sa.ColumnElement[bool]:
    """Whether the viewer reads a review's record (and what is read as it): once it is shared with the
    guardian (P5); before that, only the IRO's."""
    return sa.or_(
        Review.record_shared_at.is_not(None), filters.member_as([CaseRole.IRO], Review.proceedings_id)
    )


_REVIEWS = Template(
    lambda filters: (
        sa.select(Review, _record_visible(filters).label("record_visible"))
        .where(in_param(Review.proceedings_id, "case_ids"), filters.granted(Review.proceedings_id))
        .order_by(Review.review_date, Review.id)
    )
)


async def reviews_by_case(
    session: AsyncSession, viewer: Viewer, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[Review, bool]]]:
    """Each case's reviews, held or booked, by date, each with whether the viewer may read its record: once
    it is shared with the guardian (P5); before that, only the IRO."""
    rows = await session.execute(*_REVIEWS.bound(viewer, case_ids=list(case_ids)))
    found: dict[uuid.UUID, list[tuple[Review, bool]]] = defaultdict(list)
    for review, visible in rows:
        found[review.proceedings_id].append((review, bool(visible)))
    return found


async def booked_reviews(session: AsyncSession, child_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Review]:
    """Each child's review booked and not yet held, for the children who have one."""
    rows = await session.execute(
        sa.select(Review).where(in_list(Review.child_id, child_ids), Review.held_on.is_(None))
    )
    return {r.child_id: r for r in rows.scalars()}


@dataclass(frozen=True)
class ParticipationRow:
    """A review's participation record, with the facts about the viewer that decide whether they read what
    the child said (portal/access/policy.py, reads_child_wishes)."""

    participation: ReviewParticipation
    case_id: uuid.UUID
    # The viewer holds the live IRO membership of the case for the review's child.
    childs_iro: bool
    # The viewer reads the review's record.
    record_visible: bool


# The viewer is the child's IRO on the case: a live IRO membership for the review's child.
_CHILDS_IRO = (
    sa.select(CaseMembership.id)
    .where(
        CaseMembership.proceedings_id == Review.proceedings_id,
        CaseMembership.child_id == Review.child_id,
        CaseMembership.role == CaseRole.IRO,
        CaseMembership.ended_at.is_(None),
        CaseMembership.person_id == sa.bindparam("viewer_person", type_=sa.Uuid()),
    )
    .exists()
)
_PARTICIPATION = Template(
    lambda filters: (
        sa.select(
            ReviewParticipation,
            Review.proceedings_id,
            _CHILDS_IRO.label("childs_iro"),
            _record_visible(filters).label("record_visible"),
        )
        .join(Review, Review.id == ReviewParticipation.review_id)
        .where(in_param(ReviewParticipation.review_id, "review_ids"), filters.granted(Review.proceedings_id))
    )
)


async def participation_by_review(
    session: AsyncSession, viewer: Viewer, review_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ParticipationRow]:
    """The participation records of those of the reviews whose case the viewer may read, by review."""
    person = viewer.person_id if isinstance(viewer, Actor) else None
    stmt, params = _PARTICIPATION.bound(viewer, review_ids=list(review_ids), viewer_person=person)
    return {
        row.review_id: ParticipationRow(row, case_id, bool(childs_iro), bool(visible))
        for row, case_id, childs_iro, visible in await session.execute(stmt, params)
    }


# ---------------------------------------------------------------------------------------------------------
# A review's decisions as actions (issue 18; portal/reviews/decisions.py)


async def open_earlier_decisions(session: AsyncSession, review: Review) -> list[tuple[ReviewDecision, date]]:
    """The child's decisions still open from their reviews held before or on the day of ``review`` (on any
    of the child's proceedings), oldest first, each with the day its review was held: what the review must
    say is done, dropped or carried on."""
    assert review.held_on is not None
    rows = await session.execute(
        sa.select(ReviewDecision, Review.held_on)
        .join(Review, Review.id == ReviewDecision.review_id)
        .where(
            ReviewDecision.child_id == review.child_id,
            ReviewDecision.state == DecisionState.OPEN,
            ReviewDecision.review_id != review.id,
            Review.held_on <= review.held_on,
        )
        .order_by(Review.held_on, ReviewDecision.review_id, ReviewDecision.position)
    )
    return [(decision, held_on) for decision, held_on in rows if held_on is not None]


async def people_of_organisation(
    session: AsyncSession, organisation_id: uuid.UUID, person_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Those of ``person_ids`` who are active people of the organisation."""
    rows = await session.execute(
        sa.select(Person.id).where(
            in_list(Person.id, person_ids), Person.organisation_id == organisation_id, Person.active.is_(True)
        )
    )
    return set(rows.scalars())


@dataclass(frozen=True)
class DecisionRow:
    """A review's decision, with the date of the review held whose decision it carries forward, if any."""

    decision: ReviewDecision
    carried_from_held_on: date | None


_EARLIER, _EARLIER_REVIEW = aliased(ReviewDecision), aliased(Review)
_DECISIONS = Template(
    lambda filters: (
        sa.select(ReviewDecision, _EARLIER_REVIEW.held_on)
        .outerjoin(_EARLIER, _EARLIER.id == ReviewDecision.carried_from_id)
        .outerjoin(_EARLIER_REVIEW, _EARLIER_REVIEW.id == _EARLIER.review_id)
        .where(
            in_param(ReviewDecision.review_id, "review_ids"), filters.granted(ReviewDecision.proceedings_id)
        )
        .order_by(ReviewDecision.review_id, ReviewDecision.position)
    )
)


async def decisions_by_review(
    session: AsyncSession, viewer: Viewer, review_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[DecisionRow]]:
    """The decisions of those of the reviews whose case the viewer may read, in their order, by review."""
    found: dict[uuid.UUID, list[DecisionRow]] = defaultdict(list)
    for decision, held_on in await session.execute(*_DECISIONS.bound(viewer, review_ids=list(review_ids))):
        found[decision.review_id].append(DecisionRow(decision, held_on))
    return found


_CHECKS = Template(
    lambda filters: (
        sa.select(ReviewDecisionsCheck)
        .join(Review, Review.id == ReviewDecisionsCheck.review_id)
        .where(in_param(ReviewDecisionsCheck.review_id, "review_ids"), filters.granted(Review.proceedings_id))
    )
)


async def checks_by_review(
    session: AsyncSession, viewer: Viewer, review_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ReviewDecisionsCheck]:
    """The record of each review's decisions (and its manager's check) whose case the viewer may read."""
    rows = await session.execute(*_CHECKS.bound(viewer, review_ids=list(review_ids)))
    return {check.review_id: check for check in rows.scalars()}


_PREPARATIONS = Template(
    lambda filters: (
        sa.select(ReviewPreparation)
        .join(Review, Review.id == ReviewPreparation.review_id)
        .where(in_param(ReviewPreparation.review_id, "review_ids"), filters.granted(Review.proceedings_id))
    )
)


async def preparations_by_review(
    session: AsyncSession, viewer: Viewer, review_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ReviewPreparation]:
    """The social worker's part before each review (SW1, SW2) whose case the viewer may read."""
    rows = await session.execute(*_PREPARATIONS.bound(viewer, review_ids=list(review_ids)))
    return {preparation.review_id: preparation for preparation in rows.scalars()}


@dataclass(frozen=True)
class OwnedDecision:
    """A decision owned by the viewer, with the little of its case they are shown whether or not they are on
    it (its number, the child's given name), and whether they may read the case itself."""

    decision: ReviewDecision
    case_number: str
    child_given_name: str
    reads_case: bool


def _owned(filters: Filters) -> sa.Select[ReviewDecision, str, str, bool]:
    return (
        sa.select(
            ReviewDecision,
            Proceedings.case_number,
            Child.given_name,
            filters.granted(ReviewDecision.proceedings_id).label("reads_case"),
        )
        .join(Proceedings, Proceedings.id == ReviewDecision.proceedings_id)
        .join(Child, Child.id == ReviewDecision.child_id)
    )


_OWNED = Template(
    lambda filters: (
        _owned(filters)
        .where(
            ReviewDecision.owner_id == sa.bindparam("owner_id", type_=sa.Uuid()),
            ReviewDecision.state == DecisionState.OPEN,
        )
        .order_by(ReviewDecision.due_on, ReviewDecision.id)
    )
)
_ONE_OWNED = Template(
    lambda filters: _owned(filters).where(ReviewDecision.id == sa.bindparam("decision_id", type_=sa.Uuid()))
)


async def decision_as_task(session: AsyncSession, actor: Actor, decision_id: uuid.UUID) -> OwnedDecision:
    """A decision the actor has just acted on (its owner, or the child's IRO), as their task list shows it."""
    stmt, params = _ONE_OWNED.bound(actor, decision_id=decision_id)
    decision, number, name, reads = (await session.execute(stmt, params)).one()
    return OwnedDecision(decision, number, name, bool(reads))


async def open_decisions_owned(session: AsyncSession, actor: Actor) -> list[OwnedDecision]:
    """The open decisions the actor owns, soonest due first (their own: no case access needed to see them)."""
    stmt, params = _OWNED.bound(actor, owner_id=actor.person_id)
    return [
        OwnedDecision(decision, number, name, bool(reads))
        for decision, number, name, reads in await session.execute(stmt, params)
    ]


@dataclass(frozen=True)
class CheckToAnswer:
    """A review's decisions put to the viewer to confirm, with the little of the case they are shown."""

    check: ReviewDecisionsCheck
    review: Review
    case_number: str
    child_given_name: str
    decisions: list[ReviewDecision]


async def checks_awaiting(session: AsyncSession, manager_id: uuid.UUID) -> list[CheckToAnswer]:
    """The checks of decisions put to the manager and not yet answered, oldest first, each with its review's
    decisions (two queries)."""
    rows = (
        await session.execute(
            sa.select(ReviewDecisionsCheck, Review, Proceedings.case_number, Child.given_name)
            .join(Review, Review.id == ReviewDecisionsCheck.review_id)
            .join(Proceedings, Proceedings.id == Review.proceedings_id)
            .join(Child, Child.id == Review.child_id)
            .where(ReviewDecisionsCheck.manager_id == manager_id, ReviewDecisionsCheck.response.is_(None))
            .order_by(ReviewDecisionsCheck.recorded_at, ReviewDecisionsCheck.review_id)
        )
    ).all()
    decisions: dict[uuid.UUID, list[ReviewDecision]] = defaultdict(list)
    if rows:
        found = await session.execute(
            sa.select(ReviewDecision)
            .where(in_list(ReviewDecision.review_id, [check.review_id for check, *_ in rows]))
            .order_by(ReviewDecision.position)
        )
        for decision in found.scalars():
            decisions[decision.review_id].append(decision)
    return [
        CheckToAnswer(check, review, number, name, decisions[check.review_id])
        for check, review, number, name in rows
    ]
