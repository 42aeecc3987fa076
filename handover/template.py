"""The handover template as data. A change to the template is a new version added to ``TEMPLATES``; old
versions stay, because handovers written on them render with them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
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

    def worded(self, names: Sequence[str]) -> Template:
        """The template as it reads for these children (their given names): from version 2 its text names
        a single child and speaks of a sibling group as "the children", never "the child". Only the
        template's own text is worded, never an answer."""
        words = wording(names)

        def word(f: Field) -> Field:
            return replace(
                f,
                label=f.label.format_map(words),
                help=f.help.format_map(words),
                item_fields=tuple(word(part) for part in f.item_fields),
            )

        return replace(
            self,
            sections=tuple(
                replace(
                    s,
                    title=s.title.format_map(words),
                    help=s.help.format_map(words),
                    fields=tuple(word(f) for f in s.fields),
                )
                for s in self.sections
            ),
        )


def wording(names: Sequence[str]) -> Mapping[str, str]:
    """The words a template's text may use: {the_child}, {The_child}, {the_childs} (possessive),
    {The_childs}, {s} (a verb's ending: "want{s}"), {names} ("Amy, Ben and Cara") and {for_each} ("For
    each of Amy, Ben and Cara.", nothing for one child)."""
    if len(names) == 1:
        name = names[0]
        return {
            "the_child": name,
            "The_child": name,
            "the_childs": f"{name}'s",
            "The_childs": f"{name}'s",
            "s": "s",
            "names": name,
            "for_each": "",
        }
    if not names:
        return {
            "the_child": "the child",
            "The_child": "The child",
            "the_childs": "the child's",
            "The_childs": "The child's",
            "s": "s",
            "names": "the child",
            "for_each": "",
        }
    listed = f"{', '.join(names[:-1])} and {names[-1]}"
    return {
        "the_child": "the children",
        "The_child": "The children",
        "the_childs": "the children's",
        "The_childs": "The children's",
        "s": "",
        "names": listed,
        "for_each": f"For each of {listed}.",
    }


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


def _revised(base: Template, version: int, texts: Mapping[str, Mapping[str, str]]) -> Template:
    """``base`` as a new version whose sections and fields (by key) have the ``texts`` given. A section and
    a field may share a key (``iro_view``): such a key is left out of ``texts``."""

    def field_(f: Field) -> Field:
        text = texts.get(f.key, {})
        return replace(f, label=text.get("label", f.label), help=text.get("help", f.help))

    def section(s: Section) -> Section:
        text = texts.get(s.key, {})
        return replace(
            s,
            title=text.get("title", s.title),
            help=text.get("help", s.help),
            fields=tuple(field_(f) for f in s.fields),
        )

    return replace(base, version=version, sections=tuple(section(s) for s in base.sections))


# Version 2: the same questions, worded for the case's children (a sibling group is "the children", a single
# child is named), so that a group of three is never written as "the child".
V2 = _revised(
    V1,
    2,
    {
        "orders": {
            "title": "The orders made for {names}",
            "help": "The final order for each child is taken from the case; add anything the IRO should know "
            "about them.",
        },
        "placement": {"help": "Where {the_child} will live, and with whom."},
        "child": {
            "title": "{The_childs} wishes and feelings",
            "help": "In {the_childs} own words where possible.",
        },
        "wishes_and_feelings": {"help": "{for_each}"},
        "staying_in_touch": {"label": "How {the_child} want{s} to stay in touch"},
        "next_review": {
            "label": "The next looked-after review",
            "help": "The next review booked for {names}. For example, 27 3 2027",
        },
    },
)

TEMPLATES: dict[int, Template] = {1: V1, 2: V2}
CURRENT = V2
