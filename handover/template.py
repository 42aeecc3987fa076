"""The handover template as data. A change to the template is a new version added to ``TEMPLATES``; old
versions stay, because handovers written on them render with them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class FieldKind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    DATE = "date"
    # A list of entries, each with the item fields (e.g. the issues for the IRO to keep under review).
    ITEMS = "items"


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: FieldKind
    required: bool = True
    help: str = ""
    max_length: int = 4000
    item_fields: tuple[Field, ...] = ()
    # For ITEMS: how many entries the form offers.
    rows: int = 0


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    help: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Template:
    version: int
    title: str
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def fields(self) -> list[Field]:
        return [f for section in self.sections for f in section.fields]


T, LONG, DATE, ITEMS = FieldKind.TEXT, FieldKind.LONG_TEXT, FieldKind.DATE, FieldKind.ITEMS

# Monitoring items: after the handover is acknowledged they go on the IRO's task list with their dates.
ISSUES_FIELD = "issues_for_iro"

V1 = Template(
    version=1,
    title="Handover from the children's guardian to the IRO",
    sections=(
        Section(
            "orders",
            "The children and the orders made",
            "The final orders are taken from the case; add anything the IRO should know about them.",
            (Field("orders_note", "About the orders made", LONG, required=False),),
        ),
        Section(
            "care_plan",
            "The final care plan",
            "The plan the court approved, and the plan in brief.",
            (
                Field(
                    "care_plan_title",
                    "The final care plan document",
                    T,
                    help="Its title as filed.",
                    max_length=300,
                ),
                Field("care_plan_date", "The date of the final care plan", DATE),
                Field("placement", "Placement", LONG, help="Where the child will live, and with whom."),
                Field("permanence", "Permanence", LONG, help="The plan for permanence and its timescale."),
                Field(
                    "family_contact",
                    "Family time and contact",
                    LONG,
                    help="With parents, siblings and others.",
                ),
                Field(
                    "services", "Services", LONG, help="Therapy, education, health and other support planned."
                ),
            ),
        ),
        Section(
            "guardian_view",
            "The guardian's view of the plan",
            "What the guardian told the court about the plan.",
            (
                Field("strengths", "Its strengths", LONG),
                Field("risks", "Its risks", LONG),
            ),
        ),
        Section(
            "issues",
            "Issues for the IRO to keep under review",
            "After the proceedings these become the IRO's monitoring items, with their dates.",
            (
                Field(
                    ISSUES_FIELD,
                    "Issues to keep under review",
                    ITEMS,
                    rows=4,
                    item_fields=(
                        Field("issue", "The issue", T, max_length=500),
                        Field("why", "Why it matters", LONG, max_length=2000),
                        Field("by_when", "Review it by", DATE),
                    ),
                ),
            ),
        ),
        Section(
            "child",
            "The child's wishes and feelings",
            "In the child's own words where possible.",
            (
                Field("wishes_and_feelings", "Wishes and feelings", LONG),
                Field("staying_in_touch", "How the child wants to stay in touch", LONG),
            ),
        ),
        Section(
            "iro_view",
            "The IRO's view as told to the court",
            "",
            (Field("iro_view", "The IRO's view of the plan", LONG),),
        ),
        Section(
            "dates",
            "Key dates",
            "",
            (
                Field("next_review", "The child's next looked-after review", DATE),
                Field(
                    "transitions",
                    "Transitions ahead",
                    LONG,
                    required=False,
                    help="Moves, school changes, birthdays that matter.",
                ),
            ),
        ),
        Section(
            "papers",
            "The papers handed over",
            "The court papers shared with the IRO are listed from the case; note anything else handed over.",
            (Field("papers_note", "Anything else handed over", LONG, required=False),),
        ),
    ),
)

TEMPLATES: dict[int, Template] = {1: V1}
CURRENT = V1
