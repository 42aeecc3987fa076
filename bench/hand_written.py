"""Hand-written SQL for each dashboard figure and for the case view's rows: the baselines bench/dashboard.py
times the portal against. Plain text SQL with a few per-database snippets (dates are ISO text in SQLite),
written from the definitions in portal/dashboards, not from its code."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from models import LegalStatus, Stage
from portal.calendar import bank_holiday
from portal.cases.timescale import AT_RISK_WEEKS_REMAINING, STATUTORY_WEEKS


class Dialect:
    def __init__(self, name: str) -> None:
        self.name = name
        self.pg = name == "postgresql"

    def day(self, timestamp: str) -> str:
        return f"CAST(timezone('UTC', {timestamp}) AS DATE)" if self.pg else f"substr({timestamp}, 1, 10)"

    def days(self, later: str, earlier: str) -> str:
        if self.pg:
            return f"({later} - {earlier})"
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    def date_literal(self, day: date) -> str:
        return f"DATE '{day}'" if self.pg else f"'{day}'"

    def float(self) -> str:
        return "DOUBLE PRECISION" if self.pg else "REAL"

    def uuid(self, value: uuid.UUID) -> Any:
        return value if self.pg else value.hex

    def date(self, value: date) -> Any:
        return value if self.pg else value.isoformat()

    def instant(self, day: date) -> Any:
        moment = datetime.combine(day, time(0), tzinfo=UTC)
        return moment if self.pg else f"{day} 00:00:00.000000"

    def period(self, start: date, end: date, today: date) -> dict[str, Any]:
        return {
            "start": self.instant(start),
            "end": self.instant(end + timedelta(days=1)),
            "start_day": self.date(start),
            "end_day": self.date(end),
            "today": self.date(today),
        }


CAFCASS_SCOPE = """p.id IN (
  SELECT q.id FROM proceedings q JOIN organisation c ON c.id = q.court_id WHERE c.service_area_id = :area
  UNION
  SELECT m.proceedings_id FROM case_membership m JOIN person g ON g.id = m.person_id
  WHERE m.role = 'guardian' AND m.ended_at IS NULL AND g.organisation_id = :area)"""


def adherence(d: Dialect) -> str:
    late = d.days(d.day("o.closed_at"), "o.due_on")
    return f"""
WITH o AS (
  SELECT p.local_authority_id AS authority, o.code, o.state, o.due_on,
         CASE WHEN o.state = 'met' THEN {late} END AS late
  FROM obligation o JOIN proceedings p ON p.id = o.proceedings_id
  WHERE {CAFCASS_SCOPE} AND o.opened_at >= :start AND o.opened_at < :end),
r AS (
  SELECT authority, code, late, row_number() OVER (PARTITION BY authority, code ORDER BY late) AS rn,
         count(*) OVER (PARTITION BY authority, code) AS n
  FROM o WHERE late > 0),
p AS (
  SELECT authority, code, max(CASE WHEN rn = (n + 1) / 2 THEN late END) AS p50,
         max(CASE WHEN rn = (9 * n + 9) / 10 THEN late END) AS p90
  FROM r GROUP BY authority, code)
SELECT o.authority, o.code, count(*),
       sum(CASE WHEN o.late <= 0 THEN 1 ELSE 0 END), sum(CASE WHEN o.late > 0 THEN 1 ELSE 0 END),
       sum(CASE WHEN o.state = 'open' THEN 1 ELSE 0 END),
       sum(CASE WHEN o.state = 'open' AND o.due_on < :today THEN 1 ELSE 0 END),
       max(p.p50), max(p.p90)
FROM o LEFT JOIN p ON p.authority = o.authority AND p.code = o.code
GROUP BY o.authority, o.code"""


def table1(d: Dialect) -> str:
    least = "least" if d.pg else "min"
    ends = f"{least}(coalesce(e.ended_on, :end_day), :end_day, :today)"
    starts = d.day("g.allocated_at")
    period = d.days(d.day("k.occurred_at"), "c.starts_on")
    looked_after = ", ".join(f"'{s.value}'" for s in LegalStatus if s.is_looked_after)
    return f"""
WITH ended AS (
  SELECT proceedings_id, min(changed_on) AS ended_on FROM stage_change WHERE stage = 'concluded'
  GROUP BY proceedings_id),
guardians AS (
  SELECT proceedings_id, min(started_at) AS allocated_at FROM case_membership WHERE role = 'guardian'
  GROUP BY proceedings_id),
cases AS (
  SELECT p.id, {starts} AS starts_on, {ends} AS ends_on, e.ended_on,
         {d.days(ends, starts)} / 30 + 1 AS windows
  FROM proceedings p JOIN guardians g ON g.proceedings_id = p.id
  LEFT JOIN ended e ON e.proceedings_id = p.id
  WHERE {CAFCASS_SCOPE} AND {starts} <= {least}(:end_day, :today)
    AND (e.ended_on IS NULL OR e.ended_on >= :start_day)
    AND EXISTS (SELECT 1 FROM proceedings_child pc JOIN child ch ON ch.id = pc.child_id
                WHERE pc.proceedings_id = p.id AND ch.legal_status IN ({looked_after}))),
w AS (
  SELECT k.proceedings_id AS id, k.initiated_by AS side, count(DISTINCT {period} / 30) AS n
  FROM cases c JOIN contact k ON k.proceedings_id = c.id
  WHERE k.corrects_id IS NULL AND k.proceedings_id IN (SELECT id FROM cases)
    AND {d.day("k.occurred_at")} >= c.starts_on AND {d.day("k.occurred_at")} <= c.ends_on
  GROUP BY k.proceedings_id, k.initiated_by),
shares AS (
  SELECT c.ended_on <= :end_day AS concluded, CAST(coalesce(g.n, 0) AS {d.float()}) / c.windows AS g,
         CAST(coalesce(i.n, 0) AS {d.float()}) / c.windows AS i,
         EXISTS (SELECT 1 FROM discussion x
                 WHERE x.proceedings_id = c.id AND x.kind = 'final_discussion') AS held
  FROM cases c LEFT JOIN w g ON g.id = c.id AND g.side = 'guardian'
  LEFT JOIN w i ON i.id = c.id AND i.side = 'iro')
SELECT count(*),
  sum(CASE WHEN g >= 0.75 THEN 1 ELSE 0 END), sum(CASE WHEN g >= 0.25 AND g < 0.75 THEN 1 ELSE 0 END),
  sum(CASE WHEN g < 0.25 THEN 1 ELSE 0 END),
  sum(CASE WHEN i >= 0.75 THEN 1 ELSE 0 END), sum(CASE WHEN i >= 0.25 AND i < 0.75 THEN 1 ELSE 0 END),
  sum(CASE WHEN i < 0.25 THEN 1 ELSE 0 END),
  sum(CASE WHEN concluded AND held THEN 1 ELSE 0 END),
  sum(CASE WHEN concluded AND NOT held THEN 1 ELSE 0 END)
FROM shares"""


def tracker(d: Dialect) -> tuple[str, str]:
    """The counts, and the cases at risk, most urgent first (as the page lists them)."""
    before_final = ", ".join(f"'{s.value}'" for s in Stage if s.order < Stage.FINAL_HEARING.order)
    left = f"({STATUTORY_WEEKS} + weeks) * 7 - elapsed"
    open_cases = f"""
WITH e AS (SELECT proceedings_id, sum(weeks) AS weeks FROM extension GROUP BY proceedings_id),
o AS (
  SELECT p.id, p.case_number, {d.days(":today", "p.issued_on")} AS elapsed, coalesce(e.weeks, 0) AS weeks,
         p.stage
  FROM proceedings p LEFT JOIN e ON e.proceedings_id = p.id
  WHERE {CAFCASS_SCOPE} AND p.stage <> 'concluded')"""
    at_risk = f"{left} < 0 OR ({left} < {AT_RISK_WEEKS_REMAINING * 7} AND stage IN ({before_final}))"
    counts = f"""{open_cases}
SELECT sum(CASE WHEN elapsed / 7 < 13 THEN 1 ELSE 0 END),
       sum(CASE WHEN elapsed / 7 >= 13 AND elapsed / 7 < 21 THEN 1 ELSE 0 END),
       sum(CASE WHEN elapsed / 7 >= 21 AND elapsed / 7 < 27 THEN 1 ELSE 0 END),
       sum(CASE WHEN elapsed / 7 >= 27 THEN 1 ELSE 0 END),
       sum(CASE WHEN weeks > 0 THEN 1 ELSE 0 END)
FROM o"""
    listed = f"{open_cases}\nSELECT id FROM o WHERE {at_risk} ORDER BY {left}, case_number"
    return counts, listed


def handovers(d: Dialect) -> str:
    submitted = d.day("h.submitted_at")
    return f"""
WITH due AS (
  SELECT proceedings_id, min(due_on) AS due_on FROM obligation
  WHERE code = 'P14' AND state <> 'not_applicable' GROUP BY proceedings_id),
h AS (SELECT proceedings_id, min(submitted_at) AS submitted_at FROM handover GROUP BY proceedings_id),
ack AS (
  SELECT count(*) AS n FROM obligation o JOIN proceedings p ON p.id = o.proceedings_id
  WHERE {CAFCASS_SCOPE} AND o.code = 'P15' AND o.state = 'met'
    AND o.opened_at >= :start AND o.opened_at < :end)
SELECT count(*),
  sum(CASE WHEN h.submitted_at IS NOT NULL AND {submitted} <= due.due_on THEN 1 ELSE 0 END),
  sum(CASE WHEN h.submitted_at IS NOT NULL AND {submitted} > due.due_on THEN 1 ELSE 0 END),
  sum(CASE WHEN h.submitted_at IS NULL AND due.due_on < :today THEN 1 ELSE 0 END),
  sum(CASE WHEN h.submitted_at IS NULL AND due.due_on >= :today THEN 1 ELSE 0 END),
  max(ack.n)
FROM due JOIN proceedings p ON p.id = due.proceedings_id LEFT JOIN h ON h.proceedings_id = p.id CROSS JOIN ack
WHERE {CAFCASS_SCOPE} AND due.due_on >= :start_day AND due.due_on <= :end_day"""


def disputes(d: Dialect) -> str:
    """Disputes raised, fast-tracked, resolved (informally, at each of 10 formal stages, within and after the
    ladder's time), open and open beyond it; referrals made, open, overdue and concluded by outcome."""
    raised, in_scope = d.day("x.raised_at"), CAFCASS_SCOPE.replace("p.id IN", "x.proceedings_id IN")
    resolved = "x.state = 'resolved' AND x.resolved_on >= :start_day AND x.resolved_on <= :end_day"
    is_open = "x.state <> 'resolved' AND " + raised + " <= :end_day"
    stages = ",\n  ".join(f"sum(CASE WHEN {resolved} AND x.stage = {n} THEN 1 ELSE 0 END)" for n in range(11))
    outcomes = ",\n  ".join(
        f"(SELECT count(*) FROM cafcass_referral r WHERE {in_scope.replace('x.', 'r.')} AND r.outcome = '{o}'"
        " AND r.outcome_on >= :start_day AND r.outcome_on <= :end_day)"
        for o in (
            "resolved_by_correspondence",
            "resolved_by_discussion",
            "cafcass_disagrees",
            "application_to_court",
        )
    )
    referral_open = "r.state <> 'concluded' AND r.referred_on <= :end_day"
    return f"""
SELECT sum(CASE WHEN {raised} >= :start_day AND {raised} <= :end_day THEN 1 ELSE 0 END),
  sum(CASE WHEN {raised} >= :start_day AND {raised} <= :end_day AND x.fast_track_reason IS NOT NULL
    THEN 1 ELSE 0 END),
  sum(CASE WHEN {resolved} THEN 1 ELSE 0 END),
  {stages},
  sum(CASE WHEN {resolved} AND x.resolved_on <= x.limit_on THEN 1 ELSE 0 END),
  sum(CASE WHEN {resolved} AND x.resolved_on > x.limit_on THEN 1 ELSE 0 END),
  sum(CASE WHEN {is_open} THEN 1 ELSE 0 END),
  sum(CASE WHEN {is_open} AND x.limit_on < :today THEN 1 ELSE 0 END),
  (SELECT count(*) FROM cafcass_referral r WHERE {in_scope.replace("x.", "r.")}
    AND r.referred_on >= :start_day AND r.referred_on <= :end_day),
  (SELECT count(*) FROM cafcass_referral r WHERE {in_scope.replace("x.", "r.")} AND {referral_open}),
  (SELECT count(*) FROM cafcass_referral r WHERE {in_scope.replace("x.", "r.")} AND {referral_open}
    AND r.due_on < :today),
  {outcomes}
FROM dispute x WHERE {in_scope}"""


def papers(d: Dialect, start: date, today: date) -> str:
    first = date(start.year, 1, 1)
    days = (first + timedelta(days=n) for n in range((date(today.year, 12, 31) - first).days + 1))
    holidays = ", ".join(f"({d.date_literal(x)})" for x in days if x.weekday() < 5 and bank_holiday(x))

    def weekdays(x: str) -> str:
        n = f"({d.days(x, d.date_literal(date(2000, 1, 3)))} + 1)"
        return f"(5 * ({n} / 7) + CASE WHEN {n} % 7 > 5 THEN 5 ELSE {n} % 7 END)"

    opened_on = d.day("v.opened_at")
    return f"""
WITH hol(day) AS (VALUES {holidays}),
v AS (
  SELECT pv.filed_on, count(s.id) AS shares, min(s.first_opened_at) AS opened_at
  FROM paper_version pv JOIN proceedings p ON p.id = pv.proceedings_id
  LEFT JOIN paper_share s ON s.version_id = pv.id
  WHERE {CAFCASS_SCOPE} AND pv.filed_on >= :start_day AND pv.filed_on <= :end_day
  GROUP BY pv.id, pv.filed_on),
w AS (
  SELECT {weekdays(opened_on)} - {weekdays("v.filed_on")}
         - (SELECT count(*) FROM hol WHERE hol.day > v.filed_on AND hol.day <= {opened_on}) AS days
  FROM v WHERE v.opened_at IS NOT NULL),
r AS (SELECT days, row_number() OVER (ORDER BY days) AS rn, count(*) OVER () AS n FROM w)
SELECT (SELECT count(*) FROM v),
       (SELECT count(*) FROM v WHERE opened_at IS NOT NULL),
       (SELECT count(*) FROM v WHERE opened_at IS NULL AND shares > 0),
       (SELECT count(*) FROM v WHERE shares = 0),
       (SELECT max(CASE WHEN rn = (n + 1) / 2 THEN days END) FROM r),
       (SELECT max(CASE WHEN rn = (9 * n + 9) / 10 THEN days END) FROM r)"""


# The IRO workload: each IRO's children and those in open proceedings, and each child's rows from which the
# bench tells, by the case page's rule (portal/reviews/schedule.py), whose next review is late: that rule
# counts months and working days, which the portal does not do in SQL either.
IRO_CHILDREN = """
  SELECT m.person_id, m.proceedings_id, m.child_id, p.stage, c.legal_status, c.looked_after_since
  FROM case_membership m JOIN proceedings p ON p.id = m.proceedings_id JOIN person i ON i.id = m.person_id
  JOIN child c ON c.id = m.child_id
  WHERE m.role = 'iro' AND m.ended_at IS NULL AND i.organisation_id = :authority
    AND p.id IN (SELECT pc.proceedings_id FROM proceedings_child pc JOIN child c ON c.id = pc.child_id
                 WHERE c.local_authority_id = :authority)"""
WORKLOAD = f"""
WITH m AS ({IRO_CHILDREN})
SELECT person.id, count(DISTINCT m.child_id),
       count(DISTINCT CASE WHEN m.stage <> 'concluded' THEN m.child_id END)
FROM person JOIN person_role pr ON pr.person_id = person.id AND pr.role = 'iro'
LEFT JOIN m ON m.person_id = person.id
WHERE person.organisation_id = :authority AND person.active
GROUP BY person.id"""
WORKLOAD_CHILDREN = f"""
WITH m AS ({IRO_CHILDREN})
SELECT person_id, proceedings_id, child_id, legal_status, looked_after_since FROM m"""
WORKLOAD_REVIEWS = f"""
WITH m AS ({IRO_CHILDREN})
SELECT r.proceedings_id, r.child_id, r.review_date, r.held_on FROM review r
WHERE r.proceedings_id IN (SELECT proceedings_id FROM m)"""

# The rows the case view shows, fetched by hand: the case, its court and authority, children and their legal
# status, members, stage changes and extensions, obligations and their rules, reviews, discussions and their
# actions, raised issues, final orders, contacts and replies, the consultation arrangement.
CASE_ROWS = [
    "SELECT p.*, c.name, a.name FROM proceedings p JOIN organisation c ON c.id = p.court_id "
    "JOIN organisation a ON a.id = p.local_authority_id WHERE p.id = :case",
    "SELECT ch.*, l.* FROM proceedings_child pc JOIN child ch ON ch.id = pc.child_id "
    "LEFT JOIN legal_status_entry l ON l.child_id = ch.id WHERE pc.proceedings_id = :case",
    "SELECT m.*, pe.name, pe.email FROM case_membership m JOIN person pe ON pe.id = m.person_id "
    "WHERE m.proceedings_id = :case",
    "SELECT * FROM stage_change WHERE proceedings_id = :case",
    "SELECT * FROM extension WHERE proceedings_id = :case",
    "SELECT o.*, r.* FROM obligation o JOIN obligation_rule r ON r.id = o.rule_id "
    "WHERE o.proceedings_id = :case",
    "SELECT * FROM review WHERE proceedings_id = :case",
    "SELECT d.*, a.* FROM discussion d LEFT JOIN agreed_action a ON a.discussion_id = d.id "
    "WHERE d.proceedings_id = :case",
    "SELECT * FROM raised_issue WHERE proceedings_id = :case",
    "SELECT * FROM final_order WHERE proceedings_id = :case",
    "SELECT k.*, r.* FROM contact k LEFT JOIN contact_reply r ON r.contact_id = k.id "
    "WHERE k.proceedings_id = :case",
    "SELECT * FROM consultation_arrangement WHERE proceedings_id = :case",
]
CASE_COUNT = """
SELECT count(*) FROM (
  SELECT id FROM contact WHERE proceedings_id = :case UNION ALL
  SELECT id FROM obligation WHERE proceedings_id = :case UNION ALL
  SELECT m.id FROM case_membership m WHERE m.proceedings_id = :case UNION ALL
  SELECT child_id FROM proceedings_child WHERE proceedings_id = :case
) AS everything"""
