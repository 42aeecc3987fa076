"""Retention: each local authority's rule for keeping its concluded cases, legal holds, and the clock's
deletion of the cases past their rule.

A legal hold may be placed (and lifted, with a reason) by the authority's solicitor on the case and by the
Cafcass and IRO managers in whose scope it is: they answer complaints, litigation and inquiries. The rule is
set by the authority's administrators (or a national one). Deleting is the clock's alone: one transaction
per case, which locks the case, checks again that it is due and not held, records the deletion, and deletes
the case with everything under it; the audit trail, which names cases by id only, stays and verifies."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import DeletedCase, LegalHold, Organisation, utcnow
from portal.access.policy import Permission
from portal.access.service import access_case, access_record, administered_authority
from portal.audit import service as audit
from portal.auth.actor import Actor, Via
from portal.errors import DomainError, ErrorCode, Problems
from portal.retention import repository
from portal.retention.policy import KEEP_YEARS_MAX, KEEP_YEARS_MIN, kept_until
from portal.validation import clean_required

log = logging.getLogger("portal.retention")

REASON_MAX = 500
# Cases deleted in one go; the next tick takes the rest.
BATCH = 100
# The deletions an authority's page lists.
SHOWN = 50


# ---------------------------------------------------------------------------------------------------------
# Legal holds


async def place_hold(session: AsyncSession, actor: Actor, case_id: uuid.UUID, reason: str) -> LegalHold:
    """Stop the case being deleted, whatever its retention date, until the hold is lifted."""
    access = await access_case(session, actor, case_id, Permission.MANAGE_LEGAL_HOLDS)
    problems = Problems()
    reason = clean_required(problems, reason, "reason", "Say why the records must be kept", REASON_MAX)
    problems.raise_if_any()
    hold = LegalHold(proceedings_id=access.case.id, reason=reason, placed_by_id=actor.person_id)
    session.add(hold)
    await session.flush()
    audit.record_on_case(
        session, actor, access, "legal_hold.place", subject_type="legal_hold", subject_id=hold.id
    )
    return hold


async def lift_hold(session: AsyncSession, actor: Actor, hold_id: uuid.UUID, reason: str) -> LegalHold:
    """Lift a hold, with the reason: the case is then deleted once past its retention date (unless another
    hold is in place)."""
    hold, access = await access_record(
        session, actor, LegalHold, hold_id, Permission.MANAGE_LEGAL_HOLDS, "Legal hold"
    )
    problems = Problems()
    reason = clean_required(problems, reason, "reason", "Say why the hold can be lifted", REASON_MAX)
    if hold.lifted_at is not None:
        problems.add(ErrorCode.ALREADY_DONE, "This hold has already been lifted", "id")
    problems.raise_if_any()
    hold.lifted_at, hold.lifted_by_id, hold.lift_reason = utcnow(), actor.person_id, reason
    await session.flush()
    audit.record_on_case(
        session, actor, access, "legal_hold.lift", subject_type="legal_hold", subject_id=hold.id
    )
    return hold


# ---------------------------------------------------------------------------------------------------------
# Each authority's rule


@dataclass(frozen=True)
class AuthorityRetention:
    organisation: Organisation
    deleted: list[DeletedCase]


async def authority_retention(
    session: AsyncSession, actor: Actor, organisation_id: uuid.UUID
) -> AuthorityRetention:
    """A local authority's rule and the cases lately deleted under it, for its administrators."""
    organisation = await administered_authority(session, actor, organisation_id, "retention.read")
    audit.record(session, actor, "retention.read", subject_type="organisation", subject_id=organisation.id)
    return AuthorityRetention(organisation, await repository.deleted_since(session, organisation.id, SHOWN))


async def set_rule(
    session: AsyncSession, actor: Actor, organisation_id: uuid.UUID, keep_years: int | None
) -> Organisation:
    """Keep the authority's concluded cases ``keep_years`` after they concluded, or (None) by the default
    rule. It applies from the clock's next tick to every concluded case of the authority's not on hold."""
    organisation = await administered_authority(session, actor, organisation_id, "retention.set")
    if keep_years is not None and not KEEP_YEARS_MIN <= keep_years <= KEEP_YEARS_MAX:
        raise DomainError.one(
            ErrorCode.OUT_OF_RANGE,
            f"Enter a number of years from {KEEP_YEARS_MIN} to {KEEP_YEARS_MAX}",
            "keepYearsAfterConclusion",
        )
    organisation.keep_concluded_years = keep_years
    await session.flush()
    audit.record(session, actor, "retention.set", subject_type="organisation", subject_id=organisation.id)
    return organisation


# ---------------------------------------------------------------------------------------------------------
# The clock


async def delete_due(
    sessions: async_sessionmaker[AsyncSession], today: date, now: datetime | None = None, batch: int = BATCH
) -> int:
    """Delete up to ``batch`` concluded cases past their authority's rule and not held, each in its own
    transaction: the number deleted."""
    async with sessions() as session, session.begin():
        found = await repository.candidates(session, today, batch)
    deleted = 0
    for case in found:
        async with sessions() as session, session.begin():
            deleted += await _delete_if_due(session, case.id, today, now or utcnow())
    return deleted


async def _delete_if_due(session: AsyncSession, case_id: uuid.UUID, today: date, now: datetime) -> int:
    if not await repository.lock_case(session, case_id):
        return 0
    # Checked again under the lock: a hold placed, or a rule changed, since the case was picked.
    again = await repository.candidates(session, today, 1, case_id)
    if not again:
        return 0
    case = again[0]
    until = kept_until(case.concluded_on, case.dates_of_birth, case.keep_years)
    if until >= today or not await repository.claim(session, case, until, now):
        return 0
    records = await repository.delete_case(session, case.id)
    audit.record(
        session,
        None,
        "case.delete_under_retention",
        subject_type="case",
        subject_id=case.id,
        case_id=case.id,
        via=Via.CLOCK,
    )
    log.info("deleted case %s under retention (kept until %s): %d records", case.id, until, records)
    return 1
