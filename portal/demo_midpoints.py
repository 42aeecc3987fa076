"""The demo's midpoint checks between reviews (issue 19; RESEARCH-NOTES.md §7.2: 30-50% of children monitored
between reviews in practice): of the looked-after children whose IRO keeps to the protocol, about a third
were checked around the midpoint of their current cycle, a third were checked in the cycle before their last
review but not since, and a third not at all, so the IRO manager's dashboard shows a real mix, now and over
the period. Each check is recorded through the service, by the child's IRO, on the day it was done."""

from __future__ import annotations

from datetime import timedelta

from models import MidpointOutcome, SocialWorkerContact
from portal.demo_records import DemoCase, Records, clock_at
from portal.midpoints import service as midpoints
from portal.midpoints.coverage import current_cycle, midpoint
from portal.reviews import repository as reviews

# What each check found, in turn: mostly on track, sometimes a matter raised.
FOUND = (
    (MidpointOutcome.ON_TRACK, SocialWorkerContact.CONVERSATION, ""),
    (
        MidpointOutcome.RAISED_WITH_SOCIAL_WORKER,
        SocialWorkerContact.EMAIL,
        "The plan's contact arrangements with the father have not started; asked the social worker to "
        "arrange the first session within two weeks.",
    ),
    (MidpointOutcome.ON_TRACK, SocialWorkerContact.EMAIL, ""),
    (
        MidpointOutcome.RAISED_WITH_TEAM_MANAGER,
        SocialWorkerContact.MEETING,
        "The health assessment is three months overdue; raised with the team manager, who will chase it "
        "this week.",
    ),
)


class MidpointRecords(Records):
    async def check_between_reviews(self, cases: list[DemoCase]) -> None:
        n = 0
        for case in cases:
            if case.iro is None or case.contact == "guardian only":
                continue
            actor = await self.actor(case.iro)
            children = [c for c in case.children if c.looked_after_since is not None]
            held = await reviews.held_reviews(self.session, [c.id for c in children])
            for child in children:
                assert child.looked_after_since is not None
                days = [
                    r.held_on
                    for r in held.get(child.id, [])
                    if r.held_on is not None and r.proceedings_id == case.proceedings.id
                ]
                cycle = current_cycle(child.looked_after_since, days, [], self.today)
                n += 1
                if n % 3 == 0:
                    continue  # not checked at all
                if n % 3 == 1:
                    # Checked around this cycle's midpoint (or, before it comes, a few days in).
                    day = min(cycle.midpoint, self.today, cycle.starts_on + timedelta(days=10))
                    day = max(day, cycle.starts_on + timedelta(days=1)) if cycle.last_review else day
                elif cycle.last_review is not None:
                    # Checked in the cycle before the last review, and not since.
                    earlier = [d for d in days if d < cycle.last_review]
                    start = earlier[-1] if earlier else child.looked_after_since
                    day = midpoint(start, cycle.last_review)
                    if day <= start and earlier:
                        continue
                else:
                    continue
                if day > self.today or day < child.looked_after_since:
                    continue
                outcome, contact, note = FOUND[n % len(FOUND)]
                data = midpoints.RecordCheck(
                    case_id=case.proceedings.id,
                    child_id=child.id,
                    done_on=day,
                    file_read=n % 4 != 2,
                    social_worker_contact=contact,
                    outcome=outcome,
                    note=note,
                )
                with clock_at(self.at(day, 14)):
                    await midpoints.record_check(self.session, actor, data)
        await self.session.flush()
