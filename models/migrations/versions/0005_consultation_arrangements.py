"""Consultation arrangements (P3): how guardian and IRO agreed to keep in touch.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 14:01:23.607004
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consultation_arrangement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("proceedings_id", sa.Uuid(), nullable=False),
        sa.Column("guardian_id", sa.Uuid(), nullable=False),
        sa.Column("iro_id", sa.Uuid(), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=False),
        sa.Column("every_weeks", sa.Integer(), nullable=True),
        sa.Column("on_events", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("replaced_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["guardian_id"], ["person.id"], name=op.f("fk_consultation_arrangement_guardian_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["iro_id"], ["person.id"], name=op.f("fk_consultation_arrangement_iro_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["proceedings_id"],
            ["proceedings.id"],
            name=op.f("fk_consultation_arrangement_proceedings_id_proceedings"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["person.id"], name=op.f("fk_consultation_arrangement_recorded_by_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_arrangement")),
    )
    with op.batch_alter_table("consultation_arrangement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_arrangement_proceedings_id"), ["proceedings_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("consultation_arrangement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_arrangement_proceedings_id"))

    op.drop_table("consultation_arrangement")
