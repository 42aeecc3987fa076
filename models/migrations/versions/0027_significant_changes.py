"""A significant change in a looked-after child's circumstances, notified to the child's IRO, and the IRO's
response: an additional review booked for it (CPPCR 2010 reg 33(3)), or no review needed, with the reason
(issue 18, SC). The case's view versions follow the new rows, which name their case.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-08 10:02:31.402117
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base
from models.version_triggers import Follow, create, drop

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLLOW = Follow(case_rows=["significant_change"])


def upgrade() -> None:
    op.create_table(
        "significant_change",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("proceedings_id", sa.Uuid(), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "placement_move",
                "placement_ended",
                "care_plan",
                "legal_status",
                "education",
                "health",
                "other",
                name="changekind",
                native_enum=False,
                length=23,
            ),
            nullable=False,
        ),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("notified_by_id", sa.Uuid(), nullable=False),
        sa.Column("notified_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "response",
            sa.Enum("review_booked", "no_review", name="changeresponse", native_enum=False, length=21),
            nullable=True,
        ),
        sa.Column("response_reason", sa.Text(), nullable=False),
        sa.Column("review_id", sa.Uuid(), nullable=True),
        sa.Column("responded_by_id", sa.Uuid(), nullable=True),
        sa.Column("responded_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"], ["child.id"], name=op.f("fk_significant_change_child_id_child")
        ),
        sa.ForeignKeyConstraint(
            ["notified_by_id"], ["person.id"], name=op.f("fk_significant_change_notified_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["proceedings_id"],
            ["proceedings.id"],
            name=op.f("fk_significant_change_proceedings_id_proceedings"),
        ),
        sa.ForeignKeyConstraint(
            ["responded_by_id"], ["person.id"], name=op.f("fk_significant_change_responded_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["review.id"], name=op.f("fk_significant_change_review_id_review")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_significant_change")),
    )
    with op.batch_alter_table("significant_change", schema=None) as batch_op:
        batch_op.create_index(
            "ix_significant_change_proceedings_child", ["proceedings_id", "child_id"], unique=False
        )
    for statement in create(FOLLOW, op.get_bind().dialect.name == "postgresql"):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop(FOLLOW, op.get_bind().dialect.name == "postgresql"):
        op.execute(statement)
    with op.batch_alter_table("significant_change", schema=None) as batch_op:
        batch_op.drop_index("ix_significant_change_proceedings_child")
    op.drop_table("significant_change")
