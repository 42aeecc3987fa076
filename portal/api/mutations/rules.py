"""Administrators' changes to the protocol's rules."""

from __future__ import annotations

import strawberry

from portal.api.context import Info
from portal.api.doc import field, input_type, mutation, object_type
from portal.api.errors import UserError, attempt, parse_id
from portal.api.types.obligations import ObligationRule as ObligationRuleType
from portal.obligations import rules


@input_type
class OverrideObligationRuleInput:
    """A local deadline for one obligation code."""

    code: str = field("The protocol's code, e.g. P2.")
    organisation_id: strawberry.ID = field("The local authority or Cafcass service area it is for.")
    working_days: int = field("The deadline in working days (0 to 100).")


@object_type
class ObligationRulePayload:
    """The new rule version, or the errors (and nothing written)."""

    rule: ObligationRuleType | None = field("The new version.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@object_type
class RuleMutations:
    """Changing the protocol's rules (administrators only)."""

    @mutation
    async def override_obligation_rule(
        self, info: Info, input: OverrideObligationRuleInput
    ) -> ObligationRulePayload:
        """Set one organisation's deadline for an obligation code. New obligations there follow it; those
        already open keep the rule version they were opened under."""

        async def work() -> ObligationRuleType:
            actor = info.context.require_actor()
            organisation_id = parse_id(input.organisation_id, "organisationId")
            rule = await info.context.uow.run(
                lambda s: rules.set_override(
                    s,
                    actor,
                    code=input.code.strip().upper(),
                    organisation_id=organisation_id,
                    working_days=input.working_days,
                )
            )
            return ObligationRuleType.of(rule)

        rule, errors = await attempt(info.context, work())
        return ObligationRulePayload(rule=rule, errors=errors)
