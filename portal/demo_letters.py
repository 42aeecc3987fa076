"""The demo's IRO introductions (issue 19): on most cases the IRO recorded how they explained their role to
each looked-after child a few working days after the case came to them, with the letter to the child, or to
the carer for a young child; where only the guardian keeps to the protocol the IRO has not recorded it, so
the case page shows the gap. (What children were told of resolved disputes is in portal/demo_disputes.py.)"""

from __future__ import annotations

from models import ExplainedHow, LetterTo
from portal.calendar import add_working_days
from portal.demo_records import DemoCase, Records, clock_at
from portal.letters import service as introductions
from portal.letters.addressee import suggested

CARERS = ("Mrs Aisha Khan", "Mr and Mrs Okafor", "Ms Jo Turner", "Mrs Grace Lewis")


class LetterRecords(Records):
    async def introduce(self, cases: list[DemoCase]) -> None:
        for n, case in enumerate(cases):
            if case.iro is None or case.contact == "guardian only":
                continue
            actor = await self.actor(case.iro)
            for m, child in enumerate(c for c in case.children if c.looked_after_since is not None):
                assert child.looked_after_since is not None
                came = max(child.looked_after_since, case.proceedings.issued_on)
                day = min(add_working_days(came, 3 + m), self.today)
                young = suggested(child.date_of_birth, day) is LetterTo.CARER
                data = introductions.RecordIntroduction(
                    case_id=case.proceedings.id,
                    child_id=child.id,
                    explained_on=day,
                    explained_how=ExplainedHow.THROUGH_CARER if young else ExplainedHow.MET_ALONE,
                    keeping_in_touch=(
                        f"I will visit {child.given_name} at home before each review, and their carer can "
                        "ring or email me at any time."
                        if young
                        else f"I will see {child.given_name} on their own before each review. "
                        "They can text or email me whenever they want to talk, and I will reply within "
                        "two working days."
                    ),
                    phone=f"01632 960 {100 + n:03d}",
                    advocacy_explained=not young or n % 2 == 0,
                    letter_to=LetterTo.CARER if young else LetterTo.CHILD,
                    carer_name=CARERS[n % len(CARERS)] if young else "",
                )
                with clock_at(self.at(day, 15)):
                    await introductions.record_introduction(self.session, actor, data)
        await self.session.flush()
