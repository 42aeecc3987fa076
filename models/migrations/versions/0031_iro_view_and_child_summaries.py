"""The IRO's view before the court (issue 19): whether each of the guardian's analyses cites the IRO's view of
the care plan, as the guardian records it (RESEARCH-NOTES.md §1.7, §5.2). The case's view versions follow the
new rows, which name their case.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 17:35:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models.base
from models.version_triggers import Follow, create, drop

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLLOW = Follow(case_rows=["iro_view_citation"])


def upgrade() -> None:
    op.create_table(
        "iro_view_citation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("proceedings_id", sa.Uuid(), nullable=False),
        sa.Column("paper_id", sa.Uuid(), nullable=False),
        sa.Column("cites", sa.Boolean(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["court_paper.id"], name=op.f("fk_iro_view_citation_paper_id_court_paper")
        ),
        sa.ForeignKeyConstraint(
            ["proceedings_id"],
            ["proceedings.id"],
            name=op.f("fk_iro_view_citation_proceedings_id_proceedings"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["person.id"], name=op.f("fk_iro_view_citation_recorded_by_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_iro_view_citation")),
        sa.UniqueConstraint("paper_id", name="uq_iro_view_citation_paper"),
    )
    with op.batch_alter_table("iro_view_citation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_iro_view_citation_proceedings_id"), ["proceedings_id"], unique=False
        )
    for statement in create(FOLLOW, op.get_bind().dialect.name == "postgresql"):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop(FOLLOW, op.get_bind().dialect.name == "postgresql"):
        op.execute(statement)
    with op.batch_alter_table("iro_view_citation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_iro_view_citation_proceedings_id"))
    op.drop_table("iro_view_citation")
