"""Legal holds on cases, and each local authority's rule for keeping its concluded cases."""

from __future__ import annotations

import strawberry

from portal.api.context import Info
from portal.api.doc import field, input_type, mutation, object_type
from portal.api.errors import UserError, attempt, parse_id
from portal.api.types.retention import LegalHold
from portal.retention import service


@input_type
class PlaceLegalHoldInput:
    """A legal hold: the case is kept, whatever its retention date, until the hold is lifted."""

    case_id: strawberry.ID = field("The case.")
    reason: str = field("Why the records must be kept (up to 500 characters).")


@input_type
class LiftLegalHoldInput:
    """Lifting a legal hold."""

    id: strawberry.ID = field("The hold.")
    reason: str = field("Why it can be lifted (up to 500 characters).")


@object_type
class LegalHoldPayload:
    """The hold as it now is, or the errors (and nothing written)."""

    legal_hold: LegalHold | None = field("The hold.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@input_type
class SetRetentionRuleInput:
    """A local authority's rule for keeping its concluded cases."""

    organisation_id: strawberry.ID = field("The local authority.")
    keep_years_after_conclusion: int | None = field(
        "Keep each concluded case this many years (1 to 100) after its proceedings concluded; empty for the "
        "default, until the youngest child's 75th birthday."
    )


@object_type
class SetRetentionRulePayload:
    """Whether the rule was set, or the errors (and nothing written)."""

    set: bool = field("Whether the rule is set; the clock applies it from its next tick.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@object_type
class RetentionMutations:
    """Legal holds and retention rules."""

    @mutation
    async def place_legal_hold(self, info: Info, input: PlaceLegalHoldInput) -> LegalHoldPayload:
        """Keep a case past its retention date, for litigation, a complaint or an inquiry (the LA
        solicitor on the case, and the Cafcass and IRO managers in whose scope it is)."""

        async def work() -> LegalHold:
            actor = info.context.require_actor()
            case_id = parse_id(input.case_id, "caseId")
            hold = await info.context.uow.run(lambda s: service.place_hold(s, actor, case_id, input.reason))
            return LegalHold.of(hold)

        hold, errors = await attempt(info.context, work())
        return LegalHoldPayload(legal_hold=hold, errors=errors)

    @mutation
    async def lift_legal_hold(self, info: Info, input: LiftLegalHoldInput) -> LegalHoldPayload:
        """Lift a legal hold, with the reason (those who may place one)."""

        async def work() -> LegalHold:
            actor = info.context.require_actor()
            hold_id = parse_id(input.id, "id")
            hold = await info.context.uow.run(lambda s: service.lift_hold(s, actor, hold_id, input.reason))
            return LegalHold.of(hold)

        hold, errors = await attempt(info.context, work())
        return LegalHoldPayload(legal_hold=hold, errors=errors)

    @mutation
    async def set_retention_rule(self, info: Info, input: SetRetentionRuleInput) -> SetRetentionRulePayload:
        """Set how long a local authority keeps its concluded cases (its administrators, or a national
        one)."""

        async def work() -> bool:
            actor = info.context.require_actor()
            organisation_id = parse_id(input.organisation_id, "organisationId")
            years = input.keep_years_after_conclusion
            await info.context.uow.run(lambda s: service.set_rule(s, actor, organisation_id, years))
            return True

        done, errors = await attempt(info.context, work())
        return SetRetentionRulePayload(set=bool(done), errors=errors)
