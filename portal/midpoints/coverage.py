"""The one rule for a looked-after child's monitoring between reviews: their cycle, its midpoint, and whether
a midpoint check counts for it (issue 19; RESEARCH-NOTES.md §5.6, §7.2).

Since 2008 the IRO monitors the child's case continuously, not only at reviews (CA 1989 s25B(1)(a); IRO
Handbook 2010 paras 3.74-3.79). A child's current cycle runs from their last review held (or from the day they
became looked after, if none has been held since) to the latest date of their next review, as the reg 33
schedule places it (portal/reviews/schedule.py, the rule the case page's "next review" shows). Its midpoint is
halfway. The child is monitored this cycle when a midpoint check was done in it: after the last review held
(a check on the day of a review is the review's own), or on or after the day they became looked after for a
child with no review yet. A child whose midpoint has not yet come is not yet due, unless already checked.

Over a period (the dashboards' and the annual report's measure): of the reviews held in the period that had a
cycle before them (a previous review, or the day the child became looked after), how many had a midpoint
check in that cycle. Research found 30-50% of children monitored between reviews in practice (§7.2).

Here: the rules, in plain Python over dates. The figures are counted in portal/midpoints/service.py."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from portal.reviews.schedule import next_review


class Standing(StrEnum):
    """Where a child's current cycle stands."""

    # A midpoint check was done in the cycle.
    MONITORED = "monitored"
    # The midpoint has come, and no check was done in the cycle.
    NOT_MONITORED = "not_monitored"
    # The midpoint has not yet come, and no check was done yet.
    NOT_YET_DUE = "not_yet_due"


@dataclass(frozen=True)
class Cycle:
    """A child's cycle between reviews: from ``starts_on`` (their last review held, ``last_review``, or the
    day they became looked after) to ``ends_by`` (the next review's latest date), with its midpoint, the
    latest check that counts for it and where it stands."""

    starts_on: date
    last_review: date | None
    ends_by: date
    midpoint: date
    checked_on: date | None
    standing: Standing


def midpoint(starts_on: date, ends_by: date) -> date:
    """Halfway through a cycle (rounded down to the day)."""
    return starts_on + timedelta(days=max((ends_by - starts_on).days, 0) // 2)


def counts_for(done_on: date, starts_on: date, last_review: date | None, until: date | None = None) -> bool:
    """Whether a check done on ``done_on`` falls in the cycle starting ``starts_on``: after its last review
    (strictly: a check on the day of a review is that review's), or on or after the day the child became
    looked after when the cycle starts there; and before ``until`` (the review that ended it), if given."""
    after = done_on > last_review if last_review is not None else done_on >= starts_on
    return after and (until is None or done_on < until)


def _latest(
    checks: Iterable[date], starts_on: date, last_review: date | None, until: date | None
) -> date | None:
    return max((d for d in checks if counts_for(d, starts_on, last_review, until)), default=None)


def current_cycle(
    looked_after_since: date, held: Sequence[date], checks: Sequence[date], today: date
) -> Cycle:
    """The current cycle of a child looked after since ``looked_after_since``, from the days their reviews
    were held and their midpoint checks were done (on the same case), as of ``today``."""
    days = sorted(d for d in held if d >= looked_after_since)
    last = days[-1] if days else None
    starts_on = last or looked_after_since
    ends_by = next_review(looked_after_since, days).due_by
    middle = midpoint(starts_on, ends_by)
    checked = _latest(checks, starts_on, last, None)
    if checked is not None:
        standing = Standing.MONITORED
    elif today >= middle:
        standing = Standing.NOT_MONITORED
    else:
        standing = Standing.NOT_YET_DUE
    return Cycle(starts_on, last, ends_by, middle, checked, standing)


@dataclass(frozen=True)
class ReviewCycle:
    """A review held, and the cycle before it: from ``starts_on`` (the previous review, ``previous``, or the
    day the child became looked after) to the day it was held, with the latest check in it (or none)."""

    held_on: date
    starts_on: date
    previous: date | None
    checked_on: date | None


def review_cycles(
    looked_after_since: date | None, held: Sequence[date], checks: Sequence[date]
) -> list[ReviewCycle]:
    """Each review held (of one child, on one case) that had a cycle before it, oldest first: a previous
    review in the current period of being looked after (any, for a child no longer looked after), or else the
    day the child became looked after, if the review was held on or after it. A child's first review, when
    the day they became looked after is not known, had none, and is not counted."""
    cycles = []
    earlier: date | None = None
    for day in sorted(held):
        previous = (
            earlier
            if earlier is not None and (looked_after_since is None or earlier >= looked_after_since)
            else None
        )
        earlier = day
        if previous is not None and previous == day:
            continue  # two reviews on one day: the second had no cycle of its own
        if previous is not None:
            starts_on = previous
        elif looked_after_since is not None and looked_after_since <= day:
            starts_on = looked_after_since
        else:
            continue
        cycles.append(ReviewCycle(day, starts_on, previous, _latest(checks, starts_on, previous, day)))
    return cycles


def percent(part: int, whole: int) -> int | None:
    """``part`` of ``whole`` as a whole percentage, rounded half up; none of nothing."""
    return (200 * part + whole) // (2 * whole) if whole else None


@dataclass(frozen=True)
class CycleRow:
    """A child behind a coverage figure: for the current cycle, the child with their IRO now; for a period's
    figure, a review held in it with the cycle before it (``review_held_on``) and the child's IRO then. The
    cycle runs from ``starts_on`` (``last_review``, or the day the child became looked after) to ``ends_on``
    (the next review's latest date, or the review held)."""

    case_id: uuid.UUID
    case_number: str
    child_id: uuid.UUID
    given_name: str
    family_name: str
    iro_id: uuid.UUID | None
    iro_name: str | None
    starts_on: date
    last_review: date | None
    ends_on: date
    midpoint: date
    checked_on: date | None
    standing: Standing
    review_held_on: date | None = None
