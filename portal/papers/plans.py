"""Care plans as LA legal reads them: every version on the case in the order filed, the plan in brief of
each, what changed from the one before, and which is the final care plan.

A version filed without a plan in brief says nothing about the plan: it is not compared (its fields are not
"deleted"), and the next version that gives one is compared with the last one that did. Text is compared
as the form sends it back, line endings and surrounding space aside, so an untouched field is unchanged."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from models import CourtPaper, PaperKind, PaperVersion

CARE_PLANS = (PaperKind.CARE_PLAN_INTERIM, PaperKind.CARE_PLAN_FINAL)
# The plan in brief: the fields compared between versions (the handover's plan in brief has the same four).
PLAN_FIELDS = {
    "placement": "Placement",
    "permanence": "Permanence",
    "family_contact": "Family time and contact",
    "services": "Services",
}
PLAN_FIELD_MAX_LENGTH = 2000


def tidy_text(text: str) -> str:
    """A field of the plan in brief as kept and compared: a browser sends a textarea's line breaks as CRLF."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class PlanVersion:
    paper: CourtPaper
    version: PaperVersion
    is_final: bool
    changes: list[Change]
    # Whether its plan in brief was compared with an earlier one (not for the first given, nor for none).
    compared: bool


def history(papers: Iterable[CourtPaper], versions: dict[object, list[PaperVersion]]) -> list[PlanVersion]:
    """Every care plan version, oldest first, each compared with the plan before it (of either kind)."""
    plans = [
        (paper, version)
        for paper in papers
        if paper.kind in CARE_PLANS
        for version in versions.get(paper.id, [])
    ]
    plans.sort(key=lambda pv: (pv[1].filed_on, pv[1].uploaded_at))
    found: list[PlanVersion] = []
    before: dict[str, str] = {}
    final = next((v.id for p, v in reversed(plans) if p.kind is PaperKind.CARE_PLAN_FINAL), None)
    compared = False  # whether an earlier version gave a plan in brief to compare with
    for paper, version in plans:
        given = version.plan_in_brief or {}
        brief = {field: tidy_text(given.get(field) or "") for field in PLAN_FIELDS}
        comparable = compared and any(brief.values())
        changes = (
            [
                Change(field, before[field], brief[field])
                for field in PLAN_FIELDS
                if brief[field] != before[field]
            ]
            if comparable
            else []
        )
        found.append(PlanVersion(paper, version, version.id == final, changes, comparable))
        if any(brief.values()):
            before, compared = brief, True
    return found
