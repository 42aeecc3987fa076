"""The measured Table 1 (PROTOCOL.md §2): for the proceedings in a manager's scope that ran during the period,
how regularly the guardian initiated contact with the IRO and the IRO with the guardian, and whether the
end-of-proceedings discussion happened, in the research's categories beside its perceived figures.

Counted: proceedings where the protocol applies (a child looked after) and a guardian has been allocated
(issue 18: a case with no guardian, or a child at home on a supervision order, is no evidence of anyone not
calling). Regularity is measured per set of proceedings as the share of its 30-day periods (from the
guardian's first allocation to the earliest of its conclusion, the period's end and today) in which that
side initiated at least one contact: "always or mostly" at 75% or more, "sometimes" from 25% to under 75%,
"rarely or never" under 25%. For the end-of-proceedings discussion, each set of proceedings concluded in the
period either had a final discussion recorded or did not. All counted in SQL.

Here: its questions, categories and thresholds, and the research's figures. The statements are in
repository/table1.py, and service.py serves the section."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

WINDOW_DAYS = 30
MOSTLY, RARELY = 0.75, 0.25

QUESTIONS = {
    "guardian_contacts_iro": "The guardian contacts the IRO",
    "iro_contacts_guardian": "The IRO contacts the guardian",
    "final_discussion": "The IRO and the guardian discuss the care plan at the end",
}
# Table 1 of the guardians paper (IROs n=65, guardians n=39): always or mostly / rarely or never, in %.
PERCEIVED = {
    "guardian_contacts_iro": {"IRO": (27, 27), "guardian": (67, 10)},
    "iro_contacts_guardian": {"IRO": (44, 19), "guardian": (8, 62)},
    "final_discussion": {"IRO": (19, 45), "guardian": (54, 23)},
}


@dataclass(frozen=True)
class Measured:
    question: str
    cases: int
    always_or_mostly: int
    sometimes: int
    rarely_or_never: int


class Regularity(StrEnum):
    ALWAYS_OR_MOSTLY = "always_or_mostly"
    SOMETIMES = "sometimes"
    RARELY_OR_NEVER = "rarely_or_never"


class FinalDiscussion(StrEnum):
    HELD = "held"
    NOT_HELD = "not_held"
