"""Mutations on what the IRO writes to a looked-after child (issue 19): their introduction at allocation, and
a plain-language summary of a resolved dispute about the child's plan."""

from __future__ import annotations

from datetime import date

import strawberry

from models import ExplainedHow, LetterTo
from portal.api.context import Info
from portal.api.doc import field, input_type, mutation, object_type
from portal.api.errors import UserError, attempt, parse_id
from portal.api.types.letters import ChildSummary, IroIntroduction
from portal.letters import child_summaries
from portal.letters import service as introductions


@input_type
class RecordIroIntroductionInput:
    """How you explained your role to a child you are the IRO for, and the way of keeping in touch you
    agreed: the letter confirms it to the child, or their carer."""

    case_id: strawberry.ID = field("The case.")
    child_id: strawberry.ID | None = field("The child: one you are the IRO for, who is looked after.")
    explained_on: date | None = field("When you explained your role: today or earlier.")
    explained_how: ExplainedHow | None = field("How you explained it.")
    keeping_in_touch: str = field(
        "The way of keeping in touch you agreed with the child, in words the letter can say to them (how, "
        "and how often). Up to 2,000 characters."
    )
    advocacy_explained: bool = field("Whether you told the child they can have an advocate.")
    letter_to: LetterTo | None = field("Whom the letter is to: the child, or their carer for a young child.")
    phone: str = field(
        "Your telephone number for the child, for the letter. Up to 40 characters.", default=""
    )
    carer_name: str = field("The carer's name, for a letter to the carer. Up to 200 characters.", default="")


@input_type
class WriteChildSummaryInput:
    """What was decided in a resolved dispute, for one child it concerns, in words they will understand."""

    dispute_id: strawberry.ID = field("The dispute: resolved.")
    child_id: strawberry.ID | None = field(
        "The child it is for: needed when the dispute concerns every child of the case.", default=None
    )
    decided: str = field("What was decided. Up to 4,000 characters.")
    views_counted: str = field("How the child's views counted in the decision. Up to 4,000 characters.")
    letter_to: LetterTo | None = field("Whom the letter is to: the child, or their carer for a young child.")
    carer_name: str = field("The carer's name, for a letter to the carer. Up to 200 characters.", default="")


@object_type
class IroIntroductionPayload:
    """The introduction as it now is, or the errors (and nothing written)."""

    introduction: IroIntroduction | None = field("The introduction.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@object_type
class ChildSummaryPayload:
    """The summary as it now is, or the errors (and nothing written)."""

    summary: ChildSummary | None = field("The summary.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@object_type
class LetterMutations:
    """What the IRO writes to looked-after children."""

    @mutation
    async def record_iro_introduction(
        self, info: Info, input: RecordIroIntroductionInput
    ) -> IroIntroductionPayload:
        """Record how you explained your role to a looked-after child you are the IRO for, and the way of
        keeping in touch you agreed, or change it (one for each child and IRO). Its letter, a tagged PDF,
        confirms it to the child or their carer (letterUrl). Another IRO on the case is refused with
        NOT_ON_CASE; anyone else finds no such case."""

        async def work() -> IroIntroduction:
            data = introductions.RecordIntroduction(
                case_id=parse_id(input.case_id, "caseId"),
                child_id=parse_id(input.child_id, "childId") if input.child_id else None,
                explained_on=input.explained_on,
                explained_how=input.explained_how,
                keeping_in_touch=input.keeping_in_touch,
                phone=input.phone,
                advocacy_explained=input.advocacy_explained,
                letter_to=input.letter_to,
                carer_name=input.carer_name,
            )
            actor = info.context.require_actor()
            found = await info.context.uow.run(lambda s: introductions.record_introduction(s, actor, data))
            return IroIntroduction.of(found)

        introduction, errors = await attempt(info.context, work())
        return IroIntroductionPayload(introduction=introduction, errors=errors)

    @mutation
    async def write_child_summary(self, info: Info, input: WriteChildSummaryInput) -> ChildSummaryPayload:
        """Write, or change, what was decided in a resolved dispute for one child it concerns, and how their
        views counted (the child's IRO). Its letter, a tagged PDF, tells the child or their carer
        (letterUrl). An open dispute is refused with NOT_YET_RESOLVED; another IRO on the case with
        NOT_ON_CASE; anyone else finds no such dispute."""

        async def work() -> ChildSummary:
            data = child_summaries.WriteChildSummary(
                dispute_id=parse_id(input.dispute_id, "disputeId"),
                child_id=parse_id(input.child_id, "childId") if input.child_id else None,
                decided=input.decided,
                views_counted=input.views_counted,
                letter_to=input.letter_to,
                carer_name=input.carer_name,
            )
            actor = info.context.require_actor()
            found = await info.context.uow.run(lambda s: child_summaries.write_child_summary(s, actor, data))
            return ChildSummary.of(found)

        summary, errors = await attempt(info.context, work())
        return ChildSummaryPayload(summary=summary, errors=errors)
