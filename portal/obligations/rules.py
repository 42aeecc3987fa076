"""The rules of the protocol's obligations as versioned configuration.

The defaults below are PROTOCOL.md §2; its day counts are local-policy defaults, so an administrator can
override a rule's deadline (and who may waive it) for one local authority or Cafcass service area. The
looked-after reviews (R1-R3) are the statutory schedule of CPPCR reg 33, which no local rule changes. Rules
live in the database as versions: ``sync_defaults`` records a new default version whenever this table
changes, an override is a new version for its organisation, and every obligation keeps the version it was
opened under.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NotRequired, TypedDict, Unpack

from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    DeadlineKind,
    Evidence,
    ObligationRule,
    Organisation,
    OrganisationKind,
    Owner,
    ReviewKind,
    Role,
    Trigger,
    utcnow,
)
from portal.access.policy import Permission, administers, has_global_permission
from portal.audit import service as audit
from portal.auth.actor import Actor
from portal.errors import DomainError, ErrorCode, NotFound, Problems
from portal.obligations import repository

AFTER, BEFORE, MONTHS_AFTER = DeadlineKind.AFTER, DeadlineKind.BEFORE, DeadlineKind.MONTHS_AFTER
REPLY_WINDOW = "RW"
# The review's decisions, recorded as actions (issue 18; portal/reviews/decisions.py).
DECISIONS = "RD"
# The child's IRO appointed (issue 18).
APPOINTMENT = "IA"
# The social worker's part before a review: their consultation with the IRO, and the papers (issue 18;
# portal/reviews/preparation.py).
CONSULTED, PAPERS = "SW1", "SW2"
# A significant change in a looked-after child's circumstances, considered by their IRO (issue 18;
# portal/significant_changes/).
CHANGE = "SC"


@dataclass(frozen=True)
class RuleSpec:
    owner: Owner
    trigger: Trigger
    deadline_kind: DeadlineKind
    working_days: int
    evidence: Evidence
    waivable_by: tuple[Role, ...]
    description: str


DEFAULTS: dict[str, RuleSpec] = {
    "P2": RuleSpec(
        Owner.GUARDIAN,
        Trigger.GUARDIAN_ALLOCATED,
        AFTER,
        5,
        Evidence.CONTACT_FROM_GUARDIAN,
        (Role.CAFCASS_MANAGER,),
        "The guardian makes contact with the IRO",
    ),
    "P3": RuleSpec(
        Owner.BOTH,
        Trigger.GUARDIAN_ALLOCATED,
        AFTER,
        10,
        Evidence.CONSULTATION_ARRANGEMENT,
        (Role.CAFCASS_MANAGER, Role.IRO_MANAGER),
        "Guardian and IRO agree whether and how to keep in touch",
    ),
    "P4": RuleSpec(
        Owner.IRO,
        Trigger.REVIEW_SCHEDULED,
        BEFORE,
        10,
        Evidence.REVIEW_NOTICE,
        (Role.IRO_MANAGER,),
        "The IRO tells the guardian the arrangements for the review",
    ),
    "P5": RuleSpec(
        Owner.IRO,
        Trigger.REVIEW_HELD,
        AFTER,
        15,
        Evidence.REVIEW_RECORD_SHARED,
        (Role.IRO_MANAGER,),
        "The guardian is sent the record of the review",
    ),
    "P6": RuleSpec(
        Owner.GUARDIAN,
        Trigger.PAPER_FILED,
        AFTER,
        2,
        Evidence.DOCUMENT_SHARED,
        (Role.CAFCASS_MANAGER,),
        "The IRO is supplied with the court paper",
    ),
    "P7": RuleSpec(
        Owner.IRO,
        Trigger.DISCUSSION_HELD,
        AFTER,
        5,
        Evidence.DISCUSSION_RECORD,
        (Role.IRO_MANAGER,),
        "The IRO records the discussion on the child's file",
    ),
    "P9": RuleSpec(
        Owner.IRO,
        Trigger.SIGNIFICANT_ISSUE,
        AFTER,
        2,
        Evidence.SIGNIFICANT_ISSUE_NOTICE,
        (Role.IRO_MANAGER,),
        "The IRO tells the guardian of a significant issue",
    ),
    "P11": RuleSpec(
        Owner.GUARDIAN,
        Trigger.REVIEW_SCHEDULED,
        BEFORE,
        0,
        Evidence.PRE_REVIEW_CONSULTATION,
        (Role.GUARDIAN, Role.CAFCASS_MANAGER),
        "The guardian consults the IRO before the review",
    ),
    "P12": RuleSpec(
        Owner.GUARDIAN,
        Trigger.FINAL_ORDER,
        AFTER,
        5,
        Evidence.FINAL_CARE_PLAN_SHARED,
        (Role.CAFCASS_MANAGER,),
        "The guardian makes sure the IRO has the final care plan",
    ),
    "P13": RuleSpec(
        Owner.BOTH,
        Trigger.FINAL_ORDER,
        AFTER,
        10,
        Evidence.FINAL_DISCUSSION,
        (Role.CAFCASS_MANAGER,),
        "Guardian and IRO discuss the final care plan",
    ),
    "P14": RuleSpec(
        Owner.GUARDIAN,
        Trigger.FINAL_ORDER,
        AFTER,
        10,
        Evidence.HANDOVER_SUBMITTED,
        (Role.CAFCASS_MANAGER,),
        "The guardian gives the IRO the written handover",
    ),
    "P15": RuleSpec(
        Owner.IRO,
        Trigger.HANDOVER_SUBMITTED,
        AFTER,
        5,
        Evidence.HANDOVER_ACKNOWLEDGED,
        (Role.IRO_MANAGER,),
        "The IRO acknowledges the handover and takes up sole scrutiny",
    ),
    # CPPCR reg 33: a looked-after child's reviews, the IRO's to hold (issue 18). Met by a review held (an
    # additional or information-gathering one included); each held opens the next. Nobody waives them.
    "R1": RuleSpec(
        Owner.IRO,
        Trigger.LOOKED_AFTER,
        AFTER,
        20,
        Evidence.REVIEW_HELD,
        (),
        "The child's first looked-after review is held, within 20 working days",
    ),
    "R2": RuleSpec(
        Owner.IRO,
        Trigger.FIRST_REVIEW_HELD,
        MONTHS_AFTER,
        3,
        Evidence.REVIEW_HELD,
        (),
        "The child's second review is held, within 3 months of the first",
    ),
    "R3": RuleSpec(
        Owner.IRO,
        Trigger.LATER_REVIEW_HELD,
        MONTHS_AFTER,
        6,
        Evidence.REVIEW_HELD,
        (),
        "The child's next review is held, within 6 months of the last",
    ),
    # An IRO appointed for each looked-after child within 5 working days of their becoming looked after
    # (IRO Handbook 2010, ch. 2; CA 1989 s25A; issue 18): the IRO managers' duty, none of them by name.
    # Opened for a looked-after child with no IRO on the case; met when one is assigned (on the day the IRO
    # was appointed, when that was earlier, before the proceedings); ends when the child stops being looked
    # after. National guidance, so no local rule changes it.
    APPOINTMENT: RuleSpec(
        Owner.IRO_MANAGER,
        Trigger.LOOKED_AFTER,
        AFTER,
        5,
        Evidence.IRO_APPOINTED,
        (),
        "An IRO is appointed for the looked-after child, within 5 working days",
    ),
    # The review record in two steps (issue 18): its decisions first, each an action with an owner and a date,
    # circulated within 5 working days (IRO Handbook 2010; PROTOCOL.md §3, local practice), then the full
    # record to the guardian within 15 (P5). Opened with P5 when a review is held; a local rule may change it.
    DECISIONS: RuleSpec(
        Owner.IRO,
        Trigger.REVIEW_HELD,
        AFTER,
        5,
        Evidence.REVIEW_DECISIONS_RECORDED,
        (Role.IRO_MANAGER,),
        "The review's decisions are recorded and circulated, each with an owner and a date",
    ),
    # The social worker's part before each review (IRO Handbook 2010, ch. 3; issue 18): they consult the IRO
    # at least 15 working days before it, and the IRO has their report and the papers at least 3 working days
    # before it. Opened with P4 when a review is booked, owned by the child's social worker; local practice,
    # so a local rule may change them.
    CONSULTED: RuleSpec(
        Owner.SOCIAL_WORKER,
        Trigger.REVIEW_SCHEDULED,
        BEFORE,
        15,
        Evidence.SOCIAL_WORKER_CONSULTED,
        (Role.IRO_MANAGER,),
        "The social worker consults the IRO before the child's review",
    ),
    PAPERS: RuleSpec(
        Owner.SOCIAL_WORKER,
        Trigger.REVIEW_SCHEDULED,
        BEFORE,
        3,
        Evidence.REVIEW_PAPERS_RECEIVED,
        (Role.IRO_MANAGER,),
        "The IRO has the social worker's report and papers for the review",
    ),
    # A significant change in a looked-after child's circumstances, notified by their social worker (or
    # recorded by their IRO): the IRO considers it and either books an additional review (CPPCR 2010 reg
    # 33(3): a review earlier than the schedule when the IRO so directs; reg 32(2): no significant change to
    # the care plan unless first considered at a review) or records why none is needed (IRO Handbook 2010,
    # ch. 3; issue 18; RESEARCH-NOTES.md F8). Per child, owned by the child's IRO; 5 working days is local
    # practice, so a local rule may change it. The IRO's own duty to the child: it goes on when the guardian's
    # involvement closes, and ends when the child stops being looked after.
    CHANGE: RuleSpec(
        Owner.IRO,
        Trigger.SIGNIFICANT_CHANGE,
        AFTER,
        5,
        Evidence.CHANGE_CONSIDERED,
        (Role.IRO_MANAGER,),
        "The IRO considers a significant change and whether to bring the review forward",
    ),
    # The reply window (issue 18): a contact that expects a reply with no date given expects it within so many
    # working days; a chaser goes when it has passed. A rule, so that each authority or service area sets its
    # own; it opens no obligation (the reply is tracked on the contact).
    REPLY_WINDOW: RuleSpec(
        Owner.BOTH,
        Trigger.REPLY_EXPECTED,
        AFTER,
        3,
        Evidence.REPLY_MARKED,
        (),
        "A reply expected to a contact comes within the reply window",
    ),
}
# The statutory rules, and the reg 33 review each code is: no local override applies to them.
REVIEW_CODES = {ReviewKind.FIRST: "R1", ReviewKind.SECOND: "R2", ReviewKind.SUBSEQUENT: "R3"}
STATUTORY = {code: DEFAULTS[code] for code in REVIEW_CODES.values()}
# Why no local rule changes these: statute, or national guidance.
NATIONAL = {
    **{code: "the statutory review schedule (CPPCR reg 33)" for code in STATUTORY},
    APPOINTMENT: "the IRO Handbook's time to appoint an IRO",
}


# The obligations' lifecycle (issue 18). When the proceedings conclude, the guardian's duties at the start
# of the case and around the child's reviews have had their moment: they end.
END_AT_CONCLUSION = ("P2", "P3", "P11")
# When the guardian's involvement closes, every duty of the guardian's, shared with them, or owed to them
# (the IRO telling them of a review, its record or a significant issue) ends; the IRO's duties to the child's
# file (P7) and the handover's acknowledgement (P15) go on.
END_WITH_GUARDIAN = tuple(
    code
    for code, spec in DEFAULTS.items()
    if code != REPLY_WINDOW
    and (
        spec.owner in (Owner.GUARDIAN, Owner.BOTH)
        or spec.evidence
        in (Evidence.REVIEW_NOTICE, Evidence.REVIEW_RECORD_SHARED, Evidence.SIGNIFICANT_ISSUE_NOTICE)
    )
)
# Duties that must be done before their review: once it is held undone, they are missed.
MISSED_AT_REVIEW = ("P4", "P11", CONSULTED, PAPERS)


def obligation_name(code: str) -> str:
    """An obligation's name in words (PROTOCOL.md §2), the one place pages, charts and CSVs take it from:
    its rule's description, which no override changes. Empty for a code that opens no obligation (P1, P8,
    P10) or is no code at all."""
    spec = DEFAULTS.get(code)
    return spec.description if spec else ""


def code_order(code: str) -> tuple[str, int]:
    """Codes in their numbered order, the protocol's first (P2 ... P15), then the reviews' (R1 ... RD), then
    the social worker's (SW1, SW2)."""
    letters = code.rstrip("0123456789")
    return letters, int(code[len(letters) :]) if code[len(letters) :] else 100


def task_words(code: str) -> str:
    """Where a code's duty comes from, as emails say it: "a task {words}"."""
    if code in STATUTORY:
        return "in a looked-after child's review schedule"
    if code == APPOINTMENT:
        return "for a looked-after child"
    if code == DECISIONS:
        return "after a looked-after child's review"
    if code == CHANGE:
        return "after a significant change for a looked-after child"
    if DEFAULTS[code].owner is Owner.SOCIAL_WORKER:
        return "before a looked-after child's review"
    return "under the guardian–IRO protocol"


def codes_opened_by(trigger: Trigger) -> list[str]:
    return [code for code, spec in DEFAULTS.items() if spec.trigger is trigger]


def _matches(rule: ObligationRule, spec: RuleSpec) -> bool:
    return (
        rule.owner,
        rule.trigger,
        rule.deadline_kind,
        rule.working_days,
        rule.evidence,
        rule.waivable_by,
        rule.description,
    ) == (
        spec.owner,
        spec.trigger,
        spec.deadline_kind,
        spec.working_days,
        spec.evidence,
        _roles(spec.waivable_by),
        spec.description,
    )


def _roles(roles: Iterable[Role]) -> str:
    return " ".join(sorted(r.value for r in roles))


class _RuleValues(TypedDict):
    """A rule version's fields other than its version."""

    code: str
    organisation_id: uuid.UUID | None
    owner: Owner
    trigger: Trigger
    deadline_kind: DeadlineKind
    working_days: int
    evidence: Evidence
    waivable_by: str
    description: str
    created_by_id: NotRequired[uuid.UUID | None]


async def _replace(
    session: AsyncSession, current: ObligationRule | None, **values: Unpack[_RuleValues]
) -> ObligationRule:
    if current is not None:
        current.superseded_at = utcnow()
    rule = ObligationRule(version=(current.version + 1) if current else 1, **values)
    session.add(rule)
    await session.flush()
    return rule


async def sync_defaults(session: AsyncSession) -> list[ObligationRule]:
    """Record a new default version for every code whose default here differs from the database's (one
    query when nothing has changed)."""
    current = await repository.current_defaults(session)
    changed = []
    for code, spec in DEFAULTS.items():
        rule = current.get(code)
        if rule is None or not _matches(rule, spec):
            changed.append(
                await _replace(
                    session,
                    rule,
                    code=code,
                    organisation_id=None,
                    owner=spec.owner,
                    trigger=spec.trigger,
                    deadline_kind=spec.deadline_kind,
                    working_days=spec.working_days,
                    evidence=spec.evidence,
                    waivable_by=_roles(spec.waivable_by),
                    description=spec.description,
                )
            )
    return changed


async def rules_for(
    session: AsyncSession,
    codes: Iterable[str],
    *,
    local_authority_id: uuid.UUID,
    service_area_id: uuid.UUID | None,
) -> dict[str, ObligationRule]:
    """The rule in force for each code on a case, in one query: its authority's override, else its service
    area's, else the default."""
    codes = list(codes)
    assert set(codes) <= set(DEFAULTS), codes
    organisations = [o for o in (local_authority_id, service_area_id) if o is not None]
    precedence = {organisation: rank for rank, organisation in enumerate([*organisations, None])}
    found: dict[str, ObligationRule] = {}
    for rule in await repository.current_rules_for(session, codes, organisations):
        held = found.get(rule.code)
        if held is None or precedence[rule.organisation_id] < precedence[held.organisation_id]:
            found[rule.code] = rule
    if set(codes) - set(found):
        await sync_defaults(session)  # a database migrated but never given the defaults
        return await rules_for(
            session, codes, local_authority_id=local_authority_id, service_area_id=service_area_id
        )
    return found


async def set_override(
    session: AsyncSession,
    actor: Actor | None,
    *,
    code: str,
    organisation_id: uuid.UUID,
    working_days: int,
    waivable_by: Iterable[Role] | None = None,
) -> ObligationRule:
    """A new version of a rule for one local authority or Cafcass service area (administrators). New
    obligations there follow it; those already open keep the version they were opened under."""
    if actor is not None and not has_global_permission(actor.roles, Permission.ADMINISTER, actor.scopes):
        raise DomainError.one(
            ErrorCode.NOT_PERMITTED, "Only an administrator can change the protocol's rules"
        )
    spec = DEFAULTS.get(code)
    if spec is None:
        raise NotFound("Obligation code", "code")
    if code in NATIONAL:
        raise DomainError.one(
            ErrorCode.NOT_PERMITTED,
            f"{code} is {NATIONAL[code]}: no local rule changes it",
            "code",
        )
    organisation = await session.get(Organisation, organisation_id)
    # An administrator sets their own organisation's rules; a national administrator anyone's.
    mine = actor is None or (organisation is not None and administers(actor, organisation.id))
    if organisation is None or organisation.kind is OrganisationKind.COURT or not mine:
        raise NotFound("Local authority or Cafcass service area", "organisationId")
    problems = Problems()
    if not 0 <= working_days <= 100:
        problems.add(ErrorCode.OUT_OF_RANGE, "A deadline is between 0 and 100 working days", "workingDays")
    problems.raise_if_any()
    await sync_defaults(session)
    current = repository.current_rule
    base = await current(session, code, organisation_id) or await current(session, code, None)
    assert base is not None
    rule = await _replace(
        session,
        await current(session, code, organisation_id),
        code=code,
        organisation_id=organisation_id,
        owner=base.owner,
        trigger=base.trigger,
        deadline_kind=base.deadline_kind,
        working_days=working_days,
        evidence=base.evidence,
        waivable_by=_roles(waivable_by) if waivable_by is not None else base.waivable_by,
        description=base.description,
        created_by_id=actor.person_id if actor else None,
    )
    audit.record(session, actor, "rule.override", subject_type="obligation_rule", subject_id=rule.id)
    return rule


async def current_rules(session: AsyncSession) -> list[ObligationRule]:
    """Every rule in force: the defaults and each organisation's overrides, by code."""
    rules = await repository.rules_in_force(session)
    order = list(DEFAULTS)
    return sorted(
        rules, key=lambda r: (order.index(r.code), r.organisation_id is not None, str(r.organisation_id))
    )
