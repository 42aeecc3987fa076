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
from portal.midpoints.coverage import CycleRow


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
    # The guardians' analyses and the IRO's view (issue 19), by the dashboard's grouping.
    IRO_VIEW_FILED = "iro_view:filed"
    IRO_VIEW_CITED = "iro_view:cited"
    IRO_VIEW_NOT_CITED = "iro_view:not_cited"
    IRO_VIEW_NOT_RECORDED = "iro_view:not_recorded"
    IRO_CHILDREN = "iro:children"
    IRO_IN_PROCEEDINGS = "iro:in_proceedings"
    IRO_OVERDUE_REVIEWS = "iro:overdue_reviews"
    # Monitoring between reviews (issue 19; portal/midpoints/coverage.py), of an IRO or of the authority:
    # the looked-after children in their current cycle, and the reviews held in the period.
    MIDPOINTS_CHILDREN = "midpoints:children"
    MIDPOINTS_DUE = "midpoints:due"
    MIDPOINTS_MONITORED = "midpoints:monitored"
    MIDPOINTS_NOT_MONITORED = "midpoints:not_monitored"
    MIDPOINTS_NOT_YET_DUE = "midpoints:not_yet_due"
    MIDPOINTS_REVIEWS = "midpoints:reviews"
    MIDPOINTS_REVIEWS_CHECKED = "midpoints:reviews_checked"
    MIDPOINTS_REVIEWS_UNCHECKED = "midpoints:reviews_unchecked"
    # The children's participation (issue 19): in the reviews held in the period, in each IRO's introduction
    # to them, and in being told what a resolved dispute decided.
    PARTICIPATION_REVIEWS = "participation:reviews"
    PARTICIPATION_REVIEWS_ATTENDED = "participation:reviews_attended"
    PARTICIPATION_REVIEWS_ATTENDED_PART = "participation:reviews_attended_part"
    PARTICIPATION_REVIEWS_VIEWS_CONVEYED = "participation:reviews_views_conveyed"
    PARTICIPATION_REVIEWS_VIEWS_NOT_CONVEYED = "participation:reviews_views_not_conveyed"
    PARTICIPATION_REVIEWS_NOT_RECORDED = "participation:reviews_not_recorded"
    PARTICIPATION_REVIEWS_BY_AT_THE_REVIEW = "participation:reviews_by_at_the_review"
    PARTICIPATION_REVIEWS_BY_TO_THE_IRO_BEFORE = "participation:reviews_by_to_the_iro_before"
    PARTICIPATION_REVIEWS_BY_ADVOCATE = "participation:reviews_by_advocate"
    PARTICIPATION_REVIEWS_BY_WRITTEN = "participation:reviews_by_written"
    PARTICIPATION_REVIEWS_BY_SOCIAL_WORKER = "participation:reviews_by_social_worker"
    PARTICIPATION_REVIEWS_BY_CARER = "participation:reviews_by_carer"
    PARTICIPATION_REVIEWS_BY_OBSERVATION = "participation:reviews_by_observation"
    PARTICIPATION_REVIEWS_BY_OTHER = "participation:reviews_by_other"
    PARTICIPATION_ALLOCATIONS = "participation:allocations"
    PARTICIPATION_ALLOCATIONS_INTRODUCED = "participation:allocations_introduced"
    PARTICIPATION_ALLOCATIONS_NOT_INTRODUCED = "participation:allocations_not_introduced"
    PARTICIPATION_ALLOCATIONS_ADVOCACY = "participation:allocations_advocacy"
    PARTICIPATION_DISPUTES_RESOLVED = "participation:disputes_resolved"
    PARTICIPATION_DISPUTES_TOLD = "participation:disputes_told"


@dataclass(frozen=True)
class Behind:
    """A case behind a figure, with the obligations on it that the figure counts (for a figure of
    obligations: an adherence figure, a handover's P14 or P15, a court paper's P6, the final discussion's
    P13; none for the others)."""

    case: Proceedings
    obligation_ids: frozenset[uuid.UUID]
    # For a figure of monitoring between reviews: the children (or reviews) on the case that it counts.
    midpoints: tuple[CycleRow, ...] = ()
