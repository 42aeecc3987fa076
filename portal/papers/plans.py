"""Care plans as LA legal reads them: every version on the case in the order filed, the plan in brief of
each, what changed from the one before, and which is the final care plan."""

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
    for paper, version in plans:
        brief = version.plan_in_brief or {}
        changes = (
            [
                Change(field, before.get(field, ""), brief.get(field, ""))
                for field in PLAN_FIELDS
                if brief.get(field, "") != before.get(field, "")
            ]
            if found
            else []
        )
        found.append(PlanVersion(paper, version, version.id == final, changes))
        if brief:
            before = brief
    return found
