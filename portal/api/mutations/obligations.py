"""Mutations on obligations."""

from __future__ import annotations

from datetime import date

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models import ConsultationEvent, ObligationRule
from models import Obligation as ObligationModel
from portal.api.context import Info
from portal.api.doc import field, input_type, mutation, object_type
from portal.api.errors import UserError, attempt, parse_id
from portal.api.types.obligations import ConsultationArrangement, Obligation
from portal.obligations import arrangements, service
from portal.obligations.repository import rule_of


@input_type
class WaiveObligationInput:
    """An obligation to waive, and why."""

    id: strawberry.ID = field("The obligation.")
    reason: str = field("Why it is waived: kept with it, for the managers and the dashboards.")


@object_type
class ObligationPayload:
    """The obligation as it now is, or the errors (and nothing written)."""

    obligation: Obligation | None = field("The obligation.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@input_type
class RecordConsultationArrangementInput:
    """How the guardian and the IRO agreed to keep in touch (P3)."""

    case_id: strawberry.ID = field("The case.")
    agreed_on: date | None = field("When you agreed it.")
    every_weeks: int | None = field(
        "Talk at least every so many weeks (1 to 26); empty: only on the events.", default=None
    )
    on_events: list[ConsultationEvent] = field("The events you will talk on.", default_factory=list)
    notes: str = field("Anything else you agreed, e.g. who calls whom.", default="")


@object_type
class ConsultationArrangementPayload:
    """The arrangement, or the errors (and nothing written)."""

    arrangement: ConsultationArrangement | None = field("The arrangement now in force.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@object_type
class ObligationMutations:
    """Mutations on the protocol's obligations."""

    @mutation
    async def waive_obligation(self, info: Info, input: WaiveObligationInput) -> ObligationPayload:
        """Waive an open obligation with a reason (roles its rule names: managers; the guardian for P11)."""

        async def work() -> Obligation:
            actor = info.context.require_actor()
            obligation_id = parse_id(input.id, "id")

            async def waive(s: AsyncSession) -> tuple[ObligationModel, ObligationRule]:
                obligation = await service.waive(s, actor, obligation_id, input.reason)
                return obligation, await rule_of(s, obligation)

            obligation, rule = await info.context.uow.run(waive)
            return Obligation.of(obligation, rule, info.context.today)

        obligation, errors = await attempt(info.context, work())
        return ObligationPayload(obligation=obligation, errors=errors)

    @mutation
    async def record_consultation_arrangement(
        self, info: Info, input: RecordConsultationArrangementInput
    ) -> ConsultationArrangementPayload:
        """Record how you and the other side agreed to keep in touch (P3, the guardian or the IRO). It meets
        P3 and replaces any earlier arrangement."""

        async def work() -> ConsultationArrangement:
            actor = info.context.require_actor()
            data = arrangements.RecordArrangement(
                case_id=parse_id(input.case_id, "caseId"),
                agreed_on=input.agreed_on,
                every_weeks=input.every_weeks,
                on_events=input.on_events,
                notes=input.notes,
            )
            model = await info.context.uow.run(lambda s: arrangements.record_arrangement(s, actor, data))
            return ConsultationArrangement.of(model)

        arrangement, errors = await attempt(info.context, work())
        return ConsultationArrangementPayload(arrangement=arrangement, errors=errors)
