"""When a looked-after child's next review is due, under CPPCR reg 33: the first within 20 working days of
becoming looked after, the second within 3 months of the first, then at most 6 months apart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from models import ReviewKind
from portal import calendar
from portal.calendar import add_months
from portal.obligations.rules import REVIEW_CODES, STATUTORY

# Reg 33's intervals, from the R rules (statutory: no local rule changes them).
FIRST_WITHIN_WORKING_DAYS, SECOND_WITHIN_MONTHS, THEN_EVERY_MONTHS = (
    STATUTORY[code].working_days for code in REVIEW_CODES.values()
)


@dataclass(frozen=True)
class NextReview:
    kind: ReviewKind
    due_by: date


def next_review(looked_after_since: date, held: Sequence[date]) -> NextReview:
    """The next review's place in the schedule and its latest date, from the reviews held in the current
    period of being looked after (any review counts, an additional one included)."""
    held = sorted(d for d in held if d >= looked_after_since)
    if not held:
        return NextReview(
            ReviewKind.FIRST, calendar.add_working_days(looked_after_since, FIRST_WITHIN_WORKING_DAYS)
        )
    if len(held) == 1:
        return NextReview(ReviewKind.SECOND, add_months(held[0], SECOND_WITHIN_MONTHS))
    return NextReview(ReviewKind.SUBSEQUENT, add_months(held[-1], THEN_EVERY_MONTHS))


def information_gathering_allowed(held_kinds: Sequence[ReviewKind]) -> bool:
    """Only at the six-monthly point (after the first two reviews) and not twice running: a child settled
    in a long-term foster placement still has one review meeting a year."""
    return len(held_kinds) >= 2 and held_kinds[-1] is not ReviewKind.INFORMATION_GATHERING


@dataclass(frozen=True)
class Standing:
    """Where a looked-after child's next review stands: what it is and its latest date, the earliest review
    booked and not yet held, and whether it is late."""

    kind: ReviewKind
    due_by: date
    booked_on: date | None
    late: bool


def standing(looked_after_since: date, reviews: Sequence[tuple[date, date | None]], today: date) -> Standing:
    """The next review of a child looked after since ``looked_after_since``, from the child's reviews on the
    case (each its booked date and the day held, if it was). The one rule for "late", which the case page's
    card and the IRO workload's figure both show: the latest date has passed with no review held, or the
    review is booked for a later day (CPPCR reg 33)."""
    due = next_review(looked_after_since, [held for _, held in reviews if held])
    booked = min((day for day, held in reviews if held is None), default=None)
    late = today > due.due_by or (booked is not None and booked > due.due_by)
    return Standing(due.kind, due.due_by, booked, late)
