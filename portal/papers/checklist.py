"""The court-paper checklist (P6): of the kinds of paper the IRO must be supplied with, which they have,
which are missing, which they have not opened."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from models import CourtPaper, PaperKind, PaperShare, PaperVersion
from portal.papers.access import shareable_with_iro

K = PaperKind
# P6: care plans, experts' reports, the guardian's report(s)/analysis, orders and judgments.
REQUIRED: list[tuple[str, tuple[PaperKind, ...]]] = [
    ("Care plans", (K.CARE_PLAN_INTERIM, K.CARE_PLAN_FINAL)),
    (
        "Experts' reports",
        (
            K.EXPERT_PSYCHOLOGICAL,
            K.EXPERT_PSYCHIATRIC,
            K.EXPERT_PAEDIATRIC,
            K.EXPERT_INDEPENDENT_SOCIAL_WORK,
            K.EXPERT_DRUG_AND_ALCOHOL,
            K.EXPERT_DNA,
            K.EXPERT_OTHER,
        ),
    ),
    ("The guardian's analysis", (K.GUARDIAN_ANALYSIS_INITIAL, K.GUARDIAN_ANALYSIS_FINAL)),
    ("Orders", (K.ORDER_INTERIM, K.ORDER_FINAL, K.ORDER_DIRECTIONS)),
    ("Judgments", (K.JUDGMENT,)),
]


@dataclass(frozen=True)
class Line:
    label: str
    kinds: tuple[PaperKind, ...]
    filed: int
    with_iro: int
    opened_by_iro: int


def checklist(
    papers: Iterable[CourtPaper],
    versions: dict[uuid.UUID, list[PaperVersion]],
    shares: Iterable[PaperShare],
    iro_ids: set[uuid.UUID],
) -> list[Line]:
    """``versions`` newest first for each paper; ``shares`` of the case's versions."""
    to_iro = {(s.version_id): s for s in shares if s.person_id in iro_ids}
    lines = []
    for label, kinds in REQUIRED:
        due = [p for p in papers if p.kind in kinds and shareable_with_iro(p.confidentiality, p.lawful_basis)]
        latest = [versions[p.id][0] for p in due if versions.get(p.id)]
        held = [to_iro[v.id] for v in latest if v.id in to_iro]
        lines.append(Line(label, kinds, len(due), len(held), sum(1 for s in held if s.first_opened_at)))
    return lines
