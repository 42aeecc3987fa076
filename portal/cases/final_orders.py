"""The end of the proceedings: the final order for each child, entered by the LA solicitor. It concludes the
proceedings and opens the guardian's handover duties (P12-P14) while a child stays looked after; when none
does there is no IRO to hand over to, and the panel says so. The guardian's duties of the start of the case
and around reviews (P2, P3, P11) end with it: missed if overdue, else not applicable."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    CaseRole,
    FinalOrder,
    FinalOrderKind,
    LegalStatus,
    LegalStatusEntry,
    ObligationState,
    Stage,
    StageChange,
    Trigger,
    utcnow,
)
from portal import clock
from portal.access.policy import Permission
from portal.access.service import access_case
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.cases import repository
from portal.errors import ErrorCode, Problems
from portal.obligations import looked_after
from portal.obligations import service as obligations
from portal.obligations.rules import END_AT_CONCLUSION
from portal.papers import service as papers
from portal.validation import check_past_date

# The legal status each final order leaves the child with.
STATUS_AFTER = {
    FinalOrderKind.CARE_ORDER: LegalStatus.CARE_ORDER,
    FinalOrderKind.PLACEMENT_ORDER: LegalStatus.PLACEMENT_ORDER,
}


@dataclass(frozen=True)
class ChildOrder:
    child_id: uuid.UUID
    order: FinalOrderKind


@dataclass(frozen=True)
class RecordFinalOrders:
    case_id: uuid.UUID
    made_on: date | None
    orders: Sequence[ChildOrder]


async def record_final_orders(
    session: AsyncSession, actor: Actor, data: RecordFinalOrders
) -> list[FinalOrder]:
    access = await access_case(session, actor, data.case_id, Permission.MANAGE_PROCEEDINGS)
    case = access.case
    children = {c.id: c for c in await repository.case_children(session, case.id)}
    problems = Problems()
    if await repository.final_orders_recorded(session, case.id):
        problems.add(ErrorCode.ALREADY_DONE, "The final orders have been recorded already")
    check_past_date(
        problems,
        data.made_on,
        "madeOn",
        missing="Enter the date the final orders were made",
        label="The date of the final orders",
        today=clock.today(),
        not_before=case.issued_on,
        too_early="The final orders cannot be before the proceedings were issued",
    )
    given = [o.child_id for o in data.orders]
    for index, child_id in enumerate(given):
        if child_id not in children:
            problems.add(
                ErrorCode.NOT_IN_PROCEEDINGS,
                "That child is not in these proceedings",
                f"orders.{index}.childId",
            )
        elif given.count(child_id) > 1:
            problems.add(
                ErrorCode.DUPLICATE, "Give one final order for each child", f"orders.{index}.childId"
            )
    for child in children.values():
        if child.id not in given:
            problems.add(ErrorCode.REQUIRED, f"Enter the final order for {child.given_name}", "orders")
    problems.raise_if_any()
    assert data.made_on is not None
    made = []
    iro_memberships = await repository.live_memberships(session, case.id, CaseRole.IRO)
    for item in data.orders:
        order = FinalOrder(
            proceedings_id=case.id,
            child_id=item.child_id,
            order=item.order,
            made_on=data.made_on,
            recorded_by_id=actor.person_id,
        )
        session.add(order)
        made.append(order)
        child = children[item.child_id]
        status = STATUS_AFTER.get(item.order, LegalStatus.NO_ORDER)
        if status is not child.legal_status:
            child.legal_status = status
            session.add(
                LegalStatusEntry(
                    child_id=child.id,
                    status=status,
                    effective_from=data.made_on,
                    recorded_by_id=actor.person_id,
                )
            )
        if not status.is_looked_after:
            child.looked_after_since = None
            await looked_after.no_longer_looked_after(session, child, data.made_on, by=actor.person_id)
            # Not looked after: no IRO any more (PROTOCOL.md §1).
            for membership in iro_memberships:
                if membership.child_id == child.id:
                    membership.ended_at, membership.ended_by_id = utcnow(), actor.person_id
                    membership.end_reason = "No longer looked after after the final order"
    case.stage = Stage.CONCLUDED
    session.add(
        StageChange(
            proceedings_id=case.id,
            stage=Stage.CONCLUDED,
            changed_on=data.made_on,
            recorded_by_id=actor.person_id,
        )
    )
    await session.flush()
    opened = await obligations.open_obligations(
        session,
        case,
        Trigger.FINAL_ORDER,
        on=data.made_on,
        by=actor.person_id,
        tell=any(o.order.keeps_child_looked_after for o in data.orders),
    )
    await obligations.end(
        session,
        case.id,
        END_AT_CONCLUSION,
        on=data.made_on,
        reason=f"The proceedings concluded on {data.made_on:%-d %B %Y}",
        by=actor.person_id,
    )
    plan = await papers.final_care_plan_with_iro(session, case.id)
    if plan is not None:  # P12: filed before the final hearing and already with the IRO
        await obligations.meet(session, case.id, ["P12"], evidence_id=plan, when=utcnow(), by=actor.person_id)
    if not any(o.order.keeps_child_looked_after for o in data.orders):
        for obligation in opened:
            obligations.close(
                session,
                obligation,
                ObligationState.NOT_APPLICABLE,
                utcnow(),
                actor.person_id,
                reason="No child stays looked after after the final orders: there is no IRO to hand over to",
            )
    audit.record_on_case(session, actor, access, "proceedings.final_orders")
    return made
