"""Every operation × every role × every relationship to the case, generated from the one role table
(portal/access/policy.py): each allowed one works, each refused one is refused, and a refused case looks
exactly like a case that does not exist. An operation that is not classified here fails the suite.

Operations run in-process through the schema, as the pages run them, each in a transaction that is rolled
back, so that every combination meets the same case.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from models import Role, utcnow
from portal.access.policy import CASE_PERMISSIONS, EVERYONE, GLOBAL_PERMISSIONS, Permission
from portal.api.context import Context
from portal.api.schema import schema
from portal.auth.actor import Via
from portal.auth.service import actor_for_person
from portal.db import UnitOfWork, create_session_factory
from portal.obligations.rules import DEFAULTS
from portal.reports.annual import current_year
from portal.settings import Settings
from tests.support.graphql import OPERATIONS, contact_input
from tests.support.setting import (
    IN_SCOPE,
    MEMBER,
    NAMED,
    OFFICER,
    PEOPLE,
    WAIVED,
    Setting,
    Someone,
    make_setting,
)
from tests.support.world import World

CASE, GLOBAL, ANYONE, LIST = "case", "global", "anyone", "list"
# A dispute: read (its sight), answered at its stage, or given the guardian's view (portal/disputes/).
DISPUTE, GUARDIAN_VIEW = "dispute", "guardian's view"
# A referral to Cafcass: read, or its enquiries and outcome recorded (the officer or a manager of the service
# area; portal/referrals/). A service area's timescale: its administrators' (none among PEOPLE: Riverside's
# administrator is refused it, as everyone is; a national administrator sets it in test_referrals_api.py).
REFERRAL, ENQUIRY, SERVICE_AREA_ADMIN = "referral", "enquiry", "service area's administrator"
# A review's decision, marked done by its owner (the social worker, in the setting) or the child's IRO; a
# review's decisions, confirmed or disputed by the manager the IRO named (issue 18).
DECISION, DECISIONS_CHECK = "decision", "decisions check"
# IRO workloads (issue 19): kept by the IRO manager and the administrator of the IRO's authority
# (Riverside's), and an IRO's conferences and profile by the IRO too. A conflict of interest of Iris (not on
# the case) with its child: withdrawn by the IRO manager in scope, not by the IRO on the case (not theirs).
WORKLOAD, WORKLOAD_OR_SELF = "workload", "workload or the IRO's own"
OTHERS_CONFLICT = "another IRO's conflict"
# The monthly management report (issue 19): every IRO manager reads their own authority's.
MONTHLY = "monthly report"

# What each operation needs, and of what: a permission on the case, a permission not tied to a case, or
# nothing but being signed in. MyCases is the list of readable cases.
NEEDS: dict[str, tuple[str, Permission | None]] = {
    "Me": (ANYONE, None),
    "Organisations": (ANYONE, None),
    "ApiTokens": (ANYONE, None),
    "MyCases": (LIST, Permission.READ_CASE),
    "CaseView": (CASE, Permission.READ_CASE),
    "ContactForm": (CASE, Permission.READ_CASE),
    "AccessLog": (CASE, Permission.VIEW_ACCESS_LOG),
    "LogContact": (CASE, Permission.LOG_CONTACT),
    "MarkReply": (CASE, Permission.MARK_REPLY),
    "AllocateGuardian": (CASE, Permission.ALLOCATE_GUARDIAN),
    "AssignIro": (CASE, Permission.ASSIGN_IRO),
    "AssignSocialWorker": (CASE, Permission.MANAGE_PROCEEDINGS),
    "RecordExtension": (CASE, Permission.MANAGE_PROCEEDINGS),
    "AdvanceStage": (CASE, Permission.MANAGE_PROCEEDINGS),
    "RecordLegalStatus": (CASE, Permission.MANAGE_PROCEEDINGS),
    "OpenProceedings": (GLOBAL, Permission.OPEN_PROCEEDINGS),
    "CheckOpenProceedings": (GLOBAL, Permission.OPEN_PROCEEDINGS),
    "ProceedingsForm": (CASE, Permission.READ_CASE),
    "LegalTasks": (LIST, Permission.READ_CASE),
    "CreateApiToken": (GLOBAL, Permission.MANAGE_TOKENS),
    "RevokeApiToken": (GLOBAL, Permission.MANAGE_TOKENS),
    "People": (GLOBAL, Permission.ADMINISTER),
    "AddOrganisation": (GLOBAL, Permission.ADMINISTER_NATIONALLY),
    "AddPerson": (GLOBAL, Permission.ADMINISTER),
    "UpdatePerson": (GLOBAL, Permission.ADMINISTER),
    "ObligationRules": (ANYONE, None),
    "OverrideObligationRule": (GLOBAL, Permission.ADMINISTER),
    "WaiveObligation": (CASE, Permission.WAIVE_OBLIGATION),
    "RecordConsultationArrangement": (CASE, Permission.RECORD_ARRANGEMENT),
    "ArrangementForm": (CASE, Permission.READ_CASE),
    "MyTasks": (ANYONE, None),
    "ScheduleReview": (CASE, Permission.MANAGE_REVIEWS),
    "RescheduleReview": (CASE, Permission.MANAGE_REVIEWS),
    "TellGuardianOfReview": (CASE, Permission.MANAGE_REVIEWS),
    "RecordReviewHeld": (CASE, Permission.MANAGE_REVIEWS),
    "ShareReviewRecord": (CASE, Permission.MANAGE_REVIEWS),
    "RecordReviewParticipation": (CASE, Permission.MANAGE_REVIEWS),
    "RecordReviewPreparation": (CASE, Permission.PREPARE_REVIEWS),
    "RecordEarlierReview": (CASE, Permission.MANAGE_REVIEWS),
    "RecordReviewDecisions": (CASE, Permission.MANAGE_REVIEWS),
    "CompleteReviewDecision": (DECISION, None),
    "RespondToReviewDecisions": (DECISIONS_CHECK, None),
    # The checks put to the viewer: a list of their own, empty for most.
    "DecisionChecks": (ANYONE, None),
    # Empty for anyone but the child's IRO (tests/test_review_decisions.py).
    "DecisionsToSettle": (ANYONE, None),
    # The child's social worker or IRO tells of a significant change; the child's IRO answers it (SC).
    "NotifySignificantChange": (CASE, Permission.NOTIFY_CHANGES),
    "RespondToSignificantChange": (CASE, Permission.MANAGE_REVIEWS),
    "SignificantChanges": (CASE, Permission.READ_CASE),
    # The child's IRO records a midpoint check between their reviews (issue 19); the form is for those who
    # manage the case's reviews.
    "RecordMidpointCheck": (CASE, Permission.MANAGE_REVIEWS),
    "MidpointForm": (CASE, Permission.READ_CASE),
    # The child's IRO writes to the child (issue 19): their introduction, and what a resolved dispute decided.
    "RecordIroIntroduction": (CASE, Permission.WRITE_TO_CHILD),
    "Introductions": (CASE, Permission.READ_CASE),
    "WriteChildSummary": (CASE, Permission.WRITE_TO_CHILD),
    "ChildSummaries": (DISPUTE, Permission.READ_DISPUTES),
    # The IRO service's annual report, as its monthly one: its IRO managers' (a Cafcass manager, who sees
    # the dashboards, is refused).
    "AnnualReport": (MONTHLY, Permission.VIEW_ADHERENCE),
    "RecordDiscussion": (CASE, Permission.RECORD_DISCUSSION),
    "DiscussionRecord": (CASE, Permission.READ_CASE),
    "RaiseConcern": (CASE, Permission.RAISE_CONCERN),
    "RecordSignificantIssue": (CASE, Permission.RECORD_SIGNIFICANT_ISSUE),
    "ShareSignificantIssue": (CASE, Permission.RECORD_SIGNIFICANT_ISSUE),
    "AcknowledgeIssue": (CASE, Permission.ACKNOWLEDGE_ISSUE),
    "RecordFinalOrders": (CASE, Permission.MANAGE_PROCEEDINGS),
    "SetEmailPreference": (ANYONE, None),
    "RecordForm": (CASE, Permission.READ_CASE),
    "FileCourtPaper": (CASE, Permission.FILE_PAPER),
    "ConfirmPapersForwarded": (CASE, Permission.CONFIRM_FORWARDING),
    "CasePapers": (CASE, Permission.READ_CASE),
    "RecordIroView": (CASE, Permission.RECORD_IRO_VIEW),
    "StartHandover": (CASE, Permission.WRITE_HANDOVER),
    "SaveHandover": (CASE, Permission.WRITE_HANDOVER),
    "SubmitHandover": (CASE, Permission.WRITE_HANDOVER),
    "AcknowledgeHandover": (CASE, Permission.ANSWER_HANDOVER),
    "ReturnHandover": (CASE, Permission.ANSWER_HANDOVER),
    "CloseGuardianInvolvement": (CASE, Permission.OVERRIDE_CLOSURE),
    "CaseHandover": (CASE, Permission.READ_CASE),
    "CarePlans": (CASE, Permission.READ_CASE),
    "ChildFile": (CASE, Permission.READ_CASE),
    "Adherence": (GLOBAL, Permission.VIEW_ADHERENCE),
    "ServiceFigures": (GLOBAL, Permission.VIEW_ADHERENCE),
    "AdherenceCases": (GLOBAL, Permission.VIEW_ADHERENCE),
    "DashboardCases": (GLOBAL, Permission.VIEW_ADHERENCE),
    # The staffing queues list the cases on which the viewer may allocate or assign.
    "AllocationQueue": (LIST, Permission.ALLOCATE_GUARDIAN),
    "AssignmentQueue": (LIST, Permission.ASSIGN_IRO),
    "ManagerTasks": (ANYONE, None),
    "AllocationForm": (CASE, Permission.READ_CASE),
    "AssignmentForm": (CASE, Permission.READ_CASE),
    "GuardianCaseloads": (GLOBAL, Permission.VIEW_ADHERENCE),
    "IroWorkload": (GLOBAL, Permission.VIEW_ADHERENCE),
    # The report of the manager's own authority, for its IRO managers (the service's rule:
    # tests/test_monthly_report.py); the matrix's IRO manager is Riverside's.
    "MonthlyReport": (MONTHLY, Permission.VIEW_ADHERENCE),
    "AuthorityWorkload": (GLOBAL, Permission.VIEW_ADHERENCE),
    "IroProfile": (WORKLOAD_OR_SELF, None),
    "SetIroProfile": (WORKLOAD, None),
    "RecordConferencesChaired": (WORKLOAD_OR_SELF, None),
    "WorkloadWeights": (WORKLOAD, None),
    "SetWorkloadWeights": (WORKLOAD, None),
    "RecordConflictOfInterest": (CASE, Permission.RECORD_CONFLICTS),
    "WithdrawConflictOfInterest": (OTHERS_CONFLICT, Permission.RECORD_CONFLICTS),
    # Whose email is listed is the service's rule (tests/web/test_undelivered_email.py); anyone may ask.
    "UndeliveredEmail": (ANYONE, None),
    "RetryEmail": (GLOBAL, Permission.ADMINISTER),
    "CaseRetention": (CASE, Permission.READ_CASE),
    "PlaceLegalHold": (CASE, Permission.MANAGE_LEGAL_HOLDS),
    "LiftLegalHold": (CASE, Permission.MANAGE_LEGAL_HOLDS),
    # The rule of the authority the matrix's administrator administers (Riverside).
    "RetentionRule": (GLOBAL, Permission.ADMINISTER),
    "SetRetentionRule": (GLOBAL, Permission.ADMINISTER),
    # Every dispute the viewer may see: a list of their own, empty for most.
    "Disputes": (ANYONE, None),
    "Dispute": (DISPUTE, Permission.READ_DISPUTES),
    "RaiseChallenge": (CASE, Permission.RAISE_CHALLENGE),
    "RecordDisputeExchange": (CASE, Permission.RAISE_CHALLENGE),
    "DisputeAnswerers": (CASE, Permission.RAISE_CHALLENGE),
    "ChallengeForm": (CASE, Permission.RAISE_CHALLENGE),
    "ReferralForm": (CASE, Permission.READ_CASE),
    "EscalateDispute": (CASE, Permission.RAISE_CHALLENGE),
    "ResolveDispute": (CASE, Permission.RAISE_CHALLENGE),
    "TellGuardianOfDispute": (CASE, Permission.RAISE_CHALLENGE),
    "AnswerDispute": (DISPUTE, Permission.ANSWER_DISPUTE),
    "GiveGuardianViewOfDispute": (GUARDIAN_VIEW, Permission.ANSWER_DISPUTE),
    "DisputeLadder": (GLOBAL, Permission.ADMINISTER),
    "SetDisputeLadder": (GLOBAL, Permission.ADMINISTER),
    # Every referral the viewer may see: a list of their own, empty for most.
    "Referrals": (ANYONE, None),
    "Referral": (REFERRAL, Permission.READ_REFERRALS),
    "ReferToCafcass": (CASE, Permission.REFER_TO_CAFCASS),
    "AcknowledgeReferral": (CASE, Permission.MANAGE_REFERRAL),
    "AppointReferralOfficer": (CASE, Permission.MANAGE_REFERRAL),
    "RecordReferralEnquiry": (ENQUIRY, Permission.ENQUIRE_REFERRAL),
    "RecordReferralOutcome": (ENQUIRY, Permission.ENQUIRE_REFERRAL),
    "ReferralTimescale": (SERVICE_AREA_ADMIN, Permission.ADMINISTER),
    "SetReferralTimescale": (SERVICE_AREA_ADMIN, Permission.ADMINISTER),
}
# Operations that tell someone who reads the case, but is not the child's own social worker or IRO, so in
# words (NOT_ON_CASE, as the services do for another IRO on the case: tests/test_significant_changes.py).
NOT_THE_CHILDS = {
    "NotifySignificantChange",
    "RespondToSignificantChange",
    "RecordMidpointCheck",
    "RecordIroIntroduction",
    "WriteChildSummary",
}
# Where a list operation's cases are.
LISTS = {
    "MyCases": ("cases",),
    "LegalTasks": ("cases",),
    "AllocationQueue": ("waiting", "allocated"),
    "AssignmentQueue": ("waiting", "assigned"),
}


def allowed(someone: Someone, kind: str, need: Permission | None) -> bool:
    """What the role table says: a role's case permissions through membership or a manager's scope (and,
    to waive, a role the obligation's rule names)."""
    if need is Permission.WAIVE_OBLIGATION and someone.role not in DEFAULTS[WAIVED].waivable_by:
        return False
    # The matrix acknowledges a concern, which only the IRO on the case may (P8).
    if need is Permission.ACKNOWLEDGE_ISSUE and someone.role is not Role.IRO:
        return False
    if kind == ANYONE:
        return True
    if kind == DECISION:
        return someone.key == "social_worker" or (someone.role is Role.IRO and someone.relation == MEMBER)
    if kind == DECISIONS_CHECK:
        return someone.relation == NAMED
    if kind in {WORKLOAD, WORKLOAD_OR_SELF}:
        return someone.key in {"iro_manager", "admin"} or (kind == WORKLOAD_OR_SELF and someone.key == "iro")
    if kind == OTHERS_CONFLICT:
        return someone.key == "iro_manager"
    if kind == MONTHLY:
        return someone.role is Role.IRO_MANAGER
    if kind in {DISPUTE, GUARDIAN_VIEW}:
        # The setting's dispute is told to the guardian and at the stage the solicitor sees it from, so every
        # role on the case that reads disputes sees it; the manager named at its stage sees and answers it.
        iro = someone.role is Role.IRO and someone.relation == MEMBER
        if kind == GUARDIAN_VIEW:  # the guardian told of it, or the IRO recording their view
            return iro or (someone.role is Role.GUARDIAN and someone.relation == MEMBER)
        if someone.relation == NAMED:
            return True
        if need is Permission.ANSWER_DISPUTE:  # the named manager, or the IRO recording an answer received
            return iro
        return allowed(someone, CASE, need)
    if kind in {REFERRAL, ENQUIRY}:
        if someone.relation == OFFICER:
            return True
        return allowed(someone, CASE, Permission.MANAGE_REFERRAL if kind == ENQUIRY else need)
    if someone.role is None or need is None or kind == SERVICE_AREA_ADMIN:
        return False
    if kind == GLOBAL:
        return need in GLOBAL_PERMISSIONS.get(someone.role, frozenset()) | EVERYONE
    return someone.relation in {MEMBER, IN_SCOPE} and need in CASE_PERMISSIONS[someone.role]


def test_every_operation_and_mutation_is_classified() -> None:
    assert set(NEEDS) == set(OPERATIONS)
    mutations = set(schema._schema.mutation_type.fields)  # type: ignore[union-attr]
    used = {name for text in OPERATIONS.values() for name in mutations if f" {name}(" in text}
    assert used == mutations, f"mutations without an operation: {mutations - used}"


def _variables(name: str, someone: Someone, s: Setting, case: str) -> dict[str, Any]:
    """Input that would succeed for someone allowed to run the operation."""
    today = date.today().isoformat()
    w = s.world
    counterpart = "guardian" if someone.role is Role.IRO else "iro"
    riverside = str(w.orgs["riverside"].id)

    def ended(case_id: str) -> str:
        """The case at its end, or (asked of a case that does not exist) that one."""
        return s.handover_case_id if case_id == str(s.case_id) else case_id

    def mine(record_id: str) -> str:
        """A record of this case, or (asked of a case that does not exist) one that does not exist."""
        return record_id if case == str(s.case_id) else str(uuid.uuid4())

    return {
        "Me": {},
        "Organisations": {},
        "ApiTokens": {},
        "MyCases": {"first": 100},
        "CaseView": {"id": case},
        "ContactForm": {"id": case, "correcting": False},
        "AccessLog": {"id": case},
        "LogContact": {"input": {**contact_input(w, uuid.UUID(case), counterpart)}},
        "MarkReply": {"input": {"caseId": case, "contactId": s.contact_id}},
        "AllocateGuardian": {
            "input": {
                "caseId": case,
                "personId": str(w.id("guardian2")),
                "reallocationReason": "Back from leave",
            }
        },
        "AssignIro": {
            "input": {
                "caseId": case,
                "personId": str(w.id("iro2")),
                "reallocationReason": "Back",
                # Iris has a conflict of interest with the first child (the setting's), acknowledged.
                "conflictAcknowledged": True,
            }
        },
        "AssignSocialWorker": {
            "input": {"caseId": case, "personId": str(w.id("social_worker2")), "reallocationReason": "Back"}
        },
        "RecordExtension": {
            "input": {"caseId": case, "weeks": 2, "reason": "Expert report", "grantedOn": today}
        },
        "AdvanceStage": {"input": {"caseId": case, "stage": "CASE_MANAGEMENT_HEARING", "changedOn": today}},
        "RecordLegalStatus": {
            "input": {"caseId": case, "childId": s.child_id, "status": "CARE_ORDER", "effectiveFrom": today}
        },
        "OpenProceedings": {
            "input": {
                "courtId": str(w.orgs["court"].id),
                "caseNumber": "MX1",
                "issuedOn": today,
                "newChildren": [
                    {
                        "givenName": "Cal",
                        "familyName": "Example",
                        "dateOfBirth": "2024-01-01",
                        "legalStatus": "NO_ORDER",
                    }
                ],
            }
        },
        "CheckOpenProceedings": {
            "input": {
                "courtId": str(w.orgs["court"].id),
                "caseNumber": "MX1",
                "issuedOn": today,
                "newChildren": [
                    {
                        "givenName": "Cal",
                        "familyName": "Example",
                        "dateOfBirth": "2024-01-01",
                        "legalStatus": "NO_ORDER",
                    }
                ],
            }
        },
        "ProceedingsForm": {"id": case},
        "LegalTasks": {},
        "CreateApiToken": {"input": {"label": "Mine", "scopes": ["MANAGE_TOKENS"]}},
        "RevokeApiToken": {"input": {"id": s.token_ids[someone.key]}},
        "People": {"organisationId": riverside},
        "AddOrganisation": {"input": {"kind": "COURT", "name": "Family Court at Matrix"}},
        "AddPerson": {
            "input": {
                "organisationId": riverside,
                "name": "Max",
                "email": "max@riverside.example.gov.uk",
                "roles": ["IRO"],
            }
        },
        "UpdatePerson": {"input": {"id": str(w.id("iro2")), "name": "Iris Renamed"}},
        "ObligationRules": {},
        "OverrideObligationRule": {"input": {"code": "P2", "organisationId": riverside, "workingDays": 3}},
        "ArrangementForm": {"id": case},
        "MyTasks": {},
        "RecordConsultationArrangement": {
            "input": {"caseId": case, "agreedOn": today, "everyWeeks": 4, "onEvents": ["AFTER_EACH_HEARING"]}
        },
        "ScheduleReview": {
            "input": {
                "caseId": case,
                "childIds": s.child_ids[1:],
                "reviewDate": today,
                "arrangements": "Here",
            }
        },
        "RescheduleReview": {
            "input": {"id": mine(s.booked_review_id), "reviewDate": today, "arrangements": "There"}
        },
        "TellGuardianOfReview": {"input": {"id": mine(s.booked_review_id)}},
        "RecordReviewHeld": {"input": {"id": mine(s.booked_review_id), "heldOn": today}},
        "ShareReviewRecord": {"input": {"id": mine(s.held_review_id), "record": "Decisions"}},
        "RecordReviewParticipation": {
            "input": {
                "id": mine(s.held_review_id),
                "attendance": "ATTENDED_PART",
                "viewsConveyed": "ADVOCATE",
                "wishesAndFeelings": "To stay with her carers",
            }
        },
        "RecordEarlierReview": {
            "input": {"caseId": ended(case), "childId": s.handover_child_id, "heldOn": today}
        },
        "RecordReviewPreparation": {
            "input": {"id": mine(s.booked_review_id), "socialWorkerConsultedOn": today}
        },
        "RecordReviewDecisions": {
            "input": {
                "id": mine(s.held_review_id),
                "decisions": [{"description": "Visit", "ownerId": str(w.id("iro")), "dueOn": today}],
            }
        },
        "CompleteReviewDecision": {"input": {"id": mine(s.decision_id)}},
        "RespondToReviewDecisions": {
            "input": {"reviewId": mine(s.decided_review_id), "response": "CONFIRMED"}
        },
        "DecisionChecks": {},
        "DecisionsToSettle": {"reviewId": mine(s.held_review_id)},
        "NotifySignificantChange": {
            "input": {
                "caseId": case,
                "childId": s.child_id,
                "kind": "PLACEMENT_MOVE",
                "occurredOn": today,
                "summary": "A new foster home",
            }
        },
        "RespondToSignificantChange": {
            "input": {"id": mine(s.significant_change_id), "response": "NO_REVIEW", "reason": "Not needed"}
        },
        "SignificantChanges": {"id": case},
        "RecordMidpointCheck": {
            "input": {
                "caseId": case,
                "childId": s.child_id,
                "doneOn": today,
                "fileRead": True,
                "socialWorkerContact": "CONVERSATION",
                "outcome": "ON_TRACK",
            }
        },
        "MidpointForm": {"id": case},
        "RecordIroIntroduction": {
            "input": {
                "caseId": case,
                "childId": s.child_id,
                "explainedOn": today,
                "explainedHow": "MET_ALONE",
                "keepingInTouch": "Text me",
                "advocacyExplained": True,
                "letterTo": "CHILD",
            }
        },
        "Introductions": {"id": case},
        "WriteChildSummary": {
            "input": {
                "disputeId": mine(s.resolved_dispute_id),
                "childId": s.child_id,
                "decided": "You stay",
                "viewsCounted": "Heard",
                "letterTo": "CHILD",
            }
        },
        "ChildSummaries": {"id": mine(s.dispute_id)},
        "AnnualReport": {"year": current_year(date.today())},
        "RecordDiscussion": {
            "input": {"caseId": case, "heldOn": today, "mode": "PHONE", "summary": "Talked"}
        },
        "DiscussionRecord": {"id": case, "discussionId": s.discussion_id},
        "RaiseConcern": {"input": {"caseId": case, "summary": "A concern"}},
        "RecordSignificantIssue": {
            "input": {"caseId": case, "aroseOn": today, "meeting": "Review", "summary": "An issue"}
        },
        "ShareSignificantIssue": {"input": {"id": mine(s.issue_id)}},
        "AcknowledgeIssue": {"input": {"id": mine(s.concern_id), "response": "Read"}},
        "RecordFinalOrders": {
            "input": {
                "caseId": case,
                "madeOn": today,
                "orders": [{"childId": c, "order": "CARE_ORDER"} for c in s.child_ids],
            }
        },
        "SetEmailPreference": {"input": {"preference": "DAILY_DIGEST"}},
        "RecordForm": {"id": case},
        "FileCourtPaper": {
            "input": {
                "uploadId": mine(s.upload_ids.get(someone.key, s.upload_ids["guardian"])),
                "filedOn": today,
                "kind": "JUDGMENT",
                "title": "Judgment",
                "filedByParty": "COURT",
                "confidentiality": "STANDARD",
                "lawfulBasis": "FPR_12_73_IRO",
            }
        },
        "ConfirmPapersForwarded": {"input": {"caseId": case}},
        "CasePapers": {"id": case},
        "RecordIroView": {"input": {"paperId": mine(s.analysis_id), "cites": False, "reason": "None yet"}},
        "StartHandover": {"input": {"caseId": ended(case)}},
        "SaveHandover": {
            "input": {
                "id": mine(s.draft_handover_id),
                "revision": s.draft_revision,
                "answers": {"placement": "x"},
            }
        },
        "SubmitHandover": {"input": {"id": mine(s.draft_handover_id), "revision": s.draft_revision}},
        "AcknowledgeHandover": {"input": {"id": mine(s.submitted_handover_id)}},
        "ReturnHandover": {"input": {"id": mine(s.submitted_handover_id), "questions": "Why?"}},
        "CloseGuardianInvolvement": {"input": {"caseId": ended(case), "overrideReason": "The guardian left"}},
        "CaseHandover": {"id": case},
        "CarePlans": {"id": case},
        "ChildFile": {"id": case},
        "Adherence": {"start": "2020-01-01", "end": today, "by": "LOCAL_AUTHORITY"},
        "ServiceFigures": {"start": "2020-01-01", "end": today, "by": "LOCAL_AUTHORITY"},
        "AdherenceCases": {
            "start": "2020-01-01",
            "end": today,
            "code": "P2",
            "measure": "OPENED",
            "by": "NONE",
        },
        "DashboardCases": {"figure": "TRACKER_UNDER_13_WEEKS", "start": "2020-01-01", "end": today},
        "AllocationQueue": {"first": 100},
        "AssignmentQueue": {"first": 100},
        "ManagerTasks": {"guardians": True, "iros": True},
        "AllocationForm": {"id": case},
        "AssignmentForm": {"id": case},
        "GuardianCaseloads": {},
        "IroWorkload": {},
        "MonthlyReport": {"year": date.today().year, "month": date.today().month},
        "AuthorityWorkload": {},
        "IroProfile": {"iroId": str(w.id("iro"))},
        "SetIroProfile": {
            "input": {
                "iroId": str(w.id("iro")),
                "fullTimeEquivalence": 0.8,
                "employment": "DIRECT",
                "childrenHeld": 50,
                "siblingGroupChildren": 4,
                "outOfAreaChildren": 2,
            }
        },
        "RecordConferencesChaired": {"input": {"iroId": str(w.id("iro")), "month": today, "conferences": 3}},
        "WorkloadWeights": {"organisationId": riverside},
        "SetWorkloadWeights": {"input": {"organisationId": riverside, "inProceedings": 0.5}},
        "RecordConflictOfInterest": {
            "input": {
                "caseId": case,
                "childId": s.child_id,
                "iroId": str(w.id("iro")),
                "kind": "CHILDS_SOCIAL_WORKER",
            }
        },
        "WithdrawConflictOfInterest": {"input": {"id": mine(s.conflict_id), "reason": "Mistaken"}},
        "UndeliveredEmail": {},
        "RetryEmail": {"input": {"id": s.dead_email_id}},
        "CaseRetention": {"id": case},
        "PlaceLegalHold": {"input": {"caseId": case, "reason": "A complaint"}},
        "LiftLegalHold": {"input": {"id": mine(s.legal_hold_id), "reason": "Settled"}},
        "RetentionRule": {"organisationId": riverside},
        "SetRetentionRule": {"input": {"organisationId": riverside, "keepYearsAfterConclusion": 10}},
        "Disputes": {},
        "Dispute": {"id": mine(s.dispute_id)},
        "RaiseChallenge": {
            "input": {
                "caseId": case,
                "subject": "CARE_PLAN",
                "summary": "Drift",
                "raisedWith": "The team manager",
                "resolutionSought": "A plan",
                "soughtBy": today,
            }
        },
        "RecordDisputeExchange": {
            "input": {"disputeId": mine(s.dispute_id), "occurredOn": today, "party": "TM", "note": "Talked"}
        },
        "EscalateDispute": {
            "input": {
                "disputeId": mine(s.dispute_id),
                "answererId": str(w.id("head_of_service")),
                "reason": "No",
            }
        },
        "ResolveDispute": {"input": {"disputeId": mine(s.dispute_id), "resolution": "Agreed"}},
        "TellGuardianOfDispute": {"input": {"disputeId": mine(s.untold_dispute_id)}},
        "AnswerDispute": {"input": {"disputeId": mine(s.dispute_id), "text": "We agree"}},
        "GiveGuardianViewOfDispute": {"input": {"disputeId": mine(s.dispute_id), "text": "I agree"}},
        "DisputeLadder": {"organisationId": riverside},
        "Referrals": {},
        "DisputeAnswerers": {"caseId": case},
        "ChallengeForm": {"id": case},
        "ReferralForm": {"id": case},
        "Referral": {"id": mine(s.referral_id)},
        "ReferToCafcass": {
            "input": {"caseId": case, "ground": "FAMILY_LIFE", "grounds": "Contact", "stepsTaken": "Ladder"}
        },
        "AcknowledgeReferral": {"input": {"referralId": mine(s.new_referral_id)}},
        "AppointReferralOfficer": {
            "input": {"referralId": mine(s.new_referral_id), "officerId": str(w.id("officer"))}
        },
        "RecordReferralEnquiry": {
            "input": {"referralId": mine(s.referral_id), "madeOn": today, "madeWith": "LA", "note": "Asked"}
        },
        "RecordReferralOutcome": {
            "input": {"referralId": mine(s.referral_id), "outcome": "RESOLVED_BY_DISCUSSION", "note": "Met"}
        },
        "ReferralTimescale": {"organisationId": str(w.orgs["cafcass"].id)},
        "SetReferralTimescale": {
            "input": {
                "organisationId": str(w.orgs["cafcass"].id),
                "acknowledgeWorkingDays": 2,
                "appointWorkingDays": 5,
                "outcomeWorkingDays": 20,
            }
        },
        "SetDisputeLadder": {
            "input": {
                "organisationId": riverside,
                "stages": [{"answerer": "Team manager", "workingDays": 5}],
                "overallWorkingDays": 20,
            }
        },
        # An obligation of this case, or (asked of a case that does not exist) one that does not exist.
        "WaiveObligation": {
            "input": {
                "id": s.obligation_id if case == str(s.case_id) else str(uuid.uuid4()),
                "reason": "Agreed at the case conference",
            }
        },
    }[name]


async def _run(
    sessions: async_sessionmaker,
    settings: Settings,
    person_id: uuid.UUID,
    name: str,
    variables: dict[str, Any],
) -> dict[str, Any]:
    """The operation's answer as a client would see it; nothing it does is kept."""
    async with sessions() as session:
        uow = UnitOfWork(session)
        actor = await uow.run(lambda s: actor_for_person(s, person_id, via=Via.API))
        result = await schema.execute(
            OPERATIONS[name],
            variable_values=variables,
            operation_name=name,
            context_value=Context(settings=settings, uow=uow, actor=actor),
        )
        await uow.settle()
        session.info.clear()
        await session.rollback()
    errors = [{"message": e.message, "path": e.path, "extensions": e.extensions} for e in result.errors or []]
    return {"data": result.data, "errors": errors}


def _outcome(name: str, kind: str, answer: dict[str, Any], case: str) -> bool:
    """Whether the operation was done (True) or refused (False); anything else fails the test."""
    if kind == LIST:
        lists = [answer["data"][alias] for alias in LISTS[name]] if answer["data"] else []
        return case in {c["id"] for found in lists for c in found["nodes"]}
    codes = [e["extensions"]["code"] for e in answer["errors"]]
    payload = next(iter(answer["data"].values())) if answer["data"] else None
    if isinstance(payload, dict) and "errors" in payload:
        codes += [e["code"] for e in payload["errors"]]
    refusals = {"NOT_FOUND", "NOT_PERMITTED"} | ({"NOT_ON_CASE"} if name in NOT_THE_CHILDS else set())
    assert set(codes) <= refusals, (name, answer)
    return not codes


@pytest.mark.parametrize("name", sorted(NEEDS))
async def test_the_role_table_holds_for(
    name: str, world: World, engine: AsyncEngine, settings: Settings
) -> None:
    sessions = create_session_factory(engine)
    setting = await make_setting(world, sessions)
    kind, need = NEEDS[name]
    case, absent = str(setting.case_id), str(uuid.uuid4())
    wrong = []
    for someone in PEOPLE:
        person_id = world.id(someone.key)
        answer = await _run(sessions, settings, person_id, name, _variables(name, someone, setting, case))
        done = _outcome(name, kind, answer, case)
        if done != allowed(someone, kind, need):
            wrong.append(
                f"{someone.key} ({someone.role}, {someone.relation}): {'done' if done else 'refused'}"
            )
        elif not done and kind == CASE and not allowed(someone, CASE, Permission.READ_CASE):
            # Refused looks exactly like absent: the same answer as for a case that does not exist. (Someone
            # who may read the case knows it exists; what they may not do there is refused in words.)
            missing = await _run(
                sessions, settings, person_id, name, _variables(name, someone, setting, absent)
            )
            if missing != answer:
                wrong.append(f"{someone.key}: refused differs from absent: {answer} != {missing}")
    assert wrong == []


async def test_what_was_said_in_a_private_record_follows_the_role_table(
    world: World, engine: AsyncEngine, settings: Settings
) -> None:
    """Issue 18, PROTOCOL.md §6: of everyone who reads the case, those the role table grants
    READ_PRIVATE_RECORDS (the guardian and the IRO on it) read what was said in a pre-review consultation;
    everyone else sees that it happened, its summary withheld (the LA solicitor, the social worker and the
    managers in scope among them)."""
    from portal.contacts import service as contacts

    sessions = create_session_factory(engine)
    setting = await make_setting(world, sessions)
    async with sessions() as session, session.begin():
        guardian = await actor_for_person(session, world.id("guardian"), via=Via.API)
        assert guardian is not None
        consulted = await contacts.log_contact(
            session,
            guardian,
            contacts.LogContact(
                case_id=setting.case_id,
                counterpart_id=world.id("iro"),
                direction=contacts.Direction.OUTGOING,
                occurred_at=utcnow(),
                channel=contacts.Channel.PHONE,
                purpose=contacts.Purpose.PRE_REVIEW_CONSULTATION,
                summary="What Amy wants said at her review.",
            ),
        )
    wrong, readers = [], 0
    for someone in PEOPLE:
        if not allowed(someone, CASE, Permission.READ_CASE):
            continue
        readers += 1
        variables = _variables("CaseView", someone, setting, str(setting.case_id))
        answer = await _run(sessions, settings, world.id(someone.key), "CaseView", variables)
        entry = next(e for e in answer["data"]["case"]["contacts"] if e["id"] == str(consulted.id))
        reads = entry["summary"] == "What Amy wants said at her review."
        if reads != allowed(someone, CASE, Permission.READ_PRIVATE_RECORDS) or (
            not reads and entry["summary"] is not None
        ):
            wrong.append(f"{someone.key} ({someone.role}, {someone.relation}): {entry['summary']!r}")
    assert readers >= 5
    assert wrong == []


async def test_what_a_child_said_privately_at_a_review_is_read_by_their_iro_alone(
    world: World, engine: AsyncEngine, settings: Settings
) -> None:
    """Issue 18, PROTOCOL.md §6: of everyone who reads the case, only the child's IRO on it reads what the
    child said at a review marked private to them; everyone else (the guardian, who reads the records
    private to the guardian and the IRO, among them) sees that their participation was recorded, and how,
    with what they said withheld."""
    from models import ChildAttendance, ViewsConveyed
    from portal.reviews import participation

    sessions = create_session_factory(engine)
    setting = await make_setting(world, sessions)
    said = "Ben asked that this stay between him and his IRO."
    async with sessions() as session, session.begin():
        iro = await actor_for_person(session, world.id("iro"), via=Via.API)
        assert iro is not None
        await participation.record_participation(
            session,
            iro,
            participation.RecordParticipation(
                uuid.UUID(setting.held_review_id),
                ChildAttendance.VIEWS_CONVEYED,
                ViewsConveyed.TO_THE_IRO_BEFORE,
                wishes_and_feelings=said,
                private=True,
            ),
        )
    wrong, readers = [], 0
    for someone in PEOPLE:
        if not allowed(someone, CASE, Permission.READ_CASE):
            continue
        readers += 1
        variables = _variables("CaseView", someone, setting, str(setting.case_id))
        answer = await _run(sessions, settings, world.id(someone.key), "CaseView", variables)
        review = next(r for r in answer["data"]["case"]["reviews"] if r["id"] == setting.held_review_id)
        found = review["participation"]
        reads = found["wishesAndFeelings"] == said
        childs_iro = someone.key == "iro"
        if (
            found["attendance"] != "VIEWS_CONVEYED"
            or reads != childs_iro
            or (not reads and (found["wishesAndFeelings"] is not None or not found["wishesWithheld"]))
        ):
            wrong.append(f"{someone.key} ({someone.role}, {someone.relation}): {found!r}")
    assert readers >= 5
    assert wrong == []
