"""The children's participation, for IRO managers (issue 19; IRO Handbook 2010 ch. 3: "the review is the
child's meeting"; RESEARCH-NOTES.md §7.2, F17, F18): of the reviews held in the period, whether the child
attended, all or part of it, or had their views conveyed (and how), or not, or nothing was recorded; of the
IROs allocated to children in the period, how many recorded introducing themselves to the child, and telling
them they can have an advocate; of the disputes resolved in the period, for how many the IRO wrote for the
child what was decided. Counted in SQL from one row per review, allocation and dispute, which the
drill-downs filter too.

Here: the figures. The statements are in repository/participation.py, and service.py serves the section."""

from __future__ import annotations

from dataclasses import dataclass

from models import ChildAttendance, ViewsConveyed


@dataclass(frozen=True)
class Participation:
    reviews: int
    # How many of the reviews each way of attending, in ChildAttendance's order.
    attendance: list[tuple[ChildAttendance, int]]
    not_recorded: int
    # How the child's views reached the review, in ViewsConveyed's order (any way of attending).
    conveyed: list[tuple[ViewsConveyed, int]]
    allocations: int
    introduced: int
    not_introduced: int
    advocacy: int
    disputes_resolved: int
    disputes_told: int
