"""The schema is built by the migrations, they agree with the models, and they upgrade a database that
already holds data."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

import models
from portal.audit.chain import verify
from portal.audit.sealer import sealer_for
from portal.db import create_engine, create_session_factory
from portal.migrations import alembic_config, upgrade
from portal.settings import Settings


def _differences(connection: sa.Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, models.metadata)


async def test_models_and_migrations_agree(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == []


async def test_the_schema_is_at_the_head_revision(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        version = (await connection.execute(sa.text("SELECT version_num FROM alembic_version"))).scalar_one()
    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()


@pytest.fixture
async def scratch(
    database_url: str, engine: AsyncEngine, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[AsyncEngine]:
    """An empty database beside the suite's own, on the same server."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        scratch = create_engine(f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('scratch') / 'scratch.db'}")
        yield scratch
        await scratch.dispose()
        return
    name = f"scratch_{uuid.uuid4().hex[:8]}"
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(sa.text(f"CREATE DATABASE {name}"))
    scratch = create_engine(url.set(database=name).render_as_string(hide_password=False))
    yield scratch
    await scratch.dispose()
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(sa.text(f"DROP DATABASE {name}"))


async def test_events_recorded_before_the_keyed_trail_are_sealed_with_the_key(
    scratch: AsyncEngine, settings: Settings
) -> None:
    await upgrade(scratch, "0001")
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    async with scratch.begin() as connection:
        for minutes, action in ((30, "case.read"), (0, "case.list"), (10, "contact.log")):
            await connection.execute(
                sa.text(
                    "INSERT INTO audit_event (id, occurred_at, acting_as, action, subject_type, outcome, "
                    "channel, source) VALUES (:id, :at, '', :action, 'case', 'success', 'web', '')"
                ).bindparams(
                    sa.bindparam("id", type_=sa.Uuid()), sa.bindparam("at", type_=models.UTCDateTime())
                ),
                {"id": uuid.uuid4(), "at": start + timedelta(minutes=minutes), "action": action},
            )
    # 0002 chained them without a key; the keyed trail takes them over in that order.
    await upgrade(scratch)
    sessions = create_session_factory(scratch)
    sealed = await sealer_for(sessions, settings).run_once(checkpoint=True)
    async with AsyncSession(scratch) as session:
        verdict = await verify(session, settings.audit_keyring, sealed.checkpoint)
        actions = await session.execute(
            sa.select(models.AuditEvent.action)
            .join(models.AuditSeal, models.AuditSeal.event_id == models.AuditEvent.id)
            .order_by(models.AuditSeal.seq)
        )
    assert verdict.clean, verdict.problem
    assert (verdict.rows, sealed.head) == (3, 3)
    assert [a for (a,) in actions] == ["case.list", "contact.log", "case.read"]


async def test_accounts_bound_before_0016_keep_working_and_it_goes_down_again(
    scratch: AsyncEngine, settings: Settings
) -> None:
    """Issue 13: 0016 keeps the accounts already bound (as bound by email) and forgets only the attempts
    (minutes of rate limiting); down again, an account named but never used gets a last sign-in."""
    await upgrade(scratch, "0015")
    org, person, identity = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    bound = datetime(2026, 11, 30, 9, tzinfo=UTC)
    at = sa.bindparam("at", type_=models.UTCDateTime())
    ids = {name: sa.bindparam(name, type_=sa.Uuid()) for name in ("org", "person", "identity")}
    async with scratch.begin() as connection:
        await connection.execute(
            sa.text(
                "INSERT INTO organisation (id, kind, name, created_at) VALUES (:org, 'cafcass_service_area', "
                "'Cafcass Riverside', :at)"
            ).bindparams(ids["org"], at),
            {"org": org, "at": bound},
        )
        await connection.execute(
            sa.text(
                "INSERT INTO person (id, organisation_id, name, email, active, email_preference, "
                "created_at) VALUES (:person, :org, 'Gina Guardian', 'gina@cafcass.example.gov.uk', true, "
                "'immediate', :at)"
            ).bindparams(ids["person"], ids["org"], at),
            {"person": person, "org": org, "at": bound},
        )
        await connection.execute(
            sa.text(
                "INSERT INTO person_identity (id, person_id, issuer, subject, bound_at, last_signed_in_at) "
                "VALUES (:identity, :person, 'https://issuer.example', 'gina-sub', :at, :at)"
            ).bindparams(ids["identity"], ids["person"], at),
            {"identity": identity, "person": person, "at": bound},
        )
        await connection.execute(
            sa.text(
                "INSERT INTO sign_in_attempt (id, source, attempted_at) "
                "VALUES (:identity, '198.51.100.7', :at)"
            ).bindparams(ids["identity"], at),
            {"identity": uuid.uuid4(), "at": bound},
        )
    await upgrade(scratch)
    async with AsyncSession(scratch) as session:
        [kept] = (await session.execute(sa.select(models.PersonIdentity))).scalars().all()
        assert (kept.id, kept.person_id, kept.subject, kept.bound_by, kept.last_signed_in_at) == (
            identity,
            person,
            "gina-sub",
            models.BoundBy.EMAIL,
            bound,
        )
        assert (
            await session.execute(sa.select(sa.func.count()).select_from(models.SignInAttempt))
        ).scalar_one() == 0
        session.add(
            models.PersonIdentity(
                person_id=person,
                issuer="https://other.example",
                subject="named",
                bound_by=models.BoundBy.ADMINISTRATOR,
            )
        )
        await session.commit()

    def down(connection: sa.Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0015")

    async with scratch.begin() as connection:
        await connection.run_sync(down)
        rows = (
            await connection.execute(
                sa.text("SELECT subject FROM person_identity WHERE last_signed_in_at IS NOT NULL")
            )
        ).all()
    assert sorted(r for (r,) in rows) == ["gina-sub", "named"]
    await upgrade(scratch)
