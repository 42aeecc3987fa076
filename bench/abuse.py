"""Hostile requests against the real server over HTTP: what each costs the server in CPU and memory.

    .venv/bin/python bench/abuse.py                                  # SQLite, 20 repeats of each request
    .venv/bin/python bench/abuse.py --db sqlite --db postgresql --repeats 10 --json out.json

It starts a throwaway database (a SQLite file, or its own PostgreSQL cluster), migrates it, loads the demo
and makes an API token for the demo's guardian (`portal token create`), then runs `portal serve` with
production settings (bench/mixed_load.py's `serve`). Each request below is sent ``--repeats`` times, one at
a time, both with the token and without one; around them the benchmark reads the server's CPU (utime + stime
from /proc/PID/stat, in ticks of 10 ms: hence the repeats) and its peak resident memory (VmHWM from
/proc/PID/status, reset before each request with /proc/PID/clear_refs where the kernel allows it, else
the growth of the lifetime peak).

- the fragment-doubling query (each fragment spreads the next one twice) at 20, 25 and 30 levels;
- 1,000 nested JSON arrays (2 KB);
- a 100 MB body, with its Content-Length and chunked without one;
- nested introspection (`__schema { types { fields { type { fields ...`), 1.35 KB;

and, for the ratio, the fastest answer the server gives: `{ __typename }` with the token. The bar: every
hostile request is refused (a 4xx with a JSON error code), within 50 ms of server CPU and 10 MB of memory.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.mixed_load import GUARDIAN, cpu_seconds, portal, portal_env, serve, store  # noqa: E402

BODY_MB = 100
CPU_BAR_MS = 50.0
MEMORY_BAR_MB = 10.0


def fragment_doubling(levels: int) -> str:
    fragments = " ".join(f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(levels))
    return f"query {{ ...F0 }} {fragments} fragment F{levels} on Query {{ __typename }}"


def nested_introspection() -> str:
    inner = "name"
    for _ in range(12):
        inner = f"fields {{ type {{ {inner} }} }}"
    return f"{{ __schema {{ types {{ {inner} }} }} }}"


def big_body() -> bytes:
    return b'{"query": "' + b" " * (BODY_MB * 1024 * 1024) + b'{ __typename }"}'


def chunked_body() -> Iterator[bytes]:
    yield b'{"query": "'
    block = b" " * (1024 * 1024)
    for _ in range(BODY_MB):
        yield block
    yield b'{ __typename }"}'


@dataclass(frozen=True)
class Abuse:
    name: str
    # Keyword arguments for httpx's request(): made afresh for each send (a generator is spent once).
    request: Callable[[], dict[str, Any]]
    hostile: bool = True


def _json(body: Any) -> Callable[[], dict[str, Any]]:
    return lambda: {"method": "POST", "json": body}


ABUSES = [
    Abuse("baseline { __typename }", _json({"query": "{ __typename }"}), hostile=False),
    *(Abuse(f"fragment doubling, {n} levels", _json({"query": fragment_doubling(n)})) for n in (20, 25, 30)),
    Abuse(
        "1,000-deep JSON",
        lambda: {"method": "POST", "content": b"[" * 1000 + b"]" * 1000},
    ),
    Abuse(f"{BODY_MB} MB body", lambda: {"method": "POST", "content": big_body()}),
    Abuse(f"{BODY_MB} MB body, chunked", lambda: {"method": "POST", "content": chunked_body()}),
    Abuse("nested introspection", _json({"query": nested_introspection()})),
    Abuse(
        "fragment doubling over GET, 30 levels",
        lambda: {"method": "GET", "params": {"query": fragment_doubling(30)}},
    ),
]


def status_field(pid: int, name: str) -> int:
    """A /proc/PID/status figure in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return 0


def reset_peak(pid: int) -> bool:
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def send(client: httpx.Client, token: str | None, abuse: Abuse) -> tuple[int, str]:
    """The status and error code of one request; 0 and the exception's name if the connection failed."""
    headers = {"Content-Type": "application/json", "Accept": "application/graphql-response+json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        response = client.request(url="/graphql", headers=headers, **abuse.request())
    except httpx.TransportError as error:
        return 0, type(error).__name__
    try:
        body = response.json()
        code = body["errors"][0]["extensions"]["code"] if body.get("errors") else "ok"
    except (ValueError, KeyError, IndexError, TypeError):
        code = "not JSON: " + response.headers.get("content-type", "")
    return response.status_code, code


def measure(base_url: str, pid: int, token: str | None, abuse: Abuse, repeats: int) -> dict[str, Any]:
    outcomes: set[tuple[int, str]] = set()
    peaks: list[float] = []
    wall: list[float] = []
    cpu_before = cpu_seconds(pid)
    for _ in range(repeats):
        # A connection of its own each time: a refused body may leave the server closing it.
        with httpx.Client(base_url=base_url, timeout=120) as client:
            resident = status_field(pid, "VmRSS")
            lifetime_peak = status_field(pid, "VmHWM")
            reset = reset_peak(pid)
            started = time.perf_counter()
            outcomes.add(send(client, token, abuse))
            wall.append(time.perf_counter() - started)
            peak = status_field(pid, "VmHWM")
            peaks.append((peak - resident if reset else max(0, peak - lifetime_peak)) / 1024)
    cpu_ms = (cpu_seconds(pid) - cpu_before) * 1000 / repeats
    return {
        "request": abuse.name,
        "token": token is not None,
        "hostile": abuse.hostile,
        "outcomes": sorted(f"{status} {code}" for status, code in outcomes),
        "cpu_ms_per_request": round(cpu_ms, 2),
        "peak_memory_mb": round(max(peaks), 2),
        "wall_ms_p50": round(sorted(wall)[len(wall) // 2] * 1000, 1),
    }


def refused(result: dict[str, Any]) -> bool:
    return all(
        outcome.split()[0].startswith("4") and not outcome.split(maxsplit=1)[1].startswith("not JSON")
        for outcome in result["outcomes"]
    )


def show(results: list[dict[str, Any]]) -> bool:
    baseline = next(r["cpu_ms_per_request"] for r in results if not r["hostile"] and r["token"]) or 0.01
    print(f"\n{'request':42} {'token':6} {'outcome':36} {'CPU ms':>8} {'× base':>7} {'peak MB':>8}  bar")
    met = True
    for r in results:
        ok = not r["hostile"] or (
            refused(r) and r["cpu_ms_per_request"] <= CPU_BAR_MS and r["peak_memory_mb"] <= MEMORY_BAR_MB
        )
        met &= ok
        print(
            f"{r['request']:42} {'yes' if r['token'] else 'no':6} {', '.join(r['outcomes'])[:36]:36} "
            f"{r['cpu_ms_per_request']:8.2f} {r['cpu_ms_per_request'] / baseline:7.1f} "
            f"{r['peak_memory_mb']:8.2f}  {'' if not r['hostile'] else 'met' if ok else 'MISSED'}"
        )
    print(
        f"\nThe bar (every hostile request refused in JSON, ≤ {CPU_BAR_MS:.0f} ms of server CPU and "
        f"≤ {MEMORY_BAR_MB:.0f} MB of memory): {'met' if met else 'MISSED'}"
    )
    return met


@contextlib.contextmanager
def running_server(kind: str, work: Path) -> Iterator[tuple[str, int, str]]:
    with store(kind, work) as db:
        env = portal_env(db.url, work / "var", **db.settings)
        portal(env, "migrate")
        portal(env, "demo")
        token = portal(
            env, "token", "create", "--email", GUARDIAN, "--label", "abuse", "--scope", "case:read"
        )
        with serve(db.url, work, work / "server.log", db.settings, background=False) as server:
            yield server.base_url, server.process.pid, token.split()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    report, met = {}, True
    for kind in args.db or ["sqlite"]:
        with (
            tempfile.TemporaryDirectory(prefix="portal-abuse-") as folder,
            running_server(kind, Path(folder)) as (base_url, pid, token),
        ):
            # Warm up: the first requests import and prepare what later ones reuse.
            for abuse in ABUSES[:2]:
                measure(base_url, pid, token, abuse, 3)
            results = [
                measure(base_url, pid, who, abuse, args.repeats) for abuse in ABUSES for who in (token, None)
            ]
        print(f"\nServer on {kind}, production settings; {args.repeats} repeats of each request.")
        met &= show(results)
        report[kind] = results
    if args.json:
        args.json.write_text(json.dumps({"repeats": args.repeats, "results": report}, indent=2))
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
