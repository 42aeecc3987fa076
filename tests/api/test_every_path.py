"""Every path to a child's record, walked from the schema itself: for every root field, a query selecting
every field beneath it (to a depth), asked by people in every relationship to two cases, signed in and with
an API token of each scope alone. What each answer may carry is written here, independently of the role
table (portal/access/policy.py): a field that leaks to someone who may not see it, a record kept back that
shows, a field that no rule here classifies, or a case whose content an answer carries without its look in
the audit trail, fails the test. A new field is walked as soon as it is in the schema.

The queries run in-process on a copy of the schema without the cost limits (the generated documents are far
larger than any client's), each in a transaction that is rolled back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLType,
    Undefined,
    get_named_type,
)
from models import Confidentiality, FilingParty, LawfulBasis, PaperKind, Role
from portal.access.policy import grantable
from portal.api.context import Context
from portal.api.extensions import ExpectedErrors
from portal.api.queries import Query
from portal.api.scalars import OVERRIDES
from portal.api.schema import Mutation, PortalSchema
from portal.audit import pending
from portal.audit.service import Look
from portal.auth.actor import Via
from portal.auth.service import actor_for_person
from portal.db import UnitOfWork, create_session_factory
from portal.people.service import add_person
from portal.settings import Settings
from tests.support.setting import PEOPLE, Setting, make_setting
from tests.support.world import World

# The classes of what an answer carries.
PUBLIC = "public"  # reference data anyone signed in may read
SELF = "self"  # the asker's own account and tokens
ADMIN = "admin"  # an organisation's people, for its administrators
FIGURES = "figures"  # the dashboards' counts
DRILL = "drill"  # the cases behind a figure: their numbers
CASE = "case"  # a case's content
ISSUES = "issues"  # concerns and significant issues (P8, P9)
HANDOVER = "handover"  # the handover and the IRO's monitoring items (P14, P15)
ACCESS_LOG = "access log"  # who looked at and changed a case
PAPERS = "papers"  # court papers, each by its level (checked record by record below)
INHERIT = "inherit"  # shown where its parent is: a person, an organisation, a page's cursor
STAFF_EMAIL = "staff email"  # email to an organisation's staff that gave up (the setting's: to its IRO)
DISPUTES = "disputes"  # disputes about the care plan (the setting's: told to the guardian, at stage 3)
REFERRALS = "referrals"  # referrals to Cafcass (the setting's: from its IRO, with an officer appointed)
WORKLOADS = "workloads"  # an IRO's profile and an authority's weights: its IRO manager's and administrator's

# Who may see each class, as the protocol says (PROTOCOL.md §6), by the people of tests/support/setting.py:
# live members of the cases and the managers whose scope covers them.
MEMBERS = {"guardian", "iro", "solicitor", "social_worker"}
MANAGERS_IN_SCOPE = {"cafcass_manager", "iro_manager"}
ALL_MANAGERS = MANAGERS_IN_SCOPE | {"other_cafcass_manager", "other_iro_manager"}
WHO: dict[str, set[str]] = {
    CASE: MEMBERS | MANAGERS_IN_SCOPE,
    # Between the guardian and the IRO and their managers: never the authority's lawyers or social workers.
    ISSUES: {"guardian", "iro"} | MANAGERS_IN_SCOPE,
    HANDOVER: {"guardian", "iro"} | MANAGERS_IN_SCOPE,
    ACCESS_LOG: set(MANAGERS_IN_SCOPE),
    FIGURES: set(ALL_MANAGERS),
    DRILL: set(ALL_MANAGERS),
    ADMIN: {"admin"},
    PAPERS: MEMBERS | MANAGERS_IN_SCOPE,  # narrowed paper by paper below
    # The IRO's organisation's administrator and its IRO manager.
    STAFF_EMAIL: {"admin", "iro_manager"},
    # DISPUTE_SIGHT: the IRO and the IRO manager; the guardian, told of it; the solicitor, at the ladder's
    # third stage; the manager named to answer it. Never the social worker or a Cafcass manager.
    DISPUTES: {"guardian", "iro", "solicitor", "iro_manager", "team_manager"},
    # The IRO and the IRO manager; the managers of the court's Cafcass service area; the officer appointed.
    # Never the guardian on the case as such, the authority's lawyers or the managers of its ladder.
    REFERRALS: {"iro", "iro_manager", "cafcass_manager", "officer"},
    # The authority's IRO manager and administrator; an IRO's own profile, the IRO (issue 19).
    WORKLOADS: {"iro_manager", "admin", "iro"},
}
# What a token must carry, besides, for each class (a signed-in person's session carries everything).
NEEDS: dict[str, set[str]] = {
    CASE: {"case:read"},
    ISSUES: {"case:read", "issue:read"},
    HANDOVER: {"case:read", "handover:read"},
    ACCESS_LOG: {"case:read", "case:access-log"},
    FIGURES: {"adherence:view"},
    DRILL: {"adherence:view"},
    ADMIN: {"admin"},
    PAPERS: {"case:read"},
    DISPUTES: {"case:read", "dispute:read"},
    REFERRALS: {"case:read", "referral:read"},
    WORKLOADS: {"workload:keep"},
}
# The manager named to answer a dispute sees it with dispute:answer, without reading the case.
DISPUTE_NEEDS = {"team_manager": {"dispute:answer"}}
# The officer appointed to a referral sees it with referral:enquire, without reading the case.
REFERRAL_NEEDS = {"officer": {"referral:enquire"}}
# An administrator keeps the workloads with admin; the IRO reads their own profile with conference:record.
WORKLOAD_NEEDS = {"admin": {"admin"}, "iro": {"conference:record"}}
# Who sees the staff's undelivered email with a token, and with which scope: an administrator with admin, a
# manager with adherence:view.
STAFF_EMAIL_NEEDS = {"admin": {"admin"}, "iro_manager": {"adherence:view"}}

# Every field of these types is of the type's class.
TYPE_RULES: dict[str, str] = {
    "Me": SELF,
    "ApiToken": SELF,
    # The problems with the asker's own input (openProceedingsCheck).
    "ProceedingsCheck": SELF,
    "Organisation": INHERIT,
    "Person": INHERIT,
    "PageInfo": INHERIT,
    # An error in a query's answer (why the guardian cannot close yet, what a draft still needs): of its
    # parent's class.
    "UserError": INHERIT,
    "HandoverTemplate": PUBLIC,
    "HandoverSection": PUBLIC,
    "HandoverField": PUBLIC,
    "ObligationRule": PUBLIC,
    "Timescale": CASE,
    "StageChange": CASE,
    "Extension": CASE,
    "Child": CASE,
    "LegalStatusChange": CASE,
    "IroAbsence": CASE,
    "NextReview": CASE,
    "CaseMember": CASE,
    "Contact": CASE,
    "ContactReply": CASE,
    "ContactCounts": CASE,
    "Protocol": CASE,
    "ConsultationArrangement": CASE,
    "Obligation": CASE,
    "ObligationHistoryEntry": CASE,
    "Review": CASE,
    # What the child said (wishesAndFeelings) is kept back record by record below, when private to the IRO.
    "ReviewParticipation": CASE,
    # A review's decisions and the record of their manager's check (issue 18), read where the review is.
    "ReviewDecision": CASE,
    "ReviewDecisionsCheck": CASE,
    # The social worker's part before a review (SW1, SW2), read where the review is.
    "ReviewPreparation": CASE,
    # A decision on its owner's task list, and the decisions put to the manager asked to confirm them: the
    # asker's own (they need not be on the case; what of the case they carry is theirs to see).
    "DecisionTask": SELF,
    "DecisionsCheckTask": SELF,
    "DecisionToSettle": SELF,
    "CheckedDecision": INHERIT,
    # A significant change in a child's circumstances and the IRO's answer (SC): the case's, read by all who
    # read the case.
    "SignificantChange": CASE,
    # The IRO's midpoint checks and each child's cycle between reviews (issue 19): the case's, read by all who
    # read the case.
    "MidpointCheck": CASE,
    "MidpointCycle": CASE,
    # The IRO's introduction to a child (issue 19): the case's, read by all who read the case.
    "IroIntroduction": CASE,
    "Discussion": CASE,
    "AgreedAction": CASE,
    "FinalOrder": CASE,
    "ChecklistItem": CASE,
    "ForwardingConfirmation": CASE,
    "ClosingCondition": CASE,
    "Closure": CASE,
    "SoleScrutiny": CASE,
    "CaseAbilities": CASE,
    "Task": CASE,
    "AwaitedReply": CASE,
    "RaisedIssue": ISSUES,
    "IssueToAcknowledge": ISSUES,
    "Handover": HANDOVER,
    "MonitoringItem": HANDOVER,
    "AccessLog": ACCESS_LOG,
    "AccessEvent": ACCESS_LOG,
    "CourtPaper": PAPERS,
    "PaperVersion": PAPERS,
    "PaperReceipt": PAPERS,
    "CarePlanVersion": PAPERS,
    "PlanInBrief": PAPERS,
    "PlanChange": PAPERS,
    "AdherenceLine": FIGURES,
    "Table1Line": FIGURES,
    "Perceived": FIGURES,
    "ProceedingsTracker": FIGURES,
    "TrackerBucket": FIGURES,
    "HandoverFigures": FIGURES,
    "DisputeFigures": FIGURES,
    "StageCount": FIGURES,
    "OutcomeCount": FIGURES,
    "PaperTimings": FIGURES,
    "IroWorkload": FIGURES,
    # The IRO's view in the guardians' analyses (issue 19): read where the paper is; counted as figures.
    "IroView": PAPERS,
    "IroViewFigures": FIGURES,
    # The monthly management report (issue 19): its figures; the children concerned are the cases' content.
    "MonthlyReport": FIGURES,
    # The children's participation figures and the annual report (issue 19): figures, drafted into words.
    "ParticipationFigures": FIGURES,
    "AttendanceCount": FIGURES,
    "ConveyedCount": FIGURES,
    "AnnualReportDocument": FIGURES,
    "ReportSection": FIGURES,
    "ReportTable": FIGURES,
    "MonthlyTeamLine": FIGURES,
    "ChildConcerned": CASE,
    # The authority's workloads weighed (issue 19): its figures; its weights, where they are asked for.
    "AuthorityWorkload": FIGURES,
    "WorkloadWeights": INHERIT,
    "IroWorkloadProfile": INHERIT,
    "IroProfile": INHERIT,
    "ConferencesChaired": INHERIT,
    # An IRO's conflict of interest with a child of a case: the case's content.
    "OpenConflictOfInterest": CASE,
    "ConflictOfInterest": CASE,
    "MidpointCoverage": FIGURES,
    "MidpointCoverageLine": FIGURES,
    "GuardianCaseload": FIGURES,
    "AtRisk": DRILL,
    "CaseReference": DRILL,
    # The children behind a coverage figure on a case (issue 19): their names are the case's content.
    "MidpointChild": CASE,
    "UndeliveredEmail": STAFF_EMAIL,
    "CaseRetention": CASE,
    "LegalHold": CASE,
    # An authority's retention rule and the cases deleted under it (ids and dates): its administrators'.
    "RetentionRule": ADMIN,
    "DeletedCase": ADMIN,
    "Dispute": DISPUTES,
    "DisputeStage": DISPUTES,
    "DisputeNote": DISPUTES,
    "DisputeAbilities": DISPUTES,
    "DisputeDocument": DISPUTES,
    # What a child was told of a resolved dispute (issue 19), read where the dispute is.
    "ChildSummary": DISPUTES,
    # A dispute ladder: of its parent's class (an authority's administrators' from disputeLadder; the IRO on
    # the case's from caseDisputeLadder; a dispute's from its next stage).
    "DisputeLadder": INHERIT,
    "LadderStage": INHERIT,
    "CafcassReferral": REFERRALS,
    "ReferralEnquiry": REFERRALS,
    "ReferralPaper": REFERRALS,
    "ReferralAbilities": REFERRALS,
    # A service area's timescale for referrals: its administrators'.
    "ReferralTimescale": ADMIN,
}
# Types whose fields differ: every field is named.
FIELD_RULES: dict[str, str] = {
    **{
        f"Query.{name}": rule
        for name, rule in {
            "me": SELF,
            "apiTokens": SELF,
            "organisations": PUBLIC,
            "localAuthorities": PUBLIC,
            "handoverTemplate": PUBLIC,
            "obligationRules": PUBLIC,
            "people": ADMIN,
            "openProceedingsCheck": SELF,
            "cases": SELF,
            "case": CASE,
            "myTasks": CASE,
            "myAwaitedReplies": CASE,
            "myIssuesToAcknowledge": ISSUES,
            "myMonitoringItems": HANDOVER,
            "myReviewDecisions": SELF,
            "myDecisionChecks": SELF,
            # The child's IRO's own list (empty for anyone else), as "cases" is.
            "decisionsToSettle": SELF,
            "adherence": FIGURES,
            "table1": FIGURES,
            "proceedingsTracker": FIGURES,
            "iroWorkload": FIGURES,
            "authorityWorkload": FIGURES,
            "iroProfile": WORKLOADS,
            "workloadWeights": WORKLOADS,
            "midpointCoverage": FIGURES,
            "handoverFigures": FIGURES,
            "disputeFigures": FIGURES,
            "paperTimings": FIGURES,
            "iroViewFigures": FIGURES,
            "monthlyReport": FIGURES,
            "participation": FIGURES,
            "annualReport": FIGURES,
            "dashboardCases": DRILL,
            "adherenceCases": DRILL,
            # The staffing queues: a list of your own, as "cases" is; the cases in it are each a case's.
            "allocationQueue": SELF,
            "assignmentQueue": SELF,
            "guardianCaseloads": FIGURES,
            "undeliveredEmail": STAFF_EMAIL,
            "retentionRule": ADMIN,
            # The disputes you may see: a list of your own; each dispute is of its class.
            "disputes": SELF,
            "dispute": DISPUTES,
            "disputeLadder": ADMIN,
            # The referrals you may see: a list of your own; each referral is of its class.
            "referrals": SELF,
            # The managers an IRO may name at a stage: the IRO on the case's.
            "disputeAnswerers": CASE,
            "caseDisputeLadder": CASE,
            "referral": REFERRALS,
            "referralTimescale": ADMIN,
        }.items()
    },
    **{
        f"Case.{name}": CASE
        for name in (
            "id",
            "caseNumber",
            "issuedOn",
            "stage",
            "viewerRoles",
            "court",
            "localAuthority",
            "timescale",
            "stageHistory",
            "extensions",
            "children",
            "members",
            "contacts",
            "contactCounts",
            "protocol",
            "consultationArrangement",
            "obligations",
            "reviews",
            "significantChanges",
            "midpointChecks",
            "introductions",
            "discussions",
            "discussion",
            "finalOrders",
            "paperChecklist",
            "forwardingConfirmations",
            "closingChecklist",
            "closingProblems",
            "closure",
            "soleScrutiny",
            "contactCounterparts",
            "viewerCan",
            "retention",
        )
    },
    # Your list of cases: how many there are is yours to know; the cases are each a case's content.
    "CaseConnection.nodes": CASE,
    "CaseConnection.pageInfo": SELF,
    "CaseConnection.totalCount": SELF,
    "Case.raisedIssues": ISSUES,
    "Case.handovers": HANDOVER,
    # Each dispute and referral is of its class (DISPUTES, REFERRALS): the lists are the asker's own.
    "Case.disputes": SELF,
    "Case.referrals": SELF,
    "Case.accessLog": ACCESS_LOG,
    "Case.papers": PAPERS,
    "Case.carePlans": PAPERS,
    "CaseReference.case": CASE,
    "CaseReference.midpoints": CASE,
}


def rule_of(type_name: str, field_name: str) -> str | None:
    return FIELD_RULES.get(f"{type_name}.{field_name}") or TYPE_RULES.get(type_name)


# The kind of look each root records for the cases its answer carries.
LOOKS = {
    "cases": Look.LIST,
    "case": Look.VIEW,
    "myTasks": Look.TASK_LIST,
    "myAwaitedReplies": Look.TASK_LIST,
    "myIssuesToAcknowledge": Look.TASK_LIST,
    "myMonitoringItems": Look.TASK_LIST,
    "dashboardCases": Look.DRILL_DOWN,
    "adherenceCases": Look.DRILL_DOWN,
    "proceedingsTracker": Look.DRILL_DOWN,
    "allocationQueue": Look.LIST,
    "assignmentQueue": Look.LIST,
    "dispute": Look.DISPUTE,
    "disputes": Look.DISPUTE_LIST,
    "referral": Look.REFERRAL,
    "referrals": Look.REFERRAL_LIST,
    # An IRO's conflicts of interest name the children (issue 19).
    "iroWorkload": Look.DRILL_DOWN,
    "authorityWorkload": Look.DRILL_DOWN,
}

MAX_DEPTH = 7
# The schema without its cost limits: the generated documents are far larger than any client's.
UNLIMITED = PortalSchema(
    query=Query, mutation=Mutation, extensions=[ExpectedErrors], scalar_overrides=OVERRIDES
)


@dataclass
class Node:
    """A generated selection: for each field, its type's name and its own selection (None for a leaf)."""

    type_name: str
    fields: dict[str, tuple[str, Node | None]] = field(default_factory=dict)

    def render(self) -> str:
        parts = []
        for name, (_, child) in self.fields.items():
            parts.append(name if child is None else f"{name} {child.render()}")
        return "{ " + " ".join(parts) + " }"


def _unwrap(gtype: GraphQLType) -> GraphQLType:
    while isinstance(gtype, GraphQLNonNull | GraphQLList):
        gtype = gtype.of_type
    return gtype


@dataclass(frozen=True)
class EnumValue:
    """An enum value for a generated argument (written unquoted)."""

    name: str


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, EnumValue):
        return value.name
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    return f'"{value}"'


def _arguments(given: dict[str, Any]) -> str:
    return ("(" + ", ".join(f"{k}: {_literal(v)}" for k, v in given.items()) + ")") if given else ""


def select(
    gtype: GraphQLObjectType, arguments: dict[str, dict[str, Any]], depth: int, path: tuple[str, ...]
) -> Node:
    """Every field of ``gtype`` and beneath, to MAX_DEPTH, a type at most once on any path. A field with a
    required argument is selected only if ``arguments`` gives it one (keyed "Type.field")."""
    node = Node(gtype.name)
    for name, definition in gtype.fields.items():
        given = arguments.get(f"{gtype.name}.{name}", {})
        if _missing(definition.args, given):
            continue
        target = _unwrap(definition.type)
        args = _arguments(given)
        if isinstance(target, GraphQLScalarType | GraphQLEnumType):
            node.fields[name + args] = (name, None)
        elif isinstance(target, GraphQLObjectType) and target.name not in path and depth < MAX_DEPTH:
            node.fields[name + args] = (name, select(target, arguments, depth + 1, (*path, target.name)))
    return node


def _missing(args: dict[str, Any], given: dict[str, Any]) -> list[str]:
    """The required arguments (without defaults) that ``given`` does not give."""
    return [
        a
        for a, arg in args.items()
        if isinstance(arg.type, GraphQLNonNull) and a not in given and arg.default_value is Undefined
    ]


def _present(value: Any) -> bool:
    return value is not None and value != [] and value != ""


@dataclass
class Seen:
    """What an answer carried: each classified field with content, and each object by type."""

    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (class, "Type.field", case id)
    objects: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    cases: set[str] = field(default_factory=set)


def walk(data: Any, node: Node, seen: Seen, case_id: str, inherited: str | None) -> None:
    """Record what ``data`` (the answer for ``node``) carries, with the case each part belongs to."""
    if isinstance(data, list):
        for item in data:
            walk(item, node, seen, case_id, inherited)
        return
    if not isinstance(data, dict):
        return
    seen.objects.setdefault(node.type_name, []).append(data)
    if node.type_name in {"Case", "CaseReference"} and data.get("id"):
        case_id = data["id"]
    elif data.get("caseId"):
        case_id = data["caseId"]
    elif isinstance(data.get("case"), dict) and data["case"].get("id"):
        case_id = data["case"]["id"]
    if case_id:
        seen.cases.add(case_id)
    for key, (name, child) in node.fields.items():
        value = data.get(key.split("(")[0])
        rule = rule_of(node.type_name, name)
        assert rule is not None, f"{node.type_name}.{name} is not classified"
        effective = inherited if rule == INHERIT else rule
        if _present(value) and effective not in {None, PUBLIC, INHERIT}:
            seen.fields.append((effective, f"{node.type_name}.{name}", case_id))
        if child is not None:
            walk(value, child, seen, case_id, effective)


def test_every_type_and_field_is_classified() -> None:
    unclassified = []
    for gtype in strawberry.Schema(query=Query)._schema.type_map.values():
        if not isinstance(gtype, GraphQLObjectType) or gtype.name.startswith("__"):
            continue
        unclassified += [f"{gtype.name}.{n}" for n in gtype.fields if rule_of(gtype.name, n) is None]
    assert unclassified == []
    assert set(LOOKS) <= {k.removeprefix("Query.") for k in FIELD_RULES if k.startswith("Query.")}


@dataclass(frozen=True)
class Asker:
    key: str
    # The token's scopes; None for a signed-in person's session.
    scopes: frozenset[str] | None

    def allowed(self, rule: str) -> bool:
        who = WHO.get(rule)
        if who is None:
            return True
        if rule == STAFF_EMAIL:
            needs = STAFF_EMAIL_NEEDS.get(self.key, set())
        else:
            named = {DISPUTES: DISPUTE_NEEDS, REFERRALS: REFERRAL_NEEDS, WORKLOADS: WORKLOAD_NEEDS}
            named = named.get(rule, {})
            needs = named.get(self.key, NEEDS[rule])
        return self.key in who and (self.scopes is None or needs <= self.scopes)

    def __str__(self) -> str:
        return f"{self.key} ({'signed in' if self.scopes is None else ' '.join(sorted(self.scopes))})"


@dataclass
class Records:
    """What is kept back record by record: the setting's ids and who may see each."""

    unshared_issue: str
    draft_handover: str
    # A dispute the guardian has not been told of, still informal: the IRO's and the IRO manager's only.
    untold_dispute: str
    # A referral with no officer yet: not the officer's (who is appointed to another).
    unappointed_referral: str
    # What a child said at the held review, private to their IRO: the case's IRO's to read alone.
    private_wishes: str
    # Paper version ids by confidentiality level.
    papers: dict[Confidentiality, str]
    cases: list[str]


PRIVATE_WISHES = "What Ben said to his IRO alone."

# Who opens a paper of each level (the IRO: once shared with them, as these are when the level admits).
PAPER_READERS = {
    Confidentiality.STANDARD: {"guardian", "iro", "solicitor", "social_worker"},
    Confidentiality.RESTRICTED: {"guardian", "iro", "solicitor"},
    Confidentiality.LEGAL_ONLY: {"guardian", "solicitor"},
}


async def _more(world: World, sessions: async_sessionmaker, s: Setting) -> Records:
    """The setting, with what it lacks for this test: a paper of each level, the submitted handover
    acknowledged (its issues become the IRO's monitoring items), and an
    administrator of another organisation."""
    from models import ChildAttendance, ViewsConveyed
    from portal.handovers import service as handovers
    from portal.papers import service as papers
    from portal.papers.receive import Received
    from portal.reviews import participation

    case_id = s.case_id
    versions = {}
    async with sessions() as session, session.begin():
        solicitor = await actor_for_person(session, world.id("solicitor"), via=Via.API)
        iro = await actor_for_person(session, world.id("iro"), via=Via.API)
        assert solicitor is not None
        assert iro is not None
        for level in Confidentiality:
            received = Received(uuid.uuid4().hex * 2, 10, "application/pdf", f"{level.value}.pdf")
            upload = await papers.record_upload(session, solicitor, case_id, received)
            _, version = await papers.file_paper(
                session,
                solicitor,
                papers.FilePaper(
                    upload.id,
                    date.today(),
                    PaperKind.POSITION_STATEMENT,
                    f"Position statement ({level.value})",
                    FilingParty.LOCAL_AUTHORITY,
                    level,
                    LawfulBasis.WITHHELD_BY_COURT
                    if level is Confidentiality.LEGAL_ONLY
                    else LawfulBasis.FPR_12_73_IRO,
                ),
            )
            versions[level] = str(version.id)
        await handovers.answer(session, iro, uuid.UUID(s.submitted_handover_id), acknowledge=True)
        await participation.record_participation(
            session,
            iro,
            participation.RecordParticipation(
                uuid.UUID(s.held_review_id),
                ChildAttendance.VIEWS_CONVEYED,
                ViewsConveyed.ADVOCATE,
                "An advocate",
                PRIVATE_WISHES,
                private=True,
            ),
        )
        world.people["other_admin"] = await add_person(
            session,
            None,
            organisation_id=world.orgs["northmoor"].id,
            name="Otto Admin",
            email="otto.admin@northmoor.example.gov.uk",
            roles=[Role.ADMIN],
        )
    return Records(
        unshared_issue=s.issue_id,
        draft_handover=s.draft_handover_id,
        untold_dispute=s.untold_dispute_id,
        unappointed_referral=s.new_referral_id,
        private_wishes=PRIVATE_WISHES,
        papers=versions,
        cases=[str(s.case_id), s.handover_case_id],
    )


def _askers() -> Iterator[Asker]:
    """Everyone signed in (an administrator of another organisation too), and everyone on the cases or in
    scope, and the administrators, with a token of each scope their roles allow, alone."""
    for someone in PEOPLE:
        yield Asker(someone.key, None)
    yield Asker("other_admin", None)
    for someone in PEOPLE:
        if (
            someone.role is not None and someone.relation in {"member", "manager in scope"}
        ) or someone.key == "admin":
            assert someone.role is not None
            for scope in sorted(p.value for p in grantable(frozenset({someone.role}))):
                yield Asker(someone.key, frozenset({scope}))
    yield Asker("other_admin", frozenset({"admin"}))


def _documents(world: World, s: Setting, records: Records) -> list[tuple[str, dict[str, Node]]]:
    """Queries for every root field (the case root once for each case), every field beneath. Roots that
    cannot be null go one to a query: refused, they would take the whole answer with them."""
    schema = UNLIMITED._schema
    today = date.today()
    period = {"start": (today - timedelta(days=365)).isoformat(), "end": today.isoformat()}
    arguments: dict[str, dict[str, Any]] = {
        "Query.people": {"organisationId": str(world.orgs["riverside"].id)},
        "Query.retentionRule": {"organisationId": str(world.orgs["riverside"].id)},
        "Query.disputeLadder": {"organisationId": str(world.orgs["riverside"].id)},
        "Query.dispute": {"id": s.dispute_id},
        "Query.referral": {"id": s.referral_id},
        "Query.disputeAnswerers": {"caseId": str(s.case_id)},
        "Query.decisionsToSettle": {"reviewId": s.held_review_id},
        "Query.caseDisputeLadder": {"caseId": str(s.case_id)},
        "Query.referralTimescale": {"organisationId": str(world.orgs["cafcass"].id)},
        "Query.iroProfile": {"iroId": str(world.id("iro"))},
        "Query.workloadWeights": {"organisationId": str(world.orgs["riverside"].id)},
        "Query.openProceedingsCheck": {
            "input": {
                "courtId": str(world.orgs["court"].id),
                "caseNumber": "EVERY1",
                "issuedOn": today.isoformat(),
                "newChildren": [
                    {
                        "givenName": "Cal",
                        "familyName": "Example",
                        "dateOfBirth": "2022-01-01",
                        "legalStatus": EnumValue("NO_ORDER"),
                    }
                ],
            }
        },
        "Query.adherence": {**period, "by": EnumValue("NONE")},
        "Query.table1": period,
        "Query.handoverFigures": period,
        "Query.disputeFigures": period,
        "Query.paperTimings": period,
        "Query.iroViewFigures": {**period, "by": EnumValue("NONE")},
        "Query.monthlyReport": {"year": today.year, "month": today.month},
        "Query.participation": period,
        "Query.annualReport": {"year": today.year - 1},
        "Query.midpointCoverage": period,
        "Query.dashboardCases": {**period, "figure": EnumValue("TRACKER_UNDER_13_WEEKS")},
        "Query.adherenceCases": {
            **period,
            "code": "P2",
            "measure": EnumValue("OPENED"),
            "by": EnumValue("NONE"),
        },
        "Query.allocationQueue": {"waiting": False},
        "Query.assignmentQueue": {"waiting": False},
        "Case.discussion": {"id": s.discussion_id},
        "Case.members": {"includeEnded": True},
    }
    together: list[str] = []
    alone: list[tuple[str, dict[str, Node]]] = []
    roots: dict[str, Node] = {}
    query = schema.query_type
    assert query is not None
    for name, definition in query.fields.items():
        target = get_named_type(definition.type)
        assert isinstance(target, GraphQLObjectType)
        calls: list[tuple[str, dict[str, Any]]]
        if name == "case":
            calls = [(f"case_{n}", {"id": case}) for n, case in enumerate(records.cases)]
        else:
            given = arguments.get(f"Query.{name}", {})
            assert not _missing(definition.args, given), (
                f"Query.{name} needs arguments this test does not give: every root must be walked"
            )
            calls = [(name, given)]
        for alias, given in calls:
            node = select(target, arguments, 1, (target.name,))
            line = f"{alias}: {name}{_arguments(given)} {node.render()}"
            if isinstance(definition.type, GraphQLNonNull):
                alone.append((f"query Everything {{ {line} }}", {alias: node}))
            else:
                together.append(line)
                roots[alias] = node
    return [("query Everything {\n" + "\n".join(together) + "\n}", roots), *alone]


async def _ask(
    sessions: async_sessionmaker, settings: Settings, world: World, asker: Asker, document: str
) -> tuple[dict[str, Any], list[str], set[tuple[str, str]]]:
    """The answer, its error codes, and the looks the request would record (case id, kind)."""
    async with sessions() as session:
        uow = UnitOfWork(session)
        actor = await uow.run(
            lambda s: actor_for_person(s, world.id(asker.key), via=Via.API, scopes=asker.scopes)
        )
        result = await UNLIMITED.execute(
            document,
            context_value=Context(settings=settings, uow=uow, actor=actor),
            operation_name="Everything",
        )
        await uow.settle()
        looks = {
            (str(p.row["case_id"]), p.row["action"])
            for p in pending.take(session)
            if p.row["action"].startswith("case.") and p.row["case_id"]
        }
        await session.rollback()
    codes = [(e.extensions or {}).get("code", "") for e in result.errors or []]
    return result.data or {}, codes, looks


async def test_no_path_carries_what_its_asker_may_not_see(
    world: World, engine: AsyncEngine, settings: Settings
) -> None:
    sessions = create_session_factory(engine)
    setting = await make_setting(world, sessions)
    records = await _more(world, sessions, setting)
    documents = _documents(world, setting, records)
    wrong: list[str] = []
    witnessed: dict[Asker, set[str]] = {}
    for asker in _askers():
        seen_all: set[str] = set()
        for document, roots in documents:
            wrong += await _check(sessions, settings, world, asker, document, roots, records, seen_all)
        witnessed[asker] = seen_all
    assert wrong == []
    _assert_witnessed(witnessed)
    # What the child said privately reaches their IRO (and, by the checks above, nobody else).
    assert PRIVATE_WISHES in witnessed[Asker("iro", None)]


async def _check(
    sessions: async_sessionmaker,
    settings: Settings,
    world: World,
    asker: Asker,
    document: str,
    roots: dict[str, Node],
    records: Records,
    seen_all: set[str],
) -> list[str]:
    """What is wrong with the answer to ``document`` for ``asker``; the classes it carried go in
    ``seen_all``."""
    wrong = []
    data, codes, looks = await _ask(sessions, settings, world, asker, document)
    assert set(codes) <= {"NOT_FOUND", "NOT_PERMITTED", "UNAUTHENTICATED"}, (str(asker), codes)
    for alias, node in roots.items():
        seen = Seen()
        root = alias.split("_")[0]
        rule = rule_of("Query", root)
        if _present(data.get(alias)) and rule not in {PUBLIC, INHERIT, None}:
            seen.fields.append((rule, f"Query.{root}", ""))
        walk(data.get(alias), node, seen, "", rule)
        # Class by class: nothing of a class the asker may not see.
        for rule, where, case in seen.fields:
            seen_all.add(rule)
            if not asker.allowed(rule):
                wrong.append(f"{asker}: {alias} carries {where} ({rule}) of case {case}")
        # Record by record: what is kept back, and each paper by its level.
        wrong += _kept_back(asker, alias, seen, records)
        participations = seen.objects.get("ReviewParticipation", [])
        if any(p.get("wishesAndFeelings") == records.private_wishes for p in participations):
            seen_all.add(PRIVATE_WISHES)
        # Every case an answer carries content of has its look, of this root's kind.
        if root in LOOKS:
            content = {case for kind, _, case in seen.fields if case and kind not in {FIGURES, SELF, ADMIN}}
            for case in content:
                if (case, LOOKS[root].value) not in looks:
                    wrong.append(f"{asker}: {alias} carries case {case} with no {LOOKS[root].value} look")
    return wrong


def _kept_back(asker: Asker, alias: str, seen: Seen, records: Records) -> list[str]:
    """What ``seen`` shows of the records kept back, to someone they are kept from."""
    wrong = []
    ids = {kind: {o.get("id") for o in objects if o.get("id")} for kind, objects in seen.objects.items()}
    if records.unshared_issue in ids.get("RaisedIssue", set()) and asker.key != "iro":
        wrong.append(f"{asker}: {alias} shows the significant issue not yet shared with the guardian")
    if records.draft_handover in ids.get("Handover", set()) and asker.key != "guardian":
        wrong.append(f"{asker}: {alias} shows the guardian's draft handover")
    for level, version in records.papers.items():
        if version in ids.get("PaperVersion", set()) and asker.key not in PAPER_READERS[level]:
            wrong.append(f"{asker}: {alias} opens a {level.value} paper")
    if records.untold_dispute in ids.get("Dispute", set()) and asker.key not in {"iro", "iro_manager"}:
        wrong.append(f"{asker}: {alias} shows a dispute the guardian was not told of, still informal")
    if records.unappointed_referral in ids.get("CafcassReferral", set()) and asker.key == "officer":
        wrong.append(f"{asker}: {alias} shows a referral they are not appointed to")
    for found in seen.objects.get("ReviewParticipation", []):
        if found.get("wishesAndFeelings") == records.private_wishes and asker.key != "iro":
            wrong.append(f"{asker}: {alias} shows what a child said privately to their IRO")
    if ids.get("MonitoringItem") and asker.key != "iro":
        wrong.append(f"{asker}: {alias} shows monitoring items, which are the live IRO's")
    return wrong


# What must be seen, by whom: each class reaches everyone it should, so that the checks above do not pass
# only because nothing came back.
WITNESSES = {
    CASE: "guardian iro solicitor social_worker cafcass_manager iro_manager",
    ISSUES: "guardian iro cafcass_manager iro_manager",
    HANDOVER: "guardian iro cafcass_manager iro_manager",
    ACCESS_LOG: "cafcass_manager iro_manager",
    FIGURES: "cafcass_manager iro_manager",
    DRILL: "cafcass_manager iro_manager",
    ADMIN: "admin",
    PAPERS: "guardian iro solicitor social_worker",
    DISPUTES: "guardian iro solicitor iro_manager team_manager",
    REFERRALS: "iro iro_manager cafcass_manager officer",
    WORKLOADS: "iro_manager admin iro",
}


def _assert_witnessed(witnessed: dict[Asker, set[str]]) -> None:
    missing = [
        f"{key} signed in never saw any {rule}"
        for rule, keys in WITNESSES.items()
        for key in keys.split()
        if rule not in witnessed[Asker(key, None)]
    ]
    # And with a token carrying only what the class needs, where one scope is enough.
    for rule, keys in WITNESSES.items():
        if len(NEEDS[rule]) == 1:
            (scope,) = NEEDS[rule]
            for key in keys.split():
                asker = Asker(key, frozenset({scope}))
                if asker in witnessed and rule not in witnessed[asker]:
                    missing.append(f"{asker} never saw any {rule}")
    assert missing == []


async def test_the_figures_scope_alone_gives_case_numbers_never_case_content(
    world: World, engine: AsyncEngine, settings: Settings
) -> None:
    sessions = create_session_factory(engine)
    setting = await make_setting(world, sessions)
    records = await _more(world, sessions, setting)
    [(document, _)] = [d for d in _documents(world, setting, records) if "adherenceCases" in d[1]]
    asker = Asker("cafcass_manager", frozenset({"adherence:view"}))
    data, _, looks = await _ask(sessions, settings, world, asker, document)
    references = data["adherenceCases"]
    assert {r["id"] for r in references} >= set(records.cases)
    assert all(r["caseNumber"] and r["case"] is None for r in references)
    # The numbers shown are recorded as drill-down looks, case by case.
    assert {(case, Look.DRILL_DOWN.value) for case in records.cases} <= looks
