"""The demo's disputes about care plans and its referral to Cafcass (issue 17), on Riverside's live cases
with a guardian and an IRO: a challenge still being settled informally; one the team manager settled at the
first stage; one at the service manager's stage, due soon, with the team manager's answer in writing among
its documents; and one fast-tracked to the head of service that ran past the ladder's 20 working days, was
told to the guardian (who gave their view) and referred to Cafcass, where an officer is making enquiries.

As for the rest of the demo's records (portal/demo_records.py), each step goes through the services as the
person who took it, with the portal's clock at the moment it happened; the mail it queued is discarded with
the rest of the past's."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date
from typing import TypeVar

from models import DisputeSubject, LetterTo, Person, ReferralGround
from portal.auth.actor import SYSTEM, Actor
from portal.calendar import add_working_days
from portal.demo_records import DemoCase, Records, clock_at
from portal.disputes import service as disputes
from portal.letters import child_summaries
from portal.mail import repository as mail_rows
from portal.papers import repository as papers
from portal.referrals import service as referrals

T = TypeVar("T")
# The managers in Riverside's chain (portal/demo.py PEOPLE), by the national default ladder's stage.
TEAM_MANAGER, SERVICE_MANAGER, HEAD_OF_SERVICE = "Nadia Hussain", "Peter Walsh", "Eleanor Grant"


class DisputeRecords(Records):
    """Replays the disputes and the referral on the cases, with ``people`` by name."""

    people: dict[str, Person]

    async def replay_disputes(self, cases: list[DemoCase], people: dict[str, Person]) -> None:
        self.people = people
        riverside = people[TEAM_MANAGER].organisation_id
        live = [
            c
            for c in cases
            if c.guardian
            and c.iro
            and c.final_orders is None
            and c.proceedings.local_authority_id == riverside
        ]
        # Those where both sides keep to the protocol first: the IRO who challenges is the one who calls.
        live.sort(key=lambda c: c.contact != "both")
        steps = [
            self.informal,
            self.settled_by_the_team_manager,
            self.with_the_service_manager,
            self.referred,
        ]
        for case, step in zip(live, steps, strict=False):
            await step(case)
        # The past's mail was never sent; nobody is to get it now.
        await self.session.flush()
        await mail_rows.discard_unsent(self.session)

    def days_ago(self, working_days: int) -> date:
        return add_working_days(self.today, -working_days)

    async def by(self, who: uuid.UUID | None, day: date, step: Callable[[Actor], Awaitable[T]]) -> T:
        """``step`` taken by ``who`` on ``day``."""
        assert who is not None
        with clock_at(self.at(day, 10)):
            done = await step(await self.actor(who))
            # The session does not autoflush, and the services lock what they change by reading it afresh.
            await self.session.flush()
            return done

    def manager(self, name: str) -> uuid.UUID:
        return self.people[name].id

    async def raise_on(
        self,
        case: DemoCase,
        day: date,
        subject: DisputeSubject,
        summary: str,
        sought: str,
        fast_track: tuple[int, str, str] | None = None,
    ) -> uuid.UUID:
        """A challenge raised by the case's IRO on ``day``; ``fast_track``: (stage, reason, manager)."""
        data = disputes.RaiseChallenge(
            case_id=case.proceedings.id,
            subject=subject,
            summary=summary,
            raised_with="The social worker",
            resolution_sought=sought,
            sought_by=add_working_days(day, 10),
        )
        if fast_track:
            stage, reason, manager = fast_track
            data = replace(
                data, fast_track_stage=stage, fast_track_reason=reason, answerer_id=self.manager(manager)
            )
        raised = await self.by(case.iro, day, lambda a: disputes.raise_challenge(self.session, a, data))
        return raised.id

    async def informal(self, case: DemoCase) -> None:
        day = self.days_ago(6)
        dispute = await self.raise_on(
            case,
            day,
            DisputeSubject.REVIEW_DECISION,
            "The review decided on weekly family time with the grandparents; it has not started.",
            "Family time with the grandparents to start within two weeks.",
        )
        await self.by(
            case.iro,
            self.days_ago(3),
            lambda a: disputes.record_exchange(
                self.session,
                a,
                dispute,
                self.days_ago(3),
                "The social worker",
                "A venue is being found; the social worker will confirm a start date by Friday.",
            ),
        )

    async def settled_by_the_team_manager(self, case: DemoCase) -> None:
        dispute = await self.raise_on(
            case,
            self.days_ago(25),
            DisputeSubject.DRIFT_OR_DELAY,
            "The referral for therapeutic support agreed at the last review has not been made.",
            "The referral made and an appointment offered.",
        )
        await self.by(
            case.iro,
            self.days_ago(20),
            lambda a: disputes.escalate(
                self.session, a, dispute, self.manager(TEAM_MANAGER), "No referral after five working days."
            ),
        )
        await self.by(
            self.manager(TEAM_MANAGER),
            self.days_ago(17),
            lambda a: disputes.answer(
                self.session, a, dispute, "The referral was made today; CAMHS have offered a first session."
            ),
        )
        await self.by(
            case.iro,
            self.days_ago(16),
            lambda a: disputes.resolve(
                self.session, a, dispute, "Referral made by the team manager; first session booked.", None
            ),
        )
        # The IRO tells the child what was decided, in words they will understand (issue 19).
        child = case.children[0]
        summary = child_summaries.WriteChildSummary(
            dispute_id=dispute,
            child_id=child.id,
            decided=f"{child.given_name}, you are going to get help from someone who is good at listening "
            "and helping with big feelings. Your first meeting with them is booked.",
            views_counted="You told me you wanted someone to talk to about your family. I told the managers, "
            "and that is why they made sure it happened.",
            letter_to=LetterTo.CHILD,
        )
        await self.by(
            case.iro,
            self.days_ago(15),
            lambda a: child_summaries.write_child_summary(self.session, a, summary),
        )

    async def with_the_service_manager(self, case: DemoCase) -> None:
        dispute = await self.raise_on(
            case,
            self.days_ago(12),
            DisputeSubject.PLACEMENT_MOVE,
            "A move to a residential placement out of the area is planned without a review.",
            "No move until a review has considered it.",
        )
        await self.by(
            case.iro,
            self.days_ago(9),
            lambda a: disputes.escalate(
                self.session,
                a,
                dispute,
                self.manager(TEAM_MANAGER),
                "The social worker cannot stop the move.",
            ),
        )
        await self.by(
            self.manager(TEAM_MANAGER),
            self.days_ago(5),
            lambda a: disputes.answer(
                self.session, a, dispute, "The move is needed: the carers have given notice."
            ),
        )
        letter = await self.pdf(
            case,
            "Team manager's answer",
            "The move is needed: the carers have given notice. No local placement has a vacancy.",
        )
        await self.by(
            self.manager(TEAM_MANAGER),
            self.days_ago(5),
            lambda a: disputes.add_document(
                self.session, a, dispute, letter, "The team manager's answer, in writing"
            ),
        )
        await self.by(
            case.iro,
            self.days_ago(3),
            lambda a: disputes.escalate(
                self.session,
                a,
                dispute,
                self.manager(SERVICE_MANAGER),
                "The answer does not say why no local placement was looked for.",
            ),
        )

    async def referred(self, case: DemoCase) -> None:
        dispute = await self.raise_on(
            case,
            self.days_ago(30),
            DisputeSubject.CARE_PLAN,
            "The plan stops the children's contact with their brother, placed elsewhere, with no assessment.",
            "Sibling contact restored until an assessment is done.",
            fast_track=(3, "Contact stopped last week; the children are distressed.", HEAD_OF_SERVICE),
        )
        await self.by(case.iro, self.days_ago(29), lambda a: disputes.tell_guardian(self.session, a, dispute))
        await self.by(
            case.guardian,
            self.days_ago(27),
            lambda a: disputes.give_guardian_view(
                self.session, a, dispute, "I share the IRO's concern and will raise it at the next hearing."
            ),
        )
        plans = (await papers.papers_by_case(self.session, SYSTEM, [case.proceedings.id])).get(
            case.proceedings.id, []
        )
        referral = await self.by(
            case.iro,
            self.days_ago(8),
            lambda a: referrals.refer(
                self.session,
                a,
                referrals.Refer(
                    case_id=case.proceedings.id,
                    ground=ReferralGround.FAMILY_LIFE,
                    grounds="The children have had no contact with their brother for six weeks, with no "
                    "assessment and no decision of the court: their right to family life (Article 8).",
                    steps_taken="Fast-tracked to the head of service, unanswered for 22 working days; the "
                    "guardian told and in agreement.",
                    dispute_id=dispute,
                    paper_ids=[p.id for p in plans[:1]],
                ),
            ),
        )
        manager = self.people["Helen Marsh"].id
        await self.by(
            manager, self.days_ago(7), lambda a: referrals.acknowledge(self.session, a, referral.id)
        )
        officer = self.people["Priya Nair"].id
        await self.by(
            manager, self.days_ago(5), lambda a: referrals.appoint(self.session, a, referral.id, officer)
        )
        await self.by(
            officer,
            self.days_ago(2),
            lambda a: referrals.record_enquiry(
                self.session,
                a,
                referral.id,
                self.days_ago(2),
                "Head of service",
                "Asked for the assessment's timetable and the reasons contact stopped.",
            ),
        )
