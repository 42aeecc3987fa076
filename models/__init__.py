"""The portal's tables (SQLModel), one module per aggregate. Imports nothing from ``portal``."""

from sqlmodel import SQLModel

from models.audit import GENESIS_HASH, AuditEvent, AuditOutcome, AuditQueue, AuditSeal
from models.base import UTCDateTime, utcnow
from models.children import Child, LegalStatus, LegalStatusEntry
from models.contacts import Channel, Contact, ContactChase, ContactReply, Purpose, Side
from models.discussions import AgreedAction, Discussion, DiscussionKind, DiscussionMode
from models.disputes import (
    Dispute,
    DisputeDocument,
    DisputeLadder,
    DisputeNote,
    DisputeStage,
    DisputeState,
    DisputeSubject,
    LadderStage,
    StageOutcome,
)
from models.handovers import Closure, Handover, HandoverState, MonitoringItem, MonitoringItemMove
from models.iro_views import IroViewCitation
from models.letters import ChildSummary, ExplainedHow, IroIntroduction, LetterTo
from models.memberships import CaseMembership, CaseRole
from models.midpoint_checks import MidpointCheck, MidpointOutcome, SocialWorkerContact
from models.obligations import (
    ConsultationArrangement,
    ConsultationEvent,
    DeadlineKind,
    Evidence,
    Obligation,
    ObligationEvent,
    ObligationRule,
    ObligationState,
    Owner,
    Trigger,
)
from models.organisations import Organisation, OrganisationKind, Team
from models.outbox import OutboxMessage, OutboxState
from models.papers import (
    Confidentiality,
    CourtPaper,
    FilingParty,
    ForwardingConfirmation,
    LawfulBasis,
    PaperKind,
    PaperShare,
    PaperVersion,
    Upload,
)
from models.people import ApiToken, EmailPreference, Person, PersonRole, Role
from models.proceedings import (
    Extension,
    FinalOrder,
    FinalOrderKind,
    Proceedings,
    ProceedingsChild,
    Stage,
    StageChange,
)
from models.raised_issues import IssueKind, RaisedIssue
from models.referrals import (
    CafcassReferral,
    ReferralEnquiry,
    ReferralGround,
    ReferralOutcome,
    ReferralPaper,
    ReferralState,
    ReferralTimescale,
)
from models.retention import DeletedCase, LegalHold
from models.review_decisions import DecisionState, ManagerResponse, ReviewDecision, ReviewDecisionsCheck
from models.reviews import (
    ChildAttendance,
    Review,
    ReviewKind,
    ReviewParticipation,
    ReviewPreparation,
    ViewsConveyed,
)
from models.sessions import BoundBy, Counted, PersonIdentity, SignInAttempt, WebSession
from models.significant_changes import ChangeKind, ChangeResponse, SignificantChange
from models.versions import DIRECTORY, ViewVersion
from models.workloads import (
    ConferencesChaired,
    ConflictKind,
    ConflictOfInterest,
    Employment,
    IroProfile,
    WorkloadWeighting,
)

metadata = SQLModel.metadata

__all__ = [
    "DIRECTORY",
    "GENESIS_HASH",
    "AgreedAction",
    "ApiToken",
    "AuditEvent",
    "AuditOutcome",
    "AuditQueue",
    "AuditSeal",
    "BoundBy",
    "CafcassReferral",
    "CaseMembership",
    "CaseRole",
    "ChangeKind",
    "ChangeResponse",
    "Channel",
    "Child",
    "ChildAttendance",
    "ChildSummary",
    "Closure",
    "ConferencesChaired",
    "Confidentiality",
    "ConflictKind",
    "ConflictOfInterest",
    "ConsultationArrangement",
    "ConsultationEvent",
    "Contact",
    "ContactChase",
    "ContactReply",
    "Counted",
    "CourtPaper",
    "DeadlineKind",
    "DecisionState",
    "DeletedCase",
    "Discussion",
    "DiscussionKind",
    "DiscussionMode",
    "Dispute",
    "DisputeDocument",
    "DisputeLadder",
    "DisputeNote",
    "DisputeStage",
    "DisputeState",
    "DisputeSubject",
    "EmailPreference",
    "Employment",
    "Evidence",
    "ExplainedHow",
    "Extension",
    "FilingParty",
    "FinalOrder",
    "FinalOrderKind",
    "ForwardingConfirmation",
    "Handover",
    "HandoverState",
    "IroIntroduction",
    "IroProfile",
    "IroViewCitation",
    "IssueKind",
    "LadderStage",
    "LawfulBasis",
    "LegalHold",
    "LegalStatus",
    "LegalStatusEntry",
    "LetterTo",
    "ManagerResponse",
    "MidpointCheck",
    "MidpointOutcome",
    "MonitoringItem",
    "MonitoringItemMove",
    "Obligation",
    "ObligationEvent",
    "ObligationRule",
    "ObligationState",
    "Organisation",
    "OrganisationKind",
    "OutboxMessage",
    "OutboxState",
    "Owner",
    "PaperKind",
    "PaperShare",
    "PaperVersion",
    "Person",
    "PersonIdentity",
    "PersonRole",
    "Proceedings",
    "ProceedingsChild",
    "Purpose",
    "RaisedIssue",
    "ReferralEnquiry",
    "ReferralGround",
    "ReferralOutcome",
    "ReferralPaper",
    "ReferralState",
    "ReferralTimescale",
    "Review",
    "ReviewDecision",
    "ReviewDecisionsCheck",
    "ReviewKind",
    "ReviewParticipation",
    "ReviewPreparation",
    "Role",
    "Side",
    "SignInAttempt",
    "SignificantChange",
    "SocialWorkerContact",
    "Stage",
    "StageChange",
    "StageOutcome",
    "Team",
    "Trigger",
    "UTCDateTime",
    "Upload",
    "ViewVersion",
    "ViewsConveyed",
    "WebSession",
    "WorkloadWeighting",
    "metadata",
    "utcnow",
]
