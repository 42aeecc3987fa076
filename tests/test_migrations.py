"""The schema is built by the migrations, and they agree with the models."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine

import models


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
    assert version == "0001"
