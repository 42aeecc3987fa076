"""The hand-written "limit" server issue 15 compares the portal's /graphql against: Starlette on asyncpg, no
SQLAlchemy, no strawberry, no graphql-core. It answers the same requests with the same bytes and the same side
effects, as directly as hand-written code can: a few SQL statements per request (prepared by asyncpg and
kept per connection), the derived fields computed in plain Python, the JSON built from plain dicts.

    .venv/bin/python bench/limit_server.py --dsn postgresql://postgres@127.0.0.1:5432/db --port 8001 \
        [--audit-key "<id>:<secret>"] [--checkpoint-file F] [--workers N] [--loop uvloop] [--http httptools]
    .venv/bin/python bench/limit_server.py --check --database-url postgresql://postgres@127.0.0.1:5432/db \
        [--portal-url http://127.0.0.1:8000 --limit-url http://127.0.0.1:8001 --audit-key K --var-dir D]

What it answers: POST /graphql with ``{"documentId": "<name>"}`` or ``{"query": "<the trusted document's
text>"}`` (an ``operationName`` is accepted and ignored), ``variables``, and ``Authorization: Bearer
<token>``, for the trusted documents (graphql/operations/) CaseView, MyCases, MyTasks and Adherence. Any other
document is answered 400 ``NOT_SUPPORTED``: this is a yardstick, not a GraphQL server. Not covered (see
``NOT_COVERED``): LogContact, GET requests, and the portal's error answers other than a missing or refused
case, an invalid id and a bad or missing token (a bad page size or cursor, a period the dashboards refuse,
Adherence for someone who is not a manager are answered 400 with a message of the limit's own).

What it does per request, as the portal does (portal/api/view.py and what it calls):

- the token check of portal/auth: the SHA-256 of the secret looked up, refused if revoked or expired or its
  person is inactive (401 with the portal's JSON and headers); the actor's roles, live memberships and
  read-only cases (a closed guardian's) in the same statement; the token's last use stamped after the
  request, at most once a minute, as the portal does;
- the access check of portal/access: a case is read only by a live member in a role that grants it, or by a
  manager whose organisation's scope covers it, within the token's scopes; otherwise the portal's NOT_FOUND
  answer and its ``refused:case:read`` event; every fetch below the case applies the same visibility rules
  (concerns and significant issues, a review's record, what was said in a private contact, what a child said
  at a review); a review decision's owner and the manager asked to confirm a review's decisions see them
  (MyTasks) without reading the case;
- the audit appends of portal/audit: ``token.use``, one look per case and kind (``case.view``, ``case.list``,
  ``case.task_list``, ``case.drill_down``, ``case.review.participation`` when a child's wishes are shown,
  ``case.review.decisions``) acting as the first of the viewer's roles (no role for the decisions), and each
  dashboard section's read, written after the reads in one INSERT (the database's trigger queues them for
  sealing); with ``audit_key`` the server also runs the sealer every 2 s, as each web process of the portal
  does (one sealer at a time holds the advisory lock, so it may share a database with the portal), and with a
  checkpoint file it signs checkpoints as the portal does.

Served as ``portal serve`` serves (portal/web/serving.py): uvloop and httptools, ``proxy_headers=False``, log
level info, ``--workers`` processes sharing the port, the garbage collector frozen and tuned once the app is
built; a pool of at most the portal's 10 + 10 connections per process. The check's database must be one it
may write to (tokens, audit events): a copy, never a shared one.

For the benchmark (bench/http_load.py): ``create_app(dsn, audit_key=None, ...)`` gives the Starlette app,
``main()`` serves it (``app_from_environment``/``worker_app`` for uvicorn's factory mode), ``cast(dsn)`` picks
the cases and people (the busiest case, an ordinary one, their guardian and IRO, the authority's lawyer,
both managers in scope, a stranger), ``make_tokens`` makes their tokens with `portal token create`,
``probes_for`` lists the requests, and ``check(portal_url, limit_url, probes, dsn)`` sends each probe to the
portal and then to the limit server and returns the differences found: status, the first differing JSON path
(or "the bytes differ"), and with ``dsn`` the audit events each request appended (all fields but id and
time). Empty when they answer alike. ``--check`` does all that (starting both servers unless their URLs are
given), then seals the trail and runs `portal audit verify`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import calendar as months
import contextlib
import functools
import gc
import hashlib
import json
import logging
import os
import sys
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Pure functions of the portal's (no ORM, no GraphQL): England's working days and the audit keyring's format.
from portal.audit.keys import Key, Keyring  # noqa: E402
from portal.audit.keys import parse as parse_keyring  # noqa: E402
from portal.calendar import add_working_days, working_days_between  # noqa: E402

log = logging.getLogger("limit")
OPERATIONS = ROOT / "graphql" / "operations"
SERVED = ("CaseView", "MyCases", "MyTasks", "Adherence")
NOT_COVERED = (
    "LogContact: not served. Its side effects (the contact row, the obligations it meets and those it opens, "
    "the outbox's notifications and reminders, the audit events) run through the portal's contacts and "
    "obligations services; reproducing them faithfully by hand was left out."
)
LONDON = ZoneInfo("Europe/London")
JSON_MEDIA = "application/json"
TOKEN_PREFIX = "gip_"
STAMP_EVERY = timedelta(minutes=1)
PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX = 20, 100
SEAL_EVERY = 2.0
SEAL_BATCH = 1000
SEALER_LOCK = 0x5EA1_0A0D17
GENESIS_HASH = "0" * 64
CHECKPOINT_ORIGIN = "guardian-iro-portal/audit"

# ---------------------------------------------------------------------------------------------------------
# The rules, from portal/access/policy.py, portal/cases, portal/obligations and portal/reviews: plain values.

CASE_PERMISSIONS: dict[str, frozenset[str]] = {
    "guardian": frozenset(
        [
            "arrangement:record",
            "case:read",
            "concern:raise",
            "contact:log",
            "contact:reply",
            "dispute:answer",
            "dispute:read",
            "handover:read",
            "handover:write",
            "issue:acknowledge",
            "issue:read",
            "obligation:waive",
            "paper:confirm-forwarding",
            "paper:file",
            "private:read",
        ]
    ),
    "iro": frozenset(
        [
            "arrangement:record",
            "case:read",
            "change:notify",
            "child-file:export",
            "contact:log",
            "contact:reply",
            "discussion:record",
            "dispute:raise",
            "dispute:read",
            "handover:answer",
            "handover:read",
            "issue:acknowledge",
            "issue:read",
            "private:read",
            "referral:make",
            "referral:read",
            "review:manage",
            "significant-issue:record",
        ]
    ),
    "la_solicitor": frozenset(
        [
            "case:read",
            "child-file:export",
            "dispute:read",
            "legal-hold:manage",
            "paper:file",
            "proceedings:manage",
        ]
    ),
    "social_worker": frozenset(
        [
            "case:read",
            "change:notify",
        ]
    ),
    "la_manager": frozenset(),
    "cafcass_manager": frozenset(
        [
            "case:access-log",
            "case:read",
            "guardian:allocate",
            "handover:override-closure",
            "handover:read",
            "issue:read",
            "legal-hold:manage",
            "obligation:waive",
            "referral:manage",
            "referral:read",
        ]
    ),
    "iro_manager": frozenset(
        [
            "case:access-log",
            "case:read",
            "child-file:export",
            "dispute:read",
            "handover:read",
            "iro:assign",
            "issue:read",
            "legal-hold:manage",
            "obligation:waive",
            "referral:read",
        ]
    ),
    "admin": frozenset(),
    "national_admin": frozenset(),
}
GLOBAL_PERMISSIONS: dict[str, frozenset[str]] = {
    "guardian": frozenset({"referral:enquire"}),
    "la_solicitor": frozenset({"proceedings:open"}),
    "cafcass_manager": frozenset({"adherence:view"}),
    "iro_manager": frozenset({"adherence:view"}),
    "la_manager": frozenset({"dispute:answer"}),
    "admin": frozenset({"admin"}),
    "national_admin": frozenset({"admin", "admin:national"}),
}
MANAGER_ROLES = ("cafcass_manager", "iro_manager")
# A closed guardian's role still reads.
READS = frozenset({"case:read", "dispute:read", "handover:read", "issue:read", "private:read"})
ROLE_ORDER = ["guardian", "iro", "la_solicitor", "social_worker"]  # CaseRole's order
STAGES = ["issued", "case_management_hearing", "issues_resolution_hearing", "final_hearing", "concluded"]
LOOKED_AFTER = frozenset({"interim_care_order", "care_order", "placement_order", "section_20"})
# What was said in a pre-review consultation is private to the guardian and the IRO, marked or not.
PRIVATE_PURPOSES = frozenset({"pre_review_consultation"})
STATUTORY_WEEKS, AT_RISK_WEEKS = 26, 4
# CaseView's viewerCan, in the document's order.
ABILITIES = [
    ("logContact", "contact:log"),
    ("markReply", "contact:reply"),
    ("manageProceedings", "proceedings:manage"),
    ("allocateGuardian", "guardian:allocate"),
    ("assignIro", "iro:assign"),
    ("viewAccessLog", "case:access-log"),
    ("recordArrangement", "arrangement:record"),
    ("waiveObligation", "obligation:waive"),
    ("manageReviews", "review:manage"),
    ("notifySignificantChange", "change:notify"),
    ("prepareReviews", "review:prepare"),
    ("writeToChildren", "child-letter:write"),
    ("recordDiscussion", "discussion:record"),
    ("raiseConcern", "concern:raise"),
    ("recordSignificantIssue", "significant-issue:record"),
    ("acknowledgeIssue", "issue:acknowledge"),
    ("exportChildFile", "child-file:export"),
    ("writeHandover", "handover:write"),
    ("answerHandover", "handover:answer"),
    ("filePaper", "paper:file"),
]
NO_PROTOCOL = (
    "No child in these proceedings is looked after, so there is no IRO and the protocol's obligations do not "
    "apply."
)


def _code_order(code: str) -> tuple[str, int]:
    """Obligation codes in their numbered order: P2 ... P15, then R1 ... RD."""
    return code[0], int(code[1:]) if code[1:].isdigit() else 100


def enum(value: str) -> str:
    """An enum as the API names it: strawberry gives the member's name, which is its value in capitals."""
    return value.upper()


def iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def ident(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


def dumps(content: Any) -> bytes:
    """Starlette's JSONResponse.render, which the portal answers with."""
    return json.dumps(
        content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode()


def london_today() -> date:
    return datetime.now(UTC).astimezone(LONDON).date()


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def add_months(day: date, count: int) -> date:
    index = day.month - 1 + count
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, months.monthrange(year, month)[1]))


def next_review(since: date, reviews: Sequence[tuple[date, date | None]], today: date) -> dict[str, Any]:
    """CPPCR reg 33's next review (portal/reviews/schedule.py's standing)."""
    held = sorted(h for _, h in reviews if h and h >= since)
    if not held:
        kind, due = "first", add_working_days(since, 20)
    elif len(held) == 1:
        kind, due = "second", add_months(held[0], 3)
    else:
        kind, due = "subsequent", add_months(held[-1], 6)
    booked = min((day for day, h in reviews if h is None), default=None)
    late = today > due or (booked is not None and booked > due)
    return {"kind": enum(kind), "dueBy": due.isoformat(), "bookedOn": iso(booked), "late": late}


def midpoint_cycle(since: date, held: Sequence[date], checks: Sequence[date], today: date) -> dict[str, Any]:
    """A looked-after child's current cycle between reviews (portal/midpoints/coverage.py), every field."""
    days = sorted(d for d in held if d >= since)
    last = days[-1] if days else None
    starts = last or since
    ends = date.fromisoformat(next_review(since, [(d, d) for d in days], today)["dueBy"])
    middle = starts + timedelta(days=max((ends - starts).days, 0) // 2)
    checked = max((d for d in checks if (d > last if last else d >= starts)), default=None)
    standing = "monitored" if checked else "not_monitored" if today >= middle else "not_yet_due"
    return {
        "startsOn": starts.isoformat(),
        "lastReview": iso(last),
        "endsBy": ends.isoformat(),
        "midpoint": middle.isoformat(),
        "checkedOn": iso(checked),
        "standing": enum(standing),
    }


def timescale(
    issued_on: date, stage: str, extension_weeks: int, today: date, concluded_on: date | None
) -> dict[str, Any]:
    """The 26-week limit (portal/cases/timescale.py), every field."""
    statutory = issued_on + timedelta(weeks=STATUTORY_WEEKS)
    deadline = statutory + timedelta(weeks=extension_weeks)
    until = concluded_on if stage == "concluded" and concluded_on else today
    remaining = (deadline - until).days
    open_ = stage != "concluded"
    overdue = open_ and remaining < 0
    closing_in = remaining < AT_RISK_WEEKS * 7 and STAGES.index(stage) < STAGES.index("final_hearing")
    return {
        "statutoryDate": statutory.isoformat(),
        "deadline": deadline.isoformat(),
        "lastDayWithinLimit": (deadline - timedelta(days=1)).isoformat(),
        "extensionWeeks": extension_weeks,
        "weeksElapsed": max(0, (until - issued_on).days // 7),
        "daysRemaining": remaining,
        "overdue": overdue,
        "atRisk": open_ and (overdue or closing_in),
    }


def met_on_time(state: str, closed_at: datetime | None, due_on: date) -> bool | None:
    if state != "met" or closed_at is None:
        return None
    return closed_at.astimezone(LONDON).date() <= due_on


# ---------------------------------------------------------------------------------------------------------
# Who is asking (portal/auth) and what they may do (portal/access).


@dataclass
class Actor:
    person_id: uuid.UUID
    name: str
    email: str
    organisation_id: uuid.UUID
    organisation_name: str
    roles: frozenset[str]
    case_roles: dict[uuid.UUID, set[str]]
    read_only: set[uuid.UUID]
    scopes: frozenset[str]
    token_id: uuid.UUID
    source: str

    def allows(self, need: str) -> bool:
        return need in self.scopes

    def acting_roles(self, case_id: uuid.UUID, managers: Iterable[str]) -> list[str]:
        """The roles held on a case, strongest first: live memberships backed by the organisation role, then
        the manager roles whose scope covers it."""
        held = self.case_roles.get(case_id, set())
        members = [r for r in sorted(held) if r in self.roles]
        return members + [r for r in sorted(managers) if r in self.roles and r in MANAGER_ROLES]

    def granting(self, case_id: uuid.UUID, roles: Sequence[str], need: str) -> str | None:
        if need not in self.scopes:
            return None
        if case_id in self.read_only and need not in READS:
            roles = [r for r in roles if r != "guardian"]
        return next((r for r in roles if need in CASE_PERMISSIONS[r]), None)

    def member_cases(self, need: str) -> list[uuid.UUID]:
        """The cases they are a live member of in a role that grants ``need``."""
        return [c for c in self.case_roles if self.granting(c, self.acting_roles(c, ()), need)]

    def reads(self, need: str) -> bool:
        return "case:read" in self.scopes and need in self.scopes

    def member_as_iro(self, case_id: uuid.UUID) -> bool:
        return "iro" in self.case_roles.get(case_id, set()) and "iro" in self.roles

    def reads_private(self, case_id: uuid.UUID) -> bool:
        """What was said in the case's private records (portal/access/policy.py's reads_private): as a member
        in a role that grants it, never as a manager, with private:read."""
        return self.granting(case_id, self.acting_roles(case_id, ()), "private:read") is not None

    def reads_child_wishes(
        self, case_id: uuid.UUID, *, private: bool, childs_iro: bool, record_visible: bool
    ) -> bool:
        """What a child said at a review (reads_child_wishes): marked private, their own IRO's alone (with
        private:read); otherwise as the review's record is read."""
        if not private:
            return record_visible
        roles = ["iro"] if childs_iro and "iro" in self.roles else []
        return self.granting(case_id, roles, "private:read") is not None

    def granted(self, case_id: uuid.UUID, need: str, in_scope: dict[str, bool]) -> bool:
        """portal/access/repository.py's ``granted`` for one case, given whether each manager scope covers
        it."""
        if not self.reads(need):
            return False
        if any(in_scope.get(r) for r in MANAGER_ROLES if r in self.roles and need in CASE_PERMISSIONS[r]):
            return True
        return bool(self.granting(case_id, self.acting_roles(case_id, ()), need))

    def global_permission(self, need: str) -> bool:
        granted: set[str] = {"tokens:manage"} if self.roles else set()
        for role in self.roles:
            granted |= GLOBAL_PERMISSIONS.get(role, frozenset())
        return need in granted and need in self.scopes


ACTOR_SQL = """
SELECT t.id, t.person_id, t.scopes, t.expires_at, t.revoked_at, t.last_used_at,
       p.name, p.email, o.id, o.name,
       array(SELECT r.role FROM person_role r WHERE r.person_id = p.id),
       array(SELECT row(m.proceedings_id, m.role, c.read_only_until)
             FROM case_membership m LEFT JOIN closure c ON c.proceedings_id = m.proceedings_id
             WHERE m.person_id = p.id AND m.ended_at IS NULL)
FROM api_token t
JOIN person p ON p.id = t.person_id AND p.active
JOIN organisation o ON o.id = p.organisation_id
WHERE t.token_hash = $1"""


class Scoped:
    """SQL for "the cases the actor may ``need`` on" (portal/access/repository.py's readable_cases), with its
    parameters numbered after those already taken."""

    def __init__(self, params: list[Any]) -> None:
        self.params = params

    def add(self, value: Any) -> str:
        self.params.append(value)
        return f"${len(self.params)}"

    def readable(self, actor: Actor, column: str, need: str = "case:read") -> str:
        if not actor.reads(need):
            return "false"
        clauses = []
        org = None
        if "cafcass_manager" in actor.roles and need in CASE_PERMISSIONS["cafcass_manager"]:
            org = self.add(actor.organisation_id)
            clauses.append(
                f"{column} IN (SELECT q.id FROM proceedings q JOIN organisation qc ON qc.id = q.court_id "
                f"WHERE qc.service_area_id = {org} UNION SELECT g.proceedings_id FROM case_membership g "
                f"JOIN person gp ON gp.id = g.person_id WHERE g.role = 'guardian' AND g.ended_at IS NULL "
                f"AND gp.organisation_id = {org})"
            )
        if "iro_manager" in actor.roles and need in CASE_PERMISSIONS["iro_manager"]:
            org = org or self.add(actor.organisation_id)
            clauses.append(
                f"{column} IN (SELECT pc.proceedings_id FROM proceedings_child pc JOIN child ch "
                f"ON ch.id = pc.child_id WHERE ch.local_authority_id = {org})"
            )
        if members := actor.member_cases(need):
            clauses.append(f"{column} = ANY({self.add(members)}::uuid[])")
        return "(" + " OR ".join(clauses) + ")" if clauses else "false"

    def granted(self, actor: Actor, need: str, column: str) -> str:
        """The read layer's predicate correlated to each row (portal/access/repository.py's ``granted``),
        written as SQLAlchemy writes it for the portal, so that the database plans alike."""
        if not actor.reads(need):
            return "false"
        clauses = []
        if "cafcass_manager" in actor.roles and need in CASE_PERMISSIONS["cafcass_manager"]:
            clauses.append(
                f"((EXISTS (SELECT proceedings_1.id FROM proceedings AS proceedings_1 JOIN organisation AS "
                f"organisation_1 ON organisation_1.id = proceedings_1.court_id "
                f"WHERE proceedings_1.id = {column} "
                f"AND organisation_1.service_area_id = {self.add(actor.organisation_id)})) "
                f"OR (EXISTS (SELECT "
                f"case_membership_1.id FROM case_membership AS case_membership_1 JOIN person AS person_1 ON "
                f"person_1.id = case_membership_1.person_id "
                f"WHERE case_membership_1.proceedings_id = {column} "
                f"AND case_membership_1.role = {self.add('guardian')} AND case_membership_1.ended_at IS NULL "
                f"AND person_1.organisation_id = {self.add(actor.organisation_id)})))"
            )
        if "iro_manager" in actor.roles and need in CASE_PERMISSIONS["iro_manager"]:
            clauses.append(
                f"(EXISTS (SELECT proceedings_child_1.proceedings_id FROM proceedings_child AS "
                f"proceedings_child_1 JOIN child AS child_1 ON child_1.id = proceedings_child_1.child_id "
                f"WHERE "
                f"proceedings_child_1.proceedings_id = {column} AND child_1.local_authority_id = "
                f"{self.add(actor.organisation_id)}))"
            )
        if members := actor.member_cases(need):
            clauses.append(f"{column} IN ({', '.join(self.add(m) for m in members)})")
        if not clauses:
            return "false"
        return clauses[0] if len(clauses) == 1 else "(" + " OR ".join(clauses) + ")"


# ---------------------------------------------------------------------------------------------------------
# The audit trail (portal/audit): events appended after the reads, and the sealer.


@dataclass
class Audit:
    actor: Actor
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    looked: set[tuple[uuid.UUID, str]] = field(default_factory=set)

    def record(
        self,
        action: str,
        subject_type: str,
        subject_id: uuid.UUID | None = None,
        case_id: uuid.UUID | None = None,
        acting_as: str | None = None,
        outcome: str = "success",
    ) -> None:
        self.rows.append(
            (
                uuid.uuid4(),
                datetime.now(UTC),
                self.actor.person_id,
                acting_as or "",
                action,
                subject_type,
                subject_id,
                case_id,
                outcome,
                "api",
                self.actor.source[:100],
            )
        )

    def look(self, case_id: uuid.UUID, kind: str, acting_as: str | None) -> None:
        """One event per case and kind of look in a request (portal/audit/service.py's look)."""
        if (case_id, kind) not in self.looked:
            self.looked.add((case_id, kind))
            self.record(kind, "case", case_id, case_id, acting_as)


INSERT_EVENTS = """
INSERT INTO audit_event (id, occurred_at, person_id, acting_as, action, subject_type, subject_id, case_id,
                         outcome, channel, source)
SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::uuid[], $4::text[], $5::text[], $6::text[],
                     $7::uuid[], $8::uuid[], $9::text[], $10::text[], $11::text[])"""


async def append_events(connection: asyncpg.Connection, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        await connection.execute(INSERT_EVENTS, *(list(column) for column in zip(*rows, strict=True)))


def _digest(key: Key, seq: int, prev: str, event: asyncpg.Record) -> str:
    """portal/audit/chain.py's digest of one event."""
    fields = [
        seq,
        key.id,
        prev,
        str(event["id"]),
        event["occurred_at"].isoformat(timespec="microseconds"),
        str(event["person_id"] or ""),
        event["acting_as"],
        event["action"],
        event["subject_type"],
        str(event["subject_id"] or ""),
        str(event["case_id"] or ""),
        event["outcome"],
        event["channel"],
        event["source"],
    ]
    return key.mac(b"audit chain", json.dumps(fields, separators=(",", ":")).encode())


class Sealer:
    """portal/audit/sealer.py by hand: chains queued events with the current key in batches, one sealer at a
    time (the advisory lock), and signs a checkpoint of the head into ``checkpoints`` at most every
    ``checkpoint_every`` seconds."""

    def __init__(
        self, pool: asyncpg.Pool, keyring: Keyring, checkpoints: Path | None, checkpoint_every: float = 60
    ) -> None:
        self.pool, self.keyring, self.checkpoints = pool, keyring, checkpoints
        self.checkpoint_every = checkpoint_every
        self._checkpointed = 0
        self._checkpointed_at = float("-inf")

    async def seal_batch(self) -> int:
        key = self.keyring.current
        async with self.pool.acquire() as connection, connection.transaction():
            if not await connection.fetchval("SELECT pg_try_advisory_xact_lock($1)", SEALER_LOCK):
                return 0
            head = await connection.fetchrow("SELECT seq, hash FROM audit_seal ORDER BY seq DESC LIMIT 1")
            seq, prev = (head["seq"], head["hash"]) if head else (0, GENESIS_HASH)
            queued = await connection.fetch(
                "SELECT q.event_id AS queued, e.* FROM audit_queue q LEFT JOIN audit_event e "
                "ON e.id = q.event_id ORDER BY q.occurred_at, q.event_id LIMIT $1",
                SEAL_BATCH,
            )
            now = datetime.now(UTC)
            seals = []
            for event in queued:
                if event["id"] is None:
                    log.warning("audit event %s was queued but is not in the trail", event["queued"])
                    continue
                seq += 1
                prev = _digest(key, seq, prev, event)
                seals.append((seq, event["id"], key.id, prev, now))
            if seals:
                await connection.execute(
                    "INSERT INTO audit_seal (seq, event_id, key_id, hash, sealed_at) SELECT * FROM "
                    "unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[])",
                    *(list(column) for column in zip(*seals, strict=True)),
                )
            if queued:
                await connection.execute(
                    "DELETE FROM audit_queue WHERE event_id = ANY($1::uuid[])", [e["queued"] for e in queued]
                )
        return len(queued)

    async def run_once(self) -> None:
        while (taken := await self.seal_batch()) >= SEAL_BATCH:
            pass
        del taken
        if self.checkpoints is None:
            return
        loop = asyncio.get_running_loop()
        if loop.time() - self._checkpointed_at < self.checkpoint_every:
            return
        head = await self.pool.fetchrow("SELECT seq, hash FROM audit_seal ORDER BY seq DESC LIMIT 1")
        if head is None or head["seq"] <= self._checkpointed:
            return
        key, at = self.keyring.current, datetime.now(UTC)
        body = json.dumps(
            [CHECKPOINT_ORIGIN, head["seq"], head["hash"], key.id, at.isoformat()], separators=(",", ":")
        ).encode()
        line = json.dumps(
            {
                "origin": CHECKPOINT_ORIGIN,
                "seq": head["seq"],
                "hash": head["hash"],
                "key": key.id,
                "at": at.isoformat(),
                "signature": key.mac(b"audit checkpoint", body),
            },
            separators=(",", ":"),
        )
        self.checkpoints.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.checkpoints, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, (line + "\n").encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        self._checkpointed, self._checkpointed_at = head["seq"], loop.time()

    async def run_forever(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:  # as the portal's: a failed round is logged and the next one tries again
                log.exception("the audit sealer failed a round")
            await asyncio.sleep(SEAL_EVERY)


# ---------------------------------------------------------------------------------------------------------
# Answers.


class Answer(Exception):
    """A finished response, raised from wherever it is decided."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


def refusal(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Answer:
    return Answer(status, {"errors": [{"message": message, "extensions": {"code": code}}]}, headers)


def field_error(
    message: str, line: int, column: int, path: list[str], code: str, field_name: str | None
) -> dict[str, Any]:
    return {
        "message": message,
        "locations": [{"line": line, "column": column}],
        "path": path,
        "extensions": {"code": code, "field": field_name},
    }


def location(document: str, text: str) -> tuple[int, int]:
    """Where ``text`` (a field) starts in a document, as GraphQL errors give it (1-based)."""
    for number, line in enumerate(document.splitlines(), start=1):
        at = line.find(text)
        if at >= 0 and not line.lstrip().startswith("#"):
            return number, at + 1
    raise ValueError(f"{text!r} is not in the document")


def page_size(first: Any) -> int:
    size = PAGE_SIZE_DEFAULT if first is None else first
    if not isinstance(size, int) or not 1 <= size <= PAGE_SIZE_MAX:
        raise Answer(400, {"errors": [{"message": f"first must be between 1 and {PAGE_SIZE_MAX}"}]})
    return size


def parse_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        return None


OBLIGATION_NAMES: dict[str, str] = {}


@dataclass
class Request_:
    actor: Actor
    audit: Audit
    connection: asyncpg.Connection
    today: date
    variables: dict[str, Any]

    async def names(self) -> dict[str, str]:
        """Each obligation code's name: its default rule's description, which no override changes
        (portal/obligations/rules.py's obligation_name), read once."""
        if not OBLIGATION_NAMES:
            rows = await self.connection.fetch(
                "SELECT DISTINCT ON (code) code, description FROM obligation_rule "
                "WHERE organisation_id IS NULL ORDER BY code, version"
            )
            OBLIGATION_NAMES.update((code, description) for code, description in rows)
        return OBLIGATION_NAMES


# ---------------------------------------------------------------------------------------------------------
# CaseView.

# Where the portal's order is not total, its plan decides the order of ties, which no statement of the
# limit's can be sure to follow: obligations due the same day under the same code (P6 of papers filed
# together; P4, P5, P11 and R1-R3 of siblings) are ordered (due_on, code) alone, and a case's final orders in
# no particular order (by child here: the unique index's order, which an index scan gives).
CASE_SQL = """
SELECT p.id, p.case_number, p.issued_on, p.stage, c.id AS court_id, c.name AS court_name,
  a.id AS la_id, a.name AS la_name, a.ons_code,
  (c.service_area_id = $2 OR EXISTS (
     SELECT 1 FROM case_membership g JOIN person gp ON gp.id = g.person_id
      WHERE g.proceedings_id = p.id AND g.role = 'guardian' AND g.ended_at IS NULL
        AND gp.organisation_id = $2))
    AS cafcass_manager,
  EXISTS (SELECT 1 FROM proceedings_child pc JOIN child ch ON ch.id = pc.child_id
          WHERE pc.proceedings_id = p.id AND ch.local_authority_id = $2) AS iro_manager,
  array(SELECT row(s.stage, s.changed_on) FROM stage_change s WHERE s.proceedings_id = p.id
        ORDER BY s.changed_on, s.recorded_at) AS stages,
  array(SELECT row(e.weeks, e.reason, e.granted_on) FROM extension e WHERE e.proceedings_id = p.id
        ORDER BY e.granted_on, e.recorded_at) AS extensions,
  array(SELECT row(ch.id, ch.given_name, ch.family_name, ch.date_of_birth, ch.legal_status,
                   ch.looked_after_since,
                   array(SELECT row(l.status, l.effective_from) FROM legal_status_entry l
                         WHERE l.child_id = ch.id ORDER BY l.effective_from, l.recorded_at))
        FROM proceedings_child pc JOIN child ch ON ch.id = pc.child_id WHERE pc.proceedings_id = p.id
        ORDER BY ch.date_of_birth, ch.given_name) AS children,
  array(SELECT row(m.person_id, m.child_id, m.role, m.started_at, m.ended_at, m.end_reason, mp.name, mp.email,
                   mo.name, mo.kind)
        FROM case_membership m JOIN person mp ON mp.id = m.person_id
        JOIN organisation mo ON mo.id = mp.organisation_id
        WHERE m.proceedings_id = p.id ORDER BY m.started_at, m.id) AS members,
  array(SELECT row(o.id, o.code, r.description, r.owner, r.evidence, o.due_on, o.state, o.closed_at,
                   o.evidence_id, o.trigger_id, o.reason, r.version, r.organisation_id IS NOT NULL,
                   r.waivable_by, o.owner_person_id, op.name, o.partner_person_id, pp.name, o.child_id)
        FROM obligation o JOIN obligation_rule r ON r.id = o.rule_id
        LEFT JOIN person op ON op.id = o.owner_person_id LEFT JOIN person pp ON pp.id = o.partner_person_id
        WHERE o.proceedings_id = p.id ORDER BY o.due_on, o.code, o.id) AS obligations,
  array(SELECT row(v.id, v.child_id, v.kind, v.review_date, v.arrangements, v.guardian_invited,
                   v.notice_sent_at, v.held_on, v.record, v.record_shared_at,
                   vp.review_id IS NOT NULL, vp.attendance, vp.views_conveyed, vp.conveyed_by, vp.private,
                   vp.wishes_and_feelings, vp.updated_at, vu.name,
                   array(SELECT row(d.id, d.state, d.due_on) FROM review_decision d
                         WHERE d.review_id = v.id ORDER BY d.position),
                   vc.review_id IS NOT NULL, vc.response, v.long_term_foster_settled, v.child_agreed,
                   v.held_before_portal, vr.review_id IS NOT NULL, vr.social_worker_consulted_on,
                   vr.papers_received_on, vr.updated_at, vru.name)
        FROM review v LEFT JOIN review_participation vp ON vp.review_id = v.id
        LEFT JOIN review_preparation vr ON vr.review_id = v.id
        LEFT JOIN person vru ON vru.id = vr.updated_by_id
        LEFT JOIN person vu ON vu.id = vp.updated_by_id
        LEFT JOIN review_decisions_check vc ON vc.review_id = v.id
        WHERE v.proceedings_id = p.id ORDER BY v.review_date, v.id) AS reviews,
  array(SELECT row(sc.id, sc.child_id, sc.kind, sc.occurred_on, sc.summary, sc.notified_at, sc.notified_by_id,
                   nb.name, sc.response, sc.response_reason, sc.review_id, sc.responded_at, rb.name)
        FROM significant_change sc JOIN person nb ON nb.id = sc.notified_by_id
        LEFT JOIN person rb ON rb.id = sc.responded_by_id
        WHERE sc.proceedings_id = p.id ORDER BY sc.notified_at DESC, sc.id DESC) AS changes,
  array(SELECT row(n.id, n.child_id, n.explained_on, n.explained_how, n.keeping_in_touch,
                   n.advocacy_explained, n.letter_to, n.iro_id, ni.name)
        FROM iro_introduction n JOIN person ni ON ni.id = n.iro_id
        WHERE n.proceedings_id = p.id ORDER BY n.explained_on DESC, n.id DESC) AS introductions,
  array(SELECT row(m.id, m.child_id, m.done_on, m.file_read, m.social_worker_contact, m.outcome, m.note,
                   m.recorded_at, mu.name)
        FROM midpoint_check m JOIN person mu ON mu.id = m.recorded_by_id
        WHERE m.proceedings_id = p.id ORDER BY m.done_on DESC, m.recorded_at DESC, m.id DESC) AS checks,
  array(SELECT row(d.id, d.kind, d.held_on, d.mode, d.others_present, d.summary, d.recorded_at, di.name,
                   dg.name,
                   array(SELECT row(x.description, x.due_on, x.done_at, xo.name)
                         FROM agreed_action x JOIN person xo ON xo.id = x.owner_id
                         WHERE x.discussion_id = d.id ORDER BY x.position))
        FROM discussion d JOIN person di ON di.id = d.iro_id JOIN person dg ON dg.id = d.guardian_id
        WHERE d.proceedings_id = p.id ORDER BY d.held_on DESC, d.recorded_at DESC) AS discussions,
  array(SELECT row(i.id, i.kind, i.arose_on, i.meeting, i.summary, i.raised_at, i.shared_at,
                   i.acknowledged_at, i.response, i.raised_by_id, rb.name, ab.name)
        FROM raised_issue i JOIN person rb ON rb.id = i.raised_by_id
        LEFT JOIN person ab ON ab.id = i.acknowledged_by_id
        WHERE i.proceedings_id = p.id ORDER BY i.raised_at DESC) AS issues,
  array(SELECT row(f.child_id, f."order", f.made_on) FROM final_order f WHERE f.proceedings_id = p.id
        ORDER BY f.child_id) AS final_orders,
  array(SELECT row(ca.agreed_on, ca.every_weeks, ca.on_events, ca.notes, cg.name, ci.name)
        FROM consultation_arrangement ca JOIN person cg ON cg.id = ca.guardian_id
        JOIN person ci ON ci.id = ca.iro_id
        WHERE ca.proceedings_id = p.id AND ca.replaced_at IS NULL) AS arrangements,
  (SELECT row(count(*),
              coalesce(sum(CASE WHEN k2.id IS NULL AND k.initiated_by = 'guardian' THEN 1 ELSE 0 END), 0),
              coalesce(sum(CASE WHEN k2.id IS NULL AND k.initiated_by = 'iro' THEN 1 ELSE 0 END), 0),
              coalesce(sum(CASE WHEN k2.id IS NULL AND k.reply_expected AND kr.contact_id IS NULL
                                THEN 1 ELSE 0 END), 0))
   FROM contact k LEFT JOIN contact_reply kr ON kr.contact_id = k.id
   LEFT JOIN contact k2 ON k2.corrects_id = k.id WHERE k.proceedings_id = p.id) AS counts
FROM proceedings p JOIN organisation c ON c.id = p.court_id JOIN organisation a ON a.id = p.local_authority_id
WHERE p.id = $1"""

# The ledger, in statements of the same shape as the portal's (portal/contacts/repository.py, with the read
# layer's access predicate): entries on one moment (the synthetic data has many) come out in whatever order
# the database's sort leaves them, which follows the plan, and the same statement gets the same plan. The
# names are joined on after the ledger's own sort.
CONTACT_COLUMNS = """contact.id, contact.occurred_at, contact.initiated_by, contact.channel, contact.purpose,
  contact.private, contact.summary, contact.reply_expected, contact.reply_due_on, contact.corrects_id,
  contact.recorded_at, contact.from_person_id, contact.to_person_id, contact.recorded_by_id,
  contact_reply.replied_at, contact_reply.recorded_by_id AS reply_by"""
LEDGER_NAMES = """SELECT l.*, f.name AS from_name, t.name AS to_name, b.name AS by_name,
  rb.name AS reply_by_name
FROM ledger l JOIN person f ON f.id = l.from_person_id JOIN person t ON t.id = l.to_person_id
JOIN person b ON b.id = l.recorded_by_id LEFT JOIN person rb ON rb.id = l.reply_by
ORDER BY l.position"""


def ledger_sql(actor: Actor, case_id: uuid.UUID, limit: int | None) -> tuple[str, list[Any]]:
    params: list[Any] = []
    scoped = Scoped(params)
    case = scoped.add(case_id)
    granted = scoped.granted(actor, "case:read", "contact.proceedings_id")
    if limit is None:
        ledger = f"""SELECT {CONTACT_COLUMNS}
    FROM contact LEFT OUTER JOIN contact_reply ON contact_reply.contact_id = contact.id
    WHERE contact.proceedings_id IN ({case}) AND {granted}
    ORDER BY contact.occurred_at DESC, contact.recorded_at DESC, contact.id DESC"""
    else:
        ledger = f"""SELECT {CONTACT_COLUMNS}, contact_1.id AS corrected_by
    FROM contact JOIN (SELECT contact.id AS id, row_number() OVER (PARTITION BY contact.proceedings_id
                       ORDER BY contact.occurred_at DESC, contact.recorded_at DESC, contact.id DESC) AS rank
                       FROM contact WHERE contact.proceedings_id IN ({case}) AND {granted}) AS anon_1
      ON anon_1.id = contact.id
    LEFT OUTER JOIN contact_reply ON contact_reply.contact_id = contact.id
    LEFT OUTER JOIN contact AS contact_1 ON contact_1.corrects_id = contact.id
    WHERE anon_1.rank <= {scoped.add(limit)}
    ORDER BY contact.occurred_at DESC, contact.recorded_at DESC, contact.id DESC"""
    sql = f"""WITH ledger AS MATERIALIZED (
  SELECT q.*, row_number() OVER () AS position FROM ({ledger}) q)
{LEDGER_NAMES}"""
    return sql, params


def contact_entry(
    row: asyncpg.Record, corrected_by: uuid.UUID | None, today: date, reads_private: bool
) -> dict[str, Any]:
    awaiting = row["reply_expected"] and row["replied_at"] is None and corrected_by is None
    due = row["reply_due_on"]
    private = row["private"] or row["purpose"] in PRIVATE_PURPOSES
    return {
        "id": str(row["id"]),
        "private": private,
        "occurredAt": row["occurred_at"].isoformat(),
        "initiatedBy": enum(row["initiated_by"]),
        "channel": enum(row["channel"]),
        "purpose": enum(row["purpose"]),
        "summary": None if private and not reads_private else row["summary"],
        "replyExpected": row["reply_expected"],
        "replyDueOn": iso(due),
        "awaitingReply": awaiting,
        "replyOverdue": awaiting and due is not None and due < today,
        "reply": {"repliedAt": row["replied_at"].isoformat(), "recordedBy": {"name": row["reply_by_name"]}}
        if row["replied_at"] is not None
        else None,
        "correctsId": ident(row["corrects_id"]),
        "correctedById": ident(corrected_by),
        "recordedAt": row["recorded_at"].isoformat(),
        "fromPerson": {"id": str(row["from_person_id"]), "name": row["from_name"]},
        "toPerson": {"id": str(row["to_person_id"]), "name": row["to_name"]},
        "recordedBy": {"id": str(row["recorded_by_id"]), "name": row["by_name"]},
    }


def status_words(status: str) -> str:
    return status.replace("_", " ").replace("section 20", "section 20 accommodation")


def members(rows: Sequence[tuple[Any, ...]], children: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per person, role and whether it has ended (siblings share a row), as portal/api/types/cases.py
    groups them."""
    grouped: dict[tuple[uuid.UUID, str, bool], list[tuple[Any, ...]]] = defaultdict(list)
    for m in rows:
        grouped[(m[0], m[2], m[4] is not None)].append(m)
    found = []
    for (_, role, ended), group in grouped.items():
        last = max(group, key=lambda m: m[4] or m[3])
        started = min(m[3] for m in group)
        child_ids = {m[1] for m in group}
        first = group[0]
        found.append(
            (
                (ended, ROLE_ORDER.index(role), started),
                {
                    "role": enum(role),
                    "startedAt": started.isoformat(),
                    "endedAt": last[4].isoformat() if ended else None,
                    "endReason": last[5] if ended else None,
                    "person": {
                        "id": str(first[0]),
                        "name": first[6],
                        "email": first[7],
                        "organisation": {"name": first[8], "kind": enum(first[9])},
                    },
                    "children": [
                        {"id": c["id"], "givenName": c["givenName"]}
                        for c in children
                        if c["_id"] in child_ids
                    ],
                },
            )
        )
    found.sort(key=lambda pair: pair[0])
    return [member for _, member in found]


def review_entry(
    r: Request_,
    v: tuple[Any, ...],
    case_id: uuid.UUID,
    iro_member: bool,
    live: Sequence[tuple[Any, ...]],
    today: date,
) -> dict[str, Any]:
    """A review as portal/api/types/records.py's Review gives it: its record once shared with the guardian
    (the IRO's before that); the child's participation, what the child said withheld where it is not the
    viewer's to read (reads_child_wishes) and each look at it recorded; its decisions and their check."""
    actor = r.actor
    record_visible = v[9] is not None or iro_member
    participation = None
    if v[10]:
        childs_iro = any(m[0] == actor.person_id and m[1] == v[1] and m[2] == "iro" for m in live)
        shown = actor.reads_child_wishes(
            case_id, private=v[14], childs_iro=childs_iro, record_visible=record_visible
        )
        if shown and v[15]:
            roles = viewer_roles(actor, case_id)
            r.audit.look(case_id, "case.review.participation", roles[0] if roles else None)
        participation = {
            "attendance": enum(v[11]),
            "viewsConveyed": enum(v[12]) if v[12] is not None else None,
            "conveyedBy": v[13],
            "private": v[14],
            "wishesAndFeelings": v[15] if shown else None,
            "wishesWithheld": not shown,
            "updatedAt": v[16].isoformat(),
            "updatedBy": {"name": v[17]},
        }
    return {
        "id": str(v[0]),
        "childId": str(v[1]),
        "kind": enum(v[2]),
        "reviewDate": v[3].isoformat(),
        "arrangements": v[4],
        "guardianInvited": v[5],
        "noticeSentAt": iso(v[6]),
        "heldOn": iso(v[7]),
        "record": v[8] if record_visible else None,
        "recordSharedAt": iso(v[9]),
        "longTermFosterSettled": v[21],
        "childAgreed": v[22],
        "heldBeforePortal": v[23],
        "preparation": {
            "socialWorkerConsultedOn": iso(v[25]),
            "papersReceivedOn": iso(v[26]),
            "updatedAt": v[27].isoformat(),
            "updatedBy": {"name": v[28]},
        }
        if v[24]
        else None,
        "participation": participation,
        "decisions": [
            {"id": str(d[0]), "state": enum(d[1]), "overdue": d[1] == "open" and d[2] < today} for d in v[18]
        ],
        "decisionsCheck": {"response": enum(v[20]) if v[20] is not None else None} if v[19] else None,
    }


async def case_view(r: Request_, document: str) -> dict[str, Any]:
    actor, today = r.actor, r.today
    case_id = parse_uuid(r.variables.get("id"))
    if case_id is None:
        line, column = location(document, "case(")
        error = field_error("That is not a valid id", line, column, ["case"], "INVALID_ID", "id")
        return {"errors": [error], "data": {"case": None}}
    ledger_size = r.variables.get("ledgerSize")
    limit = None if ledger_size is None else page_size(ledger_size)
    row = await r.connection.fetchrow(CASE_SQL, case_id, actor.organisation_id)
    in_scope = {role: bool(row[role]) for role in MANAGER_ROLES} if row else {}
    roles: list[str] = []
    granting = None
    if row is not None and actor.reads("case:read"):
        managers = [role for role in MANAGER_ROLES if role in actor.roles and in_scope[role]]
        member = bool(actor.granting(case_id, actor.acting_roles(case_id, ()), "case:read"))
        if member or managers:
            roles = actor.acting_roles(case_id, managers)
            granting = actor.granting(case_id, roles, "case:read")
    if granting is None:
        r.audit.record("refused:case:read", "case", case_id, case_id, outcome="refused")
        line, column = location(document, "case(")
        return {
            "errors": [field_error("Case not found", line, column, ["case"], "NOT_FOUND", None)],
            "data": {"case": None},
        }
    assert row is not None
    r.audit.look(case_id, "case.view", roles[0] if roles else None)
    sql, params = ledger_sql(actor, case_id, limit)
    ledger = await r.connection.fetch(sql, *params)
    private = actor.reads_private(case_id)
    if limit is None:
        corrections = {c["corrects_id"]: c["id"] for c in ledger if c["corrects_id"]}
        contacts = [contact_entry(c, corrections.get(c["id"]), today, private) for c in ledger]
    else:
        contacts = [contact_entry(c, c["corrected_by"], today, private) for c in ledger]

    allowed = {
        need for role in roles for need in CASE_PERMISSIONS[role] if actor.granting(case_id, roles, need)
    }
    stage = row["stage"]
    stages = row["stages"]
    concluded_on = stages[-1][1] if stage == "concluded" and stages else None
    live = [m for m in row["members"] if m[4] is None]
    reviews = row["reviews"]
    children = []
    for ch_id, given, family, born, status, since, history in row["children"]:
        looked_after = status in LOOKED_AFTER

        def holder(role: str, ch_id: uuid.UUID = ch_id) -> dict[str, Any] | None:
            m = next((m for m in live if m[1] == ch_id and m[2] == role), None)
            return {"id": str(m[0]), "name": m[6]} if m else None

        iro = holder("iro")
        if not looked_after:
            absence: dict[str, Any] | None = {
                "reason": "NOT_LOOKED_AFTER",
                "explanation": f"{given} is not looked after ({status_words(status)}), so has no IRO and the "
                "guardian–IRO protocol does not apply.",
            }
        elif iro is None:
            absence = {
                "reason": "NOT_YET_ASSIGNED",
                "explanation": f"{given} is looked after, but no IRO has been assigned yet.",
            }
        else:
            absence = None
        review = cycle = None
        if looked_after and since is not None:
            review = next_review(since, [(v[3], v[7]) for v in reviews if v[1] == ch_id], today)
            held = [v[7] for v in reviews if v[1] == ch_id and v[7] is not None]
            cycle = midpoint_cycle(since, held, [m[2] for m in row["checks"] if m[1] == ch_id], today)
        children.append(
            {
                "_id": ch_id,
                "id": str(ch_id),
                "givenName": given,
                "familyName": family,
                "dateOfBirth": born.isoformat(),
                "age": age_on(born, today),
                "legalStatus": enum(status),
                "lookedAfter": looked_after,
                "lookedAfterSince": iso(since),
                "legalStatusHistory": [
                    {"status": enum(s), "effectiveFrom": d.isoformat()} for s, d in history
                ],
                "guardian": holder("guardian"),
                "iro": iro,
                "iroAbsence": absence,
                "nextReview": review,
                "midpoint": cycle,
            }
        )
    obligations = []
    for o in row["obligations"]:
        overdue = o[6] == "open" and o[5] < today
        obligations.append(
            {
                "id": str(o[0]),
                "code": o[1],
                "description": o[2],
                "owner": enum(o[3]),
                "evidenceKind": enum(o[4]),
                "dueOn": o[5].isoformat(),
                "state": enum(o[6]),
                "overdue": overdue,
                "workingDaysOverdue": working_days_between(o[5], today) if overdue else 0,
                "metOnTime": met_on_time(o[6], o[7], o[5]),
                "closedAt": iso(o[7]),
                "evidenceId": ident(o[8]),
                "triggerId": ident(o[9]),
                "reason": o[10],
                "childId": ident(o[18]),
                "ruleVersion": o[11],
                "ruleIsLocal": o[12],
                "waivableBy": [enum(w) for w in o[13].split()],
                "ownerPerson": {"id": str(o[14]), "name": o[15]} if o[14] else None,
                "partnerPerson": {"id": str(o[16]), "name": o[17]} if o[16] else None,
            }
        )
    iro_member = actor.member_as_iro(case_id)
    # After the proceedings: the IRO's sole scrutiny, once they acknowledged the handover (P15).
    acknowledged = [o[7] for o in row["obligations"] if o[1] == "P15" and o[6] == "met" and o[7] is not None]
    sole_scrutiny = None
    if acknowledged:
        iros = {m[0]: m[6] for m in live if m[2] == "iro"}
        sole_scrutiny = {
            "since": min(acknowledged).isoformat(),
            "iros": [{"id": str(i), "name": name} for i, name in iros.items()],
        }
    reviews_out = [review_entry(r, v, case_id, iro_member, live, today) for v in reviews]
    issues_visible = actor.granted(case_id, "issue:read", in_scope)
    arrangement = row["arrangements"][-1] if row["arrangements"] else None
    total, from_guardian, from_iro, awaiting = row["counts"]
    case = {
        "id": str(case_id),
        "caseNumber": row["case_number"],
        "issuedOn": row["issued_on"].isoformat(),
        "stage": enum(stage),
        "viewerRoles": [enum(role) for role in roles],
        "viewerCan": {name: need in allowed for name, need in ABILITIES},
        "court": {"id": str(row["court_id"]), "name": row["court_name"]},
        "localAuthority": {"id": str(row["la_id"]), "name": row["la_name"], "onsCode": row["ons_code"]},
        "timescale": timescale(
            row["issued_on"], stage, sum(e[0] for e in row["extensions"]), today, concluded_on
        ),
        "stageHistory": [{"stage": enum(s), "changedOn": d.isoformat()} for s, d in stages],
        "extensions": [
            {"weeks": w, "reason": why, "grantedOn": d.isoformat()} for w, why, d in row["extensions"]
        ],
        "children": [{k: v for k, v in c.items() if k != "_id"} for c in children],
        "members": members(row["members"], children),
        "protocol": {"applies": True, "explanation": None}
        if any(c["lookedAfter"] for c in children)
        else {"applies": False, "explanation": NO_PROTOCOL},
        "soleScrutiny": sole_scrutiny,
        "consultationArrangement": {
            "agreedOn": arrangement[0].isoformat(),
            "everyWeeks": arrangement[1],
            "onEvents": [enum(e) for e in arrangement[2].split()],
            "notes": arrangement[3],
            "guardian": {"name": arrangement[4]},
            "iro": {"name": arrangement[5]},
        }
        if arrangement
        else None,
        "obligations": obligations,
        "reviews": reviews_out,
        # Significant changes and the IRO's answers (SC): everyone who reads the case reads them.
        "significantChanges": [
            {
                "id": str(c[0]),
                "childId": str(c[1]),
                "kind": enum(c[2]),
                "occurredOn": c[3].isoformat(),
                "summary": c[4],
                "notifiedAt": c[5].isoformat(),
                "notifiedBy": {"id": str(c[6]), "name": c[7]},
                "response": enum(c[8]) if c[8] is not None else None,
                "responseReason": c[9],
                "reviewId": ident(c[10]),
                "respondedAt": iso(c[11]),
                "respondedBy": {"name": c[12]} if c[12] is not None else None,
            }
            for c in row["changes"]
        ],
        # The IRO's introduction to each child (issue 19): everyone who reads the case reads them.
        "introductions": [
            {
                "id": str(n[0]),
                "childId": str(n[1]),
                "explainedOn": n[2].isoformat(),
                "explainedHow": enum(n[3]),
                "keepingInTouch": n[4],
                "advocacyExplained": n[5],
                "letterTo": enum(n[6]),
                "letterUrl": f"/cases/{case_id}/introductions/{n[0]}/letter.pdf",
                "iro": {"id": str(n[7]), "name": n[8]},
            }
            for n in row["introductions"]
        ],
        # The IRO's midpoint checks between reviews (issue 19): everyone who reads the case reads them.
        "midpointChecks": [
            {
                "id": str(m[0]),
                "childId": str(m[1]),
                "doneOn": m[2].isoformat(),
                "fileRead": m[3],
                "socialWorkerContact": enum(m[4]),
                "outcome": enum(m[5]),
                "note": m[6],
                "recordedAt": m[7].isoformat(),
                "recordedBy": {"name": m[8]},
            }
            for m in row["checks"]
        ],
        "discussions": [
            {
                "id": str(d[0]),
                "kind": enum(d[1]),
                "heldOn": d[2].isoformat(),
                "mode": enum(d[3]),
                "othersPresent": d[4],
                "summary": d[5],
                "recordedAt": d[6].isoformat(),
                "iro": {"name": d[7]},
                "guardian": {"name": d[8]},
                "actions": [
                    {
                        "description": x[0],
                        "dueOn": x[1].isoformat(),
                        "doneAt": iso(x[2]),
                        "owner": {"name": x[3]},
                    }
                    for x in d[9]
                ],
            }
            for d in row["discussions"]
        ],
        "raisedIssues": [
            {
                "id": str(i[0]),
                "kind": enum(i[1]),
                "aroseOn": i[2].isoformat(),
                "meeting": i[3],
                "summary": i[4],
                "raisedAt": i[5].isoformat(),
                "sharedAt": iso(i[6]),
                "acknowledgedAt": iso(i[7]),
                "response": i[8],
                "raisedBy": {"id": str(i[9]), "name": i[10]},
                "acknowledgedBy": {"name": i[11]} if i[11] is not None else None,
            }
            for i in row["issues"]
            if issues_visible and (i[6] is not None or iro_member)
        ],
        "finalOrders": [
            {"childId": str(f[0]), "order": enum(f[1]), "madeOn": f[2].isoformat()}
            for f in row["final_orders"]
        ],
        "contactCounts": {
            "total": total,
            "fromGuardian": from_guardian,
            "fromIro": from_iro,
            "awaitingReply": awaiting,
        },
        "contacts": contacts,
    }
    return {"data": {"case": case}}


# ---------------------------------------------------------------------------------------------------------
# MyCases and MyTasks.


def me(actor: Actor, *, organisation: bool) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": str(actor.person_id),
        "name": actor.name,
        "roles": [enum(role) for role in sorted(actor.roles)],
    }
    if organisation:
        found["organisation"] = {"name": actor.organisation_name}
    return found


def viewer_roles(actor: Actor, case_id: uuid.UUID) -> list[str]:
    """The roles on a case the viewer can read, without a query (portal/cases/service.py's viewer_roles)."""
    return actor.acting_roles(case_id, MANAGER_ROLES)


CHILD_NAMES = """array(SELECT row(ch.given_name, ch.family_name) FROM proceedings_child pc
  JOIN child ch ON ch.id = pc.child_id WHERE pc.proceedings_id = p.id
  ORDER BY ch.date_of_birth, ch.given_name)"""


async def my_cases(r: Request_, document: str) -> dict[str, Any]:
    actor, today, variables = r.actor, r.today, r.variables
    size = page_size(variables.get("first"))
    params: list[Any] = []
    scoped = Scoped(params)
    where = [scoped.readable(actor, "p.id")]
    if variables.get("stage") is not None:
        where.append(f"p.stage = {scoped.add(str(variables['stage']).lower())}")
    if variables.get("localAuthorityId") is not None:
        authority = parse_uuid(variables["localAuthorityId"])
        if authority is None:
            raise Answer(400, {"errors": [{"message": "That is not a valid id"}]})
        where.append(f"p.local_authority_id = {scoped.add(authority)}")
    page_where = ""
    if variables.get("after") is not None:
        try:
            issued, after_id = base64.urlsafe_b64decode(str(variables["after"]).encode()).decode().split("|")
            cursor = (date.fromisoformat(issued), uuid.UUID(after_id))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise Answer(400, {"errors": [{"message": "That is not a cursor from this list"}]}) from None
        page_where = (
            f"WHERE (p.issued_on, p.id) < ({scoped.add(cursor[0])}::date, {scoped.add(cursor[1])}::uuid)"
        )
    limit = scoped.add(size + 1)
    sql = f"""
WITH readable AS (SELECT p.id FROM proceedings p WHERE {" AND ".join(where)})
SELECT (SELECT count(*) FROM readable) AS total,
  array(SELECT row(p.id, p.case_number, p.issued_on, p.stage, c.name, a.id, a.name,
    (SELECT coalesce(sum(e.weeks), 0) FROM extension e WHERE e.proceedings_id = p.id),
    (SELECT s.changed_on FROM stage_change s WHERE s.proceedings_id = p.id
     ORDER BY s.changed_on DESC, s.recorded_at DESC LIMIT 1),
    array(SELECT row(ch.id, ch.given_name, ch.family_name, ch.date_of_birth, ch.legal_status)
          FROM proceedings_child pc JOIN child ch ON ch.id = pc.child_id WHERE pc.proceedings_id = p.id
          ORDER BY ch.date_of_birth, ch.given_name),
    array(SELECT row(o.id, o.state, o.due_on, o.owner_person_id, o.partner_person_id) FROM obligation o
          WHERE o.proceedings_id = p.id ORDER BY o.due_on, o.code, o.id))
    FROM proceedings p JOIN organisation c ON c.id = p.court_id
    JOIN organisation a ON a.id = p.local_authority_id
    WHERE p.id IN (SELECT id FROM readable) {page_where.replace("WHERE", "AND")}
    ORDER BY p.issued_on DESC, p.id DESC LIMIT {limit}) AS page,
  array(SELECT row(o.id, o.name) FROM organisation o WHERE o.kind = 'local_authority'
        ORDER BY o.name) AS las"""
    row = await r.connection.fetchrow(sql, *params)
    page = row["page"]
    has_next, page = len(page) > size, page[:size]
    nodes = []
    for (
        case_id,
        number,
        issued,
        stage,
        court,
        la_id,
        la_name,
        weeks,
        last_change,
        children,
        obligations,
    ) in page:
        roles = viewer_roles(actor, case_id)
        r.audit.look(case_id, "case.list", roles[0] if roles else None)
        t = timescale(issued, stage, weeks, today, last_change if stage == "concluded" else None)
        nodes.append(
            {
                "id": str(case_id),
                "caseNumber": number,
                "issuedOn": issued.isoformat(),
                "stage": enum(stage),
                "viewerRoles": [enum(role) for role in roles],
                "court": {"name": court},
                "localAuthority": {"id": str(la_id), "name": la_name},
                "timescale": {k: t[k] for k in ("deadline", "weeksElapsed", "atRisk", "overdue")},
                "children": [
                    {
                        "id": str(c[0]),
                        "givenName": c[1],
                        "familyName": c[2],
                        "age": age_on(c[3], today),
                        "lookedAfter": c[4] in LOOKED_AFTER,
                    }
                    for c in children
                ],
                "obligations": [
                    {
                        "id": str(o[0]),
                        "overdue": o[1] == "open" and o[2] < today,
                        "ownerPerson": {"id": str(o[3])} if o[3] else None,
                        "partnerPerson": {"id": str(o[4])} if o[4] else None,
                    }
                    for o in obligations
                ],
            }
        )
    end = None
    if page:
        last = page[-1]
        end = base64.urlsafe_b64encode(f"{last[2].isoformat()}|{last[0]}".encode()).decode()
    return {
        "data": {
            "me": me(actor, organisation=True),
            "cases": {
                "totalCount": row["total"],
                "pageInfo": {"hasNextPage": has_next, "endCursor": end},
                "nodes": nodes,
            },
            "localAuthorities": [{"id": str(i), "name": n} for i, n in row["las"]],
        }
    }


async def my_tasks(r: Request_, document: str) -> dict[str, Any]:
    actor, today = r.actor, r.today
    params: list[Any] = [actor.person_id]
    scoped = Scoped(params)
    since = datetime.combine(today - timedelta(days=14), time(0), tzinfo=LONDON)
    since_param = scoped.add(since)
    tasks_readable = scoped.readable(actor, "p.id")
    replies_readable = scoped.readable(actor, "p.id")
    issues_readable = scoped.readable(actor, "i.proceedings_id", "issue:read")
    items_readable = scoped.readable(actor, "mi.proceedings_id", "handover:read")
    decisions_readable = scoped.readable(actor, "d.proceedings_id")
    iro_cases = [c for c in actor.case_roles if actor.member_as_iro(c)]
    items_iro = f"mi.proceedings_id = ANY({scoped.add(iro_cases)}::uuid[])" if iro_cases else "false"
    sql = f"""
SELECT
  array(SELECT row(o.id, o.code, r.description, r.owner, r.evidence, o.trigger_id, o.due_on, o.state,
                   o.closed_at, o.reason, o.owner_person_id, op.name, o.partner_person_id, pp.name,
                   p.id, p.case_number, {CHILD_NAMES})
        FROM obligation o JOIN obligation_rule r ON r.id = o.rule_id
        JOIN proceedings p ON p.id = o.proceedings_id
        LEFT JOIN person op ON op.id = o.owner_person_id LEFT JOIN person pp ON pp.id = o.partner_person_id
        WHERE (o.owner_person_id = $1 OR o.partner_person_id = $1) AND {tasks_readable}
          AND (o.state = 'open' OR o.closed_at >= {since_param})
        ORDER BY o.due_on, p.case_number, o.code, o.id) AS tasks,
  array(SELECT row(k.id, k.occurred_at, k.purpose, k.reply_due_on, k.to_person_id, f.name, t.name,
                   p.id, p.case_number, {CHILD_NAMES})
        FROM contact k JOIN proceedings p ON p.id = k.proceedings_id
        LEFT OUTER JOIN contact_reply kr ON kr.contact_id = k.id
        LEFT OUTER JOIN contact k2 ON k2.corrects_id = k.id
        JOIN person f ON f.id = k.from_person_id JOIN person t ON t.id = k.to_person_id
        WHERE (k.from_person_id = $1 OR k.to_person_id = $1) AND k.reply_expected
          AND kr.contact_id IS NULL AND k2.id IS NULL AND {replies_readable}
        ORDER BY k.reply_due_on, k.occurred_at) AS replies,
  array(SELECT row(i.id, i.kind, i.summary, i.shared_at, rb.name, p.id, p.case_number, {CHILD_NAMES})
        FROM raised_issue i JOIN proceedings p ON p.id = i.proceedings_id
        JOIN person rb ON rb.id = i.raised_by_id
        WHERE i.shared_at IS NOT NULL AND i.acknowledged_at IS NULL
          AND EXISTS (SELECT 1 FROM case_membership m WHERE m.person_id = $1 AND m.ended_at IS NULL
                      AND m.proceedings_id = i.proceedings_id
                      AND ((i.kind = 'concern' AND m.role = 'iro')
                           OR (i.kind = 'significant_issue' AND m.role = 'guardian')))
          AND {issues_readable}
        ORDER BY i.shared_at) AS issues,
  array(SELECT row(mi.id, mi.proceedings_id, mi.issue, mi.why, mi.due_on) FROM monitoring_item mi
        WHERE mi.iro_id = $1 AND mi.done_at IS NULL AND {items_iro} AND {items_readable}
        ORDER BY mi.due_on) AS items,
  array(SELECT row(d.id, d.description, d.due_on, p.case_number, ch.given_name, d.proceedings_id, d.review_id,
                   {decisions_readable})
        FROM review_decision d JOIN proceedings p ON p.id = d.proceedings_id
        JOIN child ch ON ch.id = d.child_id
        WHERE d.owner_id = $1 AND d.state = 'open' ORDER BY d.due_on, d.id) AS decisions,
  array(SELECT row(v.id, v.held_on, ch.given_name, p.case_number, c.recorded_at, v.proceedings_id,
                   array(SELECT d.description FROM review_decision d WHERE d.review_id = c.review_id
                         ORDER BY d.position))
        FROM review_decisions_check c JOIN review v ON v.id = c.review_id
        JOIN proceedings p ON p.id = v.proceedings_id JOIN child ch ON ch.id = v.child_id
        WHERE c.manager_id = $1 AND c.response IS NULL ORDER BY c.recorded_at, c.review_id) AS checks"""
    row = await r.connection.fetchrow(sql, *params)

    def case(
        case_id: uuid.UUID, number: str, children: Sequence[tuple[str, str]], roles: bool
    ) -> dict[str, Any]:
        held = viewer_roles(actor, case_id)
        r.audit.look(case_id, "case.task_list", held[0] if held else None)
        found: dict[str, Any] = {"id": str(case_id), "caseNumber": number}
        if roles:
            found["viewerRoles"] = [enum(role) for role in held]
        found["children"] = [{"givenName": g, "familyName": f} for g, f in children]
        return found

    tasks = []
    for o in row["tasks"]:
        overdue = o[7] == "open" and o[6] < today
        tasks.append(
            {
                "obligation": {
                    "id": str(o[0]),
                    "code": o[1],
                    "description": o[2],
                    "owner": enum(o[3]),
                    "evidenceKind": enum(o[4]),
                    "triggerId": ident(o[5]),
                    "dueOn": o[6].isoformat(),
                    "state": enum(o[7]),
                    "overdue": overdue,
                    "workingDaysOverdue": working_days_between(o[6], today) if overdue else 0,
                    "metOnTime": met_on_time(o[7], o[8], o[6]),
                    "closedAt": iso(o[8]),
                    "reason": o[9],
                    "ownerPerson": {"id": str(o[10]), "name": o[11]} if o[10] else None,
                    "partnerPerson": {"id": str(o[12]), "name": o[13]} if o[12] else None,
                },
                "case": case(o[14], o[15], o[16], True),
            }
        )
    replies = [
        {
            "waitingOnYou": k[4] == actor.person_id,
            "contact": {
                "id": str(k[0]),
                "occurredAt": k[1].isoformat(),
                "purpose": enum(k[2]),
                "replyDueOn": iso(k[3]),
                "replyOverdue": k[3] is not None and k[3] < today,
                "fromPerson": {"name": k[5]},
                "toPerson": {"name": k[6]},
            },
            "case": case(k[7], k[8], k[9], False),
        }
        for k in row["replies"]
    ]
    issues = [
        {
            "issue": {
                "id": str(i[0]),
                "kind": enum(i[1]),
                "summary": i[2],
                "sharedAt": i[3].isoformat(),
                "raisedBy": {"name": i[4]},
            },
            "case": case(i[5], i[6], i[7], False),
        }
        for i in row["issues"]
    ]
    items = []
    for item_id, case_id, issue, why, due in row["items"]:
        r.audit.look(case_id, "case.task_list", None)
        items.append(
            {"id": str(item_id), "caseId": str(case_id), "issue": issue, "why": why, "dueOn": due.isoformat()}
        )
    # A review's decisions: their owner and the manager asked to confirm them need not be on the case (each
    # look recorded on it, acting as no role); the owner is shown the case's ids only if they may read it.
    decisions = []
    for decision_id, description, due, number, child, case_id, review_id, reads_case in row["decisions"]:
        r.audit.look(case_id, "case.review.decisions", None)
        decisions.append(
            {
                "id": str(decision_id),
                "description": description,
                "dueOn": due.isoformat(),
                "overdue": due < today,
                "caseNumber": number,
                "childGivenName": child,
                "caseId": str(case_id) if reads_case else None,
                "reviewId": str(review_id) if reads_case else None,
            }
        )
    checks = []
    for review_id, held_on, child, number, asked_at, case_id, described in row["checks"]:
        r.audit.look(case_id, "case.review.decisions", None)
        checks.append(
            {
                "reviewId": str(review_id),
                "heldOn": held_on.isoformat(),
                "childGivenName": child,
                "caseNumber": number,
                "askedAt": asked_at.isoformat(),
                "decisions": [{"description": d} for d in described],
            }
        )
    return {
        "data": {
            "me": me(actor, organisation=False),
            "myTasks": tasks,
            "myAwaitedReplies": replies,
            "myIssuesToAcknowledge": issues,
            "myMonitoringItems": items,
            "myReviewDecisions": decisions,
            "myDecisionChecks": checks,
        }
    }


# ---------------------------------------------------------------------------------------------------------
# Adherence: the dashboards (portal/dashboards), each section counted in SQL as the portal counts it, all in
# one statement.

ALL_IN_SCOPE = "All cases in your scope"
BUCKETS = ((0, "Under 13 weeks"), (13, "13 to 20 weeks"), (21, "21 to 26 weeks"), (27, "Over 26 weeks"))
QUESTIONS = {
    "guardian_contacts_iro": "The guardian contacts the IRO",
    "iro_contacts_guardian": "The IRO contacts the guardian",
    "final_discussion": "The IRO and the guardian discuss the care plan at the end",
}
PERCEIVED = {
    "guardian_contacts_iro": {"IRO": (27, 27), "guardian": (67, 10)},
    "iro_contacts_guardian": {"IRO": (44, 19), "guardian": (8, 62)},
    "final_discussion": {"IRO": (19, 45), "guardian": (54, 23)},
}
# How a referral to Cafcass ended, in models.ReferralOutcome's order (the order disputeFigures lists them),
# and the most formal stages a dispute's ladder has (portal/disputes/ladders.py's STAGES_MAX).
REFERRAL_OUTCOMES = (
    "resolved_by_correspondence",
    "resolved_by_discussion",
    "cafcass_disagrees",
    "application_to_court",
)
STAGES_MAX = 10
# Weekdays from a Monday long before any date the portal handles (portal/dashboards/repository/sql.py).
EPOCH_MONDAY = date(1800, 1, 6)


def weekdays_to(day: str) -> str:
    n = f"(({day}) - DATE '{EPOCH_MONDAY}' + 1)"
    return f"(5 * ({n} / 7) + CASE WHEN {n} % 7 > 5 THEN 5 ELSE {n} % 7 END)"


def managed(scoped: Scoped, actor: Actor, column: str) -> str:
    """The cases in the actor's manager scopes, with the token's adherence:view (managed_cases)."""
    clauses = []
    if "cafcass_manager" in actor.roles:
        org = scoped.add(actor.organisation_id)
        clauses.append(
            f"{column} IN (SELECT q.id FROM proceedings q JOIN organisation qc ON qc.id = q.court_id "
            f"WHERE qc.service_area_id = {org} UNION SELECT g.proceedings_id FROM case_membership g "
            f"JOIN person gp ON gp.id = g.person_id WHERE g.role = 'guardian' AND g.ended_at IS NULL "
            f"AND gp.organisation_id = {org})"
        )
    if "iro_manager" in actor.roles:
        clauses.append(
            f"{column} IN (SELECT pc.proceedings_id FROM proceedings_child pc JOIN child ch "
            f"ON ch.id = pc.child_id WHERE ch.local_authority_id = {scoped.add(actor.organisation_id)})"
        )
    if not clauses or not actor.allows("adherence:view"):
        return "false"
    return "(" + " OR ".join(clauses) + ")"


GROUPS = {
    "none": ("NULL::uuid", f"'{ALL_IN_SCOPE}'", ""),
    "service_area": (
        "area.id",
        "area.name",
        "JOIN organisation court ON court.id = p.court_id "
        "JOIN organisation area ON area.id = court.service_area_id",
    ),
    "local_authority": ("la.id", "la.name", "JOIN organisation la ON la.id = p.local_authority_id"),
    "team": (
        "team.id",
        "coalesce(team.name, 'No team') || ' (' || employer.name || ')'",
        "JOIN person owner ON owner.id = o.owner_person_id "
        "JOIN organisation employer ON employer.id = owner.organisation_id "
        "LEFT OUTER JOIN team ON team.id = owner.team_id",
    ),
    "practitioner": ("owner.id", "owner.name", "JOIN person owner ON owner.id = o.owner_person_id"),
}


@functools.lru_cache(maxsize=64)
def weekday_holidays(first: date, last: date) -> list[date]:
    from portal.calendar import weekday_bank_holidays

    return weekday_bank_holidays(first, last)


async def adherence(r: Request_, document: str) -> dict[str, Any]:
    actor, today, variables = r.actor, r.today, r.variables
    if not actor.global_permission("adherence:view"):
        raise Answer(400, {"errors": [{"message": "The limit server answers Adherence for managers only"}]})
    start, end = date.fromisoformat(variables["start"]), date.fromisoformat(variables["end"])
    by = str(variables.get("by") or "NONE").lower()
    group_id, group_name, joins = GROUPS[by]
    params: list[Any] = []
    scoped = Scoped(params)
    today_p, start_day, end_day = scoped.add(today), scoped.add(start), scoped.add(end)
    start_at = scoped.add(datetime.combine(start, time(0), tzinfo=UTC))
    end_at = scoped.add(datetime.combine(end + timedelta(days=1), time(0), tzinfo=UTC))
    holidays = scoped.add(weekday_holidays(start, max(end, today) + timedelta(days=366)))
    in_period = f"o.opened_at >= {start_at} AND o.opened_at < {end_at}"
    looked_after = ", ".join(f"'{status}'" for status in sorted(LOOKED_AFTER))
    outcomes = ", ".join(
        f"count(*) FILTER (WHERE outcome = '{outcome}' AND concluded)" for outcome in REFERRAL_OUTCOMES
    )
    sql = f"""
WITH ob AS (
  SELECT {group_id} AS group_id, {group_name} AS group_name, o.code, o.state,
         CASE WHEN o.state = 'met' THEN CAST(timezone('UTC', o.closed_at) AS DATE) - o.due_on END AS late,
         (o.state = 'open' AND o.due_on < {today_p}) AS overdue
  FROM obligation o JOIN proceedings p ON p.id = o.proceedings_id {joins}
  WHERE {managed(scoped, actor, "p.id")} AND {in_period}),
ranked AS (
  SELECT ob.*,
         row_number() OVER (PARTITION BY group_id, code, coalesce(late > 0, false) ORDER BY late) AS rank,
         count(*) FILTER (WHERE late > 0) OVER (PARTITION BY group_id, code) AS n_late
  FROM ob),
lines AS (
  SELECT group_id, max(group_name) AS group_name, code, count(*) AS opened,
         count(*) FILTER (WHERE state = 'met' AND late <= 0) AS met_on_time,
         count(*) FILTER (WHERE late > 0) AS met_late,
         max(late) FILTER (WHERE late > 0 AND rank = (n_late + 1) / 2) AS p50,
         max(late) FILTER (WHERE late > 0 AND rank = (9 * n_late + 9) / 10) AS p90,
         count(*) FILTER (WHERE state = 'waived') AS waived,
         count(*) FILTER (WHERE state = 'not_applicable') AS not_applicable,
         count(*) FILTER (WHERE state = 'missed') AS missed,
         count(*) FILTER (WHERE state = 'open') AS open,
         count(*) FILTER (WHERE overdue) AS overdue
  FROM ranked GROUP BY group_id, code),
open_cases AS (
  SELECT p.id, p.case_number, p.issued_on, coalesce(e.weeks, 0) AS weeks,
         {today_p} - p.issued_on AS elapsed,
         (26 + coalesce(e.weeks, 0)) * 7 - ({today_p} - p.issued_on) AS remaining, p.stage
  FROM proceedings p
  LEFT JOIN (SELECT proceedings_id, sum(weeks) AS weeks FROM extension GROUP BY proceedings_id) e
    ON e.proceedings_id = p.id
  WHERE {managed(scoped, actor, "p.id")} AND p.stage <> 'concluded'),
handovers AS (
  SELECT CASE WHEN w.submitted_at IS NOT NULL AND CAST(timezone('UTC', w.submitted_at) AS DATE) <= due.due_on
              THEN 'on_time'
              WHEN w.submitted_at IS NOT NULL THEN 'late'
              WHEN due.due_on < {today_p} THEN 'missing' ELSE 'awaited' END AS status
  FROM proceedings p
  JOIN (SELECT proceedings_id, min(due_on) AS due_on FROM obligation
        WHERE code = 'P14' AND state <> 'not_applicable' GROUP BY proceedings_id) due
    ON due.proceedings_id = p.id
  LEFT JOIN (SELECT proceedings_id, min(submitted_at) AS submitted_at FROM handover GROUP BY proceedings_id) w
    ON w.proceedings_id = p.id
  WHERE {managed(scoped, actor, "p.id")} AND due.due_on >= {start_day} AND due.due_on <= {end_day}),
versions AS (
  SELECT pv.filed_on, count(s.id) AS shares,
         CAST(timezone('UTC', min(s.first_opened_at)) AS DATE) AS opened_on
  FROM paper_version pv JOIN proceedings p ON p.id = pv.proceedings_id
  LEFT OUTER JOIN paper_share s ON s.version_id = pv.id
  WHERE {managed(scoped, actor, "p.id")} AND pv.filed_on >= {start_day} AND pv.filed_on <= {end_day}
  GROUP BY pv.id, pv.proceedings_id, pv.filed_on),
timings AS (
  SELECT days, row_number() OVER (ORDER BY days) AS rank, count(*) OVER () AS n FROM (
    SELECT {weekdays_to("opened_on")} - {weekdays_to("filed_on")}
           - (SELECT count(*) FROM unnest({holidays}::date[]) h WHERE h > filed_on AND h <= opened_on) AS days
    FROM versions WHERE opened_on IS NOT NULL) d),
concluded AS (
  SELECT proceedings_id, min(changed_on) AS on_ FROM stage_change WHERE stage = 'concluded'
  GROUP BY proceedings_id),
guardians AS (
  SELECT proceedings_id, CAST(timezone('UTC', min(started_at)) AS DATE) AS on_ FROM case_membership
  WHERE role = 'guardian' GROUP BY proceedings_id),
cases AS (
  SELECT p.id, g.on_ AS starts_on, least(coalesce(c.on_, {end_day}), {end_day}, {today_p}) AS ends_on,
         c.on_ AS concluded_on,
         (least(coalesce(c.on_, {end_day}), {end_day}, {today_p}) - g.on_) / 30 + 1 AS windows
  FROM proceedings p JOIN guardians g ON g.proceedings_id = p.id
  LEFT OUTER JOIN concluded c ON c.proceedings_id = p.id
  WHERE {managed(scoped, actor, "p.id")} AND g.on_ <= least({end_day}, {today_p})
    AND (c.on_ IS NULL OR c.on_ >= {start_day})
    AND EXISTS (SELECT 1 FROM proceedings_child pc JOIN child ch ON ch.id = pc.child_id
                WHERE pc.proceedings_id = p.id AND ch.legal_status IN ({looked_after}))),
windows_with AS (
  SELECT k.proceedings_id AS id, k.initiated_by AS side,
         count(DISTINCT (CAST(timezone('UTC', k.occurred_at) AS DATE) - cases.starts_on) / 30) AS windows
  FROM contact k JOIN cases ON cases.id = k.proceedings_id
  WHERE k.proceedings_id IN (SELECT id FROM cases) AND k.corrects_id IS NULL
    AND CAST(timezone('UTC', k.occurred_at) AS DATE) BETWEEN cases.starts_on AND cases.ends_on
  GROUP BY k.proceedings_id, k.initiated_by),
table1 AS (
  SELECT CAST(coalesce(g.windows, 0) AS FLOAT) / cases.windows AS guardian,
         CAST(coalesce(i.windows, 0) AS FLOAT) / cases.windows AS iro,
         CASE WHEN cases.concluded_on IS NULL OR cases.concluded_on > {end_day} THEN NULL
              WHEN EXISTS (SELECT 1 FROM discussion x WHERE x.proceedings_id = cases.id
                           AND x.kind = 'final_discussion') THEN 'held' ELSE 'not_held' END AS final
  FROM cases LEFT OUTER JOIN windows_with g ON g.id = cases.id AND g.side = 'guardian'
  LEFT OUTER JOIN windows_with i ON i.id = cases.id AND i.side = 'iro'),
disputes AS (
  SELECT CAST(timezone('UTC', x.raised_at) AS DATE) AS raised_on, x.fast_track_reason IS NOT NULL AS fast,
         x.state = 'resolved' AND x.resolved_on >= {start_day} AND x.resolved_on <= {end_day} AS resolved,
         x.state <> 'resolved' AND CAST(timezone('UTC', x.raised_at) AS DATE) <= {end_day} AS open,
         x.stage, x.limit_on, x.resolved_on
  FROM dispute x WHERE {managed(scoped, actor, "x.proceedings_id")}),
referrals AS (
  SELECT r.referred_on, r.state <> 'concluded' AND r.referred_on <= {end_day} AS open, r.due_on, r.outcome,
         r.outcome_on >= {start_day} AND r.outcome_on <= {end_day} AS concluded
  FROM cafcass_referral r WHERE {managed(scoped, actor, "r.proceedings_id")})
SELECT
  array(SELECT row(group_id, group_name, code, opened, met_on_time, met_late, p50, p90, waived,
                   not_applicable, missed,
                   open, overdue) FROM lines) AS lines,
  array(SELECT row(CASE WHEN elapsed / 7 >= 27 THEN 3 WHEN elapsed / 7 >= 21 THEN 2
                        WHEN elapsed / 7 >= 13 THEN 1 ELSE 0 END, weeks > 0) FROM open_cases) AS buckets,
  array(SELECT row(id, case_number, issued_on + CAST((26 + weeks) * 7 AS INTEGER), remaining) FROM open_cases
        WHERE remaining < 0 OR (remaining < 28 AND stage IN ('issued', 'case_management_hearing',
                                                              'issues_resolution_hearing'))
        ORDER BY remaining, case_number) AS at_risk,
  (SELECT row(count(*), count(*) FILTER (WHERE status = 'on_time'), count(*) FILTER (WHERE status = 'late'),
              count(*) FILTER (WHERE status = 'missing'), count(*) FILTER (WHERE status = 'awaited'))
   FROM handovers) AS handovers,
  (SELECT count(*) FROM obligation o JOIN proceedings p ON p.id = o.proceedings_id
   WHERE {managed(scoped, actor, "p.id")} AND {in_period} AND o.code = 'P15' AND o.state = 'met'
     AND o.closed_at IS NOT NULL) AS acknowledged,
  (SELECT row(count(*), count(*) FILTER (WHERE opened_on IS NOT NULL),
              count(*) FILTER (WHERE opened_on IS NULL AND shares > 0), count(*) FILTER (WHERE shares = 0))
   FROM versions) AS papers,
  (SELECT row(max(days) FILTER (WHERE rank = (n + 1) / 2), max(days) FILTER (WHERE rank = (9 * n + 9) / 10))
   FROM timings) AS timing,
  (SELECT row(count(*),
              count(*) FILTER (WHERE guardian >= 0.75),
              count(*) FILTER (WHERE guardian >= 0.25 AND guardian < 0.75),
              count(*) FILTER (WHERE guardian < 0.25),
              count(*) FILTER (WHERE iro >= 0.75),
              count(*) FILTER (WHERE iro >= 0.25 AND iro < 0.75),
              count(*) FILTER (WHERE iro < 0.25),
              count(*) FILTER (WHERE final = 'held'),
              count(*) FILTER (WHERE final = 'not_held'))
   FROM table1) AS table1,
  (SELECT row(count(*) FILTER (WHERE raised_on >= {start_day} AND raised_on <= {end_day}),
              count(*) FILTER (WHERE raised_on >= {start_day} AND raised_on <= {end_day} AND fast),
              count(*) FILTER (WHERE resolved), count(*) FILTER (WHERE resolved AND stage = 0),
              count(*) FILTER (WHERE resolved AND resolved_on <= limit_on),
              count(*) FILTER (WHERE resolved AND resolved_on > limit_on),
              count(*) FILTER (WHERE open), count(*) FILTER (WHERE open AND limit_on < {today_p}))
   FROM disputes) AS disputes,
  array(SELECT row(stage, count(*)) FROM disputes WHERE resolved AND stage BETWEEN 1 AND {STAGES_MAX}
        GROUP BY stage ORDER BY stage) AS resolved_at_stage,
  (SELECT row(count(*) FILTER (WHERE referred_on >= {start_day} AND referred_on <= {end_day}),
              count(*) FILTER (WHERE open), count(*) FILTER (WHERE open AND due_on < {today_p}),
              {outcomes})
   FROM referrals) AS referrals"""
    row = await r.connection.fetchrow(sql, *params)
    audit = r.audit
    audit.record("adherence.read", "dashboard")
    names = await r.names()
    order = {code: n for n, code in enumerate(sorted({line[2] for line in row["lines"]}, key=_code_order))}
    lines = sorted(row["lines"], key=lambda line: (line[1], order[line[2]]))
    audit.record("tracker.read", "dashboard")
    for case_id, *_ in row["at_risk"]:
        audit.look(case_id, "case.drill_down", None)
    audit.record("handovers_dashboard.read", "dashboard")
    audit.record("paper_timings.read", "dashboard")
    audit.record("disputes_dashboard.read", "dashboard")
    audit.record("table1.read", "dashboard")
    counts = [0] * len(BUCKETS)
    extended = 0
    for bucket, was_extended in row["buckets"]:
        counts[bucket] += 1
        extended += was_extended
    cases, g_most, g_some, g_rare, i_most, i_some, i_rare, held, not_held = row["table1"]
    measured = [
        ("guardian_contacts_iro", cases, g_most, g_some, g_rare),
        ("iro_contacts_guardian", cases, i_most, i_some, i_rare),
        ("final_discussion", held + not_held, held, 0, not_held),
    ]
    due, on_time, late, missing, awaited = row["handovers"]
    filed, opened, unopened, not_with_iro = row["papers"]
    p50, p90 = row["timing"]
    raised, fast_tracked, resolved, informally, within, beyond, still_open, open_beyond = row["disputes"]
    made, referrals_open, referrals_overdue, *concluded = row["referrals"]
    return {
        "data": {
            "me": me(actor, organisation=True),
            "adherence": [
                {
                    "groupId": ident(line[0]),
                    "groupName": line[1],
                    "code": line[2],
                    "name": names.get(line[2], ""),
                    "opened": line[3],
                    "metOnTime": line[4],
                    "metLate": line[5],
                    "lateMedianDays": line[6],
                    "lateP90Days": line[7],
                    "waived": line[8],
                    "notApplicable": line[9],
                    "missed": line[10],
                    "open": line[11],
                    "overdue": line[12],
                }
                for line in lines
            ],
            "proceedingsTracker": {
                "buckets": [
                    {"label": label, "count": n} for (_, label), n in zip(BUCKETS, counts, strict=True)
                ],
                "extended": extended,
                "atRisk": [
                    {
                        "caseId": str(i),
                        "caseNumber": number,
                        "deadline": deadline.isoformat(),
                        "daysRemaining": days,
                    }
                    for i, number, deadline, days in row["at_risk"]
                ],
            },
            "handoverFigures": {
                "due": due,
                "onTime": on_time,
                "late": late,
                "missing": missing,
                "awaited": awaited,
                "acknowledged": row["acknowledged"],
            },
            "paperTimings": {
                "filed": filed,
                "opened": opened,
                "unopened": unopened,
                "notWithIro": not_with_iro,
                "medianWorkingDays": p50,
                "p90WorkingDays": p90,
            },
            "disputeFigures": {
                "opened": raised,
                "fastTracked": fast_tracked,
                "resolved": resolved,
                "resolvedInformally": informally,
                "resolvedAtStage": [{"stage": n, "count": c} for n, c in row["resolved_at_stage"]],
                "resolvedWithinLimit": within,
                "resolvedBeyondLimit": beyond,
                "open": still_open,
                "openBeyondLimit": open_beyond,
                "referralsMade": made,
                "referralsOpen": referrals_open,
                "referralsOverdue": referrals_overdue,
                "referralOutcomes": [
                    {"outcome": enum(outcome), "count": n}
                    for outcome, n in zip(REFERRAL_OUTCOMES, concluded, strict=True)
                ],
            },
            "table1": [
                {
                    "question": question,
                    "label": QUESTIONS[question],
                    "cases": n,
                    "alwaysOrMostly": most,
                    "sometimes": some,
                    "rarelyOrNever": rare,
                    "perceived": [
                        {"respondent": who, "alwaysOrMostly": a, "rarelyOrNever": b}
                        for who, (a, b) in PERCEIVED[question].items()
                    ],
                }
                for question, n, most, some, rare in measured
            ],
        }
    }


# ---------------------------------------------------------------------------------------------------------
# The endpoint.

HANDLERS = {"CaseView": case_view, "MyCases": my_cases, "MyTasks": my_tasks, "Adherence": adherence}
UNAUTHENTICATED = refusal(401, "UNAUTHENTICATED", "Send an API token", {"WWW-Authenticate": "Bearer"})
INVALID_TOKEN = refusal(
    401, "UNAUTHENTICATED", "The API token is not valid", {"WWW-Authenticate": 'Bearer error="invalid_token"'}
)


def trusted_documents() -> dict[str, str]:
    return {path.stem: path.read_text() for path in sorted(OPERATIONS.glob("*.graphql"))}


class Limit:
    """The server's state: the pool, the trusted documents it serves, and the sealer."""

    def __init__(self, dsn: str, pool_size: int) -> None:
        self.dsn, self.pool_size = dsn, pool_size
        self.documents = {name: text for name, text in trusted_documents().items() if name in HANDLERS}
        self.by_text = {text: name for name, text in self.documents.items()}
        self.by_hash = {
            hashlib.sha256(text.encode()).hexdigest(): name for name, text in self.documents.items()
        }
        self._pool: asyncpg.Pool | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        assert self._pool is not None, "the pool opens with the app's lifespan"
        return self._pool

    async def open(self) -> None:
        # As many as the portal's pool holds at most (PORTAL_DATABASE_POOL_SIZE 10 + overflow 10).
        self._pool = await asyncpg.create_pool(self.dsn, min_size=1, max_size=self.pool_size)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()

    def document(self, raw: Any) -> str:
        if not isinstance(raw, dict):
            raise refusal(200, "BAD_REQUEST", "The request must be a JSON object")
        query, document_id = raw.get("query"), raw.get("documentId")
        name = None
        if query is None and isinstance(document_id, str):
            name = (
                self.by_hash.get(document_id.removeprefix("sha256:").lower())
                if document_id.startswith("sha256:")
                else document_id
            )
        elif isinstance(query, str):
            name = self.by_text.get(query)
        if name not in self.documents:
            raise refusal(400, "NOT_SUPPORTED", "The limit server answers only " + ", ".join(HANDLERS))
        assert name is not None
        return name

    async def actor(self, connection: asyncpg.Connection, header: str, source: str) -> tuple[Actor, bool]:
        """The actor for the bearer token, and whether its last use is worth stamping; INVALID_TOKEN
        otherwise (portal/auth/web.py's api_actor)."""
        scheme, _, secret = header.partition(" ")
        secret = secret.strip()
        if scheme.lower() != "bearer" or not secret or not secret.startswith(TOKEN_PREFIX):
            raise INVALID_TOKEN
        row = await connection.fetchrow(ACTOR_SQL, hashlib.sha256(secret.encode()).hexdigest())
        now = datetime.now(UTC)
        if row is None or row[4] is not None or (row[3] is not None and row[3] <= now):
            raise INVALID_TOKEN
        case_roles: dict[uuid.UUID, set[str]] = defaultdict(set)
        read_only: set[uuid.UUID] = set()
        for case_id, role, until in row[11]:
            if role == "guardian" and until is not None:
                if until < now:
                    continue
                read_only.add(case_id)
            case_roles[case_id].add(role)
        actor = Actor(
            person_id=row[1],
            name=row[6],
            email=row[7],
            organisation_id=row[8],
            organisation_name=row[9],
            roles=frozenset(row[10]),
            case_roles=dict(case_roles),
            read_only=read_only,
            scopes=frozenset(row[2].split()),
            token_id=row[0],
            source=source,
        )
        stale = row[5] is None or now - row[5] >= STAMP_EVERY
        return actor, stale

    async def respond(self, request: Request) -> Response:
        try:
            status, body, headers = await self.handle(request)
        except Answer as answer:
            status, body, headers = answer.status, answer.body, answer.headers
        return Response(dumps(body), status_code=status, media_type=JSON_MEDIA, headers=headers)

    async def handle(self, request: Request) -> tuple[int, Any, dict[str, str]]:
        if request.method != "POST":
            raise refusal(405, "METHOD_NOT_ALLOWED", "The limit server takes POST", {"Allow": "POST"})
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != JSON_MEDIA:
            raise refusal(415, "UNSUPPORTED_MEDIA_TYPE", "GraphQL requests take application/json in UTF-8")
        header = request.headers.get("authorization")
        if not header:
            raise UNAUTHENTICATED
        try:
            raw = json.loads(await request.body())
        except ValueError:
            raise refusal(200, "BAD_REQUEST", "The request is not valid JSON") from None
        name = self.document(raw)
        variables = raw.get("variables") or {}
        source = request.client.host if request.client else ""
        async with self.pool.acquire() as connection:
            actor, stale = await self.actor(connection, header, source)
            audit = Audit(actor)
            audit.record("token.use", "api_token", actor.token_id)
            today = london_today()
            try:
                body = await HANDLERS[name](
                    Request_(actor, audit, connection, today, variables), self.documents[name]
                )
            finally:
                # Written whatever the request's fate, as the portal keeps its looks and refusals.
                await append_events(connection, audit.rows)
            if stale:
                await connection.execute(
                    "UPDATE api_token SET last_used_at = $2 WHERE id = $1 "
                    "AND (last_used_at IS NULL OR last_used_at < $3)",
                    actor.token_id,
                    datetime.now(UTC),
                    datetime.now(UTC) - STAMP_EVERY,
                )
        return 200, body, {}


def create_app(
    dsn: str,
    audit_key: str | None = None,
    *,
    checkpoint_file: Path | None = None,
    pool_size: int = 20,
    seal: bool = True,
) -> Starlette:
    """The limit server's app on the database ``dsn`` (a plain ``postgresql://`` DSN; the portal's
    ``postgresql+asyncpg://`` URL is taken too). With ``audit_key`` (the portal's PORTAL_AUDIT_KEY form,
    ``<id>:<secret>``) and ``seal``, it seals the audit trail every 2 s as each portal process does, and with
    ``checkpoint_file`` signs checkpoints of it there every 60 s; ``pool_size`` connections at most."""
    limit = Limit(dsn.replace("postgresql+asyncpg://", "postgresql://", 1), pool_size)
    keyring = parse_keyring(audit_key) if audit_key else None

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await limit.open()
        task = None
        if keyring is not None and seal:
            task = asyncio.create_task(Sealer(limit.pool, keyring, checkpoint_file).run_forever())
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await limit.close()

    async def healthz(_request: Request) -> Response:
        return Response("ok", media_type="text/plain")

    return Starlette(
        routes=[
            Route("/graphql", limit.respond, methods=["GET", "POST", "PUT", "DELETE"]),
            Route("/healthz", healthz),
        ],
        lifespan=lifespan,
    )


def app_from_environment() -> Starlette:
    """The app for uvicorn's factory mode (several workers): settings from LIMIT_DSN, LIMIT_AUDIT_KEY,
    LIMIT_CHECKPOINT_FILE and LIMIT_POOL_SIZE."""
    checkpoints = os.environ.get("LIMIT_CHECKPOINT_FILE")
    return create_app(
        os.environ["LIMIT_DSN"],
        os.environ.get("LIMIT_AUDIT_KEY") or None,
        checkpoint_file=Path(checkpoints) if checkpoints else None,
        pool_size=int(os.environ.get("LIMIT_POOL_SIZE", "20")),
    )


# ---------------------------------------------------------------------------------------------------------
# The check: the same requests to the portal and to the limit server, the same answers and the same events.


@dataclass(frozen=True)
class Probe:
    """One request: who sends it (the token), which trusted document, its variables, and whether it names the
    document (``documentId``) or sends its text (``query``, as bench/mixed_load.py does)."""

    label: str
    token: str
    document: str
    variables: dict[str, Any] = field(default_factory=dict)
    by_id: bool = True

    def body(self) -> dict[str, Any]:
        if self.by_id:
            return {"documentId": self.document, "variables": self.variables}
        return {
            "query": trusted_documents()[self.document],
            "operationName": self.document,
            "variables": self.variables,
        }


def first_difference(a: Any, b: Any, path: str = "$") -> str | None:
    """The first path at which two JSON values differ (keys in order count), or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)} != {list(b)}"
        for key in a:
            if found := first_difference(a[key], b[key], f"{path}.{key}"):
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        for index, (x, y) in enumerate(zip(a, b, strict=False)):
            if found := first_difference(x, y, f"{path}[{index}]"):
                return found
        return f"{path}: {len(a)} items != {len(b)}" if len(a) != len(b) else None
    if a != b or type(a) is not type(b):
        return (
            f"{path}: {json.dumps(a, ensure_ascii=False)[:200]} != {json.dumps(b, ensure_ascii=False)[:200]}"
        )
    return None


EVENTS_SINCE = """
SELECT person_id, acting_as, action, subject_type, subject_id, case_id, outcome, channel, source
FROM audit_event WHERE occurred_at >= $1 ORDER BY occurred_at, id"""


async def check(
    portal_url: str, limit_url: str, probes: Sequence[Probe], dsn: str | None = None
) -> list[str]:
    """Send each probe to the portal, then to the limit server, and say how their answers differ: status, and
    the first differing JSON path (or the bytes, when the JSON is alike but the bytes are not). With ``dsn``,
    also the audit events each request appended (every field but the id and time). Empty: they agree."""
    import httpx

    problems: list[str] = []
    connection = (
        await asyncpg.connect(dsn.replace("postgresql+asyncpg://", "postgresql://", 1)) if dsn else None
    )
    try:
        async with httpx.AsyncClient(timeout=120) as client:
            for probe in probes:
                answers, events = [], []
                for base in (portal_url, limit_url):
                    since = datetime.now(UTC)
                    headers = {"Authorization": f"Bearer {probe.token}"} if probe.token else {}
                    answers.append(await client.post(f"{base}/graphql", json=probe.body(), headers=headers))
                    if connection is not None:
                        events.append([tuple(e) for e in await connection.fetch(EVENTS_SINCE, since)])
                portal, limit = answers
                where = f"{probe.label} ({probe.document} {json.dumps(probe.variables)})"
                if portal.status_code != limit.status_code:
                    problems.append(f"{where}: status {portal.status_code} != {limit.status_code}")
                if portal.content != limit.content:
                    try:
                        found = first_difference(portal.json(), limit.json())
                    except ValueError:
                        found = None
                    problems.append(f"{where}: {found or 'the bytes differ'}")
                if portal.status_code == 200 and "errors" in portal.json() and "data" not in portal.json():
                    problems.append(f"{where}: the portal refused it: {portal.text[:300]}")
                if events and events[0] != events[1]:
                    found = first_difference(
                        [list(map(str, e)) for e in events[0]], [list(map(str, e)) for e in events[1]]
                    )
                    problems.append(f"{where}: audit events differ at {found}")
    finally:
        if connection is not None:
            await connection.close()
    return problems


@dataclass(frozen=True)
class Cast:
    """The cases and people the check (and the benchmark) send requests about."""

    busiest: uuid.UUID  # the case with the most contacts
    ordinary: uuid.UUID  # the case with the median number
    emails: dict[str, str]  # who -> email: guardian, iro, la_solicitor, cafcass_manager, iro_manager,
    # other_guardian (a guardian on the ordinary case and not the busiest), stranger (a guardian on neither)


CAST_SQL = """
WITH counted AS (
  SELECT p.id, (SELECT count(*) FROM contact k WHERE k.proceedings_id = p.id) AS n
  FROM proceedings p WHERE p.stage <> 'concluded'
    AND EXISTS (SELECT 1 FROM case_membership m WHERE m.proceedings_id = p.id AND m.role = 'guardian'
                AND m.ended_at IS NULL)
    AND EXISTS (SELECT 1 FROM case_membership m WHERE m.proceedings_id = p.id AND m.role = 'iro'
                AND m.ended_at IS NULL)),
ranked AS (SELECT id, n, row_number() OVER (ORDER BY n DESC, id) AS rank, count(*) OVER () AS cases
            FROM counted)
SELECT (SELECT id FROM ranked WHERE rank = 1) AS busiest,
       (SELECT id FROM ranked WHERE rank = cases / 2) AS ordinary"""


def _person_sql(where: str) -> str:
    return f"SELECT pe.email FROM person pe WHERE pe.active AND {where} ORDER BY pe.email LIMIT 1"


async def cast(dsn: str) -> Cast:
    connection = await asyncpg.connect(dsn.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        row = await connection.fetchrow(CAST_SQL)
        busiest, ordinary = row["busiest"], row["ordinary"]
        member = (
            "EXISTS (SELECT 1 FROM case_membership m WHERE m.person_id = pe.id AND m.proceedings_id = $1 "
            "AND m.role = '{role}' AND m.ended_at IS NULL)"
        )
        has = "EXISTS (SELECT 1 FROM person_role r WHERE r.person_id = pe.id AND r.role = '{role}')"
        emails = {
            who: await connection.fetchval(_person_sql(member.format(role=who)), busiest)
            for who in ("guardian", "iro", "la_solicitor")
        }
        emails["cafcass_manager"] = await connection.fetchval(
            _person_sql(
                has.format(role="cafcass_manager")
                + " AND pe.organisation_id = (SELECT c.service_area_id FROM proceedings p "
                "JOIN organisation c ON c.id = p.court_id WHERE p.id = $1)"
            ),
            busiest,
        )
        emails["iro_manager"] = await connection.fetchval(
            _person_sql(
                has.format(role="iro_manager")
                + " AND pe.organisation_id = (SELECT local_authority_id FROM proceedings WHERE id = $1)"
            ),
            busiest,
        )
        emails["other_guardian"] = await connection.fetchval(
            _person_sql(member.format(role="guardian") + " AND pe.email <> $2"), ordinary, emails["guardian"]
        )
        emails["stranger"] = await connection.fetchval(
            _person_sql(
                has.format(role="guardian")
                + " AND NOT EXISTS (SELECT 1 FROM case_membership m WHERE m.person_id = pe.id "
                "AND m.proceedings_id IN ($1, $2))"
            ),
            busiest,
            ordinary,
        )
    finally:
        await connection.close()
    return Cast(busiest, ordinary, {who: email for who, email in emails.items() if email})


# What each one's token may do: what the pages of their role use, within what their roles allow.
SCOPES = {
    "guardian": ("case:read", "contact:log", "contact:reply", "issue:read", "handover:read", "private:read"),
    "iro": (
        "case:read",
        "contact:log",
        "contact:reply",
        "issue:read",
        "handover:read",
        "review:manage",
        "private:read",
    ),
    "la_solicitor": ("case:read", "proceedings:manage"),
    "cafcass_manager": ("case:read", "issue:read", "handover:read", "adherence:view", "case:access-log"),
    "iro_manager": ("case:read", "issue:read", "handover:read", "adherence:view", "iro:assign"),
    "other_guardian": ("case:read", "contact:log", "issue:read"),
    "stranger": ("case:read",),
}


def probes_for(world: Cast, tokens: dict[str, str], today: date | None = None) -> list[Probe]:
    """The check's requests: CaseView of the busiest and an ordinary case by each side, their managers and
    the authority's lawyer (a page of the ledger as the case page asks, all of it, and a short page), one
    refused; MyCases, MyTasks and Adherence for each."""
    busiest, ordinary = str(world.busiest), str(world.ordinary)
    today = today or london_today()
    found: list[Probe] = []
    for who, token in tokens.items():
        cases = [busiest] if who != "other_guardian" else [ordinary, busiest]
        for case in cases:
            found.append(Probe(f"{who} case view", token, "CaseView", {"id": case, "ledgerSize": 20}))
        if who in ("guardian", "iro", "cafcass_manager"):
            found.append(Probe(f"{who} whole ledger", token, "CaseView", {"id": busiest, "ledgerSize": None}))
            found.append(Probe(f"{who} by text", token, "CaseView", {"id": busiest, "ledgerSize": 5}, False))
        found.append(Probe(f"{who} cases", token, "MyCases", {}))
        found.append(Probe(f"{who} tasks", token, "MyTasks", {}))
        if who in ("cafcass_manager", "iro_manager"):
            found.append(Probe(f"{who} cases (100)", token, "MyCases", {"first": 100}))
            found.append(Probe(f"{who} open cases", token, "MyCases", {"first": 50, "stage": "ISSUED"}))
            for by in ("NONE", "LOCAL_AUTHORITY", "SERVICE_AREA", "TEAM", "PRACTITIONER"):
                period = {"start": (today - timedelta(days=365)).isoformat(), "end": today.isoformat()}
                found.append(Probe(f"{who} adherence {by}", token, "Adherence", {**period, "by": by}))
    if "stranger" in tokens:
        found.append(Probe("stranger refused", tokens["stranger"], "CaseView", {"id": ordinary}))
    found.append(Probe("not a case id", next(iter(tokens.values())), "CaseView", {"id": "nonsense"}))
    found.append(Probe("no token", "", "CaseView", {"id": busiest}))
    found.append(Probe("bad token", "gip_nonsense", "CaseView", {"id": busiest}))
    return found


def make_tokens(
    database_url: str, var_dir: Path, emails: dict[str, str], extra_env: dict[str, str]
) -> dict[str, str]:
    """An API token for each, made by `portal token create` (so the portal stores them as it does)."""
    from bench.mixed_load import portal, portal_env

    env = portal_env(database_url, var_dir, **extra_env)
    tokens = {}
    for who, email in emails.items():
        scopes = [arg for scope in SCOPES[who] for arg in ("--scope", scope)]
        out = portal(env, "token", "create", "--email", email, "--label", f"limit check: {who}", *scopes)
        tokens[who] = next(word for word in out.split() if word.startswith(TOKEN_PREFIX))
    return tokens


# ---------------------------------------------------------------------------------------------------------
# The command line.


# Collect the young generation after this many net allocations, as `portal serve` does
# (portal/web/serving.py): the same serving settings for both.
YOUNG_THRESHOLD = 20_000


def tune_collector() -> None:
    """As portal/web/serving.py's: once the app is built, freeze what lives as long as the process and collect
    the young generation less often."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


def worker_app() -> Starlette:
    """The app in each of several worker processes (uvicorn's factory): settings from the environment."""
    app = app_from_environment()
    tune_collector()
    return app


def run_server(args: argparse.Namespace) -> None:
    """Serve as `portal serve` does (portal/web/serving.py): uvloop and httptools unless told otherwise, no
    proxy headers, log level info, ``--workers`` processes sharing the port."""
    import uvicorn

    os.environ["LIMIT_DSN"] = args.dsn
    if args.audit_key:
        os.environ["LIMIT_AUDIT_KEY"] = args.audit_key
    if args.checkpoint_file:
        os.environ["LIMIT_CHECKPOINT_FILE"] = str(args.checkpoint_file)
    os.environ["LIMIT_POOL_SIZE"] = str(args.pool_size)
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "loop": args.loop,
        "http": args.http,
        "proxy_headers": False,
        "log_level": "info",
    }
    if args.workers > 1:
        uvicorn.run("bench.limit_server:worker_app", factory=True, workers=args.workers, **options)
    else:
        uvicorn.run(worker_app(), **options)


@contextlib.contextmanager
def limit_process(dsn: str, audit_key: str | None, log_path: Path, port: int) -> Any:
    """This server in a process of its own on ``port``, until the block ends."""
    import signal
    import subprocess
    import time as clock

    import httpx

    command = [sys.executable, str(Path(__file__).resolve()), "--dsn", dsn, "--port", str(port)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LIMIT_AUDIT_KEY": audit_key or ""}
    with log_path.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = clock.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the limit server stopped: {log_path.read_text()[-2000:]}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            if clock.monotonic() > deadline:
                raise RuntimeError("the limit server did not answer /healthz within 30 s")
            clock.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_check(args: argparse.Namespace) -> int:
    """--check: on a loaded database the check may write to (audit events, tokens), start the portal (with
    production settings, as bench/mixed_load.py does) and this server unless their URLs are given, make
    tokens, send the probes to both, and say whether the audit trail still verifies."""
    import tempfile

    from bench.mixed_load import audit_key, portal, portal_env, serve
    from tests.support.ports import free_port

    url = args.database_url
    if url.startswith("postgresql://"):
        url = "postgresql+asyncpg://" + url.removeprefix("postgresql://")
    with tempfile.TemporaryDirectory(prefix="limit-check-") as folder, contextlib.ExitStack() as stack:
        work = Path(folder)
        key = {"PORTAL_AUDIT_KEY": args.audit_key} if args.audit_key else audit_key()
        world = asyncio.run(cast(url))
        print(f"busiest case {world.busiest}, ordinary case {world.ordinary}")
        var_dir = args.var_dir or work / "var"
        tokens = make_tokens(url, var_dir, world.emails, key)
        portal_url = (
            args.portal_url
            or stack.enter_context(serve(url, work, work / "portal.log", key, background=False)).base_url
        )
        limit_url = args.limit_url or stack.enter_context(
            limit_process(url, key.get("PORTAL_AUDIT_KEY"), work / "limit.log", free_port())
        )
        problems = asyncio.run(check(portal_url, limit_url, probes_for(world, tokens), url))
        probes = len(probes_for(world, tokens))
        for problem in problems:
            print("DIFFERENT:", problem)
        print(f"{probes - len({p.split(':')[0] for p in problems})} of {probes} requests answered alike")
        env = portal_env(url, var_dir, **key)
        try:
            portal(env, "audit", "seal")
            done = portal(env, "audit", "verify")
            verified = True
        except RuntimeError as failed:  # a trail sealed before with another key fails here too
            done, verified = str(failed), False
        print("portal audit verify:", done.strip().splitlines()[-1] if done.strip() else "(nothing)")
    return 1 if problems or not verified else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dsn", default=os.environ.get("LIMIT_DSN", ""), help="the database (postgresql://...)"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument(
        "--audit-key", default=os.environ.get("LIMIT_AUDIT_KEY") or os.environ.get("PORTAL_AUDIT_KEY")
    )
    parser.add_argument("--checkpoint-file", type=Path, help="sign audit checkpoints into this file")
    parser.add_argument(
        "--pool-size", type=int, default=20, help="connections per process (the portal's 10 + 10 overflow)"
    )
    parser.add_argument("--workers", type=int, default=1, help="worker processes sharing the port")
    parser.add_argument("--loop", default="uvloop", help="uvicorn's event loop (as portal serve: uvloop)")
    parser.add_argument(
        "--http", default="httptools", help="uvicorn's HTTP parser (as portal serve: httptools)"
    )
    parser.add_argument(
        "--check", action="store_true", help="compare the portal's answers with this server's"
    )
    parser.add_argument("--database-url", help="--check: the loaded database both servers use")
    parser.add_argument("--portal-url", help="--check: a running portal (else one is started)")
    parser.add_argument("--limit-url", help="--check: a running limit server (else one is started)")
    parser.add_argument("--var-dir", type=Path, help="--check: the portal's PORTAL_VAR_DIR")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    if args.check:
        if not args.database_url:
            parser.error("--check needs --database-url")
        sys.exit(run_check(args))
    if not args.dsn:
        parser.error("give --dsn (or LIMIT_DSN)")
    run_server(args)


if __name__ == "__main__":
    main()
