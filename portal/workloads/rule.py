"""The weighted caseload: the one place it is worked out (issue 19; IRO Handbook para 7.15, RESEARCH-NOTES.md
§3.4).

    weighted children = children held + Σ weight × count
    per full-time equivalent = weighted children / full-time equivalence

judged against the Handbook's range of 50 to 70 children per full-time IRO: under, within or over. The counts
are of sibling-group children, children in proceedings, children placed out of area and child-protection
conferences chaired last month; the weights are the authority's (none set: 0, plain counts). Research found
sibling groups, care proceedings and out-of-area placements lengthen a review, and child-protection
conferences are many IROs' other duty (§1.1, §3.4).

Everything is in hundredths, as integers, so the arithmetic is exact: 0.8 FTE is 80, a weight of -0.25 is
-25, and the figure per full-time equivalent is an exact fraction before it is shown."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from portal.dashboards.workload import HANDBOOK_RANGE

# Full-time equivalence: from 0.01 to 1.00 of a full-time post.
FTE_RANGE = (1, 100)
# The most looked-after children an IRO may be said to hold (the research's highest was 119).
CHILDREN_MAX = 250
# The most child-protection conferences chaired in one month.
CONFERENCES_MAX = 100
# A weight per child: from -1.00 (the child not counted at all) to +2.00 (counted three times).
CHILD_WEIGHT_RANGE = (-100, 200)
# A weight per conference chaired in a month: from 0 to 5.00 children's worth.
CONFERENCE_WEIGHT_RANGE = (0, 500)


class Standing(StrEnum):
    """A caseload per full-time equivalent against the Handbook's range."""

    UNDER = "under"
    WITHIN = "within"
    OVER = "over"


@dataclass(frozen=True)
class Weights:
    """The authority's weights, in hundredths of a child."""

    sibling_group: int = 0
    in_proceedings: int = 0
    out_of_area: int = 0
    conference: int = 0


@dataclass(frozen=True)
class Counts:
    """What is weighed for one IRO (or an authority's IROs together)."""

    children: int
    sibling_group: int
    in_proceedings: int
    out_of_area: int
    conferences: int


def weighted_hundredths(counts: Counts, weights: Weights) -> int:
    """The weighted children, in hundredths."""
    return (
        100 * counts.children
        + weights.sibling_group * counts.sibling_group
        + weights.in_proceedings * counts.in_proceedings
        + weights.out_of_area * counts.out_of_area
        + weights.conference * counts.conferences
    )


def per_fte(weighted: int, fte: int) -> Fraction:
    """The weighted children per full-time equivalent, exactly (both in hundredths)."""
    return Fraction(weighted, fte)


def standing(per_full_time: Fraction) -> Standing:
    """Under 50, 50 to 70, or over 70 (the Handbook's range, both ends within it)."""
    low, high = HANDBOOK_RANGE
    if per_full_time < low:
        return Standing.UNDER
    if per_full_time > high:
        return Standing.OVER
    return Standing.WITHIN


def in_units(hundredths: int) -> float:
    """A figure kept in hundredths, in units as served (0.8, -0.25, 55.0)."""
    return hundredths / 100


def two_places(value: Fraction) -> float:
    """An exact figure as served and shown: to two decimal places, halves rounded up (68.75; 56.67)."""
    # Rounded once, from the exact fraction: the hundredths below, and whether the rest is half or more.
    whole, rest = divmod(value * 100, 1)
    return float(Decimal(int(whole) + (1 if rest >= Fraction(1, 2) else 0)).scaleb(-2))


def hundredths_of(value: float) -> int | None:
    """A figure given in units (0.8, -0.25) in hundredths, or None if it is not a whole number of them."""
    hundredths = round(value * 100)
    return hundredths if abs(value * 100 - hundredths) < 1e-6 else None
