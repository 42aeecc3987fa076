"""Mixed read/write load on the real server over HTTP: people reading the case view while others log
contacts on the same case, on PostgreSQL and on the embedded SQLite.

    .venv/bin/python bench/mixed_load.py                                   # everything, 60 s phases
    .venv/bin/python bench/mixed_load.py --db postgresql --seconds 10 --lock-seconds 5 --json out.json

For each database it starts one of its own (a throwaway PostgreSQL cluster, or a SQLite file in a temporary
folder), migrates it and loads the demo (`portal migrate`, `portal demo`), and makes API tokens with
`portal token create --scope case:read --scope contact:log` for the demo's guardian Grace Okafor and IRO
Daniel Price. Of the cases they share, the one with the largest case view is the busiest; every client works
on it. Each phase then gets a fresh copy of that world (`CREATE DATABASE ... TEMPLATE`, or a copy of the
SQLite file), so that what one phase writes does not slow the next, and its own `portal serve` with production
settings (PORTAL_ENVIRONMENT=production, a random secret key, an audit key from `portal audit new-key` where
the portal has that command, no demo sign-in; the in-app outbox sender and clock are off unless
--background). The phases:

- PostgreSQL, 8 clients reading (`CaseView`) and 8 logging contacts (`LogContact`) for 60 s, once all on one
  shared token (the guardian's) and once each on a token of its own (readers and writers alternate between
  the guardian and the IRO, so writers log both sides of the case; 8 + 8 tokens);
- PostgreSQL, 32 clients reading for 20 s, on the shared token and on separate tokens, while a separate
  connection samples `pg_locks` every 100 ms (PostgreSQL's mixed phases are sampled too);
- SQLite, 4 readers and 4 writers for 60 s, on the shared and on separate tokens.

Each client sends one request at a time over its own connection until the phase's time is up; requests in
flight then finish, and requests per second are over the whole time, that drain included. A request is an
error when its status is not 200, its body has `errors`, the mutation's payload has `errors`, the data is
missing, or it times out (120 s) or its connection fails. Latencies count every request, failed or not.

For each phase it prints:

- requests per second, and p50, p95 and p99 latency, for reads, writes and all; the read p50 in the first
  and the last quarter of the phase (the case's view grows with every contact logged);
- errors, with the commonest distinct messages (ids taken out);
- deadlocks: `pg_stat_database.deadlocks` before and after, read once the server has stopped (its
  connections flush their statistics as they close); and the errors the server logged, with how many say
  "deadlock detected", "database is locked" or that the connection pool timed out;
- CPU per request of the server process (utime + stime from /proc), of PostgreSQL (the postmaster and its
  live children), and the benchmark's own share of a core (on a small machine it competes with the server);
- on PostgreSQL, the lock waits sampled from `pg_locks` (`granted = false`) every 100 ms on a connection of
  its own: how many samples had waiters, and the count per relation and lock type (a wait on a
  transaction id is put on the relation of the tuple lock its waiter holds, else the table its statement
  names), with the statements that waited;
- whether `portal audit verify` still finds the audit trail whole, and how many contacts the case has.

At the end, a table of the phases and the bar: no deadlocks and no errors on either database, and no audit
or API token relation among the lock waits sampled while the 32 readers ran. --json also writes it all out.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import re
import resource
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.ports import free_port  # noqa: E402
from tests.support.postgres import throwaway_cluster  # noqa: E402

OPERATIONS = ROOT / "graphql" / "operations"
GUARDIAN = "grace.okafor@cafcass.example.gov.uk"
IRO = "daniel.price@riverside.example.gov.uk"
SCOPES = ("case:read", "contact:log")
REQUEST_TIMEOUT = 120.0
CLK_TCK = os.sysconf("SC_CLK_TCK")
# What the server's log is searched for, per phase: each error it logs (a line starting ERROR:, WARNING:,
# CRITICAL: or "unexpected error", with the traceback that follows) counts once under each pattern it shows.
LOG_RECORD = re.compile(r"^(?:ERROR:|WARNING:|CRITICAL:|unexpected error )")
LOG_PATTERNS = {
    "deadlock detected": re.compile(r"deadlock detected"),
    "database is locked": re.compile(r"database is locked"),
    "pool timeout": re.compile(r"QueuePool limit|pool.*timed out"),
}
# The relations a reader must never wait for.
FORBIDDEN = re.compile(r"audit|api_token")
LOCK_WAITS = """
SELECT w.locktype,
       coalesce(r.relname::text, '') AS relation,
       coalesce((SELECT string_agg(DISTINCT t.relname::text, ',')
                 FROM pg_locks h JOIN pg_class t ON t.oid = h.relation
                 WHERE h.pid = w.pid AND h.granted AND h.locktype = 'tuple'), '') AS tuple_relation,
       coalesce(a.query, '') AS query
FROM pg_locks w
JOIN pg_stat_activity a ON a.pid = w.pid AND a.datname = current_database()
LEFT JOIN pg_class r ON r.oid = w.relation
WHERE NOT w.granted
"""


@functools.cache
def operation(name: str) -> str:
    return (OPERATIONS / f"{name}.graphql").read_text()


# ---------------------------------------------------------------------------------------------------------
# The portal's command line and server


def portal_env(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment for `portal`: this checkout's code, the given database and a private var folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**env, "PORTAL_DATABASE_URL": database_url, "PORTAL_VAR_DIR": str(var_dir), **extra}


def audit_key() -> dict[str, str]:
    """Settings for a key to seal the audit trail with, where the portal has them (`portal audit new-key`;
    production requires PORTAL_AUDIT_KEY), shared by every command and server on a world; else none."""
    done = subprocess.run(
        [sys.executable, "-m", "portal.cli", "audit", "new-key", "--id", "bench"],
        env=portal_env("", Path(tempfile.gettempdir()) / "portal-bench-var"),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    entry = done.stdout.strip()
    return {"PORTAL_AUDIT_KEY": entry} if done.returncode == 0 and entry else {}


def portal(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "portal.cli", *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"portal {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path


@contextlib.contextmanager
def serve(
    database_url: str, work: Path, log: Path, settings: dict[str, str], *, background: bool
) -> Iterator[Server]:
    """`portal serve` with production settings (and ``settings``) on a free port, until the block ends."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = portal_env(
        database_url,
        work / "var",
        **settings,
        PORTAL_ENVIRONMENT="production",
        PORTAL_SECRET_KEY=secrets.token_urlsafe(48),
        PORTAL_BASE_URL=base_url,
        PORTAL_DEMO_SIGN_IN="false",
        PORTAL_OUTBOX_IN_APP=str(background).lower(),
        PORTAL_CLOCK_IN_APP=str(background).lower(),
        # Nothing listens here: with --background, email fails fast and waits for its retry.
        PORTAL_SMTP_PORT=str(free_port()),
    )
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "portal.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=work,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped: {log.read_text()[-2000:]}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not answer /healthz within 60 s")
            time.sleep(0.2)
        yield Server(process, base_url, log)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cpu_seconds(pid: int) -> float:
    """A process's user + system CPU time so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def parent_pid(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def children_cpu(parent: int) -> dict[int, float]:
    """CPU time of ``parent`` and each of its live children (PostgreSQL's postmaster and its backends)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            pid = int(stat.parent.name)
            if pid == parent or int(fields[1]) == parent:
                found[pid] = (int(fields[11]) + int(fields[12])) / CLK_TCK
    return found


def log_counts(log: Path) -> dict[str, int]:
    """The errors the server logged, and how many of them show each of LOG_PATTERNS."""
    records: list[list[str]] = []
    for line in log.read_text(errors="replace").splitlines():
        if LOG_RECORD.match(line):
            records.append([line])
        elif line.startswith("INFO:"):
            continue
        elif records:
            records[-1].append(line)
    found = {"errors logged": len(records)}
    for name, pattern in LOG_PATTERNS.items():
        found[name] = sum(1 for record in records if pattern.search("\n".join(record)))
    return found


# ---------------------------------------------------------------------------------------------------------
# The databases


def asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@dataclass
class Store:
    """A database holding the prepared world, and fresh copies of it for each phase."""

    kind: str  # "postgresql" or "sqlite"
    url: str
    work: Path
    # Settings for every `portal` command and server on this world (the audit key, where there is one).
    settings: dict[str, str]

    def fresh(self, name: str) -> str:
        if self.kind == "sqlite":
            source = self.url.split(":///", 1)[1]
            target = self.work / f"{name}.db"
            with (
                contextlib.closing(sqlite3.connect(source)) as src,
                contextlib.closing(sqlite3.connect(target)) as dst,
            ):
                src.backup(dst)
            return f"sqlite+aiosqlite:///{target}"

        async def copy() -> None:
            admin = await asyncpg.connect(asyncpg_dsn(self.url).rsplit("/", 1)[0] + "/postgres")
            try:
                template = self.url.rsplit("/", 1)[1]
                await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            finally:
                await admin.close()

        asyncio.run(copy())
        return self.url.rsplit("/", 1)[0] + f"/{name}"


@contextlib.contextmanager
def store(kind: str, work: Path) -> Iterator[Store]:
    if kind == "sqlite":
        yield Store(kind, f"sqlite+aiosqlite:///{work / 'world.db'}", work, audit_key())
    else:
        with throwaway_cluster("world") as url:
            yield Store(kind, url, work, audit_key())


@dataclass(frozen=True)
class Credential:
    who: str  # "guardian" or "iro"
    secret: str


@dataclass
class World:
    store: Store
    emails: dict[str, str]  # "guardian"/"iro" -> email
    shared: Credential
    readers: list[Credential]
    writers: list[Credential]
    case: CaseChoice | None = None


def prepare(db: Store, emails: dict[str, str], readers: int, writers: int) -> World:
    """Migrate, load the demo, and make the tokens: one shared (the guardian's), one per reader and writer."""
    env = portal_env(db.url, db.work / "var", **db.settings)
    portal(env, "migrate")
    print("  " + portal(env, "demo").strip())
    wanted = [("guardian", "shared")]
    wanted += [(("guardian", "iro")[n % 2], f"reader {n}") for n in range(readers)]
    wanted += [(("guardian", "iro")[n % 2], f"writer {n}") for n in range(writers)]

    def create(who_label: tuple[str, str]) -> Credential:
        who, label = who_label
        scopes = [arg for scope in SCOPES for arg in ("--scope", scope)]
        out = portal(env, "token", "create", "--email", emails[who], "--label", f"bench {label}", *scopes)
        return Credential(who, out.split()[-1])

    with ThreadPoolExecutor(max_workers=2) as pool:
        made = list(pool.map(create, wanted))
    print(f"  Made {len(made)} API tokens.")
    return World(db, emails, made[0], made[1 : 1 + readers], made[1 + readers :])


# ---------------------------------------------------------------------------------------------------------
# The clients


@dataclass(frozen=True)
class CaseChoice:
    case_id: str
    case_number: str
    person_ids: dict[str, str]  # "guardian"/"iro" -> person id
    view_bytes: int


def check(kind: str, response: httpx.Response) -> str | None:
    """What went wrong with a response, or None."""
    if response.status_code != 200:
        title = re.search(r"<title>(.*?)</title>", response.text, re.DOTALL)
        return (
            f"HTTP {response.status_code}: {' '.join((title[1] if title else response.text).split())[:160]}"
        )
    try:
        body = response.json()
    except ValueError:
        return "the response is not JSON"
    if body.get("errors"):
        error = body["errors"][0]
        return f"{(error.get('extensions') or {}).get('code', '?')}: {error.get('message')}"
    data = body.get("data") or {}
    if kind == "read":
        return None if data.get("case") else "no case in the response"
    payload = data.get("logContact") or {}
    if payload.get("errors"):
        error = payload["errors"][0]
        return f"payload {error.get('code')}: {error.get('message')} ({error.get('field')})"
    return None if payload.get("contact") else "no contact in the payload"


def normalised(message: str) -> str:
    """A message with its ids taken out, so that one kind of failure counts as one."""
    message = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>", message)
    return re.sub(r"\b[0-9a-f]{32}\b", "<id>", message)


async def post(client: httpx.AsyncClient, token: str, name: str, variables: dict[str, Any]) -> httpx.Response:
    return await client.post(
        "/graphql",
        json={"query": operation(name), "operationName": name, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )


async def choose_case(base_url: str, world: World) -> CaseChoice:
    """The case the guardian and the IRO are both on, where both may log contacts, with the largest view."""
    guardian = world.shared.secret
    iro = next(c.secret for c in world.readers + world.writers if c.who == "iro")
    best: CaseChoice | None = None
    async with httpx.AsyncClient(base_url=base_url, timeout=REQUEST_TIMEOUT) as client:
        listing = (await post(client, guardian, "MyCases", {"first": 100})).json()
        if listing.get("errors"):
            raise RuntimeError(f"MyCases failed: {listing['errors']}")
        nodes = listing["data"]["cases"]["nodes"]
        for node in nodes:
            response = await post(client, guardian, "CaseView", {"id": node["id"]})
            case = (response.json().get("data") or {}).get("case")
            if not case:
                continue
            people = {
                who: next(
                    (
                        m["person"]["id"]
                        for m in case["members"]
                        if m["person"]["email"] == email and m["endedAt"] is None
                    ),
                    None,
                )
                for who, email in world.emails.items()
            }
            if None in people.values() or not case["viewerCan"]["logContact"]:
                continue
            iro_view = (await post(client, iro, "CaseView", {"id": node["id"]})).json()
            theirs = (iro_view.get("data") or {}).get("case")
            if not theirs or not theirs["viewerCan"]["logContact"]:
                continue
            if best is None or len(response.content) > best.view_bytes:
                ids = {who: str(person) for who, person in people.items() if person}
                best = CaseChoice(case["id"], case["caseNumber"], ids, len(response.content))
    if best is None:
        raise RuntimeError("the guardian and the IRO share no case on which both may log contacts")
    return best


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"read": [], "write": []})
    # (when each read started, its latency): the case grows as contacts are logged, and so does its view.
    reads: list[tuple[float, float]] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=lambda: {"read": 0, "write": 0})
    messages: Counter[str] = field(default_factory=Counter)

    def record(self, kind: str, started: float, seconds: float, problem: str | None) -> None:
        self.latencies[kind].append(seconds)
        if kind == "read":
            self.reads.append((started, seconds))
        if problem:
            self.errors[kind] += 1
            self.messages[f"{kind}: {normalised(problem)[:200]}"] += 1


def contact_input(case: CaseChoice, who: str, n: int) -> dict[str, Any]:
    """A valid LogContactInput: a phone call a minute ago to the other side of the case."""
    other = "iro" if who == "guardian" else "guardian"
    return {
        "input": {
            "caseId": case.case_id,
            "counterpartId": case.person_ids[other],
            "direction": "OUTGOING",
            "occurredAt": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
            "channel": "PHONE",
            "purpose": "COURT_UPDATE",
            "summary": f"Benchmark call {n}: told the other side the final hearing is listed for next month.",
        }
    }


async def client_loop(
    base_url: str,
    kind: str,
    credential: Credential,
    variables: Callable[[int], dict[str, Any]],
    deadline: float,
    tally: Tally,
) -> None:
    name = "CaseView" if kind == "read" else "LogContact"
    async with httpx.AsyncClient(base_url=base_url, timeout=REQUEST_TIMEOUT) as client:
        n, status = 0, 0
        while time.perf_counter() < deadline:
            n += 1
            started = time.perf_counter()
            try:
                response = await post(client, credential.secret, name, variables(n))
                problem, status = check(kind, response), response.status_code
            except httpx.HTTPError as error:
                # uvicorn closes a connection once an exception has escaped the application, even after its
                # 500 went out: the next request on that connection may then fail like this.
                after = f" (just after an HTTP {status} on this connection)" if status >= 500 else ""
                problem = f"{type(error).__name__}: {str(error) or 'no answer'}{after}"
                status = 0
            tally.record(kind, started, time.perf_counter() - started, problem)


@dataclass
class LockSamples:
    samples: int = 0
    with_waiters: int = 0
    most_waiters: int = 0
    by_relation: Counter[str] = field(default_factory=Counter)
    statements: Counter[str] = field(default_factory=Counter)


def waited_on(locktype: str, relation: str, tuple_relation: str, query: str) -> str:
    if relation:
        return f"{relation} ({locktype})"
    target = tuple_relation
    if not target:
        named = re.search(r"\b(?:UPDATE|FROM|INTO)\s+\"?(\w+)", query, re.IGNORECASE)
        target = named.group(1) if named else "?"
    return f"{target} ({locktype})"


async def sample_locks(dsn: str, every: float, stop: asyncio.Event, into: LockSamples) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        while not stop.is_set():
            rows = await connection.fetch(LOCK_WAITS)
            into.samples += 1
            if rows:
                into.with_waiters += 1
                into.most_waiters = max(into.most_waiters, len(rows))
            for row in rows:
                into.by_relation[
                    waited_on(row["locktype"], row["relation"], row["tuple_relation"], row["query"])
                ] += 1
                into.statements[" ".join(row["query"].split())[:100]] += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
    finally:
        await connection.close()


# ---------------------------------------------------------------------------------------------------------
# The phases


@dataclass(frozen=True)
class Phase:
    name: str
    db: str
    readers: int
    writers: int
    seconds: float
    tokens: str  # "shared" or "separate"
    lock_phase: bool = False


def percentile(ordered: list[float], p: float) -> float | None:
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def latency_ms(values: list[float]) -> dict[str, float | None]:
    ordered = sorted(values)
    return {
        f"p{p}": None if (v := percentile(ordered, p)) is None else round(v * 1000, 1) for p in (50, 95, 99)
    }


async def drive(phase: Phase, world: World, server: Server, dsn: str | None) -> dict[str, Any]:
    """Run one phase's clients against a running server; return what was measured there."""
    if world.case is None:
        world.case = await choose_case(server.base_url, world)
    case = world.case
    if phase.tokens == "shared":
        readers = [world.shared] * phase.readers
        writers = [world.shared] * phase.writers
    else:
        readers, writers = world.readers[: phase.readers], world.writers[: phase.writers]

    postgres_pid = None
    if dsn:
        connection = await asyncpg.connect(dsn)
        try:
            postgres_pid = parent_pid(await connection.fetchval("SELECT pg_backend_pid()"))
        finally:
            await connection.close()

    tally, locks, stop = Tally(), LockSamples(), asyncio.Event()
    server_cpu = cpu_seconds(server.process.pid)
    db_cpu = children_cpu(postgres_pid) if postgres_pid else {}
    own = resource.getrusage(resource.RUSAGE_SELF)
    load = os.getloadavg()
    sampler = asyncio.create_task(sample_locks(dsn, 0.1, stop, locks)) if dsn else None
    started = time.perf_counter()
    deadline = started + phase.seconds
    await asyncio.gather(
        *(
            client_loop(server.base_url, "read", c, lambda _n: {"id": case.case_id}, deadline, tally)
            for c in readers
        ),
        *(
            client_loop(
                server.base_url,
                "write",
                c,
                lambda n, who=c.who: contact_input(case, who, n),
                deadline,
                tally,
            )
            for c in writers
        ),
    )
    elapsed = time.perf_counter() - started
    stop.set()
    if sampler:
        await sampler
    server_cpu = cpu_seconds(server.process.pid) - server_cpu
    db_after = children_cpu(postgres_pid) if postgres_pid else {}
    db_seconds = sum(after - db_cpu.get(pid, 0.0) for pid, after in db_after.items())
    after = resource.getrusage(resource.RUSAGE_SELF)
    own_seconds = after.ru_utime + after.ru_stime - own.ru_utime - own.ru_stime

    async with httpx.AsyncClient(base_url=server.base_url, timeout=REQUEST_TIMEOUT) as client:
        final = (await post(client, world.shared.secret, "CaseView", {"id": case.case_id})).json()
    contacts = len(((final.get("data") or {}).get("case") or {}).get("contacts") or [])

    requests = {kind: len(v) for kind, v in tally.latencies.items()}
    total = sum(requests.values())
    every = tally.latencies["read"] + tally.latencies["write"]
    result: dict[str, Any] = {
        "phase": phase.name,
        "database": phase.db,
        "readers": phase.readers,
        "writers": phase.writers,
        "tokens": phase.tokens,
        "lock_phase": phase.lock_phase,
        "case": case.case_number,
        "seconds": round(elapsed, 1),
        "load_average_before": [round(x, 2) for x in load],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "requests": {**requests, "all": total},
        "rps": {
            **{k: round(v / elapsed, 1) for k, v in requests.items()},
            "all": round(total / elapsed, 1),
        },
        "latency_ms": {
            "read": latency_ms(tally.latencies["read"]),
            "write": latency_ms(tally.latencies["write"]),
            "all": latency_ms(every),
        },
        "read_p50_ms_first_and_last_quarter": [
            latency_ms([s for t, s in tally.reads if t < started + phase.seconds / 4])["p50"],
            latency_ms([s for t, s in tally.reads if t >= deadline - phase.seconds / 4])["p50"],
        ],
        "errors": {**tally.errors, "all": sum(tally.errors.values())},
        "error_messages": dict(tally.messages.most_common(6)),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / total, 2) if total else None,
        "server_cpu_percent": round(100 * server_cpu / elapsed, 1),
        "postgres_cpu_ms_per_request": round(db_seconds * 1000 / total, 2) if dsn and total else None,
        "postgres_cpu_percent": round(100 * db_seconds / elapsed, 1) if dsn else None,
        "bench_cpu_percent": round(100 * own_seconds / elapsed, 1),
        "case_contacts_after": contacts,
    }
    if dsn:
        result["lock_waits"] = {
            "samples": locks.samples,
            "samples_with_waiters": locks.with_waiters,
            "most_waiters_in_a_sample": locks.most_waiters,
            "by_relation": dict(locks.by_relation.most_common()),
            "waiting_statements": dict(locks.statements.most_common(5)),
        }
    return result


async def deadlocks(dsn: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("SELECT pg_stat_clear_snapshot()")
        found = await connection.fetchval(
            "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
        )
        return int(found or 0)
    finally:
        await connection.close()


def run_phase(phase: Phase, world: World, background: bool, logs: Path) -> dict[str, Any]:
    db = world.store
    name = re.sub(r"\W", "_", phase.name)
    url = db.fresh(name)
    dsn = asyncpg_dsn(url) if db.kind == "postgresql" else None
    before = asyncio.run(deadlocks(dsn)) if dsn else 0
    work = db.work / name
    work.mkdir()
    log = logs / f"{name}.log"
    with serve(url, work, log, db.settings, background=background) as server:
        result = asyncio.run(drive(phase, world, server, dsn))
    if dsn:
        time.sleep(1)  # the server's connections flush their statistics as they close
        result["deadlocks"] = asyncio.run(deadlocks(dsn)) - before
    else:
        result["deadlocks"] = None
    result["server_log"] = {**log_counts(log), "path": str(log)}
    verdict = subprocess.run(
        [sys.executable, "-m", "portal.cli", "audit", "verify"],
        env=portal_env(url, work / "var", **db.settings),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    said = " / ".join(line.strip() for line in (verdict.stdout + verdict.stderr).splitlines() if line.strip())
    result["audit_verify"] = f"{'ok' if verdict.returncode == 0 else 'FAILED'}: {said[:400]}"
    return result


# ---------------------------------------------------------------------------------------------------------
# Reporting


def show(result: dict[str, Any]) -> None:
    r = result
    print(
        f"\n== {r['phase']}: {r['readers']} readers + {r['writers']} writers, {r['tokens']} token(s), "
        f"case {r['case']}, {r['seconds']} s (load before {r['load_average_before']}, "
        f"after {r['load_average_after']})"
    )
    for kind in ("read", "write", "all"):
        if not r["requests"][kind]:
            continue
        lat = r["latency_ms"][kind]
        print(
            f"  {kind:5} {r['requests'][kind]:7} requests {r['rps'][kind]:7.1f}/s   "
            f"p50 {lat['p50']} ms  p95 {lat['p95']} ms  p99 {lat['p99']} ms   errors {r['errors'][kind]}"
        )
    for message, count in r["error_messages"].items():
        print(f"    {count:6} x {message}")
    print(
        f"  deadlocks (pg_stat_database): {'n/a' if r['deadlocks'] is None else r['deadlocks']}   "
        + "server log: "
        + ", ".join(f"{k} {v}" for k, v in r["server_log"].items() if k != "path")
    )
    cpu = f"  CPU: server {r['server_cpu_ms_per_request']} ms/request ({r['server_cpu_percent']}% of a core)"
    if r["postgres_cpu_ms_per_request"] is not None:
        cpu += f", PostgreSQL {r['postgres_cpu_ms_per_request']} ms/request ({r['postgres_cpu_percent']}%)"
    print(cpu + f", this benchmark {r['bench_cpu_percent']}%")
    first, last = r["read_p50_ms_first_and_last_quarter"]
    print(
        f"  the case has {r['case_contacts_after']} contacts at the end (read p50 {first} ms in the first "
        f"quarter, {last} ms in the last); audit verify {r['audit_verify']}"
    )
    if "lock_waits" in r:
        w = r["lock_waits"]
        print(
            f"  lock waits: {w['samples_with_waiters']} of {w['samples']} samples had waiters "
            f"(at most {w['most_waiters_in_a_sample']} at once)"
        )
        for relation, count in w["by_relation"].items():
            print(f"    {count:6} x {relation}")
        for statement, count in w["waiting_statements"].items():
            print(f"    {count:6} waiting in: {statement}")


def summary(results: list[dict[str, Any]]) -> None:
    print(
        "\nphase                clients tokens      req/s   read p50/p95/p99 ms    write p50/p95/p99 ms  "
        "errors deadlocks cpu ms/req"
    )
    for r in results:
        lat = r["latency_ms"]

        def triple(kind: str, lat: dict[str, Any] = lat) -> str:
            return "/".join("-" if v is None else f"{v:g}" for v in lat[kind].values())

        print(
            f"{r['phase']:20} {r['readers']:>3}+{r['writers']:<3} {r['tokens']:9} {r['rps']['all']:8.1f}   "
            f"{triple('read'):22} {triple('write'):22} {r['errors']['all']:6} "
            f"{'-' if r['deadlocks'] is None else r['deadlocks']:>9} {r['server_cpu_ms_per_request']:>10}"
        )
    deadlocked = sum(r["deadlocks"] or 0 for r in results)
    errors = sum(r["errors"]["all"] for r in results)
    lock_phases = [r for r in results if r["lock_phase"]]
    forbidden = sorted(
        {rel for r in lock_phases for rel in r["lock_waits"]["by_relation"] if FORBIDDEN.search(rel)}
    )
    print(
        f"\nThe bar: deadlocks {deadlocked} (want 0), errors {errors} (want 0)"
        + (
            f", audit or token relations among the readers' lock waits: {', '.join(forbidden) or 'none'}"
            if lock_phases
            else ""
        )
        + (" -> MET" if not deadlocked and not errors and not forbidden else " -> NOT MET")
    )


def phases_for(kind: str, args: argparse.Namespace) -> list[Phase]:
    modes = args.tokens or ["shared", "separate"]
    if kind == "sqlite":
        return [
            Phase(f"sqlite-{mode}", kind, args.sqlite_readers, args.sqlite_writers, args.seconds, mode)
            for mode in modes
        ]
    phases = [Phase(f"pg-{mode}", kind, args.readers, args.writers, args.seconds, mode) for mode in modes]
    if args.lock_seconds > 0:
        phases += [
            Phase(f"pg-lock-{mode}", kind, args.lock_readers, 0, args.lock_seconds, mode, lock_phase=True)
            for mode in modes
        ]
    return phases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", choices=["postgresql", "sqlite"], help="default: both")
    parser.add_argument(
        "--tokens", action="append", choices=["shared", "separate"], help="default: both, in that order"
    )
    parser.add_argument("--seconds", type=float, default=60, help="each mixed phase's length")
    parser.add_argument("--readers", type=int, default=8, help="PostgreSQL's readers")
    parser.add_argument("--writers", type=int, default=8, help="PostgreSQL's writers")
    parser.add_argument("--sqlite-readers", type=int, default=4)
    parser.add_argument("--sqlite-writers", type=int, default=4)
    parser.add_argument("--lock-readers", type=int, default=32, help="readers while pg_locks is sampled")
    parser.add_argument("--lock-seconds", type=float, default=20, help="0 to skip the lock-wait phases")
    parser.add_argument(
        "--background", action="store_true", help="run the outbox sender and the clock inside the server"
    )
    parser.add_argument("--guardian", default=GUARDIAN, help="the demo guardian whose tokens are used")
    parser.add_argument("--iro", default=IRO, help="the demo IRO on a case of the guardian's")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--keep", action="store_true", help="keep the databases and the server logs")
    args = parser.parse_args()

    machine = {
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": sys.version.split()[0],
        "code": str(ROOT),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    print(
        f"{machine['cpus']} CPUs, load average {machine['load_average']}; python {machine['python']}; "
        f"code from {ROOT}"
    )
    results: list[dict[str, Any]] = []
    work = Path(tempfile.mkdtemp(prefix="portal-mixed-"))
    logs = work / "logs"
    logs.mkdir()
    try:
        for kind in args.db or ["postgresql", "sqlite"]:
            phases = phases_for(kind, args)
            folder = work / kind
            folder.mkdir()
            print(f"\n{kind}: preparing the world in {folder}")
            with store(kind, folder) as db:
                emails = {"guardian": args.guardian, "iro": args.iro}
                world = prepare(db, emails, max(p.readers for p in phases), max(p.writers for p in phases))
                if kind == "postgresql":
                    machine["postgresql"] = asyncio.run(_server_version(asyncpg_dsn(db.url)))
                    print(f"  PostgreSQL {machine['postgresql']}")
                for phase in phases:
                    result = run_phase(phase, world, args.background, logs)
                    results.append(result)
                    show(result)
    finally:
        if results:
            summary(results)
        if args.json and results:
            args.json.write_text(json.dumps({"machine": machine, "phases": results}, indent=2))
            print(f"Wrote {args.json}")
        if args.keep:
            print(f"Kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


async def _server_version(dsn: str) -> str:
    connection = await asyncpg.connect(dsn)
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


if __name__ == "__main__":
    main()
