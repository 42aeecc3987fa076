"""The 26-week tracker for managers, and IRO workload for IRO managers (issue 7).

The tracker buckets open proceedings in scope by weeks since issue, counts those extended, and lists those at
risk by the same rule as the case view (portal/cases/timescale.py): past their deadline (26 weeks plus
extensions), or fewer than 4 weeks left before it with the final hearing not reached.

Workload: for each IRO of the manager's authority, the children they are the live IRO for, how many of
those are in open proceedings, and how many of those children's next review is late by the case page's own
rule (portal/reviews/schedule.py: its latest date passed with none held, or booked for a later day), against
the IRO Handbook's range of 50 to 70 children for a full-time IRO. The children are listed in SQL; whose
review is late is worked out from their reviews in Python, as the case page does (months and working days).

Issue 19: beside the children in proceedings, the workload as IRO managers count it: each IRO's profile as
their manager keeps it (full-time equivalence, employment, every looked-after child they hold, those in
sibling groups and placed out of area), the child-protection conferences they chaired last month, and the
authority's weightings, giving a weighted caseload per full-time equivalent against the same range
(portal/workloads/: rule.py is the rule); and each IRO's open conflicts of interest.

Here: its buckets, the Handbook's range, and its figures. The statements are in repository/workload.py and
portal/workloads/repository.py, and service.py serves the section."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models import Employment
    from portal.workloads.repository import OpenConflict
    from portal.workloads.rule import Standing, Weights

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
    # As the IRO manager keeps them (none until they do): full-time equivalence in hundredths, employment,
    # every looked-after child held and, of those, in sibling groups and placed out of area.
    fte_hundredths: int | None = None
    employment: Employment | None = None
    children_held: int | None = None
    sibling_group: int | None = None
    out_of_area: int | None = None
    profile_updated_at: datetime | None = None
    profile_updated_by_id: uuid.UUID | None = None
    # Child-protection conferences chaired last month, if entered.
    conferences_last_month: int | None = None
    # The weighted children in hundredths, per full-time equivalent exactly, and against the Handbook's range:
    # none without a profile.
    weighted_hundredths: int | None = None
    per_fte: Fraction | None = None
    standing: Standing | None = None
    # The children held as entered are fewer than the portal's own children for the IRO: a stale figure.
    stale: bool = False
    conflicts: list[OpenConflict] = field(default_factory=list)

    @property
    def profile_missing(self) -> bool:
        return self.fte_hundredths is None


@dataclass(frozen=True)
class AuthorityLoad:
    """The authority's IROs together, of those with a profile: the sum of their weighted children over the
    sum of their full-time equivalence."""

    iros: list[IroLoad]
    weights: Weights
    weights_updated_at: datetime | None
    # The month whose conferences are weighed (its first day).
    month: date
    weighted_hundredths: int
    fte_hundredths: int
    per_fte: Fraction | None
    standing: Standing | None
    without_profile: int
