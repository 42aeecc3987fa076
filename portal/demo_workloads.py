"""The demo's IRO workloads as IRO managers count them (issue 19; RESEARCH-NOTES.md §3.4: the Handbook's 50 to
70 per full-time IRO, the survey's mean of 75): Riverside's IRO manager keeps both her IROs' profiles and her
authority's weights, so that one IRO is within the range and the part-time one over it; Northmoor's manager
keeps one profile, under the range, and not the other (the dashboard says so). Last month's child-protection
conferences are entered by the manager, and by one IRO for herself; and Riverside's manager records that
Aisha Rahman reviews the foster carers of a child whose IRO is Daniel Price, so assigning her to that child
would need the conflict acknowledged. All through the services, as the people did it, this morning."""

from __future__ import annotations

from datetime import time

from models import ConflictKind, Employment, Person
from portal.clock import london_datetime
from portal.demo_records import DemoCase, Records, clock_at
from portal.workloads import conflicts, service

# Name: (full-time equivalence, employment, children held, in sibling groups, placed out of area, conferences
# chaired last month, and who entered them).
PROFILES = {
    "Daniel Price": (1.0, Employment.DIRECT, 58, 8, 6, 6, "Margaret Lowe"),
    "Aisha Rahman": (0.6, Employment.SESSIONAL, 52, 4, 2, 3, "Aisha Rahman"),
    "Fiona Campbell": (1.0, Employment.AGENCY, 38, 2, 5, 4, "Richard Stone"),
}
MANAGERS = {
    "Daniel Price": "Margaret Lowe",
    "Aisha Rahman": "Margaret Lowe",
    "Fiona Campbell": "Richard Stone",
}
# Riverside's weights: a sibling reviewed with the others takes less each; proceedings and conferences more.
RIVERSIDE_WEIGHTS = (-0.25, 0.5, 0.25, 0.5)


class WorkloadRecords(Records):
    async def keep_workloads(self, cases: list[DemoCase], people: dict[str, Person]) -> None:
        with clock_at(london_datetime(self.today, time(9, 30))):
            month = service.last_month(self.today)
            margaret = await self.actor(people["Margaret Lowe"].id)
            await service.set_weighting(
                self.session,
                margaret,
                service.WeightingInput(people["Margaret Lowe"].organisation_id, *RIVERSIDE_WEIGHTS),
            )
            for name, (fte, employment, held, siblings, away, chaired, entered_by) in PROFILES.items():
                manager = await self.actor(people[MANAGERS[name]].id)
                iro = people[name].id
                await service.set_profile(
                    self.session, manager, service.ProfileInput(iro, fte, employment, held, siblings, away)
                )
                entering = await self.actor(people[entered_by].id)
                await service.record_conferences(self.session, entering, iro, month, chaired)
            daniel = people["Daniel Price"].id
            daniels = next(c for c in cases if c.iro == daniel and c.children and c.final_orders is None)
            await conflicts.record_conflict(
                self.session,
                margaret,
                conflicts.RecordConflict(
                    daniels.proceedings.id,
                    daniels.children[0].id,
                    people["Aisha Rahman"].id,
                    ConflictKind.FOSTERING_REVIEWER,
                    "Aisha chairs the annual reviews of the foster carers this child lives with.",
                ),
            )
