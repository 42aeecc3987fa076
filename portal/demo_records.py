"""What happened on the demo's cases after they opened: court papers (real PDFs, made as the demo loads),
looked-after reviews with their notices and records, concerns and significant issues, significant changes in a
child's circumstances and the IRO's answers, final orders, the final discussions and a handover in each state
(draft, submitted, returned, acknowledged).

Each step goes through the services, as the person who took it, with the portal's clock moved back to the
moment it happened: the obligations, their evidence and the audit trail are what they would have been had
it all happened in the portal. The mail those steps queued is about the past, so none of it is kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

import models.base
from models import (
    ChangeKind,
    ChangeResponse,
    Channel,
    Child,
    ChildAttendance,
    Confidentiality,
    ConsultationEvent,
    DiscussionKind,
    DiscussionMode,
    FilingParty,
    FinalOrderKind,
    IssueKind,
    LawfulBasis,
    ManagerResponse,
    PaperKind,
    Proceedings,
    Purpose,
    Review,
    ReviewKind,
    ViewsConveyed,
)
from portal.auth.actor import Actor, Via
from portal.auth.service import actor_for_person
from portal.cases import final_orders
from portal.clock import london_datetime
from portal.contacts import service as contacts
from portal.contacts.service import Direction, LogContact
from portal.discussions import service as discussions
from portal.discussions.service import RecordDiscussion
from portal.disputes.repository import authority_managers
from portal.handovers import service as handovers
from portal.mail import repository as mail_rows
from portal.obligations import arrangements
from portal.papers import service as papers
from portal.papers.receive import Received, Receiver
from portal.raised_issues import service as raised_issues
from portal.raised_issues.service import RaiseIssue
from portal.reviews import decisions as review_decisions
from portal.reviews import participation, preparation
from portal.reviews import service as reviews
from portal.reviews.service import ScheduleReview
from portal.significant_changes import service as significant_changes
from portal.storage.blobs import BlobStore


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """The portal's "now" is ``moment`` for the block (and goes on from there). Only for loading the demo,
    before anyone uses the portal: the clock is the process's."""
    before = models.base.CLOCK_OFFSET
    models.base.CLOCK_OFFSET = moment - datetime.now(UTC)
    try:
        yield
    finally:
        models.base.CLOCK_OFFSET = before


@dataclass(frozen=True)
class DemoCase:
    """One of the demo's cases as the records need it: its row, children and people by role."""

    proceedings: Proceedings
    children: list[Child]
    guardian: uuid.UUID | None
    iro: uuid.UUID | None
    solicitor: uuid.UUID
    # "both", "guardian only", "iro only" or "introduction only" (see portal/demo.py).
    contact: str
    # The day the final orders were made (and each child's order), when the case concluded.
    final_orders: tuple[date, tuple[FinalOrderKind, ...]] | None = None
    # What became of the handover: "draft", "submitted", "returned" or "acknowledged".
    handover: str | None = None
    # The children's social worker, who tells their IRO of significant changes (SC).
    social_worker: uuid.UUID | None = None


PLAN_IN_BRIEF = {
    "placement": "{names} to stay with their current foster carers, who can care for them long term.",
    "permanence": "Long-term fostering, to be confirmed at the review after the final hearing.",
    "familyContact": "Family time with their mother every other week, supervised; their father by letter.",
    "services": "Therapeutic support through CAMHS; help at school through the virtual school.",
}


def _names(children: list[Child]) -> str:
    names = [c.given_name for c in children]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _pdf(title: str, case: Proceedings, children: list[Child], body: str) -> bytes:
    """A court paper as a real, tagged PDF: made now, so the demo ships no binary files."""
    from html import escape

    from portal.printing import tagged_pdf  # WeasyPrint loads only when the demo does

    names = escape(", ".join(f"{c.given_name} {c.family_name}" for c in children))
    html = (
        f"<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'><title>{escape(title)}</title>"
        "</head><body style='font-family: sans-serif'>"
        f"<p>In the Family Court, case {escape(case.case_number)}</p><h1>{escape(title)}</h1>"
        f"<p>The children: {names}.</p><p>{escape(body)}</p>"
        "<p><em>Made-up demo document. It concerns no real person.</em></p></body></html>"
    )
    return tagged_pdf(html)


class Records:
    """Replays what people did on the demo's cases, case by case and in the order it happened."""

    def __init__(self, session: AsyncSession, store: BlobStore, today: date) -> None:
        self.session, self.store, self.today = session, store, today

    async def actor(self, person_id: uuid.UUID) -> Actor:
        actor = await actor_for_person(self.session, person_id, via=Via.WEB, source="demo")
        assert actor is not None
        return actor

    async def pdf(self, case: DemoCase, title: str, body: str) -> Received:
        """A made-up document about the case, as a PDF received into the store."""
        receiver = Receiver(self.store, max_bytes=10 * 1024 * 1024)
        await receiver.start(title.lower().replace(" ", "-").replace("'", "") + ".pdf")
        await receiver.write(_pdf(title, case.proceedings, case.children, body))
        return await receiver.finish()

    def at(self, day: date, hour: int = 11) -> datetime:
        return london_datetime(day, time(hour))

    def ago(self, days: int) -> date:
        day = self.today - timedelta(days=days)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return day

    async def replay(self, cases: list[DemoCase]) -> None:
        for case in cases:
            if case.contact == "both" and case.guardian and case.iro:
                await self.arrangement(case)
            await self.papers(case)
            if case.iro and case.guardian:
                await self.reviews(case)
            if case.final_orders:
                await self.conclusion(case)
        await self.issues(cases)
        await self.changes(cases)
        # The past's mail was never sent; nobody is to get it now.
        await self.session.flush()
        await mail_rows.discard_unsent(self.session)

    async def arrangement(self, case: DemoCase) -> None:
        """P3: where both sides keep to the protocol, they agreed how to keep in touch in the first week."""
        assert case.guardian
        agreed = case.proceedings.issued_on + timedelta(days=7)
        with clock_at(self.at(agreed, 12)):
            await arrangements.record_arrangement(
                self.session,
                await self.actor(case.guardian),
                arrangements.RecordArrangement(
                    case_id=case.proceedings.id,
                    agreed_on=agreed,
                    every_weeks=4,
                    on_events=[ConsultationEvent.AFTER_EACH_HEARING, ConsultationEvent.BEFORE_EACH_REVIEW],
                    notes="A call every four weeks, and after each hearing and before each review.",
                ),
            )

    # Court papers (P6): the authority files its evidence at issue; the guardian the initial analysis.

    async def file(
        self,
        case: DemoCase,
        by: uuid.UUID,
        day: date,
        kind: PaperKind,
        title: str,
        body: str,
        *,
        party: FilingParty,
        confidentiality: Confidentiality = Confidentiality.STANDARD,
        basis: LawfulBasis = LawfulBasis.FPR_12_73_IRO,
        paper_id: uuid.UUID | None = None,
        brief: dict[str, str] | None = None,
    ) -> uuid.UUID:
        with clock_at(self.at(day, 15)):
            actor = await self.actor(by)
            upload = await papers.record_upload(
                self.session, actor, case.proceedings.id, await self.pdf(case, title, body)
            )
            paper, _ = await papers.file_paper(
                self.session,
                actor,
                papers.FilePaper(
                    upload_id=upload.id,
                    filed_on=day,
                    kind=None if paper_id else kind,
                    title="" if paper_id else title,
                    filed_by_party=None if paper_id else party,
                    confidentiality=None if paper_id else confidentiality,
                    lawful_basis=None if paper_id else basis,
                    paper_id=paper_id,
                    plan_in_brief=brief,
                ),
            )
        return paper.id

    async def papers(self, case: DemoCase) -> None:
        issued, la = case.proceedings.issued_on, case.solicitor
        names = _names(case.children)
        local = FilingParty.LOCAL_AUTHORITY
        await self.file(
            case,
            la,
            issued,
            PaperKind.APPLICATION,
            "Application for a care order (C110A)",
            f"The local authority applies for care orders for {names}.",
            party=local,
        )
        await self.file(
            case,
            la,
            issued,
            PaperKind.SOCIAL_WORK_EVIDENCE,
            "Social work evidence template",
            f"The social worker's evidence of the concerns for {names} and the plan.",
            party=local,
        )
        brief = {k: v.format(names=names) for k, v in PLAN_IN_BRIEF.items()}
        plan = await self.file(
            case,
            la,
            issued,
            PaperKind.CARE_PLAN_INTERIM,
            "Interim care plan",
            f"The interim plan for {names} while the court decides.",
            party=local,
            brief=brief,
        )
        elapsed = (min(self.today, case.final_orders[0] if case.final_orders else self.today) - issued).days
        if case.guardian and elapsed > 15:
            await self.file(
                case,
                case.guardian,
                issued + timedelta(days=12),
                PaperKind.GUARDIAN_ANALYSIS_INITIAL,
                "Guardian's initial analysis",
                f"The guardian's initial analysis and recommendations for {names}.",
                party=FilingParty.CHILDRENS_GUARDIAN,
            )
        if elapsed > 60:
            await self.file(
                case,
                la,
                issued + timedelta(days=50),
                PaperKind.EXPERT_PSYCHOLOGICAL,
                "Psychological assessment of the mother",
                "The expert's assessment, directed by the court.",
                party=FilingParty.EXPERT,
                confidentiality=Confidentiality.RESTRICTED,
            )
        if elapsed > 100:
            # A second version: the placement changed; the rest of the plan in brief stands.
            await self.file(
                case,
                la,
                issued + timedelta(days=95),
                PaperKind.CARE_PLAN_INTERIM,
                "Interim care plan",
                f"The interim plan for {names}, revised after the placement planning meeting.",
                party=local,
                paper_id=plan,
                brief={**brief, "placement": f"{names} to move to kinship carers, their aunt and uncle."},
            )

    # Looked-after reviews (P4, P5, P11): the IRO books each, tells the guardian, holds it, shares the record.

    async def reviews(self, case: DemoCase) -> None:
        assert case.iro
        looked_after = [c for c in case.children if c.looked_after_since is not None]
        if not looked_after:
            return
        since = max(
            max(c.looked_after_since for c in looked_after if c.looked_after_since),
            case.proceedings.issued_on,
        )
        careful = case.contact in {"both", "guardian only"}
        first = since + timedelta(days=26)  # within 20 working days of becoming looked after
        ended = case.final_orders[0] if case.final_orders else None
        if first + timedelta(days=20) < (ended or self.today):
            review_ids = await self.book(case, since + timedelta(days=6), first, tell=careful)
            if careful:
                await self.consult(case, first - timedelta(days=4))
                await self.preparation(case, review_ids, since + timedelta(days=6), first)
            with clock_at(self.at(first, 16)):
                actor = await self.actor(case.iro)
                for review_id in review_ids:
                    await reviews.record_held(self.session, actor, review_id, first, None)
            await self.participation(case, review_ids, first)
            if careful:
                await self.decisions(case, review_ids, first)
                with clock_at(self.at(first + timedelta(days=7), 10)):
                    actor = await self.actor(case.iro)
                    for review_id in review_ids:
                        await reviews.share_record(
                            self.session,
                            actor,
                            review_id,
                            "The plan is endorsed. Family time to continue as now; the IRO is to check the "
                            "life-story work has started before the next review.",
                        )
        if ended is None:
            # The next review, booked for the weeks ahead (the guardian told, where the sides keep in touch).
            await self.book(case, self.ago(3), self.today + timedelta(days=24), tell=careful)

    async def preparation(
        self, case: DemoCase, review_ids: list[uuid.UUID], booked_on: date, review_date: date
    ) -> None:
        """The social worker's part before the review (issue 18, SW1, SW2), as the IRO records it the day
        before: the social worker consulted them the day it was booked, and sent the papers a week before."""
        assert case.iro
        with clock_at(self.at(review_date - timedelta(days=1), 17)):
            actor = await self.actor(case.iro)
            for review_id in review_ids:
                await preparation.record_preparation(
                    self.session,
                    actor,
                    preparation.RecordPreparation(review_id, booked_on, review_date - timedelta(days=7)),
                )

    async def decisions(self, case: DemoCase, review_ids: list[uuid.UUID], held_on: date) -> None:
        """The review's decisions as actions, the day after it (issue 18, RD): one for the guardian, done a
        week later, and one for the IRO, still open; put to a team manager of the authority, who confirms
        them."""
        assert case.iro
        assert case.guardian
        managers = await authority_managers(self.session, case.proceedings.local_authority_id)
        manager = managers[0].id if managers else None
        with clock_at(self.at(held_on + timedelta(days=1), 15)):
            actor = await self.actor(case.iro)
            for review_id in review_ids:
                await review_decisions.record_decisions(
                    self.session,
                    actor,
                    review_decisions.RecordDecisions(
                        review_id,
                        [
                            review_decisions.NewDecision(
                                "Share the updated family time plan with the IRO",
                                case.guardian,
                                held_on + timedelta(days=14),
                            ),
                            review_decisions.NewDecision(
                                "Check that the life-story work has started before the next review",
                                case.iro,
                                min(held_on + timedelta(days=90), self.today + timedelta(days=30)),
                            ),
                        ],
                        manager_id=manager,
                    ),
                )
        with clock_at(self.at(held_on + timedelta(days=3), 12)):
            if manager is not None:
                answerer = await self.actor(manager)
                for review_id in review_ids:
                    await review_decisions.respond_to_decisions(
                        self.session, answerer, review_id, ManagerResponse.CONFIRMED, "Agreed with the plan."
                    )
        with clock_at(self.at(held_on + timedelta(days=8), 11)):
            guardian = await self.actor(case.guardian)
            for owned in await review_decisions.my_open_decisions(self.session, guardian):
                if owned.decision.review_id in review_ids:
                    await review_decisions.complete_decision(
                        self.session, guardian, owned.decision.id, "Sent by secure email."
                    )

    async def participation(self, case: DemoCase, review_ids: list[uuid.UUID], held_on: date) -> None:
        """The IRO records each child's part in their review the day after (issue 18), as suits their age:
        a baby observed, a young child who came for part of it, an older child who told the IRO beforehand,
        what they said kept private to the IRO."""
        assert case.iro
        children = {c.id: c for c in case.children}
        with clock_at(self.at(held_on + timedelta(days=1), 9)):
            actor = await self.actor(case.iro)
            for review_id in review_ids:
                review = await self.session.get(Review, review_id)
                assert review is not None
                child = children[review.child_id]
                age = (held_on - child.date_of_birth).days // 365
                if age < 4:
                    data = participation.RecordParticipation(
                        review_id,
                        ChildAttendance.VIEWS_CONVEYED,
                        ViewsConveyed.OBSERVATION,
                        "The IRO, on a visit to the foster carers' home the week before",
                        f"{child.given_name} is settled and content with the carers, reaches for them when "
                        "unsure, and enjoys family time.",
                    )
                elif age < 8:
                    data = participation.RecordParticipation(
                        review_id,
                        ChildAttendance.ATTENDED_PART,
                        ViewsConveyed.AT_THE_REVIEW,
                        "",
                        f"{child.given_name} came for the first part with their carer and drew a picture of "
                        "home. They want to stay where they are and to see their brothers and sisters more.",
                    )
                else:
                    data = participation.RecordParticipation(
                        review_id,
                        ChildAttendance.VIEWS_CONVEYED,
                        ViewsConveyed.TO_THE_IRO_BEFORE,
                        "Met the IRO alone at school",
                        f"{child.given_name} wants to stay at the same school and does not want to see their "
                        "father for now; they asked that this stay between them and the IRO.",
                        private=True,
                    )
                await participation.record_participation(self.session, actor, data)

    async def consult(self, case: DemoCase, on: date) -> None:
        """P11: the guardian gives the IRO their views before the review."""
        await self.guardian_calls(
            case,
            on,
            Channel.EMAIL,
            Purpose.PRE_REVIEW_CONSULTATION,
            f"My views for the review of {_names(case.children)}: family time is going well; sibling contact "
            "needs to be on the agenda.",
        )

    async def guardian_calls(
        self, case: DemoCase, on: date, channel: Channel, purpose: Purpose, summary: str
    ) -> uuid.UUID:
        """The guardian logs a contact with the IRO, an hour after it (at 2pm)."""
        assert case.guardian
        assert case.iro
        with clock_at(self.at(on, 15)):
            contact = await contacts.log_contact(
                self.session,
                await self.actor(case.guardian),
                LogContact(
                    case_id=case.proceedings.id,
                    counterpart_id=case.iro,
                    direction=Direction.OUTGOING,
                    occurred_at=self.at(on, 14),
                    channel=channel,
                    purpose=purpose,
                    summary=summary,
                ),
            )
        return contact.id

    async def book(self, case: DemoCase, on: date, review_date: date, *, tell: bool) -> list[uuid.UUID]:
        assert case.iro
        with clock_at(self.at(on, 10)):
            actor = await self.actor(case.iro)
            mine = [c.id for c in case.children if c.looked_after_since is not None]
            booked = await reviews.schedule_review(
                self.session,
                actor,
                ScheduleReview(
                    case_id=case.proceedings.id,
                    child_ids=mine,
                    review_date=review_date,
                    arrangements="At the foster carers' home, 10am; the guardian may join by video call.",
                    tell_guardian=tell,
                ),
            )
        return [r.id for r in booked]

    # Significant changes in a child's circumstances, told to their IRO (SC; CPPCR 2010 reg 33(3)).

    async def changes(self, cases: list[DemoCase]) -> None:
        """A placement move the IRO answered (the review already booked will consider it) and a health event
        still to answer, on a case whose sides keep to the protocol; and on a new case, a move for which the
        IRO brought the child's review forward: an additional review, booked."""

        def told(case: DemoCase) -> list[Child]:
            return [c for c in case.children if c.legal_status.is_looked_after] if case.social_worker else []

        live = [c for c in cases if c.iro and c.final_orders is None and told(c)]
        careful = [c for c in live if c.contact == "both" and c.guardian]
        if careful:
            case = careful[0]
            children = told(case)
            assert case.iro
            moved = await self.notify(
                case,
                children[0],
                self.ago(10),
                ChangeKind.PLACEMENT_MOVE,
                f"{children[0].given_name} moved to new foster carers today: the carers gave notice after "
                "a family illness. The move was planned with them; school and family time are unchanged.",
            )
            with clock_at(self.at(self.ago(8), 15)):
                await significant_changes.respond(
                    self.session,
                    await self.actor(case.iro),
                    moved,
                    ChangeResponse.NO_REVIEW,
                    f"{children[0].given_name}'s next review is already booked, within weeks: it will "
                    "consider the move. I have spoken to the new carers and will visit before then.",
                )
            await self.notify(
                case,
                children[-1],
                self.ago(1),
                ChangeKind.HEALTH,
                f"{children[-1].given_name} was admitted to hospital overnight with breathing difficulties "
                "and has been discharged to the carers. A follow-up appointment is booked.",
            )
        # A child new to care, with no guardian allocated yet: the IRO brings the first review forward.
        waiting = [c for c in live if not c.guardian]
        if waiting:
            case = waiting[0]
            assert case.iro
            child = told(case)[0]
            moved = await self.notify(
                case,
                child,
                self.ago(4),
                ChangeKind.PLACEMENT_ENDED,
                f"The mother-and-baby placement ended early: {child.given_name} is now with emergency foster "
                "carers while a longer-term placement is found.",
            )
            with clock_at(self.at(self.ago(3), 11)):
                await reviews.schedule_review(
                    self.session,
                    await self.actor(case.iro),
                    ScheduleReview(
                        case_id=case.proceedings.id,
                        child_ids=[child.id],
                        review_date=self.today + timedelta(days=7),
                        arrangements="At the foster carers' home, 11am.",
                        kind=ReviewKind.ADDITIONAL,
                        tell_guardian=False,
                        significant_change_id=moved,
                    ),
                )

    async def notify(
        self, case: DemoCase, child: Child, on: date, kind: ChangeKind, summary: str
    ) -> uuid.UUID:
        """The social worker tells the child's IRO of a change, the day it happened."""
        assert case.social_worker
        with clock_at(self.at(on, 16)):
            change = await significant_changes.notify_change(
                self.session,
                await self.actor(case.social_worker),
                significant_changes.NotifyChange(case.proceedings.id, child.id, kind, on, summary),
            )
        return change.id

    # Concerns (P8) and significant issues (P9).

    async def issues(self, cases: list[DemoCase]) -> None:
        live = [c for c in cases if c.guardian and c.iro and c.final_orders is None]
        by_contact: dict[str, list[DemoCase]] = {}
        for case in live:
            by_contact.setdefault(case.contact, []).append(case)
        careful = by_contact.get("both", [])
        if careful:
            case = careful[0]
            assert case.guardian
            await self.raise_issue(
                case,
                case.guardian,
                self.ago(2),
                IssueKind.CONCERN,
                f"The life-story work for {_names(case.children)} has not started, six weeks after it was "
                "promised. Please take it up with the team manager.",
            )
        if len(careful) > 1:
            case = careful[1]
            assert case.iro
            assert case.guardian
            issue = await self.raise_issue(
                case,
                case.iro,
                self.ago(20),
                IssueKind.SIGNIFICANT_ISSUE,
                "The foster carers have given notice; a new placement is being looked for.",
                meeting="Placement planning meeting",
            )
            with clock_at(self.at(self.ago(18), 12)):
                await raised_issues.acknowledge(
                    self.session,
                    await self.actor(case.guardian),
                    issue,
                    "Thank you. Please tell me the outcome of the search before any move.",
                )
        quiet = by_contact.get("guardian only", [])
        if quiet:
            case = quiet[0]
            assert case.iro
            # Recorded but never told to the guardian: the P9 the dashboards show overdue.
            await self.raise_issue(
                case,
                case.iro,
                self.ago(9),
                IssueKind.SIGNIFICANT_ISSUE,
                "School attendance has fallen to 70% this term.",
                meeting="Personal education plan meeting",
                share=False,
            )

    async def raise_issue(
        self,
        case: DemoCase,
        by: uuid.UUID,
        on: date,
        kind: IssueKind,
        summary: str,
        *,
        meeting: str = "",
        share: bool = True,
    ) -> uuid.UUID:
        with clock_at(self.at(on, 14)):
            issue = await raised_issues.raise_issue(
                self.session,
                await self.actor(by),
                RaiseIssue(
                    case_id=case.proceedings.id,
                    kind=kind,
                    summary=summary,
                    arose_on=on,
                    meeting=meeting,
                    tell_now=share,
                ),
            )
        return issue.id

    # The end of proceedings (P12-P15): final orders, the final care plan, the final discussion, the handover.

    async def conclusion(self, case: DemoCase) -> None:
        assert case.final_orders
        assert case.guardian
        assert case.iro
        made_on, orders = case.final_orders
        with clock_at(self.at(made_on, 16)):
            await final_orders.record_final_orders(
                self.session,
                await self.actor(case.solicitor),
                final_orders.RecordFinalOrders(
                    case_id=case.proceedings.id,
                    made_on=made_on,
                    orders=[
                        final_orders.ChildOrder(child.id, order)
                        for child, order in zip(case.children, orders, strict=True)
                    ],
                ),
            )
        names = _names(case.children)
        await self.file(
            case,
            case.solicitor,
            made_on + timedelta(days=1),
            PaperKind.CARE_PLAN_FINAL,
            "Final care plan",
            f"The care plan for {names} the court approved.",
            party=FilingParty.LOCAL_AUTHORITY,
            brief={k: v.format(names=names) for k, v in PLAN_IN_BRIEF.items()},
        )
        talked = made_on + timedelta(days=3)
        contact_id = await self.guardian_calls(
            case,
            talked,
            Channel.VIDEO_CALL,
            Purpose.END_OF_PROCEEDINGS_DISCUSSION,
            f"Final discussion of the care plan for {names}: the issues for the IRO to keep under review are "
            "family time, the life-story work and the therapy waiting list.",
        )
        with clock_at(self.at(talked + timedelta(days=1), 15)):
            await discussions.record_discussion(
                self.session,
                await self.actor(case.iro),
                RecordDiscussion(
                    case_id=case.proceedings.id,
                    held_on=talked,
                    mode=DiscussionMode.VIDEO_CALL,
                    kind=DiscussionKind.FINAL_DISCUSSION,
                    summary=f"We went through the final care plan for {names}. I will keep family time, the "
                    "life-story work and the therapy waiting list under review.",
                    contact_id=contact_id,
                ),
            )
        await self.handover(case, made_on, talked + timedelta(days=2))

    async def handover(self, case: DemoCase, made_on: date, written: date) -> None:
        assert case.guardian
        assert case.iro
        state = case.handover or "draft"
        answers = self.answers(case, made_on, complete=state != "draft")
        with clock_at(self.at(written, 10)):
            guardian = await self.actor(case.guardian)
            draft = await handovers.start(self.session, guardian, case.proceedings.id)
            draft = await handovers.save_draft(self.session, guardian, draft.id, draft.revision, answers)
            if state == "draft":
                return
            submitted = await handovers.submit(self.session, guardian, draft.id, draft.revision)
        if state == "submitted":
            return
        with clock_at(self.at(written + timedelta(days=2), 14)):
            await handovers.answer(
                self.session,
                await self.actor(case.iro),
                submitted.id,
                acknowledge=state == "acknowledged",
                questions=""
                if state == "acknowledged"
                else "Please say who is arranging the therapy, and by when, before I acknowledge this.",
            )
        if state == "acknowledged":
            with clock_at(self.at(written + timedelta(days=3), 11)):
                guardian = await self.actor(case.guardian)
                await papers.confirm_forwarded(self.session, guardian, case.proceedings.id, "")
                await handovers.close_involvement(
                    self.session, guardian, case.proceedings.id, override_reason=None, read_only_days=90
                )

    def answers(self, case: DemoCase, made_on: date, *, complete: bool) -> dict[str, Any]:
        names = _names(case.children)
        plural = len(case.children) > 1
        child = "children" if plural else "child"
        answers: dict[str, Any] = {
            "care_plan_title": "Final care plan",
            "care_plan_date": made_on.isoformat(),
            "placement": PLAN_IN_BRIEF["placement"].format(names=names),
            "permanence": PLAN_IN_BRIEF["permanence"].format(names=names),
            "family_contact": PLAN_IN_BRIEF["familyContact"].format(names=names),
            "services": PLAN_IN_BRIEF["services"].format(names=names),
        }
        if not complete:
            return answers
        later = made_on + timedelta(days=90)
        return answers | {
            "strengths": f"Carers already known to the {child}; {names} settled well with them.",
            "risks": "Family time with their mother has been unsettling; the carers need support with it.",
            "issues_for_iro": [
                {
                    "issue": "Family time with the mother",
                    "why": "It has unsettled the children",
                    "by_when": later.isoformat(),
                },
                {
                    "issue": "The therapy waiting list",
                    "why": "CAMHS support is not yet in place",
                    "by_when": (made_on + timedelta(days=60)).isoformat(),
                },
            ],
            "wishes_and_feelings": f"{names} told me they want to stay where they are now.",
            "staying_in_touch": "A letter from the guardian at the end of the school year.",
            "iro_view": "The IRO supported the plan at the final hearing.",
            "next_review": later.isoformat(),
        }
