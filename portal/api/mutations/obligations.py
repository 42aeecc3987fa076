"""Mutations on obligations."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models import Obligation as ObligationModel
from models import ObligationRule
from portal.api.context import Info
from portal.api.doc import field, input_type, mutation, object_type
from portal.api.errors import UserError, attempt, parse_id
from portal.api.types.obligations import Obligation
from portal.obligations import service
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
