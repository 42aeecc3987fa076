"""Mutations on the records around the protocol: reviews (P4, P5, P11), discussion records (P7, P13),
concerns (P8) and significant issues (P9), and the final orders that open P12-P14."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    ChildAttendance,
    DiscussionKind,
    DiscussionMode,
    EmailPreference,
    FinalOrderKind,
    IssueKind,
    ManagerResponse,
    ReviewKind,
    ViewsConveyed,
)
from models import Review as ReviewModel
from portal.api.context import Info
from portal.api.doc import enum_type, field, input_type, mutation, object_type
from portal.api.errors import UserError, attempt, parse_id
from portal.api.types.records import Discussion, FinalOrder, RaisedIssue, Review, ReviewDecisionsCheck
from portal.api.types.tasks import DecisionTask
from portal.auth.actor import Actor
from portal.cases import final_orders
from portal.discussions import service as discussions
from portal.people import service as people
from portal.raised_issues import service as raised_issues
from portal.reviews import decisions, earlier, participation, preparation
from portal.reviews import service as reviews

T = TypeVar("T")


async def _as_actor(info: Info, work: Callable[[AsyncSession, Actor], Awaitable[T]]) -> T:
    actor = info.context.require_actor()
    return await info.context.uow.run(lambda s: work(s, actor))


@input_type
class ScheduleReviewInput:
    """A looked-after review to book (CPPCR reg 33), for one child or siblings reviewed together."""

    case_id: strawberry.ID = field("The case.")
    child_ids: list[strawberry.ID] = field("The children to review: each gets a review of their own.")
    review_date: date | None = field("The date of the review.")
    arrangements: str = field("Time, place and how to join, as the guardian will be told (P4).")
    kind: ReviewKind | None = field(
        "ADDITIONAL (earlier, at the IRO's request) or INFORMATION_GATHERING; empty follows the schedule.",
        default=None,
    )
    guardian_invited: bool = field(
        "Ask the guardian to attend. Generally not needed (P10): they are told and asked for views.",
        default=False,
    )
    tell_guardian: bool = field("Send the guardian the arrangements now (meets P4).", default=True)
    long_term_foster_settled: bool = field(
        "For INFORMATION_GATHERING: confirm the child is settled in a long-term foster placement (needed).",
        default=False,
    )
    child_agreed: bool = field(
        "For INFORMATION_GATHERING: confirm the child agrees to one instead of a meeting (needed).",
        default=False,
    )
    significant_change_id: strawberry.ID | None = field(
        "The significant change this ADDITIONAL review is booked for (CPPCR 2010 reg 33(3)): booking it "
        "answers the change, meeting SC. The change must be about one of the children, on this case, and "
        "not yet answered.",
        default=None,
    )


@input_type
class RescheduleReviewInput:
    """A new date or new arrangements for a review not yet held."""

    id: strawberry.ID = field("The review.")
    review_date: date | None = field("Its new date.")
    arrangements: str = field("Time, place and how to join.")


@input_type
class ReviewIdInput:
    """A review."""

    id: strawberry.ID = field("The review.")


@input_type
class RecordReviewHeldInput:
    """That a review took place; with its record, the record is shared with the guardian at once (P5)."""

    id: strawberry.ID = field("The review.")
    held_on: date | None = field("When it was held.")
    record: str | None = field("Its decisions and recommendations, to share with the guardian.", default=None)


@input_type
class ShareReviewRecordInput:
    """A held review's record, to share with the guardian (P5)."""

    id: strawberry.ID = field("The review.")
    record: str = field("Its decisions and recommendations.")


@input_type
class RecordReviewParticipationInput:
    """The child's participation in a held review and their wishes and feelings, recorded or changed by the
    child's IRO (CPPCR 2010 reg 36; IRO Handbook ch. 3; issue 18). Recording it again replaces it."""

    id: strawberry.ID = field("The review, once held.")
    attendance: ChildAttendance | None = field(
        "Whether the child attended, all of it or part; if not, whether their views were conveyed."
    )
    views_conveyed: ViewsConveyed | None = field(
        "How the child's views reached the review: needed when they did not attend but their views were "
        "conveyed; left empty when their views were not conveyed.",
        default=None,
    )
    conveyed_by: str = field(
        "Who conveyed them (an advocate's name and service, the carer ...), or how (needed for OTHER). Up "
        "to 200 characters.",
        default="",
    )
    wishes_and_feelings: str = field(
        "The child's wishes and feelings, as they said them: needed unless their views were not conveyed. "
        "Up to 10,000 characters.",
        default="",
    )
    private: bool = field(
        "Keep what the child said private to their IRO: everyone else who sees the review sees this record, "
        "how the child took part, but not what they said.",
        default=False,
    )


@input_type
class RecordEarlierReviewInput:
    """A review of a looked-after child held before the case came to the portal (a child looked after before
    the proceedings), recorded by the child's IRO so that the reg 33 schedule carries on from it (issue 18).
    Recorded in order, each after the last."""

    case_id: strawberry.ID = field("The case.")
    child_id: strawberry.ID = field("The child reviewed, whose IRO you are.")
    held_on: date | None = field(
        "When it was held: on or after the day the child became looked after, after their last review, and "
        "not after the day the case came to the portal."
    )


@input_type
class RecordReviewPreparationInput:
    """The social worker's part before a review, as the day each happened (SW1, SW2; issue 18), recorded by
    the child's social worker or IRO. Give either or both; a day once recorded stands."""

    id: strawberry.ID = field("The review.")
    social_worker_consulted_on: date | None = field(
        "The day the social worker consulted the IRO about the review (meets SW1); on or before the review.",
        default=None,
    )
    papers_received_on: date | None = field(
        "The day the IRO had the social worker's report and the papers (meets SW2); on or before the review.",
        default=None,
    )


EarlierOutcomeEnum = enum_type(
    decisions.EarlierOutcome,
    "What a review says of a decision still open from an earlier one: done, dropped (no longer needed, with "
    "the reason) or carried forward to this review with a new date.",
)


@input_type
class ReviewDecisionInput:
    """A decision of the review, as an action."""

    description: str = field("What was decided, as an action. Up to 1,000 characters.")
    owner_id: strawberry.ID | None = field(
        "Who will do it: someone on the case, or a person of the child's local authority."
    )
    due_on: date | None = field("When it is due: not before the review, and within 12 months of it.")


@input_type
class EarlierDecisionInput:
    """What happens to one decision still open from the child's earlier reviews."""

    id: strawberry.ID = field("The earlier decision.")
    outcome: decisions.EarlierOutcome | None = field("Done, dropped or carried forward.")
    note: str = field(
        "What was done, or why it is no longer needed (needed to drop it). Up to 1,000 characters.",
        default="",
    )
    due_on: date | None = field("Its new due date, to carry it forward (needed then).", default=None)


@input_type
class RecordReviewDecisionsInput:
    """A held review's decisions, recorded once by the child's IRO (issue 18; meets RD): the new decisions,
    what happens to every decision still open from the child's earlier reviews (each said once), and the
    manager asked to confirm them."""

    id: strawberry.ID = field("The review, once held.")
    decisions: list[ReviewDecisionInput] = field("The review's new decisions.", default_factory=list)
    earlier: list[EarlierDecisionInput] = field(
        "What happens to each decision still open from the child's earlier reviews: every one, once.",
        default_factory=list,
    )
    manager_id: strawberry.ID | None = field(
        "A manager (LA_MANAGER) of the child's local authority to ask to confirm the decisions; optional.",
        default=None,
    )


@input_type
class CompleteReviewDecisionInput:
    """A review's decision done."""

    id: strawberry.ID = field("The decision.")
    note: str = field("What was done (optional). Up to 1,000 characters.", default="")


@input_type
class RespondToReviewDecisionsInput:
    """The named manager's answer on a review's decisions."""

    review_id: strawberry.ID = field("The review.")
    response: ManagerResponse = field("CONFIRMED, or DISPUTED (with the reason in comment).")
    comment: str = field("Why you dispute them (needed then), or a note. Up to 2,000 characters.", default="")


@object_type
class DecisionTaskPayload:
    """The decision as it now is (as its owner sees it on their task list), or the errors (and nothing
    written)."""

    decision: DecisionTask | None = field("The decision.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@object_type
class ReviewDecisionsCheckPayload:
    """The check as it now is, or the errors (and nothing written)."""

    check: ReviewDecisionsCheck | None = field("The check, with your answer.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@object_type
class ReviewsPayload:
    """The reviews booked, or the errors (and nothing written)."""

    reviews: list[Review] = field("One review for each child.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@object_type
class ReviewPayload:
    """The review as it now is, or the errors (and nothing written)."""

    review: Review | None = field("The review.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@input_type
class AgreedActionInput:
    """An action agreed in a discussion."""

    description: str = field("What was agreed.")
    owner_id: strawberry.ID | None = field("Who will do it: someone on the case.")
    due_on: date | None = field("When it is due.")


@input_type
class RecordDiscussionInput:
    """A discussion with the guardian, for the child's case file (P7)."""

    case_id: strawberry.ID = field("The case.")
    held_on: date | None = field("When the discussion took place.")
    mode: DiscussionMode = field("How.")
    summary: str = field("What was discussed.")
    kind: DiscussionKind = field(
        "FINAL_DISCUSSION for the discussion of the final care plan after the final order (P13).",
        default=DiscussionKind.DURING_PROCEEDINGS,
    )
    others_present: str = field("Anyone else who took part.", default="")
    contact_id: strawberry.ID | None = field(
        "The ledger entry for the same conversation: its P7 is met by this record.", default=None
    )
    actions: list[AgreedActionInput] = field("The actions agreed.", default_factory=list)


@object_type
class DiscussionPayload:
    """The discussion record, or the errors (and nothing written)."""

    discussion: Discussion | None = field("The record.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@input_type
class RaiseConcernInput:
    """A concern about the authority's management of the case, raised with the IRO (P8)."""

    case_id: strawberry.ID = field("The case.")
    summary: str = field("The concern.")


@input_type
class RecordSignificantIssueInput:
    """A significant issue from a planning or review meeting, for the guardian (P9)."""

    case_id: strawberry.ID = field("The case.")
    arose_on: date | None = field("The meeting's date.")
    meeting: str = field("Which meeting, e.g. 'Looked-after review' or 'Placement planning meeting'.")
    summary: str = field("The issue.")
    tell_guardian_now: bool = field("Tell the guardian now (meets P9).", default=True)


@input_type
class IssueIdInput:
    """A concern or significant issue."""

    id: strawberry.ID = field("Its id.")


@input_type
class AcknowledgeIssueInput:
    """The other side's acknowledgement, with a response."""

    id: strawberry.ID = field("The concern or significant issue.")
    response: str = field("Your response (optional).", default="")


@object_type
class RaisedIssuePayload:
    """The concern or significant issue as it now is, or the errors (and nothing written)."""

    issue: RaisedIssue | None = field("It.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@input_type
class ChildOrderInput:
    """The final order for one child."""

    child_id: strawberry.ID = field("The child.")
    order: FinalOrderKind = field("The order made.")


@input_type
class RecordFinalOrdersInput:
    """The end of the proceedings: the final order for every child (the LA solicitor)."""

    case_id: strawberry.ID = field("The case.")
    made_on: date | None = field("When the final orders were made.")
    orders: list[ChildOrderInput] = field("One for each child in the proceedings.")


@object_type
class FinalOrdersPayload:
    """The final orders, or the errors (and nothing written)."""

    orders: list[FinalOrder] = field("The orders recorded.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@input_type
class EmailPreferenceInput:
    """How you want the portal's emails."""

    preference: EmailPreference = field("IMMEDIATE, or DAILY_DIGEST: one email a day with everything.")


@object_type
class EmailPreferencePayload:
    """Your preference as it now is."""

    preference: EmailPreference | None = field("Your preference.")
    errors: list[UserError] = field("What was wrong; empty on success.")


def _review(model: ReviewModel) -> Review:
    return Review.of(model, show_record=True)


@object_type
class RecordMutations:
    """Reviews, discussion records, concerns, significant issues and final orders."""

    @mutation
    async def schedule_review(self, info: Info, input: ScheduleReviewInput) -> ReviewsPayload:
        """Book a looked-after review (the child's IRO). Opens P4 (tell the guardian, at the latest so many
        working days before) and P11 (the guardian's pre-review consultation); telling the guardian now
        meets P4."""

        async def work() -> list[Review]:
            data = reviews.ScheduleReview(
                case_id=parse_id(input.case_id, "caseId"),
                child_ids=[parse_id(c, f"childIds.{n}") for n, c in enumerate(input.child_ids)],
                review_date=input.review_date,
                arrangements=input.arrangements,
                kind=input.kind,
                guardian_invited=input.guardian_invited,
                tell_guardian=input.tell_guardian,
                long_term_foster_settled=input.long_term_foster_settled,
                child_agreed=input.child_agreed,
                significant_change_id=parse_id(input.significant_change_id, "significantChangeId")
                if input.significant_change_id
                else None,
            )
            return [
                _review(r) for r in await _as_actor(info, lambda s, a: reviews.schedule_review(s, a, data))
            ]

        found, errors = await attempt(info.context, work())
        return ReviewsPayload(reviews=found or [], errors=errors)

    @mutation
    async def reschedule_review(self, info: Info, input: RescheduleReviewInput) -> ReviewPayload:
        """Move a review not yet held (the child's IRO); P4 and P11 move with it, and a guardian already told
        is told again."""

        async def work() -> Review:
            review_id = parse_id(input.id, "id")
            return _review(
                await _as_actor(
                    info,
                    lambda s, a: reviews.reschedule_review(
                        s, a, review_id, input.review_date, input.arrangements
                    ),
                )
            )

        review, errors = await attempt(info.context, work())
        return ReviewPayload(review=review, errors=errors)

    @mutation
    async def tell_guardian_of_review(self, info: Info, input: ReviewIdInput) -> ReviewPayload:
        """Send the guardian the review's arrangements (meets P4)."""

        async def work() -> Review:
            review_id = parse_id(input.id, "id")
            return _review(await _as_actor(info, lambda s, a: reviews.tell_guardian(s, a, review_id)))

        review, errors = await attempt(info.context, work())
        return ReviewPayload(review=review, errors=errors)

    @mutation
    async def record_review_held(self, info: Info, input: RecordReviewHeldInput) -> ReviewPayload:
        """Record that a review took place (opens P5); with its record, shares it with the guardian."""

        async def work() -> Review:
            review_id = parse_id(input.id, "id")
            return _review(
                await _as_actor(
                    info, lambda s, a: reviews.record_held(s, a, review_id, input.held_on, input.record)
                )
            )

        review, errors = await attempt(info.context, work())
        return ReviewPayload(review=review, errors=errors)

    @mutation
    async def share_review_record(self, info: Info, input: ShareReviewRecordInput) -> ReviewPayload:
        """Share a held review's record with the guardian (meets P5)."""

        async def work() -> Review:
            review_id = parse_id(input.id, "id")
            return _review(
                await _as_actor(info, lambda s, a: reviews.share_record(s, a, review_id, input.record))
            )

        review, errors = await attempt(info.context, work())
        return ReviewPayload(review=review, errors=errors)

    @mutation
    async def record_review_participation(
        self, info: Info, input: RecordReviewParticipationInput
    ) -> ReviewPayload:
        """Record the child's participation in a held review, with their wishes and feelings, or change it
        (the child's IRO; issue 18). What the child said may be kept private to their IRO."""

        async def work() -> Review:
            data = participation.RecordParticipation(
                review_id=parse_id(input.id, "id"),
                attendance=input.attendance,
                views_conveyed=input.views_conveyed,
                conveyed_by=input.conveyed_by,
                wishes_and_feelings=input.wishes_and_feelings,
                private=input.private,
            )
            return _review(await _as_actor(info, lambda s, a: participation.record_participation(s, a, data)))

        review, errors = await attempt(info.context, work())
        return ReviewPayload(review=review, errors=errors)

    @mutation
    async def record_earlier_review(self, info: Info, input: RecordEarlierReviewInput) -> ReviewPayload:
        """Record a review of a looked-after child held before the case came to the portal (the child's IRO;
        issue 18). It meets the review duty it would have (R1 ... R3) on the day it was held, and the next
        duty runs from it; nothing the protocol asks around a review was due through the portal for it."""

        async def work() -> Review:
            data = earlier.RecordEarlierReview(
                case_id=parse_id(input.case_id, "caseId"),
                child_id=parse_id(input.child_id, "childId"),
                held_on=input.held_on,
            )
            return _review(await _as_actor(info, lambda s, a: earlier.record_earlier_review(s, a, data)))

        review, errors = await attempt(info.context, work())
        return ReviewPayload(review=review, errors=errors)

    @mutation
    async def record_review_preparation(
        self, info: Info, input: RecordReviewPreparationInput
    ) -> ReviewPayload:
        """Record the day the social worker consulted the IRO, or the IRO had the papers, before a review
        (the child's social worker or IRO; SW1, SW2). Each duty is judged on the day given, however late it
        is recorded."""

        async def work() -> Review:
            data = preparation.RecordPreparation(
                review_id=parse_id(input.id, "id"),
                social_worker_consulted_on=input.social_worker_consulted_on,
                papers_received_on=input.papers_received_on,
            )
            return _review(await _as_actor(info, lambda s, a: preparation.record_preparation(s, a, data)))

        review, errors = await attempt(info.context, work())
        return ReviewPayload(review=review, errors=errors)

    @mutation
    async def record_review_decisions(self, info: Info, input: RecordReviewDecisionsInput) -> ReviewPayload:
        """Record a held review's decisions as actions, once (the child's IRO; issue 18; meets RD): each with
        an owner and a due date, what happens to every decision still open from the child's earlier
        reviews, and optionally the manager asked to confirm them. The owners, the guardian and the manager
        are told by email, with no case content."""

        async def work() -> Review:
            data = decisions.RecordDecisions(
                review_id=parse_id(input.id, "id"),
                decisions=[
                    decisions.NewDecision(
                        description=d.description,
                        owner_id=parse_id(d.owner_id, f"decisions.{n}.ownerId") if d.owner_id else None,
                        due_on=d.due_on,
                    )
                    for n, d in enumerate(input.decisions)
                ],
                earlier=[
                    decisions.Earlier(
                        decision_id=parse_id(e.id, f"earlier.{n}"),
                        outcome=e.outcome,
                        note=e.note,
                        due_on=e.due_on,
                    )
                    for n, e in enumerate(input.earlier)
                ],
                manager_id=parse_id(input.manager_id, "managerId") if input.manager_id else None,
            )
            return _review(await _as_actor(info, lambda s, a: decisions.record_decisions(s, a, data)))

        review, errors = await attempt(info.context, work())
        return ReviewPayload(review=review, errors=errors)

    @mutation
    async def complete_review_decision(
        self, info: Info, input: CompleteReviewDecisionInput
    ) -> DecisionTaskPayload:
        """Mark a review's decision done (its owner, or the child's IRO; issue 18)."""

        async def work() -> DecisionTask:
            decision_id = parse_id(input.id, "id")

            async def complete(session: AsyncSession, actor: Actor) -> DecisionTask:
                await decisions.complete_decision(session, actor, decision_id, input.note)
                return DecisionTask.of(
                    await decisions.as_task(session, actor, decision_id), info.context.today
                )

            return await _as_actor(info, complete)

        decision, errors = await attempt(info.context, work())
        return DecisionTaskPayload(decision=decision, errors=errors)

    @mutation
    async def respond_to_review_decisions(
        self, info: Info, input: RespondToReviewDecisionsInput
    ) -> ReviewDecisionsCheckPayload:
        """Confirm a review's decisions, or dispute them with the reason (the manager the IRO asked; once;
        issue 18). The IRO is told by email; a dispute may lead to their challenge."""

        async def work() -> ReviewDecisionsCheck:
            review_id = parse_id(input.review_id, "reviewId")
            check = await _as_actor(
                info,
                lambda s, a: decisions.respond_to_decisions(s, a, review_id, input.response, input.comment),
            )
            return ReviewDecisionsCheck.of(check)

        check, errors = await attempt(info.context, work())
        return ReviewDecisionsCheckPayload(check=check, errors=errors)

    @mutation
    async def record_discussion(self, info: Info, input: RecordDiscussionInput) -> DiscussionPayload:
        """Record a discussion with the guardian on the child's file (the IRO; meets P7, and P13 for the
        final discussion)."""

        async def work() -> Discussion:
            data = discussions.RecordDiscussion(
                case_id=parse_id(input.case_id, "caseId"),
                held_on=input.held_on,
                mode=input.mode,
                summary=input.summary,
                kind=input.kind,
                others_present=input.others_present,
                contact_id=parse_id(input.contact_id, "contactId") if input.contact_id else None,
                actions=[
                    discussions.ActionInput(
                        description=a.description,
                        owner_id=parse_id(a.owner_id, f"actions.{n}.ownerId") if a.owner_id else None,
                        due_on=a.due_on,
                    )
                    for n, a in enumerate(input.actions)
                ],
            )
            return Discussion.of(
                await _as_actor(info, lambda s, a: discussions.record_discussion(s, a, data))
            )

        discussion, errors = await attempt(info.context, work())
        return DiscussionPayload(discussion=discussion, errors=errors)

    @mutation
    async def raise_concern(self, info: Info, input: RaiseConcernInput) -> RaisedIssuePayload:
        """Consult the IRO about a concern over the authority's management of the case (the guardian, P8)."""

        async def work() -> RaisedIssue:
            data = raised_issues.RaiseIssue(
                case_id=parse_id(input.case_id, "caseId"), kind=IssueKind.CONCERN, summary=input.summary
            )
            return RaisedIssue.of(await _as_actor(info, lambda s, a: raised_issues.raise_issue(s, a, data)))

        issue, errors = await attempt(info.context, work())
        return RaisedIssuePayload(issue=issue, errors=errors)

    @mutation
    async def record_significant_issue(
        self, info: Info, input: RecordSignificantIssueInput
    ) -> RaisedIssuePayload:
        """Record a significant issue from a meeting (the IRO): opens P9, which telling the guardian meets."""

        async def work() -> RaisedIssue:
            data = raised_issues.RaiseIssue(
                case_id=parse_id(input.case_id, "caseId"),
                kind=IssueKind.SIGNIFICANT_ISSUE,
                summary=input.summary,
                arose_on=input.arose_on,
                meeting=input.meeting,
                tell_now=input.tell_guardian_now,
            )
            return RaisedIssue.of(await _as_actor(info, lambda s, a: raised_issues.raise_issue(s, a, data)))

        issue, errors = await attempt(info.context, work())
        return RaisedIssuePayload(issue=issue, errors=errors)

    @mutation
    async def share_significant_issue(self, info: Info, input: IssueIdInput) -> RaisedIssuePayload:
        """Tell the guardian of a significant issue recorded earlier (the IRO; meets P9)."""

        async def work() -> RaisedIssue:
            issue_id = parse_id(input.id, "id")
            return RaisedIssue.of(
                await _as_actor(info, lambda s, a: raised_issues.share_issue(s, a, issue_id))
            )

        issue, errors = await attempt(info.context, work())
        return RaisedIssuePayload(issue=issue, errors=errors)

    @mutation
    async def acknowledge_issue(self, info: Info, input: AcknowledgeIssueInput) -> RaisedIssuePayload:
        """Acknowledge a concern (the IRO) or a significant issue (the guardian), with a response."""

        async def work() -> RaisedIssue:
            issue_id = parse_id(input.id, "id")
            return RaisedIssue.of(
                await _as_actor(info, lambda s, a: raised_issues.acknowledge(s, a, issue_id, input.response))
            )

        issue, errors = await attempt(info.context, work())
        return RaisedIssuePayload(issue=issue, errors=errors)

    @mutation
    async def record_final_orders(self, info: Info, input: RecordFinalOrdersInput) -> FinalOrdersPayload:
        """Record the final order for every child (the LA solicitor). The proceedings conclude, and the
        guardian's handover duties open (P12-P14) while a child stays looked after."""

        async def work() -> list[FinalOrder]:
            data = final_orders.RecordFinalOrders(
                case_id=parse_id(input.case_id, "caseId"),
                made_on=input.made_on,
                orders=[
                    final_orders.ChildOrder(parse_id(o.child_id, f"orders.{n}.childId"), o.order)
                    for n, o in enumerate(input.orders)
                ],
            )
            made = await _as_actor(info, lambda s, a: final_orders.record_final_orders(s, a, data))
            return [FinalOrder.of(o) for o in made]

        orders, errors = await attempt(info.context, work())
        return FinalOrdersPayload(orders=orders or [], errors=errors)

    @mutation
    async def set_email_preference(self, info: Info, input: EmailPreferenceInput) -> EmailPreferencePayload:
        """Choose emails as things happen, or one daily digest."""

        async def work() -> EmailPreference:
            person = await _as_actor(info, lambda s, a: people.set_email_preference(s, a, input.preference))
            return person.email_preference

        preference, errors = await attempt(info.context, work())
        return EmailPreferencePayload(preference=preference, errors=errors)
