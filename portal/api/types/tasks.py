"""A person's tasks: the protocol's obligations that are theirs across their cases, the replies waiting on
either side, and what the other side raised for them to acknowledge."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry

from models import ReviewDecision as ReviewDecisionModel
from portal.api.context import Info
from portal.api.doc import field, object_type, resolver
from portal.api.types.cases import Case
from portal.api.types.contacts import Contact
from portal.api.types.obligations import Obligation
from portal.api.types.people import PersonRef, person_ref
from portal.api.types.records import RaisedIssue
from portal.reviews.decisions import overdue
from portal.reviews.repository import CheckToAnswer, OwnedDecision


@object_type
class Task:
    """One obligation on one of your cases: yours, or shared with you."""

    obligation: Obligation = field("The obligation, with its due date and state.")
    case: Case = field("The case it is on.")


@object_type
class AwaitedReply:
    """A contact still waiting for its reply: from you to the other side, or from them to you."""

    contact: Contact = field("The contact.")
    case: Case = field("The case it is on.")
    waiting_on_you: bool = field("Whether the reply is yours to give.")


@object_type
class IssueToAcknowledge:
    """A concern (for the IRO) or significant issue (for the guardian) raised with you, not acknowledged."""

    issue: RaisedIssue = field("The concern or significant issue.")
    case: Case = field("The case it is on.")


@object_type
class DecisionTask:
    """A decision of a looked-after review that is yours to act on, open (issue 18). Its owner need not be on
    the case: they are shown what to do, by when, the case's number and the child's given name, and no more
    of the case unless they may read it."""

    id: strawberry.ID = field("The decision's id.")
    description: str = field("What was decided, as an action.")
    due_on: date = field("When it is due.")
    overdue: bool = field("Whether it is past its due date (worked out today).")
    case_number: str = field("The number of the case it is on.")
    child_given_name: str = field("The given name of the child whose review made it.")
    case_id: strawberry.ID | None = field("The case, if you may read it (null otherwise).")
    review_id: strawberry.ID | None = field("The review that made it, if you may read its case.")

    @staticmethod
    def of(row: OwnedDecision, today: date) -> DecisionTask:
        model = row.decision
        return DecisionTask(
            id=strawberry.ID(str(model.id)),
            description=model.description,
            due_on=model.due_on,
            overdue=overdue(model, today),
            case_number=row.case_number,
            child_given_name=row.child_given_name,
            case_id=strawberry.ID(str(model.proceedings_id)) if row.reads_case else None,
            review_id=strawberry.ID(str(model.review_id)) if row.reads_case else None,
        )


@object_type
class DecisionToSettle:
    """A decision still open from one of the child's earlier reviews, on any of their proceedings, which the
    decisions of the review being recorded must say is done, dropped or carried forward (issue 18)."""

    id: strawberry.ID = field("The decision's id.")
    description: str = field("What was decided, as an action.")
    due_on: date = field("When it is due.")
    overdue: bool = field("Whether it is past its due date (worked out today).")
    held_on: date = field("The day the review that made it was held.")
    _owner_id: strawberry.Private[uuid.UUID]

    @resolver
    def owner(self, info: Info) -> PersonRef:
        """Who was to do it."""
        return person_ref(info, self._owner_id)

    @staticmethod
    def of(decision: ReviewDecisionModel, held_on: date, today: date) -> DecisionToSettle:
        return DecisionToSettle(
            id=strawberry.ID(str(decision.id)),
            description=decision.description,
            due_on=decision.due_on,
            overdue=overdue(decision, today),
            held_on=held_on,
            _owner_id=decision.owner_id,
        )


@object_type
class CheckedDecision:
    """One of the decisions put to a manager to confirm: what, whose, and by when."""

    description: str = field("What was decided, as an action.")
    due_on: date = field("When it is due.")
    _owner_id: strawberry.Private[uuid.UUID]

    @resolver
    def owner(self, info: Info) -> PersonRef:
        """Who will do it."""
        return person_ref(info, self._owner_id)


@object_type
class DecisionsCheckTask:
    """A review's decisions an IRO asked you, a manager of the child's authority, to confirm or dispute (issue
    18). You are shown the review's date, the child's given name, the case's number and the decisions:
    nothing else of the case."""

    review_id: strawberry.ID = field("The review.")
    held_on: date = field("When the review was held.")
    child_given_name: str = field("The given name of the child reviewed.")
    case_number: str = field("The number of the case.")
    asked_at: datetime = field("When you were asked.")
    decisions: list[CheckedDecision] = field("The review's decisions, in order.")

    @staticmethod
    def of(row: CheckToAnswer) -> DecisionsCheckTask:
        assert row.review.held_on is not None
        return DecisionsCheckTask(
            review_id=strawberry.ID(str(row.review.id)),
            held_on=row.review.held_on,
            child_given_name=row.child_given_name,
            case_number=row.case_number,
            asked_at=row.check.recorded_at,
            decisions=[
                CheckedDecision(description=d.description, due_on=d.due_on, _owner_id=d.owner_id)
                for d in row.decisions
            ],
        )
