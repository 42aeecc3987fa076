"""What the IRO writes to a looked-after child (issue 19): their introduction at allocation (how they
explained their role, the way of keeping in touch agreed with the child), and a plain-language summary of what
was decided when a disagreement about the child's plan was resolved. The case's view versions follow both,
which name their case.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 17:35:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base
from models.version_triggers import Follow, create, drop

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLLOW = Follow(case_rows=["iro_introduction", "child_summary"])


def _letter_to() -> sa.Enum:
    return sa.Enum("child", "carer", name="letterto", native_enum=False, length=13)


def upgrade() -> None:
    op.create_table(
        "iro_introduction",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("proceedings_id", sa.Uuid(), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=False),
        sa.Column("iro_id", sa.Uuid(), nullable=False),
        sa.Column("explained_on", sa.Date(), nullable=False),
        sa.Column(
            "explained_how",
            sa.Enum(
                "met_alone",
                "met_with_carer",
                "video_call",
                "phone_call",
                "through_carer",
                name="explainedhow",
                native_enum=False,
                length=22,
            ),
            nullable=False,
        ),
        sa.Column("keeping_in_touch", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("advocacy_explained", sa.Boolean(), nullable=False),
        sa.Column("letter_to", _letter_to(), nullable=False),
        sa.Column("carer_name", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"], name=op.f("fk_iro_introduction_child_id_child")),
        sa.ForeignKeyConstraint(["iro_id"], ["person.id"], name=op.f("fk_iro_introduction_iro_id_person")),
        sa.ForeignKeyConstraint(
            ["proceedings_id"],
            ["proceedings.id"],
            name=op.f("fk_iro_introduction_proceedings_id_proceedings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_iro_introduction")),
        sa.UniqueConstraint("proceedings_id", "child_id", "iro_id", name="uq_iro_introduction_child_iro"),
    )
    op.create_table(
        "child_summary",
        sa.Column("dispute_id", sa.Uuid(), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=False),
        sa.Column("proceedings_id", sa.Uuid(), nullable=False),
        sa.Column("decided", sa.Text(), nullable=False),
        sa.Column("views_counted", sa.Text(), nullable=False),
        sa.Column("letter_to", _letter_to(), nullable=False),
        sa.Column("carer_name", sa.String(length=200), nullable=False),
        sa.Column("written_by_id", sa.Uuid(), nullable=False),
        sa.Column("written_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"], name=op.f("fk_child_summary_child_id_child")),
        sa.ForeignKeyConstraint(
            ["dispute_id"], ["dispute.id"], name=op.f("fk_child_summary_dispute_id_dispute")
        ),
        sa.ForeignKeyConstraint(
            ["proceedings_id"], ["proceedings.id"], name=op.f("fk_child_summary_proceedings_id_proceedings")
        ),
        sa.ForeignKeyConstraint(
            ["written_by_id"], ["person.id"], name=op.f("fk_child_summary_written_by_id_person")
        ),
        sa.PrimaryKeyConstraint("dispute_id", "child_id", name=op.f("pk_child_summary")),
    )
    for statement in create(FOLLOW, op.get_bind().dialect.name == "postgresql"):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop(FOLLOW, op.get_bind().dialect.name == "postgresql"):
        op.execute(statement)
    op.drop_table("child_summary")
    op.drop_table("iro_introduction")
