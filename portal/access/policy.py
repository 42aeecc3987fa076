"""The one table of who may do what, and the pure functions that read it.

Nobody sees a case because of their role alone (PROTOCOL.md §6): a role's case permissions apply only on
cases where the person holds that role as a live member, or, for managers, where the case is in the scope
of their organisation.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from enum import StrEnum

from models import CaseRole, OrganisationKind, Purpose, Role
from portal.auth.actor import Actor


class Permission(StrEnum):
    # On one case.
    READ_CASE = "case:read"
    LOG_CONTACT = "contact:log"
    MARK_REPLY = "contact:reply"
    MANAGE_PROCEEDINGS = "proceedings:manage"
    ALLOCATE_GUARDIAN = "guardian:allocate"
    ASSIGN_IRO = "iro:assign"
    VIEW_ACCESS_LOG = "case:access-log"
    # Which obligations a role may waive is in each obligation's rule (waivable_by).
    WAIVE_OBLIGATION = "obligation:waive"
    RECORD_ARRANGEMENT = "arrangement:record"
    MANAGE_REVIEWS = "review:manage"
    # The social worker's part before a review (SW1, SW2): recorded by the child's social worker or IRO.
    PREPARE_REVIEWS = "review:prepare"
    # Tell the child's IRO of a significant change in the child's circumstances (SC, CPPCR 2010 reg 33(3)):
    # the child's social worker, or their IRO recording one they learned of; the service checks it is the
    # child's. The IRO answers it as they manage the child's reviews (MANAGE_REVIEWS).
    NOTIFY_CHANGES = "change:notify"
    # The IRO writes to the child (issue 19): their introduction, and what was decided in a dispute.
    WRITE_TO_CHILD = "child-letter:write"
    RECORD_DISCUSSION = "discussion:record"
    RAISE_CONCERN = "concern:raise"
    RECORD_SIGNIFICANT_ISSUE = "significant-issue:record"
    # Which side acknowledges what is in the service: the IRO a concern, the guardian a significant issue.
    ACKNOWLEDGE_ISSUE = "issue:acknowledge"
    # Read the concerns and significant issues between guardian and IRO (P8, P9), and the handover (P14):
    # theirs and their managers', never the authority's lawyers' or social workers'.
    READ_ISSUES = "issue:read"
    READ_HANDOVER = "handover:read"
    # File court papers (P6); which papers a role may open is their confidentiality (portal/papers/access.py).
    FILE_PAPER = "paper:file"
    # The guardian's confirmation that every paper is forwarded to the IRO (Practice Note 2.2).
    CONFIRM_FORWARDING = "paper:confirm-forwarding"
    # The guardian records whether their analysis cites the IRO's view of the care plan (issue 19;
    # RESEARCH-NOTES.md §1.7, §5.2).
    RECORD_IRO_VIEW = "paper:iro-view"
    # The handover (P14): the guardian writes it and closes their involvement; the IRO acknowledges or
    # returns it (P15); a Cafcass manager may close the guardian's involvement with a reasoned override.
    WRITE_HANDOVER = "handover:write"
    ANSWER_HANDOVER = "handover:answer"
    OVERRIDE_CLOSURE = "handover:override-closure"
    # The child's file for the authority's statutory record (PROTOCOL.md §6): the authority's side.
    EXPORT_CHILD_FILE = "child-file:export"
    # Keep a concluded case past its retention date, for litigation, a complaint or an inquiry: the
    # authority's lawyers and the managers who answer for each service.
    MANAGE_LEGAL_HOLDS = "legal-hold:manage"
    # Disputes about the child's care plan (IRO Handbook ch. 6): the IRO raises a challenge, records every
    # exchange on it, takes it up the authority's ladder and records how it ended. Who reads a dispute is
    # DISPUTE_SIGHT below; those named to answer at a stage answer it (they need not be on the case).
    RAISE_CHALLENGE = "dispute:raise"
    READ_DISPUTES = "dispute:read"
    ANSWER_DISPUTE = "dispute:answer"
    # Referral to Cafcass (CA 1989 s25B(3)(a), CPPCR 2010 reg 45): the IRO refers; the IRO, their manager and
    # the managers of the court's Cafcass service area read it; those managers acknowledge it and appoint an
    # officer; the officer (named, like a dispute's answerer: they need not be on the case) makes enquiries
    # and records the outcome, which the managers may also do.
    REFER_TO_CAFCASS = "referral:make"
    READ_REFERRALS = "referral:read"
    MANAGE_REFERRAL = "referral:manage"
    ENQUIRE_REFERRAL = "referral:enquire"
    # What was said in a record private to the guardian and the IRO (a pre-review consultation, or a contact
    # marked private): everyone else who reads the case sees that it happened, not what was said. With it,
    # the child's own IRO reads what the child said at a review marked private to them (reads_child_wishes).
    READ_PRIVATE_RECORDS = "private:read"
    # A conflict of interest between an IRO and a child of the case (issue 19): recorded by the IRO manager
    # in scope, or declared by the IRO on the case for themselves (portal/workloads/conflicts.py).
    RECORD_CONFLICTS = "conflict:record"
    # Not tied to a case.
    OPEN_PROCEEDINGS = "proceedings:open"
    # The adherence dashboards, over the cases in a manager's scope.
    VIEW_ADHERENCE = "adherence:view"
    # IRO workloads as their managers count them (issue 19): each IRO's profile and the authority's
    # weightings, kept by the IRO manager of their own authority (and its administrators); the
    # child-protection conferences an IRO chaired, entered by them too (RECORD_CONFERENCES).
    KEEP_WORKLOADS = "workload:keep"
    RECORD_CONFERENCES = "conference:record"
    MANAGE_TOKENS = "tokens:manage"
    # An organisation's people and local rules: an administrator's own organisation's only.
    ADMINISTER = "admin"
    # Every organisation's, and adding organisations: a national administrator.
    ADMINISTER_NATIONALLY = "admin:national"


# What each role may do on a case it is related to (as a member, or as a manager in scope).
CASE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # P1: both sides keep the contact ledger; P2 the guardian makes contact; P8 may raise concerns; P9
    # acknowledges significant issues; P11 may judge a pre-review consultation not needed (a waiver).
    Role.GUARDIAN: frozenset(
        {
            Permission.READ_CASE,
            Permission.LOG_CONTACT,
            Permission.MARK_REPLY,
            Permission.WAIVE_OBLIGATION,
            Permission.RECORD_ARRANGEMENT,
            Permission.RAISE_CONCERN,
            Permission.ACKNOWLEDGE_ISSUE,
            Permission.READ_ISSUES,
            Permission.READ_HANDOVER,
            Permission.FILE_PAPER,
            Permission.CONFIRM_FORWARDING,
            Permission.RECORD_IRO_VIEW,
            Permission.WRITE_HANDOVER,
            Permission.READ_DISPUTES,
            Permission.ANSWER_DISPUTE,
            Permission.READ_PRIVATE_RECORDS,
        }
    ),
    # P1, P7: the IRO records discussions with the guardian; P3: both agree how to keep in touch; P4, P5:
    # the IRO runs the child's reviews; P8 acknowledges concerns; P9 tells the guardian of significant issues.
    Role.IRO: frozenset(
        {
            Permission.READ_CASE,
            Permission.LOG_CONTACT,
            Permission.MARK_REPLY,
            Permission.RECORD_ARRANGEMENT,
            Permission.MANAGE_REVIEWS,
            Permission.PREPARE_REVIEWS,
            Permission.NOTIFY_CHANGES,
            Permission.WRITE_TO_CHILD,
            Permission.RECORD_DISCUSSION,
            Permission.RECORD_SIGNIFICANT_ISSUE,
            Permission.ACKNOWLEDGE_ISSUE,
            Permission.READ_ISSUES,
            Permission.READ_HANDOVER,
            Permission.ANSWER_HANDOVER,
            Permission.EXPORT_CHILD_FILE,
            Permission.RAISE_CHALLENGE,
            Permission.READ_DISPUTES,
            Permission.REFER_TO_CAFCASS,
            Permission.READ_REFERRALS,
            Permission.READ_PRIVATE_RECORDS,
            Permission.RECORD_CONFLICTS,
        }
    ),
    # LA legal runs the proceedings for the authority, and files its papers.
    Role.LA_SOLICITOR: frozenset(
        {
            Permission.READ_CASE,
            Permission.MANAGE_PROCEEDINGS,
            Permission.FILE_PAPER,
            Permission.EXPORT_CHILD_FILE,
            Permission.MANAGE_LEGAL_HOLDS,
            Permission.READ_DISPUTES,
        }
    ),
    # The social worker's part before each review of the child (SW1, SW2); they tell the child's IRO of a
    # significant change in the child's circumstances (SC).
    Role.SOCIAL_WORKER: frozenset(
        {Permission.READ_CASE, Permission.PREPARE_REVIEWS, Permission.NOTIFY_CHANGES}
    ),
    # Nothing on a case by role: a manager in the authority's chain reads and answers the disputes they are
    # named to at a stage (portal/disputes/service.py).
    Role.LA_MANAGER: frozenset(),
    # Cafcass managers allocate guardians within their service area, and see who looked at its cases.
    Role.CAFCASS_MANAGER: frozenset(
        {
            Permission.READ_CASE,
            Permission.ALLOCATE_GUARDIAN,
            Permission.VIEW_ACCESS_LOG,
            Permission.WAIVE_OBLIGATION,
            Permission.OVERRIDE_CLOSURE,
            Permission.READ_ISSUES,
            Permission.READ_HANDOVER,
            Permission.MANAGE_LEGAL_HOLDS,
            Permission.READ_REFERRALS,
            Permission.MANAGE_REFERRAL,
        }
    ),
    # IRO managers assign IROs to the children of their authority, and see who looked at their cases.
    Role.IRO_MANAGER: frozenset(
        {
            Permission.READ_CASE,
            Permission.ASSIGN_IRO,
            Permission.VIEW_ACCESS_LOG,
            Permission.WAIVE_OBLIGATION,
            Permission.EXPORT_CHILD_FILE,
            Permission.READ_ISSUES,
            Permission.READ_HANDOVER,
            Permission.MANAGE_LEGAL_HOLDS,
            Permission.READ_DISPUTES,
            Permission.READ_REFERRALS,
            Permission.RECORD_CONFLICTS,
        }
    ),
    Role.ADMIN: frozenset(),
    Role.NATIONAL_ADMIN: frozenset(),
}

GLOBAL_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # A Cafcass officer appointed to a referral makes its enquiries, on whichever case (portal/referrals/).
    Role.GUARDIAN: frozenset({Permission.ENQUIRE_REFERRAL}),
    Role.LA_SOLICITOR: frozenset({Permission.OPEN_PROCEEDINGS}),
    Role.CAFCASS_MANAGER: frozenset({Permission.VIEW_ADHERENCE}),
    Role.IRO_MANAGER: frozenset(
        {Permission.VIEW_ADHERENCE, Permission.KEEP_WORKLOADS, Permission.RECORD_CONFERENCES}
    ),
    # The child-protection conferences they chaired, for their own workload (portal/workloads/).
    Role.IRO: frozenset({Permission.RECORD_CONFERENCES}),
    # Answers the disputes they are named to at a stage, on whichever case (portal/disputes/service.py).
    Role.LA_MANAGER: frozenset({Permission.ANSWER_DISPUTE}),
    Role.ADMIN: frozenset({Permission.ADMINISTER}),
    Role.NATIONAL_ADMIN: frozenset({Permission.ADMINISTER, Permission.ADMINISTER_NATIONALLY}),
}
# Everyone who has a role may make API tokens for themselves (never with more than they may do).
EVERYONE: frozenset[Permission] = frozenset({Permission.MANAGE_TOKENS})

# Contacts whose content is private to the guardian and the IRO whether or not they were marked so: what the
# guardian says to the IRO before a review (P11) is for the review, never for LA legal or the social worker
# (PROTOCOL.md §6; issue 18).
PRIVATE_PURPOSES = frozenset({Purpose.PRE_REVIEW_CONSULTATION})


def is_private(purpose: Purpose, marked: bool) -> bool:
    """Whether what was said in a contact is for READ_PRIVATE_RECORDS alone."""
    return marked or purpose in PRIVATE_PURPOSES


def reads_private(actor: Actor, case_id: uuid.UUID) -> bool:
    """Whether the actor reads what was said in the case's private records: as a member of the case in a
    role that grants it (never as a manager in scope), with a token that allows it."""
    roles = acting_roles(actor.roles, actor.case_roles.get(case_id, frozenset()), [])
    return granting_role(actor, case_id, roles, Permission.READ_PRIVATE_RECORDS) is not None


def reads_child_wishes(
    actor: Actor, case_id: uuid.UUID, *, private: bool, childs_iro: bool, record_visible: bool
) -> bool:
    """Whether the actor reads what a child said at a looked-after review, their wishes and feelings (CPPCR
    2010 reg 36, IRO Handbook ch. 3; issue 18), on a review they can see. Marked private to the child's IRO,
    only the child's own IRO reads it: a live IRO membership of the case for that child (``childs_iro``),
    backed by the IRO role, with a token that allows READ_PRIVATE_RECORDS; never the guardian, the
    authority's lawyers or social workers, or a manager in scope (PROTOCOL.md §6: a topic the child asks to
    keep between them and the IRO is left out of shared records). Not marked, it is part of the review's
    record and read as that is (``record_visible``: once shared with the guardian, P5; before that, the
    IRO's). Everyone who sees the review sees that the child's participation was recorded and how."""
    if not private:
        return record_visible
    roles = [Role.IRO] if childs_iro and Role.IRO in actor.roles else []
    return granting_role(actor, case_id, roles, Permission.READ_PRIVATE_RECORDS) is not None


def exports_child_wishes(private: bool) -> bool:
    """Whether the child's file exported for the authority's statutory record carries what the child said
    at a review: never when it is private to the child's IRO, whoever exports it (the IRO included), since
    that file is shared with the authority (PROTOCOL.md §6)."""
    return not private


# Roles whose case relationship comes from organisational scope rather than membership.
MANAGER_ROLES = frozenset({Role.CAFCASS_MANAGER, Role.IRO_MANAGER})

# The organisation a person must work for to hold a role (None: any).
ROLE_ORGANISATION: dict[Role, OrganisationKind | None] = {
    Role.GUARDIAN: OrganisationKind.CAFCASS_SERVICE_AREA,
    Role.CAFCASS_MANAGER: OrganisationKind.CAFCASS_SERVICE_AREA,
    Role.IRO: OrganisationKind.LOCAL_AUTHORITY,
    Role.IRO_MANAGER: OrganisationKind.LOCAL_AUTHORITY,
    Role.LA_SOLICITOR: OrganisationKind.LOCAL_AUTHORITY,
    Role.SOCIAL_WORKER: OrganisationKind.LOCAL_AUTHORITY,
    Role.LA_MANAGER: OrganisationKind.LOCAL_AUTHORITY,
    Role.ADMIN: None,
    Role.NATIONAL_ADMIN: None,
}

# A case role is held by a person with the matching organisation role.
CASE_ROLE_REQUIRES: dict[CaseRole, Role] = {
    CaseRole.GUARDIAN: Role.GUARDIAN,
    CaseRole.IRO: Role.IRO,
    CaseRole.LA_SOLICITOR: Role.LA_SOLICITOR,
    CaseRole.SOCIAL_WORKER: Role.SOCIAL_WORKER,
}


# What a closed guardian may still do on the case, for a while: read it (PROTOCOL.md §6 keeps the record).
READS = frozenset(
    {
        Permission.READ_CASE,
        Permission.READ_ISSUES,
        Permission.READ_HANDOVER,
        Permission.READ_DISPUTES,
        Permission.READ_PRIVATE_RECORDS,
    }
)


class Sight(StrEnum):
    """When a role on the case sees a dispute."""

    ALWAYS = "always"
    # Once the IRO has told them of it (P9: it bears on the care plan before the court).
    WHEN_TOLD = "when told"
    # Once it reaches the stage its ladder names for the authority's lawyers.
    FROM_STATED_STAGE = "from the stated stage"


# Who sees a dispute (issue 17): the IRO and the IRO manager; the guardian once told; the authority's
# solicitor from the ladder's stated stage; besides them only the people named to answer at a stage (who need
# not be on the case). Never the social worker as such, the Cafcass manager or any party.
DISPUTE_SIGHT: dict[Role, Sight] = {
    Role.IRO: Sight.ALWAYS,
    Role.IRO_MANAGER: Sight.ALWAYS,
    Role.GUARDIAN: Sight.WHEN_TOLD,
    Role.LA_SOLICITOR: Sight.FROM_STATED_STAGE,
}


def sees_dispute(roles: Iterable[Role], *, told: bool, stage: int, solicitor_from: int | None) -> bool:
    """Whether one of ``roles`` on the case (those that read disputes) sees a dispute at ``stage`` (0 while
    informal), told or not to the guardian, on a ladder that shows it to the solicitor ``solicitor_from``."""
    for role in roles:
        sight = DISPUTE_SIGHT.get(role)
        if sight is Sight.ALWAYS or (sight is Sight.WHEN_TOLD and told):
            return True
        if sight is Sight.FROM_STATED_STAGE and solicitor_from is not None and stage >= solicitor_from:
            return True
    return False


def granting_role(actor: Actor, case_id: uuid.UUID, roles: Iterable[Role], need: Permission) -> Role | None:
    """The first of the actor's ``roles`` on the case that lets them ``need``, if their token allows it too;
    None if nothing does. After the guardian's involvement closes, their guardian role only reads."""
    if not token_allows(actor.scopes, need):
        return None
    if case_id in actor.read_only_cases and need not in READS:
        roles = [r for r in roles if r is not Role.GUARDIAN]
    return role_permitting(roles, need)


def acting_roles(
    person_roles: frozenset[Role], case_roles: Iterable[CaseRole], manager_scopes: Iterable[Role]
) -> list[Role]:
    """The roles a person acts in on one case, strongest first: live memberships backed by the matching
    organisation role, then the manager roles whose scope covers the case."""
    members = [CASE_ROLE_REQUIRES[r] for r in sorted(case_roles) if CASE_ROLE_REQUIRES[r] in person_roles]
    managers = [r for r in sorted(manager_scopes) if r in person_roles and r in MANAGER_ROLES]
    return members + managers


def role_permitting(roles: Iterable[Role], need: Permission) -> Role | None:
    """The first of ``roles`` that grants ``need`` on a case, or None."""
    return next((r for r in roles if need in CASE_PERMISSIONS[r]), None)


def case_permissions(roles: Iterable[Role]) -> frozenset[Permission]:
    return frozenset().union(*(CASE_PERMISSIONS[r] for r in roles))


def token_allows(scopes: frozenset[str] | None, need: Permission) -> bool:
    """Whether a request's API token (its scopes; None for a signed-in person) allows ``need``."""
    return scopes is None or need.value in scopes


def has_global_permission(
    person_roles: frozenset[Role], need: Permission, scopes: frozenset[str] | None = None
) -> bool:
    granted = EVERYONE if person_roles else frozenset()
    granted = granted.union(*(GLOBAL_PERMISSIONS.get(r, frozenset()) for r in person_roles))
    return need in granted and token_allows(scopes, need)


def grantable(person_roles: frozenset[Role]) -> frozenset[Permission]:
    """Every permission a person's roles can give them somewhere: what a token of theirs may be scoped to."""
    return frozenset(p for p in Permission if has_global_permission(person_roles, p)) | case_permissions(
        r for r in person_roles
    )


def administers(actor: Actor, organisation_id: uuid.UUID) -> bool:
    """Whether the actor may manage the organisation's people and rules: an administrator their own
    organisation's, a national administrator anyone's."""
    if has_global_permission(actor.roles, Permission.ADMINISTER_NATIONALLY, actor.scopes):
        return True
    return actor.organisation_id == organisation_id and has_global_permission(
        actor.roles, Permission.ADMINISTER, actor.scopes
    )
