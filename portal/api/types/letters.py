"""What the IRO writes to a looked-after child (issue 19): their introduction at allocation, and a
plain-language summary of a resolved dispute about the child's plan. Each has a letter, a tagged PDF drawn
from it."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from models import ChildSummary as ChildSummaryModel
from models import ExplainedHow, LetterTo
from models import IroIntroduction as IroIntroductionModel
from portal.api.context import Info
from portal.api.doc import enum_type, field, object_type, resolver
from portal.api.types.people import PersonRef, person_ref

ExplainedHowEnum = enum_type(
    ExplainedHow,
    "How the IRO explained their role to the child: met them alone, met them with their carer, by video "
    "call, by phone call, or (for a young child) through their carer.",
)
LetterToEnum = enum_type(LetterTo, "Whom a letter is to: the child, or their carer for a young child.")


@object_type
class IroIntroduction:
    """How an IRO explained their role to a looked-after child and the way of keeping in touch they agreed
    (IRO Handbook 2010, ch. 2): one for each child and IRO. Its letter confirms it in writing to the child,
    or their carer, in plain language."""

    id: strawberry.ID = field("The introduction's id.")
    child_id: strawberry.ID = field("The child.")
    explained_on: date = field("When the IRO explained their role to the child.")
    explained_how: ExplainedHow = field("How they explained it.")
    keeping_in_touch: str = field("The way of keeping in touch agreed with the child, as the letter says it.")
    phone: str = field("The IRO's telephone number for the child; empty if none was given.")
    advocacy_explained: bool = field("Whether the child was told they can have an advocate.")
    letter_to: LetterTo = field("Whom the letter is to.")
    carer_name: str = field("The carer's name, for a letter to the carer; empty otherwise.")
    recorded_at: datetime = field("When it was first recorded.")
    updated_at: datetime = field("When it was last changed.")
    letter_url: str = field("Where its letter is, as a tagged PDF.")
    _model: strawberry.Private[IroIntroductionModel]

    @resolver
    def iro(self, info: Info) -> PersonRef:
        """The IRO who introduced themselves."""
        return person_ref(info, self._model.iro_id)

    @staticmethod
    def of(model: IroIntroductionModel) -> IroIntroduction:
        return IroIntroduction(
            id=strawberry.ID(str(model.id)),
            child_id=strawberry.ID(str(model.child_id)),
            explained_on=model.explained_on,
            explained_how=model.explained_how,
            keeping_in_touch=model.keeping_in_touch,
            phone=model.phone,
            advocacy_explained=model.advocacy_explained,
            letter_to=model.letter_to,
            carer_name=model.carer_name,
            recorded_at=model.recorded_at,
            updated_at=model.updated_at,
            letter_url=f"/cases/{model.proceedings_id}/introductions/{model.id}/letter.pdf",
            _model=model,
        )


@object_type
class ChildSummary:
    """What was decided when a dispute about a child's plan was resolved, and how the child's views counted,
    written by the child's IRO in words the child (or their carer) will understand. Its letter tells them."""

    child_id: strawberry.ID = field("The child it is for.")
    decided: str = field("What was decided.")
    views_counted: str = field("How the child's views counted in the decision.")
    letter_to: LetterTo = field("Whom the letter is to.")
    carer_name: str = field("The carer's name, for a letter to the carer; empty otherwise.")
    written_at: datetime = field("When it was first written.")
    updated_at: datetime = field("When it was last changed.")
    letter_url: str = field("Where its letter is, as a tagged PDF.")
    _model: strawberry.Private[ChildSummaryModel]

    @resolver
    def written_by(self, info: Info) -> PersonRef:
        """The IRO who wrote it (or last changed it)."""
        return person_ref(info, self._model.written_by_id)

    @staticmethod
    def of(model: ChildSummaryModel) -> ChildSummary:
        return ChildSummary(
            child_id=strawberry.ID(str(model.child_id)),
            decided=model.decided,
            views_counted=model.views_counted,
            letter_to=model.letter_to,
            carer_name=model.carer_name,
            written_at=model.written_at,
            updated_at=model.updated_at,
            letter_url=f"/disputes/{model.dispute_id}/children/{model.child_id}/letter.pdf",
            _model=model,
        )
