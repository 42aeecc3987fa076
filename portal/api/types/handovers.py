"""The handover (P14), its template, the closing checklist and the IRO's monitoring items."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry
from strawberry.scalars import JSON

from handover.template import TEMPLATES, FieldKind
from handover.template import Field as TemplateField
from handover.template import Template as TemplateModel
from models import Closure as ClosureModel
from models import Handover as HandoverModel
from models import HandoverState
from models import MonitoringItem as MonitoringItemModel
from portal.api.context import Info
from portal.api.doc import enum_type, field, object_type, resolver
from portal.api.errors import UserError
from portal.api.types.people import PersonRef, person_ref
from portal.handovers import service

HandoverStateEnum = enum_type(HandoverState, "Where a handover version stands.")
FieldKindEnum = enum_type(FieldKind, "The kind of answer a handover field takes.")


@object_type
class HandoverField:
    """One field of the handover template."""

    key: str = field("Its key in the answers.")
    label: str = field("Its label.")
    kind: FieldKind = field("Text, long text, a date, or a list of items.")
    required: bool = field("Whether a submission must answer it.")
    help: str = field("Help text.")
    max_length: int = field("The longest answer accepted.")
    rows: int = field("For a list of items: how many rows the form offers.")
    item_fields: list[HandoverField] = field("For a list of items: each item's fields.")

    @staticmethod
    def of(model: TemplateField) -> HandoverField:
        return HandoverField(
            key=model.key,
            label=model.label,
            kind=model.kind,
            required=model.required,
            help=model.help,
            max_length=model.max_length,
            rows=model.rows,
            item_fields=[HandoverField.of(f) for f in model.item_fields],
        )


@object_type
class HandoverSection:
    """A section of the handover template."""

    key: str = field("Its key.")
    title: str = field("Its title.")
    help: str = field("What it is for.")
    fields: list[HandoverField] = field("Its fields.")


@object_type
class HandoverTemplate:
    """A version of the standard handover template: the form, the validation and the views follow it."""

    version: int = field("The template's version.")
    title: str = field("The handover's title.")
    sections: list[HandoverSection] = field("Its sections, in order.")

    @staticmethod
    def of(model: TemplateModel) -> HandoverTemplate:
        return HandoverTemplate(
            version=model.version,
            title=model.title,
            sections=[
                HandoverSection(
                    key=s.key, title=s.title, help=s.help, fields=[HandoverField.of(f) for f in s.fields]
                )
                for s in model.sections
            ],
        )


@object_type
class Handover:
    """One version of the guardian's written handover to the IRO (P14), on the template version it was
    written on."""

    id: strawberry.ID = field("The version's id.")
    version: int = field("1, then one more for each amendment.")
    state: HandoverState = field("Draft, submitted, returned with questions, or acknowledged.")
    answers: JSON = field("The answers, by the template's field keys (items as lists of objects).")
    revision: int = field("How many times the draft was saved: send it back when saving or submitting.")
    updated_at: datetime = field("When it was last saved.")
    submitted_at: datetime | None = field("When it was submitted.")
    answered_at: datetime | None = field("When the IRO acknowledged or returned it.")
    questions: str | None = field("The IRO's questions, when returned.")
    _model: strawberry.Private[HandoverModel]

    async def _template(self, info: Info) -> TemplateModel:
        children = await info.context.loaders.children.load(self._model.proceedings_id)
        return TEMPLATES[self._model.template_version].worded([c.given_name for c in children])

    @resolver
    async def template(self, info: Info) -> HandoverTemplate:
        """The template it was written on, worded for the case's children (from version 2: a single child
        by name, a sibling group as "the children")."""
        return HandoverTemplate.of(await self._template(info))

    @resolver
    async def missing(self, info: Info) -> list[UserError]:
        """What a submission still needs, as submitHandover would refuse it (REQUIRED, by answer path, e.g.
        answers.risks); empty when it can be submitted. Always empty once submitted."""
        if self._model.state is not HandoverState.DRAFT:
            return []
        gaps = service.submission_gaps(await self._template(info), self._model.answers)
        return [UserError.of(problem) for problem in gaps]

    @resolver
    def updated_by(self, info: Info) -> PersonRef:
        """Who saved it last."""
        return person_ref(info, self._model.updated_by_id)

    @resolver
    def answered_by(self, info: Info) -> PersonRef | None:
        """The IRO who acknowledged or returned it."""
        return person_ref(info, self._model.answered_by_id) if self._model.answered_by_id else None

    @staticmethod
    def of(model: HandoverModel) -> Handover:
        return Handover(
            id=strawberry.ID(str(model.id)),
            version=model.version,
            state=model.state,
            answers=JSON(model.answers),
            revision=model.revision,
            updated_at=model.updated_at,
            submitted_at=model.submitted_at,
            answered_at=model.answered_at,
            questions=model.questions,
            _model=model,
        )


@object_type
class ClosingCondition:
    """One thing the guardian must have done before closing their involvement."""

    key: str = field("A stable key: the obligation's code (P12, P13, P14), or PAPERS_FORWARDED.")
    label: str = field("What it is, as a task.")
    met: bool = field("Whether it is done.")


@object_type
class Closure:
    """The close of the guardian's involvement: through the gate, or by a manager's reasoned override."""

    closed_at: datetime = field("When.")
    override_reason: str | None = field("The Cafcass manager's reason, when closed without every step.")
    read_only_until: datetime = field("Until when the guardian may still read the case.")
    _closed_by: strawberry.Private[uuid.UUID]

    @resolver
    def closed_by(self, info: Info) -> PersonRef:
        """Who closed it."""
        return person_ref(info, self._closed_by)

    @staticmethod
    def of(model: ClosureModel) -> Closure:
        return Closure(
            closed_at=model.closed_at,
            override_reason=model.override_reason,
            read_only_until=model.read_only_until,
            _closed_by=model.closed_by_id,
        )


@object_type
class MonitoringItem:
    """An issue the guardian handed over for the IRO to keep under review (P15), with its date."""

    id: strawberry.ID = field("Its id.")
    case_id: strawberry.ID = field("The case.")
    issue: str = field("The issue.")
    why: str = field("Why it matters.")
    due_on: date = field("Review it by.")

    @staticmethod
    def of(model: MonitoringItemModel) -> MonitoringItem:
        return MonitoringItem(
            id=strawberry.ID(str(model.id)),
            case_id=strawberry.ID(str(model.proceedings_id)),
            issue=model.issue,
            why=model.why,
            due_on=model.due_on,
        )
