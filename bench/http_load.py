"""Issue 15's load benchmark over real HTTP: the portal against a hand-written limit server and PostGraphile,
on the same PostgreSQL database with the national synthetic data, one worker each.

    .venv/bin/python bench/http_load.py                          # scale 0.1 and 1, 5 s phases (~12 min)
    .venv/bin/python bench/http_load.py --scales 1 --seconds 2 --concurrency 1,8 --json out.json
    .venv/bin/python bench/http_load.py --database-url 1=postgresql+asyncpg://user@host/loaded_with_synth_1

The world. For each of --scales (default 0.1,1) a database of its own: by default in a throwaway PostgreSQL
cluster, migrated and loaded with `portal synth --scale S`; with --database-url [SCALE=]URL a copy of that
loaded database instead (`CREATE DATABASE ... TEMPLATE`, then `portal migrate`; the copy is dropped at the
end, so the original is never written to). In it the benchmark chooses, by SQL:

- the busiest case (the most rows its CaseView shows: contacts, obligations, memberships, children, reviews,
  discussions, issues) and an ordinary one (the median, among open cases with a guardian and an IRO);
- a case with --contacts-case contacts (3,000): the busiest if it has that many, else an open case beside
  the ordinary one in the ranking (other people on it), filled up with copies of its own contacts by SQL;
- an IRO with the median caseload, whose MyCases and MyTasks are timed (the synthetic data gives an IRO the
  same caseload at every scale; a scale-0.1 guardian has ten times the cases of a scale-1 one);
- the Cafcass manager of the ordinary case's service area, for the Adherence dashboard (its default period,
  the last 182 days, by local authority);

and makes API tokens with `portal token create` (--scope case:read --scope contact:log for the guardians
and IROs, adherence:view for the manager).

The servers, one process each and all on that database, started once per scale and stopped at its end:
- the portal: `portal serve` with production settings, as bench/mixed_load.py's `serve` starts it (uvicorn,
  one worker; the outbox sender and clock off);
- the limit server, bench/limit_server.py (Starlette + asyncpg, the same uvicorn settings, the same JSON byte
  for byte, the same token check, access check and audit append), where that file exists;
- PostGraphile 4 (the npm package; installed with `npm ci` into bench/postgraphile/ from its package-lock.json
  the first time, so node and npm must be there: Debian's nodejs and npm do; version 5 needs Node 22), one
  Node process, NODE_ENV=production, its default pool of 10 connections. It has no token check, no access
  check and no audit: it answers what it is asked. Its queries (bench/postgraphile/*.graphql) fetch the same
  rows as the portal's CaseView (the case, court and authority, stage history, extensions, children with their
  legal status history, memberships with people and organisations, the consultation arrangement, obligations
  with their rules and people, reviews, discussions with actions, raised issues, final orders, the ledger's
  counts and its newest --ledger-size entries with replies, corrections and people) and MyCases (the viewer's
  live memberships with each case's court, authority, extensions, children and obligations, and the local
  authorities): not the same JSON, but the same rows. PostGraphile cannot count with a NOT EXISTS, so its
  ledger counts are plain counts by condition, and its MyCases lists memberships (one per child) where the
  portal lists cases. It has no MyTasks, Adherence or LogContact; those rows have no PostGraphile column.

Before timing, every read (CaseView of each case, MyCases, MyTasks, Adherence) goes to the portal and the
limit server, and bench/limit_server.py's `check` compares their JSON byte for byte and the audit events each
appended; an operation whose JSON differs is still timed, but its rows are marked and its bar lines against
the limit fail. An operation the limit server answers with 400 NOT_SUPPORTED (LogContact, so far) has no limit
column. Each server's response size is printed (PostGraphile's beside the portal's).

The phases. Each operation (CaseView of the ordinary case, of the busiest, of the --contacts-case case (at up
to 8 clients only), MyCases, MyTasks, Adherence, then LogContact last, since it grows the ordinary case) at
each of --concurrency (1, 8, 32, 64 clients) runs for --seconds on each server in turn, portal, limit,
PostGraphile (with --slices N, as N round-robin slices of seconds/N each), so that drift in the background
touches all alike. Each client holds its own keep-alive HTTP/1.1 connection (raw asyncio streams and pre-built
requests: a full HTTP client costs too much CPU on two cores) and sends one request at a time until its time
is up; requests in flight then finish, and requests per second are over the whole time, that drain included.
Requests to the portal and the limit server send the trusted document's text with its operationName (as
bench/mixed_load.py does), not its documentId. CaseView asks for the case page's first page of the ledger
(--ledger-size 20; 0 for all of it). LogContact's clients alternate between the ordinary case's guardian and
IRO, each logging a call to the other. At scales below the largest only MyCases and MyTasks run.

A request is an error when its status is not 200, its body has `errors` (or, for LogContact, its payload
has), its data is missing or null, it times out (--timeout, 60 s) or its connection fails.

For each operation x concurrency x server it prints: requests/s; p50, p95 and p99 latency; errors; the
server's CPU per request (utime + stime of its process and its children, from /proc, over the phase, divided
by the requests); PostgreSQL's CPU per request (the postmaster and its live children: on a shared cluster this
counts everyone's backends); this benchmark's own CPU (% of one core: it competes with the server on a small
machine); and the ratios portal/limit (CPU per request) and portal/PostGraphile (CPU per request, server and
server + PostgreSQL, and requests/s). For Adherence at 1 client it also times the hand-written SQL for every
figure the document shows (bench/hand_written.py through bench/dashboard.py's `_theirs`: adherence, Table 1,
the tracker, handovers, papers; the IRO workload is empty for a Cafcass manager), each section in its own
session, one round after another for as long as each server's phase, right after them (its CPU column is this
process's, where its SQL's client runs); and it checks that the adherence figures agree with the portal's.

At the end, the bar, each line PASS or FAIL with its figures (CPU ratios are over all concurrencies: total
CPU over total requests):
- CaseView server CPU per request at most 3x the limit server's, for the ordinary and the busiest case;
- CaseView requests/s at 8 clients at least 0.5x PostGraphile's (ordinary and busiest);
- p99 under 1 s at 32 clients, every operation, on the portal's one worker;
- no errors at 64 clients, every operation, on the portal;
- the --contacts-case case's first page (p50 at 1 client) within 2x the ordinary case's;
- MyCases and MyTasks: the portal's CPU per request within 1.2x between the smallest and the largest scale;
- Adherence over HTTP (p50 at 1 client) at most 1.2x the hand-written SQL (p50 of its rounds).
--json also writes everything out.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import math
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import types
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import asyncpg
import mixed_load as mixed

ROOT = mixed.ROOT
sys.path.insert(0, str(ROOT))

from portal import clock  # noqa: E402
from tests.support.ports import free_port  # noqa: E402
from tests.support.postgres import throwaway_cluster  # noqa: E402

POSTGRAPHILE = ROOT / "bench" / "postgraphile"
LIMIT_SERVER = ROOT / "bench" / "limit_server.py"
SERVERS = ("portal", "limit", "postgraphile")
LABELS = {"portal": "portal", "limit": "limit", "postgraphile": "PostGraphile", "hand": "hand-written"}
ADHERENCE_DAYS = 182  # the dashboard's default period (portal/web/dashboard_pages.py)
HAND_SECTIONS = ("adherence", "table1", "tracker", "handovers", "papers", "disputes")
MY_CASES_PAGE = 25  # the "Your cases" page's (portal/web/pages.py)
# The bar (issue 15).
CPU_TO_LIMIT = 3.0
RPS_TO_POSTGRAPHILE = 0.5
P99_AT_32_MS = 1000.0
CONTACTS_CASE_TO_ORDINARY = 2.0
SCALE_COST = 1.2
ADHERENCE_TO_HAND = 1.2

# The cases: how many rows each case's view shows, with a guardian and an IRO still on it.
RANKED_CASES = """
WITH live AS (
  SELECT proceedings_id, role, min(person_id::text) AS person
  FROM case_membership WHERE ended_at IS NULL AND role IN ('guardian', 'iro') GROUP BY 1, 2),
shown AS (
  SELECT proceedings_id, count(*) AS n FROM (
    SELECT proceedings_id FROM contact UNION ALL SELECT proceedings_id FROM obligation
    UNION ALL SELECT proceedings_id FROM case_membership
    UNION ALL SELECT proceedings_id FROM proceedings_child
    UNION ALL SELECT proceedings_id FROM review UNION ALL SELECT proceedings_id FROM discussion
    UNION ALL SELECT proceedings_id FROM raised_issue) AS every_row
  GROUP BY 1)
SELECT p.id::text AS id, p.case_number, p.stage, shown.n AS rows, g.person AS guardian, i.person AS iro,
       (SELECT count(*) FROM contact c WHERE c.proceedings_id = p.id) AS contacts,
       (SELECT service_area_id::text FROM organisation WHERE id = p.court_id) AS area
FROM proceedings p JOIN shown ON shown.proceedings_id = p.id
JOIN live g ON g.proceedings_id = p.id AND g.role = 'guardian'
JOIN live i ON i.proceedings_id = p.id AND i.role = 'iro'
ORDER BY shown.n DESC, p.case_number
"""
MEDIAN_IRO = """
WITH load AS (
  SELECT m.person_id, count(DISTINCT m.proceedings_id) AS n FROM case_membership m
  WHERE m.role = 'iro' AND m.ended_at IS NULL GROUP BY 1)
SELECT person.id::text, person.email, load.n FROM load JOIN person ON person.id = load.person_id
WHERE load.n = (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY n) FROM load)
ORDER BY person.email LIMIT 1
"""
AREA_MANAGER = """
SELECT p.email FROM person p JOIN person_role r ON r.person_id = p.id
WHERE r.role = 'cafcass_manager' AND p.organisation_id = $1::uuid AND p.active ORDER BY p.email LIMIT 1
"""
# Copies of the case's own current entries, a minute apart per copy, with no reply expected (so that no one's
# tasks change), until the case has $2 entries.
FILL_CONTACTS = """
INSERT INTO contact (id, proceedings_id, from_person_id, to_person_id, initiated_by, occurred_at, channel,
                     purpose, summary, reply_expected, reply_due_on, corrects_id, recorded_by_id, recorded_at)
SELECT gen_random_uuid(), c.proceedings_id, c.from_person_id, c.to_person_id, c.initiated_by,
       c.occurred_at - make_interval(mins => g), c.channel, c.purpose, c.summary, false, NULL, NULL,
       c.recorded_by_id, c.recorded_at
FROM contact c CROSS JOIN generate_series(1, $3) AS g
WHERE c.proceedings_id = $1::uuid AND c.corrects_id IS NULL
ORDER BY g, c.occurred_at DESC
LIMIT greatest(0, $2 - (SELECT count(*) FROM contact WHERE proceedings_id = $1::uuid))
"""


# ---------------------------------------------------------------------------------------------------------
# The world


@dataclass
class Case:
    label: str  # "ordinary", "busiest", "3000 contacts"
    case_id: str
    case_number: str
    rows: int
    contacts: int
    guardian: str  # person ids
    iro: str
    area: str


@dataclass
class World:
    scale: float
    url: str  # for `portal` (postgresql+asyncpg://)
    work: Path
    settings: dict[str, str]  # the audit key, shared by every command and server
    cases: dict[str, Case] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # "guardian ordinary", "iro viewer" ... -> secret
    viewer: dict[str, Any] = field(default_factory=dict)  # the IRO whose MyCases and MyTasks are timed
    manager: str = ""  # the Cafcass manager's email
    notes: list[str] = field(default_factory=list)

    @property
    def dsn(self) -> str:
        return mixed.asyncpg_dsn(self.url)


async def _admin(url: str, statement: str, *, retries: int = 30) -> None:
    """Run a statement on the cluster's `postgres` database; CREATE DATABASE ... TEMPLATE waits for the
    template's other sessions to go (someone may be connected to a shared development database)."""
    for attempt in range(retries):
        connection = await asyncpg.connect(mixed.asyncpg_dsn(url).rsplit("/", 1)[0] + "/postgres")
        try:
            await connection.execute(statement)
            return
        except asyncpg.ObjectInUseError:
            if attempt == retries - 1:
                raise
        finally:
            await connection.close()
        await asyncio.sleep(1)


def database_for(scale: float, source: str | None, cluster: Callable[[], str], work: Path) -> str:
    """A database of the given scale that this run may write to: a copy of ``source``, migrated, or a new one
    in the throwaway cluster, migrated and loaded."""
    name = f"http_load_{str(scale).replace('.', '_')}_{os.getpid()}"
    env = mixed.portal_env("", work / "var")
    if source:
        template = source.rsplit("/", 1)[1]
        started = time.perf_counter()
        asyncio.run(_admin(source, f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        url = source.rsplit("/", 1)[0] + f"/{name}"
        mixed.portal({**env, "PORTAL_DATABASE_URL": url}, "migrate")
        print(f"  copied {template} into {name} and migrated it in {time.perf_counter() - started:.0f} s")
        return url
    base = cluster()
    asyncio.run(_admin(base, f'CREATE DATABASE "{name}"'))
    url = base.rsplit("/", 1)[0] + f"/{name}"
    env["PORTAL_DATABASE_URL"] = url
    mixed.portal(env, "migrate")
    started = time.perf_counter()
    print("  " + mixed.portal(env, "synth", "--scale", str(scale)).strip())
    print(f"  (synth took {time.perf_counter() - started:.0f} s)")
    return url


async def choose(world: World, contacts_case: int, want_cases: bool) -> None:
    """The cases, the viewer IRO and the manager (see the module's docstring); fills up the contacts case."""
    connection = await asyncpg.connect(world.dsn)
    try:
        row = await connection.fetchrow(MEDIAN_IRO)
        assert row is not None, "no IRO is on any case"
        world.viewer = {"id": row[0], "email": row[1], "cases": row[2]}
        if not want_cases:
            return
        ranked = [dict(r) for r in await connection.fetch(RANKED_CASES)]
        live = [r for r in ranked if r["stage"] != "concluded"]

        def case(label: str, r: dict[str, Any]) -> Case:
            return Case(
                label, r["id"], r["case_number"], r["rows"], r["contacts"], r["guardian"], r["iro"], r["area"]
            )

        world.cases["busiest"] = case("busiest", ranked[0])
        ordinary = live[len(live) // 2]
        world.cases["ordinary"] = case("ordinary", ordinary)
        label = f"{contacts_case:,} contacts"
        if ranked[0]["contacts"] >= contacts_case:
            world.cases["contacts"] = case(label, ranked[0])
            return
        taken = {ordinary["guardian"], ordinary["iro"], world.viewer["id"]}
        at = live.index(ordinary)
        fill = next(
            r
            for r in live[at + 1 :] + live[:at]
            if r["contacts"] and r["guardian"] not in taken and r["iro"] not in taken
        )
        started = time.perf_counter()
        copies = math.ceil(contacts_case / fill["contacts"])
        async with connection.transaction():
            await connection.execute(FILL_CONTACTS, fill["id"], contacts_case, copies)
        await connection.execute("ANALYZE contact")
        fill["contacts"] = await connection.fetchval(
            "SELECT count(*) FROM contact WHERE proceedings_id = $1::uuid", fill["id"]
        )
        world.cases["contacts"] = case(label, fill)
        world.notes.append(
            f"the busiest case has {ranked[0]['contacts']} contacts: filled case {fill['case_number']} up to "
            f"{fill['contacts']} with copies of its own entries ({time.perf_counter() - started:.1f} s)"
        )
    finally:
        await connection.close()


async def emails(dsn: str, ids: list[str]) -> dict[str, str]:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch("SELECT id::text, email FROM person WHERE id = ANY($1::uuid[])", ids)
        return {r[0]: r[1] for r in rows}
    finally:
        await connection.close()


async def manager_email(dsn: str, area: str) -> str:
    connection = await asyncpg.connect(dsn)
    try:
        found = await connection.fetchval(AREA_MANAGER, area)
        if not found:
            raise RuntimeError(f"no Cafcass manager in service area {area}")
        return str(found)
    finally:
        await connection.close()


def make_tokens(world: World) -> None:
    """`portal token create` for each person the operations need, two at a time."""
    wanted: dict[str, tuple[str, tuple[str, ...]]] = {"iro viewer": (world.viewer["email"], mixed.SCOPES)}
    if world.cases:
        people = asyncio.run(
            emails(world.dsn, [p for c in world.cases.values() for p in (c.guardian, c.iro)])
        )
        for key, case in world.cases.items():
            wanted[f"guardian {key}"] = (people[case.guardian], mixed.SCOPES)
        wanted["iro ordinary"] = (people[world.cases["ordinary"].iro], mixed.SCOPES)
        world.manager = asyncio.run(manager_email(world.dsn, world.cases["ordinary"].area))
        wanted["manager"] = (world.manager, ("adherence:view",))
    env = mixed.portal_env(world.url, world.work / "var", **world.settings)

    def create(item: tuple[str, tuple[str, tuple[str, ...]]]) -> tuple[str, str]:
        key, (email, scopes) = item
        args = [arg for scope in scopes for arg in ("--scope", scope)]
        out = mixed.portal(env, "token", "create", "--email", email, "--label", f"http_load {key}", *args)
        return key, out.split()[-1]

    with ThreadPoolExecutor(max_workers=2) as pool:
        world.tokens.update(pool.map(create, wanted.items()))


# ---------------------------------------------------------------------------------------------------------
# The servers


@dataclass
class Running:
    name: str
    pid: int
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def wait_for_port(process: subprocess.Popen[bytes], port: int, log: Path, what: str, seconds: float) -> None:
    import socket

    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{what} stopped: {log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not listen on {port} within {seconds:.0f} s")
        time.sleep(0.2)


@contextlib.contextmanager
def process(
    command: list[str], *, what: str, port: int, log: Path, cwd: Path, env: dict[str, str]
) -> Iterator[Running]:
    """A server process on ``port`` until the block ends (SIGINT, then SIGKILL after 30 s)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_port(proc, port, log, what, 120)
        yield Running(what, proc.pid, port, log)
    finally:
        proc.send_signal(2)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def install_postgraphile() -> Path:
    cli = POSTGRAPHILE / "node_modules" / "postgraphile" / "cli.js"
    if not cli.exists():
        print("  installing PostGraphile (npm ci in bench/postgraphile)")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=POSTGRAPHILE, check=True)
    return cli


def postgraphile(world: World, logs: Path) -> contextlib.AbstractContextManager[Running]:
    cli = install_postgraphile()
    port = free_port()
    command = [
        "node",
        str(cli),
        "--connection",
        world.dsn,
        "--schema",
        "public",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--dynamic-json",
        "--disable-query-log",
        "--disable-graphiql",
    ]
    env = {**os.environ, "NODE_ENV": "production"}
    # Its working folder holds postgraphile.tags.json5 (names for relations the inflector would give twice).
    log = logs / f"postgraphile-{world.scale}.log"
    return process(command, what="PostGraphile", port=port, log=log, cwd=POSTGRAPHILE, env=env)


def limit_server(world: World, logs: Path) -> contextlib.AbstractContextManager[Running]:
    port = free_port()
    command = [sys.executable, str(LIMIT_SERVER), "--dsn", world.dsn, "--port", str(port)]
    env = mixed.portal_env(world.url, world.work / "var", **world.settings)
    log = logs / f"limit-{world.scale}.log"
    return process(command, what="the limit server", port=port, log=log, cwd=ROOT, env=env)


@contextlib.contextmanager
def servers(world: World, names: list[str], logs: Path) -> Iterator[dict[str, Running]]:
    with contextlib.ExitStack() as stack:
        found: dict[str, Running] = {}
        for name in names:
            started = time.perf_counter()
            if name == "portal":
                work = world.work / "portal"
                work.mkdir(exist_ok=True)
                log = logs / f"portal-{world.scale}.log"
                server = stack.enter_context(
                    mixed.serve(world.url, work, log, world.settings, background=False)
                )
                port = int(server.base_url.rsplit(":", 1)[1])
                found[name] = Running("portal", server.process.pid, port, log)
            elif name == "limit":
                found[name] = stack.enter_context(limit_server(world, logs))
            else:
                found[name] = stack.enter_context(postgraphile(world, logs))
            found[name].name = name
            print(f"  {LABELS[name]} on port {found[name].port} ({time.perf_counter() - started:.1f} s)")
        yield found


# ---------------------------------------------------------------------------------------------------------
# The client: one keep-alive HTTP/1.1 connection per client, one request at a time


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def send(self, request: bytes) -> tuple[int, bytes]:
        await self.open()
        assert self.reader is not None
        assert self.writer is not None
        reader = self.reader
        self.writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length, chunked, close = None, False, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                close = b"close" in value.lower()
        if chunked:
            parts = []
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                parts.append(await reader.readexactly(size + 2))
            await reader.readuntil(b"\r\n")
            body = b"".join(p[:-2] for p in parts)
        elif length is not None:
            body = await reader.readexactly(length)
        else:
            body, close = await reader.read(), True
        if close:
            self.close()
        return status, body


def request(port: int, token: str | None, payload: dict[str, Any]) -> bytes:
    body = json.dumps(payload, separators=(",", ":")).encode()
    head = [
        "POST /graphql HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        "Accept: application/json",
        f"Content-Length: {len(body)}",
    ]
    if token:
        head.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def fetch(
    port: int, token: str | None, payload: dict[str, Any], within: float = 120
) -> tuple[int, bytes]:
    connection = Connection(port)
    try:
        async with asyncio.timeout(within):
            return await connection.send(request(port, token, payload))
    finally:
        connection.close()


FIRST_FIELD = re.compile(rb'^\{"data":\{"\w+":')


def problem(status: int, body: bytes, write: bool) -> str | None:
    """What went wrong with a response, or None. Most answers are judged without parsing: parsing a large
    view costs the benchmark CPU that the server on the same two cores would otherwise have."""
    if status != 200:
        return f"HTTP {status}: {body[:160].decode(errors='replace')}"
    first = FIRST_FIELD.match(body)
    if first and b'"errors"' not in body and not body.startswith(b"null", first.end()):
        return None
    try:
        answer = json.loads(body)
    except ValueError:
        return "the response is not JSON"
    if answer.get("errors"):
        error = answer["errors"][0]
        return f"{(error.get('extensions') or {}).get('code', '?')}: {error.get('message')}"
    data = answer.get("data") or {}
    if not data or next(iter(data.values())) is None:
        return "no data in the response"
    if write:
        payload = data.get("logContact") or {}
        if payload.get("errors"):
            error = payload["errors"][0]
            return f"payload {error.get('code')}: {error.get('message')} ({error.get('field')})"
        if not payload.get("contact"):
            return "no contact in the payload"
    return None


# ---------------------------------------------------------------------------------------------------------
# The operations


@dataclass(frozen=True)
class Operation:
    name: str  # as printed: "CaseView ordinary"
    document: str  # the portal's trusted document
    write: bool
    # For each server that runs it: (client number, request number) -> the request's JSON and token.
    payloads: dict[str, Callable[[int, int], tuple[str | None, dict[str, Any]]]]
    max_clients: int | None = None


def graphql(name: str, variables: dict[str, Any]) -> dict[str, Any]:
    return {"query": mixed.operation(name), "operationName": name, "variables": variables}


def postgraphile_query(name: str, variables: dict[str, Any]) -> dict[str, Any]:
    text = (POSTGRAPHILE / f"{name}.graphql").read_text()
    return {"query": text, "operationName": name, "variables": variables}


def operations(world: World, ledger: int | None, servers: list[str], main: bool) -> list[Operation]:
    def same(token: str, payload: dict[str, Any]) -> Callable[[int, int], tuple[str | None, dict[str, Any]]]:
        return lambda _client, _n: (token, payload)

    def both(payload: dict[str, Any], token: str, theirs: dict[str, Any] | None = None) -> dict[str, Any]:
        found: dict[str, Any] = {s: same(token, payload) for s in ("portal", "limit") if s in servers}
        if theirs is not None and "postgraphile" in servers:
            found["postgraphile"] = same("", theirs)
        return found

    found = []
    viewer = world.tokens["iro viewer"]
    if main:
        for key in ("ordinary", "busiest", "contacts"):
            case = world.cases[key]
            variables = {"id": case.case_id, "ledgerSize": ledger}
            found.append(
                Operation(
                    f"CaseView {case.label}",
                    "CaseView",
                    False,
                    both(
                        graphql("CaseView", variables),
                        world.tokens[f"guardian {key}"],
                        postgraphile_query("CaseView", variables),
                    ),
                    # Only its first page matters for the bar: time it at the lowest concurrencies.
                    max_clients=8 if key == "contacts" else None,
                )
            )
    found.append(
        Operation(
            "MyCases",
            "MyCases",
            False,
            both(
                graphql("MyCases", {"first": MY_CASES_PAGE}),
                viewer,
                postgraphile_query("MyCases", {"person": world.viewer["id"], "first": MY_CASES_PAGE}),
            ),
        )
    )
    found.append(Operation("MyTasks", "MyTasks", False, both(graphql("MyTasks", {}), viewer)))
    if not main:
        return found
    today = clock.today()
    period = {"start": (today - timedelta(days=ADHERENCE_DAYS)).isoformat(), "end": today.isoformat()}
    found.append(
        Operation(
            "Adherence",
            "Adherence",
            False,
            both(graphql("Adherence", {**period, "by": "LOCAL_AUTHORITY"}), world.tokens["manager"]),
        )
    )
    case = world.cases["ordinary"]
    choice = mixed.CaseChoice(case.case_id, case.case_number, {"guardian": case.guardian, "iro": case.iro}, 0)
    tokens = {"guardian": world.tokens["guardian ordinary"], "iro": world.tokens["iro ordinary"]}

    def log_contact(client: int, n: int) -> tuple[str | None, dict[str, Any]]:
        who = ("guardian", "iro")[client % 2]
        return tokens[who], graphql("LogContact", mixed.contact_input(choice, who, n))

    found.append(
        Operation(
            "LogContact", "LogContact", True, {s: log_contact for s in ("portal", "limit") if s in servers}
        )
    )
    return found


# ---------------------------------------------------------------------------------------------------------
# The phases


@dataclass
class Tally:
    """One operation x concurrency x server, over all its slices."""

    requests: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    messages: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    server_cpu: float = 0.0
    postgres_cpu: float = 0.0
    bench_cpu: float = 0.0
    postgres_measured: bool = False

    def record(self, seconds: float, trouble: str | None) -> None:
        self.requests += 1
        self.latencies.append(seconds)
        if trouble:
            self.errors += 1
            self.messages[mixed.normalised(trouble)[:200]] += 1

    def figures(self) -> dict[str, Any]:
        per = self.requests or 1
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
            "rps": round(self.requests / self.seconds, 1) if self.seconds else None,
            "latency_ms": mixed.latency_ms(self.latencies),
            "errors": self.errors,
            "error_messages": dict(self.messages.most_common(5)),
            "server_cpu_seconds": round(self.server_cpu, 3),
            "postgres_cpu_seconds": round(self.postgres_cpu, 3),
            "server_cpu_ms": round(self.server_cpu * 1000 / per, 3) if self.requests else None,
            "postgres_cpu_ms": (
                round(self.postgres_cpu * 1000 / per, 3) if self.requests and self.postgres_measured else None
            ),
            "server_cpu_percent": round(100 * self.server_cpu / self.seconds, 1) if self.seconds else None,
            "bench_cpu_percent": round(100 * self.bench_cpu / self.seconds, 1) if self.seconds else None,
        }


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two readings of mixed_load's children_cpu, process by process: a process that
    started between them counts from nothing; one that ended takes its last readings with it."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run_slice(
    server: Running,
    op: Operation,
    clients: int,
    seconds: float,
    postmaster: int | None,
    within: float,
    tally: Tally,
) -> None:
    make = op.payloads[server.name]
    # Reads send the same bytes every time: build them once per client.
    fixed = None if op.write else [request(server.port, *make(c, 0)) for c in range(clients)]
    connections = [Connection(server.port) for _ in range(clients)]
    await asyncio.gather(*(c.open() for c in connections))

    async def client(number: int, connection: Connection, deadline: float) -> None:
        n = 0
        while time.perf_counter() < deadline:
            n += 1
            payload = fixed[number] if fixed is not None else request(server.port, *make(number, n))
            started = time.perf_counter()
            try:
                async with asyncio.timeout(within):
                    status, body = await connection.send(payload)
                trouble = problem(status, body, op.write)
            except TimeoutError:
                trouble = f"timed out after {within:g} s"
                connection.close()
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as error:
                trouble = f"{type(error).__name__}: {str(error)[:120] or 'no answer'}"
                connection.close()
            tally.record(time.perf_counter() - started, trouble)

    server_before = mixed.children_cpu(server.pid)
    postgres_before = mixed.children_cpu(postmaster) if postmaster else {}
    own_before = own_cpu()
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(*(client(n, c, deadline) for n, c in enumerate(connections)))
    tally.seconds += time.perf_counter() - started
    tally.server_cpu += spent(server_before, mixed.children_cpu(server.pid))
    if postmaster:
        tally.postgres_cpu += spent(postgres_before, mixed.children_cpu(postmaster))
        tally.postgres_measured = True
    tally.bench_cpu += own_cpu() - own_before
    for connection in connections:
        connection.close()


async def postmaster_of(dsn: str) -> int | None:
    connection = await asyncpg.connect(dsn)
    try:
        backend = await connection.fetchval("SELECT pg_backend_pid()")
        # While the backend lives: its parent is the postmaster.
        with contextlib.suppress(OSError):
            return mixed.parent_pid(int(backend))
        return None  # a cluster on another machine or in a container: no PostgreSQL CPU
    finally:
        await connection.close()


# ---------------------------------------------------------------------------------------------------------
# Before timing: sizes, the limit server's check, the hand-written Adherence


def limit_module() -> Any | None:
    if not LIMIT_SERVER.exists():
        return None
    return importlib.import_module("limit_server")


async def unsupported(op: Operation, server: Running) -> bool:
    """Whether the server says it does not answer this operation (the limit server answers only some
    documents, with 400 NOT_SUPPORTED); for a write, a server that does answer it has written once."""
    token, payload = op.payloads[server.name](0, 0)
    status, body = await fetch(server.port, token, payload)
    return status == 400 and b"NOT_SUPPORTED" in body


async def sizes_and_checks(
    world: World, ops: list[Operation], running: dict[str, Running], limit: Any | None
) -> dict[str, dict[str, Any]]:
    """Each read's response from each server: its size and its trouble, if any; and whether the portal's and
    the limit server's JSON are the same, byte for byte (and their audit appends alike). Takes the limit
    server off the operations it does not answer."""
    found: dict[str, dict[str, Any]] = {}
    for op in ops:
        entry: dict[str, Any] = {"bytes": {}, "trouble": {}}
        if "limit" in op.payloads and await unsupported(op, running["limit"]):
            del op.payloads["limit"]
            entry["limit"] = "not answered (NOT_SUPPORTED)"
        if op.write:
            found[op.name] = entry
            continue
        for name, make in op.payloads.items():
            token, payload = make(0, 0)
            status, body = await fetch(running[name].port, token, payload)
            entry["bytes"][name] = len(body)
            if trouble := problem(status, body, False):
                entry["trouble"][name] = trouble
        if limit is not None and "limit" in op.payloads and "portal" in op.payloads:
            token, payload = op.payloads["portal"](0, 0)
            # The same request as is timed: the document's text, not its id.
            probe = limit.Probe(op.name, token or "", op.document, payload["variables"], by_id=False)
            differences = await limit.check(running["portal"].url, running["limit"].url, [probe], world.dsn)
            entry["identical"] = not differences
            entry["differences"] = [str(d)[:300] for d in differences[:5]]
        found[op.name] = entry
    return found


class HandWritten:
    """The hand-written SQL for every section the Adherence document shows (bench/hand_written.py, through
    bench/dashboard.py's `_theirs`), for the same manager and period: run in this process over SQLAlchemy and
    asyncpg as the portal runs its own, each section in a session of its own as the portal's resolvers do."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.engine: Any = None
        self.sessions: Any = None
        self.work: dict[str, Any] = {}

    async def open(self) -> None:
        import dashboard
        import hand_written as hand
        import sqlalchemy as sa

        from portal.db import create_engine, create_session_factory

        self.engine = create_engine(self.world.url)
        self.sessions = create_session_factory(self.engine)
        today = clock.today()
        start = today - timedelta(days=ADHERENCE_DAYS)
        async with self.sessions() as session:
            area = (
                await session.execute(
                    sa.text("SELECT organisation_id FROM person WHERE email = :email"),
                    {"email": self.world.manager},
                )
            ).scalar_one()
        manager = cast(Any, types.SimpleNamespace(organisation_id=uuid.UUID(str(area))))
        dialect = hand.Dialect("postgresql")
        self.work = {s: dashboard._theirs(s, dialect, manager, start, today) for s in HAND_SECTIONS}

    async def once(self, sections: tuple[str, ...] = HAND_SECTIONS) -> dict[str, Any]:
        figures = {}
        for section in sections:
            async with self.sessions() as session:
                figures[section] = await self.work[section](session)
        return figures

    async def adherence_alone_ms(self, runs: int) -> float:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            await self.once(("adherence",))
            times.append(time.perf_counter() - started)
        return round(statistics.median(times) * 1000, 2)

    async def close(self) -> None:
        if self.engine is not None:
            await self.engine.dispose()


async def run_hand_slice(hand: HandWritten, seconds: float, postmaster: int | None, tally: Tally) -> None:
    """The hand-written SQL, one round after another, like one client: its "server" CPU is this process's
    (the SQL's client runs here)."""
    own_before = own_cpu()
    postgres_before = mixed.children_cpu(postmaster) if postmaster else {}
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        began = time.perf_counter()
        trouble = None
        try:
            await hand.once()
        except Exception as error:  # counted as an error, as a failed request would be
            trouble = f"{type(error).__name__}: {str(error)[:160]}"
        tally.record(time.perf_counter() - began, trouble)
    tally.seconds += time.perf_counter() - started
    spent_here = own_cpu() - own_before
    tally.server_cpu += spent_here
    tally.bench_cpu += spent_here
    if postmaster:
        tally.postgres_cpu += spent(postgres_before, mixed.children_cpu(postmaster))
        tally.postgres_measured = True


async def portal_adherence_lines(world: World, running: dict[str, Running], op: Operation) -> list[Any]:
    token, payload = op.payloads["portal"](0, 0)
    _, body = await fetch(running["portal"].port, token, payload)
    lines = json.loads(body)["data"]["adherence"]
    return sorted(
        (
            x["groupId"],
            x["code"],
            x["opened"],
            x["metOnTime"],
            x["metLate"],
            x["open"],
            x["overdue"],
            x["lateMedianDays"],
            x["lateP90Days"],
        )
        for x in lines
    )


def same_figures(ours: list[Any], theirs: list[Any]) -> bool:
    def plain(rows: list[Any]) -> list[tuple[Any, ...]]:
        return [
            tuple(None if v is None else (float(v) if isinstance(v, int | float) else str(v)) for v in r)
            for r in rows
        ]

    return plain(ours) == plain(sorted(theirs))


# ---------------------------------------------------------------------------------------------------------
# One scale


@dataclass
class Options:
    concurrency: list[int]
    seconds: float
    slices: int
    timeout: float
    ledger: int | None
    servers: list[str]
    ops: list[str] | None


async def phases(
    scale: float,
    ops: list[Operation],
    running: dict[str, Running],
    options: Options,
    postmaster: int | None,
    hand: HandWritten | None,
    checks: dict[str, dict[str, Any]],
    tallies: dict[tuple[str, int, str], Tally],
) -> None:
    """Each operation at each concurrency on each server in turn (in slices, round robin), the hand-written
    SQL after the servers for Adherence at 1 client; each concurrency's rows printed as it ends."""
    for op in ops:
        show_title(scale, op.name, checks.get(op.name))
        for clients in options.concurrency:
            if op.max_clients is not None and clients > op.max_clients:
                continue
            for _ in range(options.slices):
                for name in SERVERS:
                    if name not in op.payloads:
                        continue
                    tally = tallies.setdefault((op.name, clients, name), Tally())
                    await run_slice(
                        running[name],
                        op,
                        clients,
                        options.seconds / options.slices,
                        postmaster,
                        options.timeout,
                        tally,
                    )
                if hand is not None and op.document == "Adherence" and clients == 1:
                    tally = tallies.setdefault((op.name, clients, "hand"), Tally())
                    await run_hand_slice(hand, options.seconds / options.slices, postmaster, tally)
            show_rows(
                clients, {n: t.figures() for (o, c, n), t in tallies.items() if (o, c) == (op.name, clients)}
            )


async def drive(world: World, running: dict[str, Running], options: Options, main: bool) -> dict[str, Any]:
    ops = operations(world, options.ledger, list(running), main)
    if options.ops:
        ops = [op for op in ops if any(op.name.startswith(name) for name in options.ops)]
    limit = limit_module() if "limit" in running else None
    checks = await sizes_and_checks(world, ops, running, limit)
    for name, entry in checks.items():
        if "limit" in entry:
            print(f"  {name}: the limit server: {entry['limit']}")
        if not entry["bytes"]:
            continue
        sizes = ", ".join(f"{LABELS[s]} {b / 1000:.1f} kB" for s, b in entry["bytes"].items())
        verdict = {True: "identical", False: "DIFFERENT", None: "not compared"}[entry.get("identical")]
        print(f"  {name}: {sizes}; portal and limit JSON {verdict}")
        for server, trouble in entry["trouble"].items():
            print(f"    {LABELS[server]}: {trouble}")
        for difference in entry.get("differences", []):
            print(f"    {difference}")

    hand, hand_info = None, None
    adherence = next((op for op in ops if op.document == "Adherence"), None)
    if adherence is not None:
        hand = HandWritten(world)
        await hand.open()
        figures = await hand.once()
        agree = same_figures(await portal_adherence_lines(world, running, adherence), figures["adherence"])
        hand_info = {"adherence_figures_agree": agree, "adherence_alone_ms": await hand.adherence_alone_ms(5)}
        print(
            f"  the hand-written SQL for the Adherence document: its adherence figures "
            f"{'agree' if agree else 'DIFFER'} with the portal's; the adherence query alone takes "
            f"{hand_info['adherence_alone_ms']} ms (timed beside the servers at 1 client)"
        )

    postmaster = await postmaster_of(world.dsn)
    tallies: dict[tuple[str, int, str], Tally] = {}
    started = time.perf_counter()
    try:
        await phases(world.scale, ops, running, options, postmaster, hand, checks, tallies)
    finally:
        if hand is not None:
            await hand.close()
    rows = [
        {"scale": world.scale, "operation": o, "clients": c, "server": n, **t.figures()}
        for (o, c, n), t in tallies.items()
    ]
    return {
        "scale": world.scale,
        "cases": {k: vars(c) for k, c in world.cases.items()},
        "viewer": world.viewer,
        "manager": world.manager,
        "notes": world.notes,
        "checks": checks,
        "hand_written_adherence": hand_info,
        "rows": rows,
        "timed_seconds": round(time.perf_counter() - started, 1),
    }


# ---------------------------------------------------------------------------------------------------------
# Reporting


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b


def get(figures: dict[str, Any] | None, key: str) -> Any:
    return None if figures is None else figures[key]


def fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


HEADER = (
    "  clients server          req/s   p50 ms   p95 ms   p99 ms  errors  cpu ms/req  pg ms/req  bench %"
    "   cpu/limit  cpu/PG  cpu+pg/PG  rps/PG"
)


def show_title(scale: float, op: str, check: dict[str, Any] | None) -> None:
    marks = "" if not check or check.get("identical") in (True, None) else "   [portal and limit JSON DIFFER]"
    print(f"\nscale {scale:g}  {op}{marks}")
    print(HEADER)


def show_rows(clients: int, figures: dict[str, dict[str, Any]]) -> None:
    portal = figures.get("portal")
    for name, f in figures.items():
        lat = f["latency_ms"]
        line = (
            f"  {clients:7} {LABELS[name]:13} {fmt(f['rps'], 1):>8} {fmt(lat['p50'], 1):>8} "
            f"{fmt(lat['p95'], 1):>8} {fmt(lat['p99'], 1):>8} {f['errors']:7} {fmt(f['server_cpu_ms']):>11} "
            f"{fmt(f['postgres_cpu_ms']):>10} {fmt(f['bench_cpu_percent'], 0):>8}"
        )
        if name == "portal" and portal:
            limit, pg = figures.get("limit"), figures.get("postgraphile")
            line += f" {fmt(ratio(portal['server_cpu_ms'], get(limit, 'server_cpu_ms'))):>11}"
            line += f" {fmt(ratio(portal['server_cpu_ms'], get(pg, 'server_cpu_ms'))):>7}"
            both = (portal["server_cpu_ms"] or 0) + (portal["postgres_cpu_ms"] or 0)
            theirs = None if pg is None else (pg["server_cpu_ms"] or 0) + (pg["postgres_cpu_ms"] or 0)
            line += f" {fmt(ratio(both, theirs)):>10} {fmt(ratio(portal['rps'], get(pg, 'rps'))):>7}"
        print(line)
        for message, count in f["error_messages"].items():
            print(f"            {count:6} x {message}")


def pooled(rows: list[dict[str, Any]], op: str, server: str, scale: float | None = None) -> float | None:
    """CPU per request (ms) of a server over every concurrency an operation ran at."""
    mine = [r for r in rows if r["operation"] == op and r["server"] == server and scale in (None, r["scale"])]
    requests = sum(r["requests"] for r in mine)
    return sum(r["server_cpu_seconds"] for r in mine) * 1000 / requests if requests else None


def row(rows: list[dict[str, Any]], op: str, clients: int, server: str) -> dict[str, Any] | None:
    return next(
        (r for r in rows if r["operation"] == op and r["clients"] == clients and r["server"] == server), None
    )


def bar(scales: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's bar, line by line: what was compared, the figures, PASS, FAIL or n/a (not measured)."""
    main = scales[-1]
    rows, checks = main["rows"], main["checks"]
    lines: list[dict[str, Any]] = []

    def add(what: str, verdict: bool | None, figures: str) -> None:
        lines.append(
            {"bar": what, "result": {True: "PASS", False: "FAIL", None: "n/a"}[verdict], "figures": figures}
        )

    views = [op for op in checks if op.startswith("CaseView") and "contacts" not in op]
    for op in views:
        ours, theirs = pooled(rows, op, "portal"), pooled(rows, op, "limit")
        each = [
            f"{r['clients']}: {fmt(ratio(r['server_cpu_ms'], t['server_cpu_ms']))}"
            for r in rows
            if r["operation"] == op
            and r["server"] == "portal"
            and (t := row(rows, op, r["clients"], "limit"))
        ]
        identical = checks[op].get("identical")
        figures = (
            f"portal {fmt(ours)} ms, limit {fmt(theirs)} ms: {fmt(ratio(ours, theirs))}x "
            f"(by clients {', '.join(each)})" + ("; their JSON DIFFERS" if identical is False else "")
        )
        verdict = (
            None if theirs is None else (identical is not False and (ours or 0) <= CPU_TO_LIMIT * theirs)
        )
        add(f"{op}: server CPU per request <= {CPU_TO_LIMIT:g}x the limit's", verdict, figures)
    for op in views:
        at8, pg8 = row(rows, op, 8, "portal"), row(rows, op, 8, "postgraphile")
        if at8 is None or pg8 is None:
            add(f"{op}: req/s at 8 clients >= {RPS_TO_POSTGRAPHILE:g}x PostGraphile's", None, "not measured")
            continue
        r = ratio(at8["rps"], pg8["rps"])
        add(
            f"{op}: req/s at 8 clients >= {RPS_TO_POSTGRAPHILE:g}x PostGraphile's",
            r is not None and r >= RPS_TO_POSTGRAPHILE,
            f"portal {at8['rps']}/s, PostGraphile {pg8['rps']}/s: {fmt(r)}x",
        )
    at32 = [r for r in rows if r["clients"] == 32 and r["server"] == "portal"]
    for r in at32:
        p99 = r["latency_ms"]["p99"]
        add(
            f"{r['operation']}: p99 at 32 clients < {P99_AT_32_MS:g} ms",
            p99 is not None and p99 < P99_AT_32_MS,
            f"p99 {p99} ms ({r['rps']}/s, {r['errors']} errors)",
        )
    if not at32:
        add(f"p99 at 32 clients < {P99_AT_32_MS:g} ms", None, "not measured")
    at64 = [r for r in rows if r["clients"] == 64 and r["server"] == "portal"]
    add(
        "0 errors at 64 clients (portal, every operation)",
        (sum(r["errors"] for r in at64) == 0) if at64 else None,
        ", ".join(f"{r['operation']} {r['errors']} of {r['requests']}" for r in at64) or "not measured",
    )
    contacts = next((op for op in checks if op.startswith("CaseView") and "contacts" in op), None)
    ordinary = row(rows, "CaseView ordinary", 1, "portal")
    filled = row(rows, contacts, 1, "portal") if contacts else None
    if ordinary and filled:
        r = ratio(filled["latency_ms"]["p50"], ordinary["latency_ms"]["p50"])
        add(
            f"{contacts}: first page p50 (1 client) within {CONTACTS_CASE_TO_ORDINARY:g}x "
            "the ordinary case's",
            r is not None and r <= CONTACTS_CASE_TO_ORDINARY,
            f"{filled['latency_ms']['p50']} ms vs {ordinary['latency_ms']['p50']} ms: {fmt(r)}x "
            f"(CPU {fmt(filled['server_cpu_ms'])} vs {fmt(ordinary['server_cpu_ms'])} ms/request)",
        )
    else:
        add(
            f"a case with many contacts: first page within {CONTACTS_CASE_TO_ORDINARY:g}x",
            None,
            "not measured",
        )
    small, large = scales[0], scales[-1]
    for op in ("MyCases", "MyTasks"):
        what = (
            f"{op}: portal CPU per request within {SCALE_COST:g}x "
            f"at scale {small['scale']:g} and {large['scale']:g}"
        )
        a, b = pooled(small["rows"], op, "portal"), pooled(large["rows"], op, "portal")
        if len(scales) < 2 or a is None or b is None:
            add(what, None, "needs two scales (--scales 0.1,1)")
            continue
        r = max(a / b, b / a)
        add(
            what,
            r <= SCALE_COST,
            f"{fmt(a)} ms at {small['scale']:g}, {fmt(b)} ms at {large['scale']:g}: {fmt(r)}x "
            f"(IRO with {small['viewer']['cases']} and {large['viewer']['cases']} cases)",
        )
    info = main.get("hand_written_adherence")
    over_http = row(rows, "Adherence", 1, "portal")
    hand = row(rows, "Adherence", 1, "hand")
    limit = row(rows, "Adherence", 1, "limit")
    if info and over_http and hand:
        ours, theirs = over_http["latency_ms"]["p50"], hand["latency_ms"]["p50"]
        r = ratio(ours, theirs)
        agree = info["adherence_figures_agree"]
        add(
            f"Adherence over HTTP (p50, 1 client) <= {ADHERENCE_TO_HAND:g}x the hand-written SQL",
            r is not None and r <= ADHERENCE_TO_HAND and agree,
            f"{ours} ms vs {theirs} ms: {fmt(r)}x (the adherence query alone {info['adherence_alone_ms']} "
            f"ms; figures {'agree' if agree else 'DIFFER'}"
            + (f"; the limit server over HTTP {limit['latency_ms']['p50']} ms)" if limit else ")"),
        )
    else:
        add(f"Adherence over HTTP <= {ADHERENCE_TO_HAND:g}x the hand-written SQL", None, "not measured")
    return lines


def show_bar(lines: list[dict[str, Any]]) -> None:
    print("\nThe bar (issue 15)")
    width = max(len(line["bar"]) for line in lines)
    for line in lines:
        print(f"  {line['result']:4}  {line['bar']:{width}}  {line['figures']}")


def summary_table(scales: list[dict[str, Any]]) -> None:
    print("\nAll rows (CPU in ms per request; ratios are the portal's to the limit's and PostGraphile's)")
    print(
        "scale operation                 clients server          req/s  p50/p95/p99 ms           errors "
        "cpu   pg   cpu/limit cpu/PG rps/PG"
    )
    for scale in scales:
        rows = scale["rows"]
        for r in rows:
            lat = r["latency_ms"]
            triple = "/".join(fmt(v, 1) for v in lat.values())
            line = (
                f"{r['scale']:<5g} {r['operation']:25} {r['clients']:7} {LABELS[r['server']]:13} "
                f"{fmt(r['rps'], 1):>8}  {triple:24} {r['errors']:6} {fmt(r['server_cpu_ms']):>5} "
                f"{fmt(r['postgres_cpu_ms']):>5}"
            )
            if r["server"] == "portal":
                limit = row(rows, r["operation"], r["clients"], "limit")
                pg = row(rows, r["operation"], r["clients"], "postgraphile")
                line += f" {fmt(ratio(r['server_cpu_ms'], get(limit, 'server_cpu_ms'))):>10}"
                line += f" {fmt(ratio(r['server_cpu_ms'], get(pg, 'server_cpu_ms'))):>6}"
                line += f" {fmt(ratio(r['rps'], get(pg, 'rps'))):>6}"
            print(line)


# ---------------------------------------------------------------------------------------------------------
# Main


def parse_scales(text: str) -> list[float]:
    return sorted({float(x) for x in text.split(",") if x.strip()})


def parse_sources(given: list[str], scales: list[float]) -> dict[float, str]:
    found: dict[float, str] = {}
    for item in given:
        scale, sep, url = item.partition("=")
        if sep and "://" not in scale:
            found[float(scale)] = url
        elif len(scales) == 1:
            found[scales[0]] = item
        else:
            raise SystemExit("with several --scales, give --database-url as SCALE=URL")
    return found


def run_scale(
    scale: float,
    source: str | None,
    cluster: Callable[[], str],
    args: argparse.Namespace,
    options: Options,
    main: bool,
    work: Path,
    logs: Path,
) -> dict[str, Any]:
    print(f"\nscale {scale:g}: preparing the database")
    folder = work / f"scale-{scale:g}"
    folder.mkdir()
    url = database_for(scale, source, cluster, folder)
    try:
        world = World(scale, url, folder, mixed.audit_key())
        asyncio.run(choose(world, args.contacts_case, want_cases=main))
        make_tokens(world)
        for case in world.cases.values():
            print(f"  {case.label} case: {case.case_number} ({case.rows} rows, {case.contacts} contacts)")
        print(f"  MyCases and MyTasks as {world.viewer['email']} ({world.viewer['cases']} cases)")
        if world.manager:
            print(f"  Adherence as {world.manager}")
        for note in world.notes:
            print(f"  note: {note}")
        names = [s for s in options.servers if s != "limit" or LIMIT_SERVER.exists()]
        if "limit" in options.servers and "limit" not in names:
            print("  no bench/limit_server.py here: no limit column")
        with servers(world, names, logs) as running:
            return asyncio.run(drive(world, running, options, main))
    finally:
        if source and not args.keep:
            asyncio.run(_admin(url, f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}"'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scales", type=parse_scales, default=[0.1, 1.0], help="default 0.1,1")
    parser.add_argument(
        "--database-url",
        action="append",
        default=[],
        metavar="[SCALE=]URL",
        help="copy this loaded database instead of generating the scale's (postgresql+asyncpg://...)",
    )
    parser.add_argument("--seconds", type=float, default=5, help="each phase's length, per server")
    parser.add_argument(
        "--slices", type=int, default=1, help="split each phase into this many round-robin slices"
    )
    parser.add_argument(
        "--concurrency", type=lambda t: [int(x) for x in t.split(",")], default=[1, 8, 32, 64]
    )
    parser.add_argument(
        "--servers", type=lambda t: t.split(","), default=list(SERVERS), help="default: all three"
    )
    parser.add_argument("--ops", type=lambda t: t.split(","), help="only operations whose names start so")
    parser.add_argument("--ledger-size", type=int, default=20, help="CaseView's ledger page; 0 for all of it")
    parser.add_argument(
        "--contacts-case", type=int, default=3000, help="the contacts of the large-ledger case"
    )
    parser.add_argument("--timeout", type=float, default=60, help="seconds before a request counts as failed")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--keep", action="store_true", help="keep the copied databases and the server logs")
    args = parser.parse_args()
    options = Options(
        concurrency=args.concurrency,
        seconds=args.seconds,
        slices=max(1, args.slices),
        timeout=args.timeout,
        ledger=args.ledger_size or None,
        servers=[s for s in SERVERS if s in args.servers],
        ops=args.ops,
    )
    sources = parse_sources(args.database_url, args.scales)
    machine = {
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": sys.version.split()[0],
        "code": str(ROOT),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    print(f"{machine['cpus']} CPUs, load average {machine['load_average']}; code from {ROOT}")
    work = Path(tempfile.mkdtemp(prefix="portal-http-load-"))
    logs = work / "logs"
    logs.mkdir()
    results: list[dict[str, Any]] = []
    with contextlib.ExitStack() as stack:
        cluster_url: list[str] = []

        def cluster() -> str:
            if not cluster_url:
                cluster_url.append(stack.enter_context(throwaway_cluster("http_load")))
            return cluster_url[0]

        try:
            for scale in args.scales:
                main_scale = scale == args.scales[-1]
                results.append(
                    run_scale(scale, sources.get(scale), cluster, args, options, main_scale, work, logs)
                )
        finally:
            if results:
                summary_table(results)
                lines = bar(results)
                show_bar(lines)
                if args.json:
                    args.json.write_text(
                        json.dumps(
                            {"machine": machine, "scales": results, "bar": lines}, indent=2, default=str
                        )
                    )
                    print(f"Wrote {args.json}")
            if args.keep:
                print(f"Kept {work}")
            else:
                shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
