"""The domain's enums as GraphQL enums; values are the members' names."""

from __future__ import annotations

from models import (
    CaseRole,
    Channel,
    DisputeState,
    DisputeSubject,
    EmailPreference,
    LegalStatus,
    OrganisationKind,
    Purpose,
    ReferralGround,
    ReferralOutcome,
    ReferralState,
    Role,
    Side,
    Stage,
    StageOutcome,
)
from portal.api.doc import enum_type
from portal.contacts.service import Direction

OrganisationKindEnum = enum_type(OrganisationKind, "What kind of organisation this is.")
RoleEnum = enum_type(
    Role,
    "What a person does in their organisation. Roles grant abilities on the cases a "
    "person is a member of, or, for managers, on the cases in their organisation's scope.",
)
CaseRoleEnum = enum_type(CaseRole, "The part a person plays on a child's case.")
LegalStatusEnum = enum_type(
    LegalStatus,
    "A child's legal status. Interim care, care and placement orders and "
    "section 20 accommodation mean the child is looked after.",
)
StageEnum = enum_type(Stage, "The stages of care proceedings under the Public Law Outline (PD12A), in order.")
SideEnum = enum_type(
    Side, "The two sides of the protocol: the children's guardian (Cafcass) and the IRO (LA)."
)
ChannelEnum = enum_type(Channel, "How a contact was made.")
PurposeEnum = enum_type(Purpose, "What a contact was about, in the protocol's terms.")
DirectionEnum = enum_type(
    Direction, "Whether the person logging a contact made it (outgoing) or received it (incoming)."
)
EmailPreferenceEnum = enum_type(
    EmailPreference, "How a person wants the portal's emails: as things happen, or a daily digest."
)
DisputeSubjectEnum = enum_type(DisputeSubject, "What a dispute about a child's care plan is about.")
DisputeStateEnum = enum_type(
    DisputeState,
    "Where a dispute stands: being settled informally, on the authority's ladder (FORMAL), or resolved.",
)
ReferralGroundEnum = enum_type(
    ReferralGround,
    "The Convention right an IRO thinks may be breached (Human Rights Act 1998): life (Article 2), "
    "inhuman or degrading treatment (3), a fair hearing (6), private and family life (8), discrimination "
    "(14), or another.",
)
ReferralStateEnum = enum_type(
    ReferralState,
    "Where a referral to Cafcass stands: referred, acknowledged by the service area, an officer appointed, "
    "or concluded.",
)
ReferralOutcomeEnum = enum_type(
    ReferralOutcome,
    "How a referral to Cafcass ended: resolved by correspondence, resolved by discussion, Cafcass disagreed "
    "with the IRO, or an application to court.",
)
StageOutcomeEnum = enum_type(
    StageOutcome,
    "How a formal stage of a dispute ended: its answer settled it, it went to the next stage, or to Cafcass.",
)
