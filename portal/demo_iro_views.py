"""The demo's record of whether each guardian's analysis cites the IRO's view of the care plan (issue 19;
RESEARCH-NOTES.md §1.7, §5.2): of the analyses filed, in turn, one cites it, one does not (with the
guardian's reason), and one is not recorded yet, so the Cafcass manager's dashboard and the papers tab show
a mix. Each is recorded through the service, by the case's guardian, a day after the analysis was filed."""

from __future__ import annotations

from datetime import timedelta

from portal.auth.actor import SYSTEM
from portal.demo_records import DemoCase, Records, clock_at
from portal.papers import repository as papers
from portal.papers.iro_view import ANALYSES, RecordIroView, record_iro_view

# In turn: cites it; does not, and why; not recorded yet.
ANSWERS: tuple[tuple[bool, str] | None, ...] = (
    (True, ""),
    (False, "The IRO had not yet given a view of the amended care plan when the analysis was filed."),
    None,
)


class IroViewRecords(Records):
    async def cite_iro_views(self, cases: list[DemoCase]) -> None:
        n = 0
        for case in cases:
            if case.guardian is None:
                continue
            actor = await self.actor(case.guardian)
            found = await papers.papers_by_case(self.session, SYSTEM, [case.proceedings.id])
            analyses = [p for p in found.get(case.proceedings.id, []) if p.kind in ANALYSES]
            for paper in analyses:
                answer = ANSWERS[n % len(ANSWERS)]
                n += 1
                if answer is None:
                    continue
                day = min(paper.created_at.date() + timedelta(days=1), self.today)
                with clock_at(self.at(day, 16)):
                    await record_iro_view(self.session, actor, RecordIroView(paper.id, *answer))
        await self.session.flush()
