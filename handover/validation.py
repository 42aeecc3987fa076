"""Checking handover answers against their template: drafts may be incomplete, a submission may not."""

from __future__ import annotations

from datetime import date
from typing import Any

from handover.template import Field, FieldKind, Template

Answers = dict[str, Any]
# A problem is (field path, message), e.g. ("issues_for_iro.0.by_when", "Review it by must be a real date").


def clean(template: Template, answers: Answers) -> tuple[Answers, list[tuple[str, str]]]:
    """The answers the template knows, tidied (text stripped, empty items dropped), and what is malformed
    whether draft or not (too long, not a date)."""
    tidy: Answers = {}
    problems: list[tuple[str, str]] = []
    for field in template.fields():
        value = answers.get(field.key)
        if field.kind is FieldKind.ITEMS:
            items: list[Answers] = []
            for raw in value if isinstance(value, list) else []:
                if not isinstance(raw, dict):
                    continue
                item, item_problems = _clean_fields(field.item_fields, raw, f"{field.key}.{len(items)}")
                if any(item.values()):
                    items.append(item)
                    problems += item_problems
            tidy[field.key] = items
        else:
            single, single_problems = _clean_fields((field,), {field.key: value}, "")
            tidy[field.key] = single[field.key]
            problems += single_problems
    return tidy, problems


def _clean_fields(
    fields: tuple[Field, ...], raw: dict[str, Any], prefix: str
) -> tuple[Answers, list[tuple[str, str]]]:
    found: Answers = {}
    problems: list[tuple[str, str]] = []
    for field in fields:
        path = f"{prefix}.{field.key}" if prefix else field.key
        value = raw.get(field.key)
        text = value.strip() if isinstance(value, str) else ""
        if field.kind is FieldKind.DATE and text:
            try:
                date.fromisoformat(text)
            except ValueError:
                problems.append((path, f"{field.label} must be a real date"))
        elif len(text) > field.max_length:
            problems.append((path, f"{field.label} must be {field.max_length:,} characters or fewer"))
        found[field.key] = text
    return found, problems


def missing(template: Template, answers: Answers) -> list[tuple[str, str]]:
    """What a submission still needs: every required field, and each item's fields."""
    problems = []
    for field in template.fields():
        value = answers.get(field.key)
        if field.kind is FieldKind.ITEMS:
            if field.required and not value:
                problems.append(
                    (f"{field.key}.0.{field.item_fields[0].key}", f"Add at least one: {field.label.lower()}")
                )
            for index, item in enumerate(value or []):
                for part in field.item_fields:
                    if part.required and not item.get(part.key):
                        problems.append((f"{field.key}.{index}.{part.key}", f"Enter {part.label.lower()}"))
        elif field.required and not value:
            problems.append((field.key, f"Enter {field.label[0].lower()}{field.label[1:]}"))
    return problems
