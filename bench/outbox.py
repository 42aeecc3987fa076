"""The outbox's senders against a slow mail relay (issue 16): messages per second through one and three
senders, with the relay taking 0, 1 and 4 s over each message, and how many were delivered twice (0).

    PYTHONPATH=. .venv/bin/python bench/outbox.py [--messages 40] [--seconds 30] [--json F]

It starts a throwaway PostgreSQL cluster and migrates it; then, for each case, queues --messages emails (rows
as the portal writes them), starts a relay (aiosmtpd) that takes that long over each message, and the
senders as `portal outbox run` processes with the production defaults (a 120 s hold, a 15 s SMTP timeout,
polling every 0.2 s here), and counts deliveries from the moment the emails are queued until all are
delivered or --seconds have passed. The ratio is to the fastest way to
deliver the same messages: with a slow relay, each sender one message per delay (senders ÷ delay a second);
with an instant one, a plain loop of aiosmtplib sends on one connection each.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models import OrganisationKind, OutboxMessage, Role  # noqa: E402
from portal.db import create_engine, create_session_factory  # noqa: E402
from portal.migrations import upgrade  # noqa: E402
from portal.people import repository as people_rows  # noqa: E402
from portal.people import service as people  # noqa: E402
from tests.conftest import TEST_AUDIT_KEY  # noqa: E402
from tests.support.postgres import throwaway_cluster  # noqa: E402
from tests.support.smtp import SmtpServer  # noqa: E402

STARTUP_SECONDS = 4.0
CASES = [(senders, delay) for delay in (0.0, 1.0, 4.0) for senders in (1, 3)]


async def migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def queue(url: str, messages: int) -> None:
    """A person, and ``messages`` emails waiting for them (those of the case before, sent or not, gone)."""
    engine = create_engine(url)
    try:
        sessions = create_session_factory(engine)
        async with sessions() as session, session.begin():
            person = await people_rows.person_with_email(session, "reader@bench.example.gov.uk")
            if person is None:
                organisation = await people.add_organisation(
                    session,
                    None,
                    kind=OrganisationKind.LOCAL_AUTHORITY,
                    name="Bench Council",
                    ons_code="E08000999",
                )
                person = await people.add_person(
                    session,
                    None,
                    organisation_id=organisation.id,
                    name="Rea Der",
                    email="reader@bench.example.gov.uk",
                    roles=[Role.IRO],
                )
            await session.execute(OutboxMessage.__table__.delete())
            for n in range(messages):
                session.add(
                    OutboxMessage(
                        person_id=person.id,
                        to_address=person.email,
                        kind="bench",
                        subject=f"Bench {n}",
                        body="A task under the protocol.",
                        link_path="/tasks",
                    )
                )
    finally:
        await engine.dispose()


async def fastest(port: int, messages: int) -> float:
    """Seconds for a plain loop to send the messages on one connection: the floor with an instant relay."""
    started = time.perf_counter()
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port) as smtp:
        for n in range(messages):
            email = EmailMessage()
            email["From"], email["To"], email["Subject"] = "a@b.example", "c@d.example", f"Floor {n}"
            email.set_content("A task under the protocol.")
            await smtp.send_message(email)
    return time.perf_counter() - started


def run_case(url: str, senders: int, delay: float, messages: int, seconds: float) -> dict[str, object]:
    asyncio.run(queue(url, 0))
    relay = SmtpServer()
    relay.inbox.delay = delay
    relay.start()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")},
        "PYTHONPATH": str(ROOT),
        "PORTAL_ENVIRONMENT": "test",
        "PORTAL_DATABASE_URL": url,
        "PORTAL_AUDIT_KEY": TEST_AUDIT_KEY,
        "PORTAL_SMTP_PORT": str(relay.port),
    }
    processes = []
    try:
        with tempfile.TemporaryDirectory() as var:
            for n in range(senders):
                env_n = {**env, "PORTAL_VAR_DIR": f"{var}/{n}"}
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "portal.cli", "outbox", "run", "--every", "0.2"],
                        env=env_n,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
            time.sleep(STARTUP_SECONDS)  # timed from the queueing, not from Python's start-up
            asyncio.run(queue(url, messages))
            started = time.perf_counter()
            while len(relay.inbox.messages) < messages and time.perf_counter() - started < seconds:
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
            delivered = len(relay.inbox.messages)
            ids = [m["Message-ID"] for m in relay.inbox.messages]
            floor = asyncio.run(fastest(relay.port, messages)) / messages if delay == 0 else delay / senders
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        relay.stop()
    rate = delivered / elapsed
    return {
        "senders": senders,
        "relay_seconds": delay,
        "delivered": delivered,
        "of": messages,
        "seconds": round(elapsed, 2),
        "per_second": round(rate, 2),
        "fastest_per_second": round(1 / floor, 2),
        "ratio": round(rate * floor, 2),
        "twice": len(ids) - len(set(ids)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=30.0, help="the longest each case runs")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    results = []
    with throwaway_cluster("outbox") as url:
        asyncio.run(migrate(url))
        print("senders relay s  delivered    s    msg/s  fastest  ratio  twice")
        for senders, delay in CASES:
            found = run_case(url, senders, delay, args.messages, args.seconds)
            results.append(found)
            count = f"{found['delivered']:>4}/{found['of']:<4}"
            print(
                f"{senders:>7} {delay:>7.0f}  {count} {found['seconds']:>6} {found['per_second']:>8} "
                f"{found['fastest_per_second']:>8} {found['ratio']:>6} {found['twice']:>6}"
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
