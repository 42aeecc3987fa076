"""The suite runs on SQLite (the default) or PostgreSQL (``--db postgresql``); the schema is built by the
Alembic migrations, and every table is emptied after each test."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

import models
import models.base
from portal.app import create_app
from portal.cli import main
from portal.db import create_engine, create_session_factory
from portal.migrations import upgrade
from portal.settings import Environment, Settings
from tests.support.postgres import throwaway_cluster
from tests.support.queries import QueryCounter, audit_triggers_set_aside
from tests.support.world import World


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=["sqlite", "postgresql"],
        default="sqlite",
        help="the database to run the suite on (PostgreSQL: a throwaway cluster is started)",
    )


@pytest.fixture(scope="session")
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.config.getoption("--db") == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'portal.db'}"
    elif url := os.environ.get("PORTAL_TEST_POSTGRES_URL"):
        yield url
    else:
        with throwaway_cluster() as url:
            yield url


@pytest.fixture
async def fresh_url(database_url: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of the same kind as the suite's, beside it (a restore's target, several processes'
    own)."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"restored_{uuid.uuid4().hex[:12]}"
    admin = database_url.replace("+asyncpg", "")
    connection = await asyncpg.connect(admin)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
        yield database_url.rsplit("/", 1)[0] + f"/{name}"
        await connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


def _drop_everything(connection: sa.Connection) -> None:
    existing = sa.MetaData()
    existing.reflect(connection)
    existing.drop_all(connection)


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        # A fresh schema each run (a reused database may hold an old one), built as production builds it.
        await connection.run_sync(_drop_everything)
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture(autouse=True)
async def _clean_tables(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    yield
    if "engine" in request.fixturenames:
        await empty_database(request.getfixturevalue("engine"))


async def empty_database(engine: AsyncEngine) -> None:
    """Every table emptied. The audit trail refuses DELETE, so on SQLite its triggers are set aside and put
    back (PostgreSQL's TRUNCATE does not fire them)."""
    # The view versions last: emptying the others moves them (on SQLite, where DELETE fires the triggers).
    tables = sorted(
        (t.name for t in reversed(models.metadata.sorted_tables)), key=lambda n: n == "view_version"
    )
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(sa.text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        else:
            async with audit_triggers_set_aside(connection, ("audit_event", "audit_seal", "handover")):
                for table in tables:
                    await connection.execute(sa.text(f"DELETE FROM {table}"))


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with create_session_factory(engine)() as session:
        yield session


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment=Environment.TEST,
        database_url=database_url,
        var_dir=tmp_path / "var",
        secret_key="test-secret-key-for-signing-cookies",
        audit_key=TEST_AUDIT_KEY,
        outbox_in_app=False,
        clock_in_app=False,
        audit_seal_in_app=False,
    )


# The audit key of the tests' settings and commands: 32 bytes, in base64.
TEST_AUDIT_KEY = "test:" + "dGVzdC1hdWRpdC1rZXktZm9yLXRoZS1wb3J0YWwtc3VpdGU"

Travel = Callable[[datetime], None]


@pytest.fixture
def travel(monkeypatch: pytest.MonkeyPatch) -> Travel:
    """Move the portal's clock so that now is ``to`` (time goes on from there)."""

    def to(moment: datetime) -> None:
        monkeypatch.setattr(models.base, "CLOCK_OFFSET", moment - datetime.now(UTC))

    return to


@pytest.fixture
async def client(settings: Settings, engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, engine=engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as client:
        yield client


@pytest.fixture
async def world(engine: AsyncEngine) -> World:
    """A small world: two authorities, a Cafcass service area, a court and the people in them."""
    return await World.create(create_session_factory(engine))


@pytest.fixture
def count_queries(engine: AsyncEngine) -> QueryCounter:
    return QueryCounter(engine)


@pytest.fixture
def portal(engine: AsyncEngine, settings: Settings, monkeypatch: pytest.MonkeyPatch):
    """Run ``portal ARGS`` against the test database, with the test settings' audit keys and checkpoints;
    return what it printed (and its exit status)."""
    monkeypatch.setenv("PORTAL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PORTAL_VAR_DIR", str(settings.var_dir))
    monkeypatch.setenv("PORTAL_AUDIT_KEY", settings.audit_key)

    async def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
        # In a thread: the command runs its own event loop, as it does from a shell.
        status, message = 0, ""
        try:
            await asyncio.to_thread(main, list(args))
        except SystemExit as exit:
            # A message given to SystemExit is what the shell would show on stderr.
            status, message = (exit.code, "") if isinstance(exit.code, int) else (1, str(exit.code))
        out, err = capsys.readouterr()
        return status, out, err + message

    return run
