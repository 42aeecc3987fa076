"""The cases behind any dashboard figure other than adherence's (which has its own, by code and group):
Table 1, the tracker, handovers, court papers, disputes and referrals, and an IRO's workload. Each is the
same per-case rows its section counts, filtered to the figure: a drill-down lists exactly the cases behind
the number, in scope.

Here: the figures. The statements are in repository/drill.py, and service.py serves the section."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from models import Proceedings


class Figure(StrEnum):
    """A figure on the dashboards, as section:category."""

    GUARDIAN_CONTACTS_IRO_ALWAYS_OR_MOSTLY = "guardian_contacts_iro:always_or_mostly"
    GUARDIAN_CONTACTS_IRO_SOMETIMES = "guardian_contacts_iro:sometimes"
    GUARDIAN_CONTACTS_IRO_RARELY_OR_NEVER = "guardian_contacts_iro:rarely_or_never"
    IRO_CONTACTS_GUARDIAN_ALWAYS_OR_MOSTLY = "iro_contacts_guardian:always_or_mostly"
    IRO_CONTACTS_GUARDIAN_SOMETIMES = "iro_contacts_guardian:sometimes"
    IRO_CONTACTS_GUARDIAN_RARELY_OR_NEVER = "iro_contacts_guardian:rarely_or_never"
    FINAL_DISCUSSION_HELD = "final_discussion:held"
    FINAL_DISCUSSION_NOT_HELD = "final_discussion:not_held"
    TRACKER_UNDER_13_WEEKS = "tracker:0"
    TRACKER_13_TO_20_WEEKS = "tracker:1"
    TRACKER_21_TO_26_WEEKS = "tracker:2"
    TRACKER_OVER_26_WEEKS = "tracker:3"
    TRACKER_EXTENDED = "tracker:extended"
    TRACKER_AT_RISK = "tracker:at_risk"
    HANDOVERS_DUE = "handovers:due"
    HANDOVERS_ON_TIME = "handovers:on_time"
    HANDOVERS_LATE = "handovers:late"
    HANDOVERS_MISSING = "handovers:missing"
    HANDOVERS_AWAITED = "handovers:awaited"
    HANDOVERS_ACKNOWLEDGED = "handovers:acknowledged"
    PAPERS_FILED = "papers:filed"
    PAPERS_OPENED = "papers:opened"
    PAPERS_UNOPENED = "papers:unopened"
    PAPERS_NOT_WITH_IRO = "papers:not_with_iro"
    DISPUTES_OPENED = "disputes:opened"
    DISPUTES_FAST_TRACKED = "disputes:fast_tracked"
    DISPUTES_RESOLVED = "disputes:resolved"
    DISPUTES_RESOLVED_INFORMALLY = "disputes:stage_0"
    DISPUTES_RESOLVED_AT_STAGE_1 = "disputes:stage_1"
    DISPUTES_RESOLVED_AT_STAGE_2 = "disputes:stage_2"
    DISPUTES_RESOLVED_AT_STAGE_3 = "disputes:stage_3"
    DISPUTES_RESOLVED_AT_STAGE_4 = "disputes:stage_4"
    DISPUTES_RESOLVED_AT_STAGE_5 = "disputes:stage_5"
    DISPUTES_RESOLVED_AT_STAGE_6 = "disputes:stage_6"
    DISPUTES_RESOLVED_AT_STAGE_7 = "disputes:stage_7"
    DISPUTES_RESOLVED_AT_STAGE_8 = "disputes:stage_8"
    DISPUTES_RESOLVED_AT_STAGE_9 = "disputes:stage_9"
    DISPUTES_RESOLVED_AT_STAGE_10 = "disputes:stage_10"
    DISPUTES_RESOLVED_WITHIN_LIMIT = "disputes:within_limit"
    DISPUTES_RESOLVED_BEYOND_LIMIT = "disputes:beyond_limit"
    DISPUTES_OPEN = "disputes:open"
    DISPUTES_OPEN_BEYOND_LIMIT = "disputes:open_beyond_limit"
    REFERRALS_MADE = "referrals:made"
    REFERRALS_OPEN = "referrals:open"
    REFERRALS_OVERDUE = "referrals:overdue"
    REFERRALS_RESOLVED_BY_CORRESPONDENCE = "referrals:resolved_by_correspondence"
    REFERRALS_RESOLVED_BY_DISCUSSION = "referrals:resolved_by_discussion"
    REFERRALS_CAFCASS_DISAGREES = "referrals:cafcass_disagrees"
    REFERRALS_APPLICATION_TO_COURT = "referrals:application_to_court"
    IRO_CHILDREN = "iro:children"
    IRO_IN_PROCEEDINGS = "iro:in_proceedings"
    IRO_OVERDUE_REVIEWS = "iro:overdue_reviews"


@dataclass(frozen=True)
class Behind:
    """A case behind a figure, with the obligations on it that the figure counts (for a figure of
    obligations: an adherence figure, a handover's P14 or P15, a court paper's P6, the final discussion's
    P13; none for the others)."""

    case: Proceedings
    obligation_ids: frozenset[uuid.UUID]
