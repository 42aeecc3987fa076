"""Referrals to Cafcass: the IRO's referral, and each step Cafcass takes on it; each service area's timescale
for those steps (portal/referrals/service.py)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from models import ReferralGround, ReferralOutcome
from portal.api.context import Info
from portal.api.doc import field, input_type, mutation, object_type
from portal.api.errors import UserError, attempt, parse_id
from portal.api.types.referrals import CafcassReferral, ReferralTimescale
from portal.auth.actor import Actor
from portal.referrals import service
from portal.referrals.timescales import TimescaleSpec


@input_type
class ReferToCafcassInput:
    """The IRO's referral of a case to Cafcass, when the authority's failure may breach the child's human
    rights."""

    case_id: strawberry.ID = field("The case.")
    ground: ReferralGround = field("The Convention right you think may be breached.")
    grounds: str = field("How the child's rights may be breached (up to 8,000 characters).")
    steps_taken: str = field(
        "What you did first: the authority's dispute resolution, and how far it went (up to 8,000 "
        "characters)."
    )
    child_id: strawberry.ID | None = field("The child it concerns; empty for every child of the case.")
    dispute_id: strawberry.ID | None = field("Your dispute on the case it takes further, if any.")
    paper_ids: list[strawberry.ID] = field(
        "Court papers of the case to send with it (up to 50, ones you may open).", default_factory=list
    )


@input_type
class ReferralInput:
    """A step on a referral that needs nothing but the referral."""

    referral_id: strawberry.ID = field("The referral.")


@input_type
class AppointReferralOfficerInput:
    """The Cafcass officer for a referral."""

    referral_id: strawberry.ID = field("The referral.")
    officer_id: strawberry.ID = field("An officer (a children's guardian) of the service area.")


@input_type
class ReferralEnquiryInput:
    """An enquiry the officer made."""

    referral_id: strawberry.ID = field("The referral.")
    made_on: date | None = field("When.")
    made_with: str = field("Of whom.")
    note: str = field("What it found (up to 8,000 characters).")


@input_type
class ReferralOutcomeInput:
    """How a referral ended."""

    referral_id: strawberry.ID = field("The referral.")
    outcome: ReferralOutcome = field("The outcome.")
    outcome_on: date | None = field("When; today if empty.")
    note: str = field("How it was resolved, or what was decided (up to 8,000 characters).")


@input_type
class SetReferralTimescaleInput:
    """A new version of a Cafcass service area's timescale for referrals."""

    organisation_id: strawberry.ID = field("The Cafcass service area.")
    acknowledge_working_days: int = field("From the referral to its acknowledgement (1 to 30).")
    appoint_working_days: int = field("From the acknowledgement to the officer's appointment (1 to 30).")
    outcome_working_days: int = field("From the appointment to the outcome (1 to 120).")


@object_type
class ReferralPayload:
    """The referral as it now is, or the errors (and nothing written)."""

    referral: CafcassReferral | None = field("The referral.")
    errors: list[UserError] = field("What was wrong; empty on success.")


@object_type
class ReferralTimescalePayload:
    """The timescale now in force, or the errors (and nothing written)."""

    timescale: ReferralTimescale | None = field("The timescale.")
    errors: list[UserError] = field("What was wrong; empty on success.")


async def _changed(
    info: Info, referral_id: strawberry.ID, change: Callable[[AsyncSession, Actor, uuid.UUID], Awaitable[Any]]
) -> ReferralPayload:
    """Make a change to a referral, then answer with the referral as the actor now sees it."""

    async def work() -> CafcassReferral:
        actor = info.context.require_actor()
        id_ = parse_id(referral_id, "referralId")
        await info.context.uow.run(lambda s: change(s, actor, id_))
        return await _seen(info, actor, id_)

    referral, errors = await attempt(info.context, work())
    return ReferralPayload(referral=referral, errors=errors)


async def _seen(info: Info, actor: Actor, referral_id: uuid.UUID) -> CafcassReferral:
    view = await info.context.uow.run(lambda s: service.referral(s, actor, referral_id))
    return CafcassReferral.of(view, info.context.today)


@object_type
class ReferralMutations:
    """Referrals to Cafcass."""

    @mutation
    async def refer_to_cafcass(self, info: Info, input: ReferToCafcassInput) -> ReferralPayload:
        """Refer a case to Cafcass (the IRO on the case): it goes to the managers of the court's service
        area, who acknowledge it."""

        async def work() -> CafcassReferral:
            actor = info.context.require_actor()
            data = service.Refer(
                case_id=parse_id(input.case_id, "caseId"),
                ground=input.ground,
                grounds=input.grounds,
                steps_taken=input.steps_taken,
                child_id=parse_id(input.child_id, "childId") if input.child_id else None,
                dispute_id=parse_id(input.dispute_id, "disputeId") if input.dispute_id else None,
                paper_ids=[parse_id(p, "paperIds") for p in input.paper_ids[: service.PAPERS_MAX + 1]],
            )
            made = await info.context.uow.run(lambda s: service.refer(s, actor, data))
            return await _seen(info, actor, made.id)

        referral, errors = await attempt(info.context, work())
        return ReferralPayload(referral=referral, errors=errors)

    @mutation
    async def acknowledge_referral(self, info: Info, input: ReferralInput) -> ReferralPayload:
        """Acknowledge a referral (a manager of the service area): the officer's appointment is due next."""
        return await _changed(info, input.referral_id, service.acknowledge)

    @mutation
    async def appoint_referral_officer(
        self, info: Info, input: AppointReferralOfficerInput
    ) -> ReferralPayload:
        """Appoint the Cafcass officer for a referral, or another in their place (a manager of the service
        area); the referral is acknowledged too if it was not."""
        officer = parse_id(input.officer_id, "officerId")
        return await _changed(info, input.referral_id, lambda s, a, r: service.appoint(s, a, r, officer))

    @mutation
    async def record_referral_enquiry(self, info: Info, input: ReferralEnquiryInput) -> ReferralPayload:
        """Record an enquiry made on a referral (its officer, or a manager of the service area)."""
        return await _changed(
            info,
            input.referral_id,
            lambda s, a, r: service.record_enquiry(s, a, r, input.made_on, input.made_with, input.note),
        )

    @mutation
    async def record_referral_outcome(self, info: Info, input: ReferralOutcomeInput) -> ReferralPayload:
        """Record how a referral ended (its officer, or a manager of the service area): it is concluded and
        the IRO told."""
        return await _changed(
            info,
            input.referral_id,
            lambda s, a, r: service.record_outcome(s, a, r, input.outcome, input.outcome_on, input.note),
        )

    @mutation
    async def set_referral_timescale(
        self, info: Info, input: SetReferralTimescaleInput
    ) -> ReferralTimescalePayload:
        """Set a new version of a Cafcass service area's timescale for referrals (its administrators, or a
        national one): referrals made from now on follow it; those open keep theirs."""

        async def work() -> ReferralTimescale:
            actor = info.context.require_actor()
            organisation_id = parse_id(input.organisation_id, "organisationId")
            spec = TimescaleSpec(
                input.acknowledge_working_days, input.appoint_working_days, input.outcome_working_days
            )
            row = await info.context.uow.run(lambda s: service.set_timescale(s, actor, organisation_id, spec))
            return ReferralTimescale.of(row)

        timescale, errors = await attempt(info.context, work())
        return ReferralTimescalePayload(timescale=timescale, errors=errors)
