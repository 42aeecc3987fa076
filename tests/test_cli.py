"""The ``portal`` command, run as an administrator would: provisioning, tokens, migrations, the demo."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from models import OutboxMessage, OutboxState, utcnow
from portal import background
from portal.app import create_app
from portal.settings import Settings
from tests.support.ports import free_port
from tests.support.queries import row_counts
from tests.support.world import World


async def test_provisioning_and_a_token_that_works(
    portal, capsys: pytest.CaptureFixture[str], client: httpx.AsyncClient
) -> None:
    steps = [
        ("org", "add", "--kind", "cafcass", "--name", "Cafcass North Midlands"),
        (
            "org",
            "add",
            "--kind",
            "court",
            "--name",
            "Family Court at Riverside",
            "--service-area",
            "Cafcass North Midlands",
        ),
        (
            "org",
            "add",
            "--kind",
            "local-authority",
            "--name",
            "Riverside City Council",
            "--ons-code",
            "e08000901",
        ),
        (
            "user",
            "add",
            "--org",
            "Riverside City Council",
            "--name",
            "Ivan Reviewer",
            "--email",
            "Ivan.Reviewer@riverside.example.gov.uk",
            "--role",
            "iro",
            "--role",
            "iro_manager",
        ),
    ]
    for step in steps:
        status, out, err = await portal(capsys, *step)
        assert (status, err) == (0, ""), step
        assert out.startswith("Added")
    status, token, _ = await portal(
        capsys,
        "token",
        "create",
        "--email",
        "ivan.reviewer@riverside.example.gov.uk",
        "--label",
        "case system",
    )
    assert status == 0
    body = (
        await client.post(
            "/graphql",
            json={"query": "{ me { name roles organisation { onsCode } } }"},
            headers={"Authorization": f"Bearer {token.strip()}"},
        )
    ).json()
    assert body["data"]["me"] == {
        "name": "Ivan Reviewer",
        "roles": ["IRO", "IRO_MANAGER"],
        "organisation": {"onsCode": "E08000901"},
    }


async def test_bad_provisioning_is_refused_with_its_code(
    portal, capsys: pytest.CaptureFixture[str], engine: AsyncEngine
) -> None:
    await portal(capsys, "org", "add", "--kind", "cafcass", "--name", "Cafcass North Midlands")
    before = await row_counts(engine)
    status, _, err = await portal(
        capsys,
        "user",
        "add",
        "--org",
        "Cafcass North Midlands",
        "--name",
        "Ivy",
        "--email",
        "ivy@cafcass.example.gov.uk",
        "--role",
        "iro",
    )
    assert status == 2
    assert "[WRONG_ORGANISATION]" in err
    status, _, err = await portal(
        capsys, "org", "add", "--kind", "local-authority", "--name", "Nowhere", "--ons-code", "X123"
    )
    assert status == 2
    assert "[INVALID_VALUE]" in err
    status, _, err = await portal(capsys, "token", "create", "--email", "nobody@example.gov.uk")
    assert status == 2
    assert "[NOT_FOUND]" in err
    assert await row_counts(engine) == before


async def test_migrate_is_repeatable_and_the_demo_loads_only_into_an_empty_database(
    portal, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (await portal(capsys, "migrate"))[0] == 0
    status, out, _ = await portal(capsys, "demo")
    assert status == 0
    assert "24 children" in out
    status, out, _ = await portal(capsys, "demo", "--if-empty")
    assert (status, out.strip()) == (0, "The database has data already: the demo was not loaded.")
    status, _, _ = await portal(capsys, "demo")
    assert status != 0


async def test_the_outbox_commands(
    portal,
    capsys: pytest.CaptureFixture[str],
    world: World,
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What an operator sees of the outbox, how a run says that mail gave up, and queueing it again."""
    status, out, _ = await portal(capsys, "outbox", "status")
    assert (status, out.strip()) == (0, "The outbox is empty.")
    await world.open_case()
    status, out, _ = await portal(capsys, "outbox", "status")
    assert status == 0
    assert out.splitlines()[0] == "pending: 4"
    assert re.fullmatch(r"The oldest email waiting to be sent was queued 0:00:0\d ago\.", out.splitlines()[1])
    monkeypatch.setenv("PORTAL_SMTP_PORT", str(free_port()))  # nothing listens there
    monkeypatch.setenv("PORTAL_OUTBOX_RETRY_SECONDS", "0")
    status, out, _ = await portal(capsys, "outbox", "run", "--once")
    assert (status, out.strip()) == (0, "Sent 0; 4 will be tried again; 0 gave up.")

    # A week later, still failing: they give up, the run says so, and status says why.
    async with AsyncSession(engine) as session, session.begin():
        await session.execute(sa.update(OutboxMessage).values(queued_at=utcnow() - timedelta(days=8)))
    status, out, err = await portal(capsys, "outbox", "run", "--once")
    assert (status, out.strip()) == (1, "Sent 0; 0 will be tried again; 4 gave up.")
    assert "portal outbox retry" in err
    status, out, _ = await portal(capsys, "outbox", "status")
    lines = out.splitlines()
    assert lines[:2] == ["dead: 4", "Gave up (the latest first; `portal outbox retry` queues them again):"]
    assert len(lines) == 6
    assert all("2 attempts: still failing after 2 attempts over 8 days" in line for line in lines[2:])
    assert any("to iro@riverside.example.gov.uk" in line for line in lines[2:])

    # Queued again: one, then the rest; an id that did not give up is refused.
    one = lines[2].split()[0]
    status, out, _ = await portal(capsys, "outbox", "retry", "--id", one)
    assert (status, out.strip()) == (0, "Queued 1 email again, to be sent now.")
    status, _, err = await portal(capsys, "outbox", "retry", "--id", one)
    assert (status, err.strip()) == (1, f"portal: no email {one} gave up")
    status, _, err = await portal(capsys, "outbox", "retry", "--id", "not-an-id")
    assert status == 2
    assert "invalid UUID value" in err
    status, out, _ = await portal(capsys, "outbox", "retry")
    assert (status, out.strip()) == (0, "Queued 3 emails again, to be sent now.")
    async with AsyncSession(engine) as session:
        found = (await session.execute(sa.select(OutboxMessage))).scalars().all()
    assert {(m.state, m.attempts) for m in found} == {(OutboxState.PENDING, 0)}
    assert all(utcnow() - m.queued_at < timedelta(minutes=1) for m in found)


async def test_on_sqlite_one_process_runs_the_sender_and_the_clock(
    portal, capsys: pytest.CaptureFixture[str], settings: Settings, engine: AsyncEngine, is_postgres: bool
) -> None:
    """Issue 16: SQLite has one writer. A web process that runs them holds them: a separate `outbox run` or
    `clock tick` is refused in a line that says why (PostgreSQL takes any number); once it stops, they run."""
    app = create_app(settings.model_copy(update={"audit_seal_in_app": True}), engine=engine)
    async with app.router.lifespan_context(app):
        held_elsewhere = background.hold(settings.database_url)
        assert (held_elsewhere is None) is not is_postgres
        for command in (("outbox", "run", "--once"), ("clock", "tick")):
            status, _, err = await portal(capsys, *command)
            if is_postgres:
                assert status == 0, err
            else:
                assert status == 1
                assert err.startswith("portal: another process (a web process) runs the ")
                assert "use PostgreSQL to run workers of their own" in err
    status, _, err = await portal(capsys, "outbox", "run", "--once")
    assert status == 0, err
    held = background.hold(settings.database_url)
    assert held is not None
    held.release()
