"""The 26-week tracker for managers, and IRO workload for IRO managers (issue 7).

The tracker buckets open proceedings in scope by weeks since issue, counts those extended, and lists those at
risk by the same rule as the case view (portal/cases/timescale.py): past their deadline (26 weeks plus
extensions), or fewer than 4 weeks left before it with the final hearing not reached.

Workload: for each IRO of the manager's authority, the children they are the live IRO for, how many of
those are in open proceedings, and how many of those children's next review is late by the case page's own
rule (portal/reviews/schedule.py: its latest date passed with none held, or booked for a later day), against
the IRO Handbook's range of 50 to 70 children for a full-time IRO. The children are listed in SQL; whose
review is late is worked out from their reviews in Python, as the case page does (months and working days).

Here: its buckets, the Handbook's range, and its figures. The statements are in repository/workload.py, and
service.py serves the section."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

# Weeks since issue: the buckets' lower bounds.
BUCKETS = ((0, "Under 13 weeks"), (13, "13 to 20 weeks"), (21, "21 to 26 weeks"), (27, "Over 26 weeks"))
HANDBOOK_RANGE = (50, 70)


@dataclass(frozen=True)
class Tracker:
    buckets: list[tuple[str, int]]
    extended: int
    at_risk: list[tuple[uuid.UUID, str, date, int]]  # case id, number, deadline, days remaining


@dataclass(frozen=True)
class IroLoad:
    iro_id: uuid.UUID
    name: str
    children: int
    in_proceedings: int
    overdue_reviews: int  # children whose next review is late
