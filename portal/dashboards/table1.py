"""The measured Table 1 (PROTOCOL.md §2): for the proceedings in a manager's scope that ran during the period,
how regularly the guardian initiated contact with the IRO and the IRO with the guardian, and whether the
end-of-proceedings discussion happened, in the research's categories beside its perceived figures.

Regularity is measured per set of proceedings as the share of its 30-day periods (from issue to its end, or
to the period's end) in which that side initiated at least one contact: "always or mostly" at 75% or more,
"sometimes" from 25% to under 75%, "rarely or never" under 25%. For the end-of-proceedings discussion, each
set of proceedings concluded in the period either had a final discussion recorded or did not. All counted in
SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models import Contact, Discussion, DiscussionKind, Proceedings, Side, Stage, StageChange
from portal.access.cases import managed_cases
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.dashboards.sql import count_where, days_between, utc_day
from portal.dashboards.viewer import require_viewer_for

WINDOW_DAYS = 30
MOSTLY, RARELY = 0.75, 0.25

QUESTIONS = {
    "guardian_contacts_iro": "The guardian contacts the IRO",
    "iro_contacts_guardian": "The IRO contacts the guardian",
    "final_discussion": "The IRO and the guardian discuss the care plan at the end",
}
# Table 1 of the guardians paper (IROs n=65, guardians n=39): always or mostly / rarely or never, in %.
PERCEIVED = {
    "guardian_contacts_iro": {"IRO": (27, 27), "guardian": (67, 10)},
    "iro_contacts_guardian": {"IRO": (44, 19), "guardian": (8, 62)},
    "final_discussion": {"IRO": (19, 45), "guardian": (54, 23)},
}


@dataclass(frozen=True)
class Measured:
    question: str
    cases: int
    always_or_mostly: int
    sometimes: int
    rarely_or_never: int


class Regularity(StrEnum):
    ALWAYS_OR_MOSTLY = "always_or_mostly"
    SOMETIMES = "sometimes"
    RARELY_OR_NEVER = "rarely_or_never"


class FinalDiscussion(StrEnum):
    HELD = "held"
    NOT_HELD = "not_held"


def per_case(dialect: str, actor: Actor, start: date, end: date) -> Any:
    """One row per set of proceedings that ran during the period: its id, the category of each side's
    initiating, and (when it concluded) whether the final discussion was held."""
    concluded = (
        sa.select(StageChange.proceedings_id, sa.func.min(StageChange.changed_on).label("on"))
        .where(StageChange.stage == Stage.CONCLUDED)
        .group_by(StageChange.proceedings_id)
        .subquery()
    )
    ends = sa.func.coalesce(concluded.c.on, sa.literal(end, sa.Date))
    cases = (
        sa.select(
            Proceedings.id.label("id"),
            Proceedings.issued_on.label("issued_on"),
            concluded.c.on.label("concluded_on"),
            (days_between(dialect, ends, Proceedings.issued_on) // WINDOW_DAYS + 1).label("windows"),
        )
        .outerjoin(concluded, concluded.c.proceedings_id == Proceedings.id)
        .where(
            managed_cases(actor),
            Proceedings.issued_on <= end,
            sa.or_(concluded.c.on.is_(None), concluded.c.on >= start),
        )
        .cte("cases")
    )
    windows_with = (
        sa.select(
            Contact.proceedings_id.label("id"),
            Contact.initiated_by.label("side"),
            sa.func.count(
                sa.distinct(
                    days_between(dialect, utc_day(dialect, Contact.occurred_at), cases.c.issued_on)
                    // WINDOW_DAYS
                )
            ).label("windows"),
        )
        .join(cases, cases.c.id == Contact.proceedings_id)
        # Also as a list, so that the contacts are reached by their index from the cases in scope.
        .where(Contact.proceedings_id.in_(sa.select(cases.c.id)), Contact.corrects_id.is_(None))
        .group_by(Contact.proceedings_id, Contact.initiated_by)
        .cte("windows_with")
    )
    by_guardian, by_iro = windows_with.alias("by_guardian"), windows_with.alias("by_iro")

    def regularity(theirs: Any) -> sa.ColumnElement[str]:
        share = sa.cast(sa.func.coalesce(theirs.c.windows, 0), sa.Float) / cases.c.windows
        return sa.case(
            (share >= MOSTLY, Regularity.ALWAYS_OR_MOSTLY.value),
            (share >= RARELY, Regularity.SOMETIMES.value),
            else_=Regularity.RARELY_OR_NEVER.value,
        )

    discussed = sa.exists().where(
        Discussion.proceedings_id == cases.c.id, Discussion.kind == DiscussionKind.FINAL_DISCUSSION
    )
    return (
        sa.select(
            cases.c.id,
            regularity(by_guardian).label("guardian_contacts_iro"),
            regularity(by_iro).label("iro_contacts_guardian"),
            sa.case(
                (cases.c.concluded_on.is_(None), None),
                (discussed, FinalDiscussion.HELD.value),
                else_=FinalDiscussion.NOT_HELD.value,
            ).label("final_discussion"),
        )
        .outerjoin(by_guardian, sa.and_(by_guardian.c.id == cases.c.id, by_guardian.c.side == Side.GUARDIAN))
        .outerjoin(by_iro, sa.and_(by_iro.c.id == cases.c.id, by_iro.c.side == Side.IRO))
        .cte("table1")
    )


async def table1(session: AsyncSession, actor: Actor, *, start: date, end: date) -> list[Measured]:
    require_viewer_for(actor, start, end)
    rows = per_case(session.get_bind().dialect.name, actor, start, end)

    regular = [
        count_where(rows.c[question] == category.value)
        for question in ("guardian_contacts_iro", "iro_contacts_guardian")
        for category in Regularity
    ]
    final = [count_where(rows.c.final_discussion == outcome.value) for outcome in FinalDiscussion]
    row = (await session.execute(sa.select(sa.func.count(), *regular, *final).select_from(rows))).one()
    cases, guardian, iro, (held, not_held) = row[0], row[1:4], row[4:7], row[7:9]
    audit.record(session, actor, "table1.read", subject_type="dashboard")
    return [
        Measured("guardian_contacts_iro", cases, *guardian),
        Measured("iro_contacts_guardian", cases, *iro),
        Measured("final_discussion", held + not_held, held, 0, not_held),
    ]
