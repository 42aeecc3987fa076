"""Where a new handover starts: what the case already knows, put into the template's fields, so that the
guardian checks and completes it rather than typing again what was filed (the final care plan and its plan in
brief, the next review booked)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from handover.template import FieldKind, Template

# The plan in brief given with a care plan (portal.papers.plans.PLAN_FIELDS) has the handover's four keys.
PLAN_IN_BRIEF = ("placement", "permanence", "family_contact", "services")


@dataclass(frozen=True)
class Known:
    """What the case knows at the start of the handover."""

    care_plan_title: str = ""
    care_plan_filed_on: date | None = None
    plan_in_brief: Mapping[str, str] = field(default_factory=dict)
    next_review: date | None = None


def prefill(template: Template, known: Known) -> dict[str, Any]:
    """The answers a new draft starts with: only the fields ``template`` has and the case knows, each cut to
    the field's length."""
    found: dict[str, str] = {
        "care_plan_title": known.care_plan_title,
        "care_plan_date": known.care_plan_filed_on.isoformat() if known.care_plan_filed_on else "",
        "next_review": known.next_review.isoformat() if known.next_review else "",
        **{key: known.plan_in_brief.get(key, "") for key in PLAN_IN_BRIEF},
    }
    answers: dict[str, Any] = {}
    for f in template.fields():
        value = found.get(f.key, "").strip()
        if value and f.kind is not FieldKind.ITEMS:
            answers[f.key] = value[: f.max_length]
    return answers


def is_blank(answers: Mapping[str, Any]) -> bool:
    """Nothing written yet: every answer empty (an empty list of items counts as empty)."""
    return not any(value for value in answers.values())
