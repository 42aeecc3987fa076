"""Running the Alembic migrations from the portal (the CLI, the run command, the tests)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

ROOT = Path(__file__).resolve().parent.parent


def alembic_config() -> Config:
    return Config(str(ROOT / "alembic.ini"))


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database to ``revision`` on a connection of ``engine``."""

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)
    if revision != "head":
        return
    # The protocol's default rules, the national dispute ladder and Cafcass's timescale for referrals are
    # data in the database, versioned as they change in the code.
    from portal.disputes.service import sync_default_ladder
    from portal.obligations.rules import sync_defaults
    from portal.referrals.service import sync_default_timescale

    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        await sync_defaults(session)
        await sync_default_ladder(session)
        await sync_default_timescale(session)


@cache
def head_revision() -> str | None:
    """The newest migration this code has."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def at_head(engine: AsyncEngine) -> bool:
    """Whether the database is migrated to this code's newest migration (False for an empty one)."""

    def current(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(current) == head_revision()
