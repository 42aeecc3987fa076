"""The child's participation in each looked-after review and their wishes and feelings, recorded by the
child's IRO (issue 18): what the child said may be private to their IRO. The case's view versions follow the
new rows, through their review.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 11:31:09.575785
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models.base
from models.version_triggers import Follow, create, drop

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLLOW = Follow(through=[("review_participation", "review_id", "review")])


def upgrade() -> None:
    op.create_table(
        "review_participation",
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column(
            "attendance",
            sa.Enum(
                "attended",
                "attended_part",
                "views_conveyed",
                "views_not_conveyed",
                name="childattendance",
                native_enum=False,
                length=26,
            ),
            nullable=False,
        ),
        sa.Column(
            "views_conveyed",
            sa.Enum(
                "at_the_review",
                "to_the_iro_before",
                "advocate",
                "written",
                "social_worker",
                "carer",
                "observation",
                "other",
                name="viewsconveyed",
                native_enum=False,
                length=25,
            ),
            nullable=True,
        ),
        sa.Column("conveyed_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("wishes_and_feelings", sa.Text(), nullable=False),
        sa.Column("private", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["person.id"], name=op.f("fk_review_participation_recorded_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["review.id"], name=op.f("fk_review_participation_review_id_review")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["person.id"], name=op.f("fk_review_participation_updated_by_id_person")
        ),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_review_participation")),
    )
    for statement in create(FOLLOW, op.get_bind().dialect.name == "postgresql"):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop(FOLLOW, op.get_bind().dialect.name == "postgresql"):
        op.execute(statement)
    op.drop_table("review_participation")
