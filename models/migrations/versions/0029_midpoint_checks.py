"""The IRO's midpoint checks between a looked-after child's reviews (issue 19): the day, whether the file was
read, the contact with the social worker, the outcome and a note. The case's view versions follow the new
rows, which name their case.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 17:35:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base
from models.version_triggers import Follow, create, drop

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLLOW = Follow(case_rows=["midpoint_check"])


def upgrade() -> None:
    op.create_table(
        "midpoint_check",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("proceedings_id", sa.Uuid(), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("file_read", sa.Boolean(), nullable=False),
        sa.Column(
            "social_worker_contact",
            sa.Enum(
                "none",
                "conversation",
                "email",
                "meeting",
                name="socialworkercontact",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "outcome",
            sa.Enum(
                "on_track",
                "raised_with_social_worker",
                "raised_with_team_manager",
                "additional_review_needed",
                name="midpointoutcome",
                native_enum=False,
                length=33,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"], name=op.f("fk_midpoint_check_child_id_child")),
        sa.ForeignKeyConstraint(
            ["proceedings_id"], ["proceedings.id"], name=op.f("fk_midpoint_check_proceedings_id_proceedings")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["person.id"], name=op.f("fk_midpoint_check_recorded_by_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_midpoint_check")),
    )
    with op.batch_alter_table("midpoint_check", schema=None) as batch_op:
        batch_op.create_index("ix_midpoint_check_child_done", ["child_id", "done_on"], unique=False)
        batch_op.create_index(
            "ix_midpoint_check_proceedings_child", ["proceedings_id", "child_id"], unique=False
        )
    for statement in create(FOLLOW, op.get_bind().dialect.name == "postgresql"):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop(FOLLOW, op.get_bind().dialect.name == "postgresql"):
        op.execute(statement)
    with op.batch_alter_table("midpoint_check", schema=None) as batch_op:
        batch_op.drop_index("ix_midpoint_check_proceedings_child")
        batch_op.drop_index("ix_midpoint_check_child_done")
    op.drop_table("midpoint_check")
