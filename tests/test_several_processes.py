"""Several machines' worth of processes on one PostgreSQL database and one S3 bucket (issue 16): three
`portal serve` processes, each with its own outbox sender and clock, a separate `portal outbox run` and a
separate audit sealer, with a mail relay slower than it should be. A mixed load of reads, contacts, court
papers and clock ticks over all three finds no error; afterwards no email went out twice, no obligation was
opened twice, every file is in the bucket once under its SHA-256, and the audit trail verifies."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
import sqlalchemy as sa

from models import Obligation, OutboxMessage, OutboxState, Upload
from portal.db import create_engine, create_session_factory
from portal.migrations import upgrade
from tests.conftest import TEST_AUDIT_KEY
from tests.support import files
from tests.support.graphql import OPERATIONS, contact_input
from tests.support.ports import free_port
from tests.support.s3 import KEY, REGION, SECRET, S3Server
from tests.support.smtp import SmtpServer
from tests.support.world import World

ROOT = Path(__file__).resolve().parents[1]
# moto's server keeps its buckets per process: a name of this test's own.
BUCKET = f"court-papers-{uuid.uuid4().hex[:8]}"
LOAD_SECONDS = 8.0


@pytest.fixture
def s3(request: pytest.FixtureRequest) -> Iterator[S3Server]:
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("several processes share one PostgreSQL database: runs in the suite's PostgreSQL pass")
    server = S3Server()
    server.bucket(BUCKET)
    yield server
    server.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.inbox.delay = 0.05  # slower than a relay should be: the senders' claims overlap
    server.start()
    yield server
    server.stop()


def _env(url: str, s3: S3Server, smtp: SmtpServer, var: Path, **extra: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")},
        "PYTHONPATH": str(ROOT),
        "PORTAL_ENVIRONMENT": "test",
        "PORTAL_DATABASE_URL": url,
        "PORTAL_VAR_DIR": str(var),
        "PORTAL_AUDIT_KEY": TEST_AUDIT_KEY,
        "PORTAL_SECRET_KEY": "several-processes-secret-key",
        "PORTAL_BASE_URL": "https://portal.example.gov.uk",
        "PORTAL_BLOB_BACKEND": "s3",
        "PORTAL_S3_BUCKET": BUCKET,
        "PORTAL_S3_ENDPOINT_URL": s3.endpoint,
        "PORTAL_S3_REGION": REGION,
        "PORTAL_S3_ACCESS_KEY": KEY,
        "PORTAL_S3_SECRET_KEY": SECRET,
        "PORTAL_SMTP_PORT": str(smtp.port),
        "PORTAL_OUTBOX_RETRY_SECONDS": "1",
        # A hold shorter than a batch takes through the slow relay: senders take over each other's.
        "PORTAL_OUTBOX_CLAIM_SECONDS": "1",
        "PORTAL_SMTP_TIMEOUT_SECONDS": "0.5",
        "PORTAL_CLOCK_EVERY_SECONDS": "1",
        "PORTAL_AUDIT_SEAL_IN_APP": "false",
        **extra,
    }


def _start(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "portal.cli", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def _wait_ready(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert process.poll() is None, process.communicate()[0].decode()[-2000:]
        assert time.monotonic() < deadline, "a server did not start within 60 s"
        time.sleep(0.2)


async def _load(ports: list[int], world: World, cases: list[str]) -> Counter[str]:
    """Readers, contact loggers and paper filers, spread over the servers, for LOAD_SECONDS: how each
    request ended."""
    tokens = {who: await world.token(who) for who in ("guardian", "iro", "solicitor")}
    outcomes: Counter[str] = Counter()
    deadline = time.monotonic() + LOAD_SECONDS

    async def graphql(client: httpx.AsyncClient, port: int, who: str, name: str, **variables: Any) -> None:
        response = await client.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": OPERATIONS[name], "operationName": name, "variables": variables},
            headers={"Authorization": f"Bearer {tokens[who]}"},
        )
        body = response.json()
        payloads = [v for v in (body.get("data") or {}).values() if isinstance(v, dict)]
        ok = (
            response.status_code == 200
            and not body.get("errors")
            and not any(p.get("errors") for p in payloads)
        )
        outcomes[name if ok else f"{name} failed: {response.status_code} {body}"[:300]] += 1

    async def reader(n: int) -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            while time.monotonic() < deadline:
                who = ("guardian", "iro")[n % 2]
                await graphql(client, ports[n % 3], who, "CaseView", id=cases[n % len(cases)])
                n += 1

    async def logger(n: int) -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            while time.monotonic() < deadline:
                case = cases[n % len(cases)]
                entry = contact_input(
                    world, case, "iro", replyExpected=True, replyDueOn=date.today().isoformat()
                )
                await graphql(client, ports[n % 3], "guardian", "LogContact", input=entry)
                n += 1

    async def filer(n: int) -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            while time.monotonic() < deadline:
                port, case = ports[n % 3], cases[n % len(cases)]
                content = files.PDF + f"% paper {n} {time.monotonic()}\n".encode()
                response = await client.post(
                    f"http://127.0.0.1:{port}/cases/{case}/papers/uploads",
                    content=content,
                    headers={"Authorization": f"Bearer {tokens['solicitor']}", "X-Filename": f"p{n}.pdf"},
                )
                if response.status_code != 201:
                    outcomes[f"upload failed: {response.status_code} {response.text}"[:300]] += 1
                    continue
                paper = {
                    "uploadId": response.json()["uploadId"],
                    "filedOn": date.today().isoformat(),
                    "kind": "ASSESSMENT",
                    "title": f"Assessment {n}",
                    "filedByParty": "LOCAL_AUTHORITY",
                    "confidentiality": "STANDARD",
                    "lawfulBasis": "FPR_12_73_IRO",
                }
                await graphql(client, port, "solicitor", "FileCourtPaper", input=paper)
                n += 1

    await asyncio.gather(*(reader(n) for n in range(6)), *(logger(n) for n in range(3)), filer(0), filer(1))
    return outcomes


async def test_three_web_processes_and_two_workers_on_one_database_and_bucket(
    s3: S3Server, smtp: SmtpServer, fresh_url: str, tmp_path: Path
) -> None:
    engine = create_engine(fresh_url)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        await upgrade(engine)
        world = await World.create(create_session_factory(engine))
        cases = [str(await world.open_case(case_number=f"RV26C{n:03d}")) for n in range(4)]
        ports = [free_port() for _ in range(3)]
        for n, port in enumerate(ports):
            env = _env(fresh_url, s3, smtp, tmp_path / f"web{n}")
            processes.append(_start(env, "serve", "--port", str(port)))
        worker = _env(fresh_url, s3, smtp, tmp_path / "worker")
        processes.append(_start(worker, "outbox", "run", "--every", "0.5"))
        processes.append(_start(worker, "audit", "seal", "--forever"))
        for port, process in zip(ports, processes, strict=False):
            _wait_ready(port, process)

        outcomes = await _load(ports, world, cases)
        assert all(" failed" not in outcome for outcome in outcomes), outcomes
        assert outcomes["CaseView"] > 30
        assert outcomes["LogContact"] > 10
        assert outcomes["FileCourtPaper"] > 3

        async with engine.connect() as connection:
            for _ in range(120):  # the senders drain the outbox, through the slow relay
                waiting = (
                    await connection.execute(
                        sa.select(sa.func.count()).where(OutboxMessage.state == OutboxState.PENDING)
                    )
                ).scalar_one()
                if not waiting:
                    break
                await asyncio.sleep(0.5)
            assert waiting == 0
            sent = (
                await connection.execute(
                    sa.select(sa.func.count()).where(OutboxMessage.state == OutboxState.SENT)
                )
            ).scalar_one()
            opened = (
                await connection.execute(
                    sa.select(
                        Obligation.proceedings_id, Obligation.child_id, Obligation.code, Obligation.trigger_id
                    )
                )
            ).all()
            digests = set((await connection.execute(sa.select(Upload.sha256))).scalars())
    finally:
        outputs = []
        for process in processes:
            process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                outputs.append(process.communicate(timeout=30)[0].decode())
            except subprocess.TimeoutExpired:
                process.kill()
                outputs.append(process.communicate()[0].decode())
        await engine.dispose()

    ids = [message["Message-ID"] for message in smtp.inbox.messages]
    twice = [i.strip("<>").partition("@")[0] for i, n in Counter(ids).items() if n > 1]
    said = [line for output in outputs for line in output.splitlines() if any(i in line for i in twice)]
    assert not twice, said  # no email twice
    assert len(ids) == sent > 0
    assert len(opened) == len(set(opened))  # no obligation twice
    assert not [output for output in outputs if "Traceback" in output], outputs

    bucket = boto3.client(
        "s3",
        endpoint_url=s3.endpoint,
        region_name=REGION,
        aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
    )
    stored = [key for key in s3.keys(BUCKET) if not key.startswith("audit-checkpoints/")]
    names = [key.rsplit("/", 1)[-1] for key in stored]
    assert sorted(names) == sorted(digests)  # every file once, under its SHA-256
    for key, name in zip(stored, names, strict=True):
        assert hashlib.sha256(bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read()).hexdigest() == name

    def audit(command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "portal.cli", "audit", command],
            env=_env(fresh_url, s3, smtp, tmp_path / "worker"),
            capture_output=True,
            text=True,
            check=False,
        )

    # The events of the last moments before the sealer stopped are sealed first.
    sealed = await asyncio.to_thread(audit, "seal")
    assert sealed.returncode == 0, sealed.stdout + sealed.stderr
    verify = await asyncio.to_thread(audit, "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert verify.stdout.startswith("The audit trail verifies"), verify.stdout
