"""IRO workloads as IRO managers count them, and conflicts of interest (issue 19): each IRO's profile (full-time
equivalence, employment, every looked-after child they hold, those in sibling groups and placed out of area),
the child-protection conferences they chaired each month, the authority's weightings, and conflicts of
interest between an IRO and a child. The case's view versions follow the conflicts, which name their case;
the other tables are no case's (tests/test_reuse.py NOT_READ).

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 17:35:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base
from models.version_triggers import Follow, create, drop

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLLOW = Follow(case_rows=["conflict_of_interest"])


def upgrade() -> None:
    op.create_table(
        "iro_profile",
        sa.Column("iro_id", sa.Uuid(), nullable=False),
        sa.Column("fte_hundredths", sa.Integer(), nullable=False),
        sa.Column(
            "employment",
            sa.Enum("direct", "sessional", "agency", name="employment", native_enum=False, length=17),
            nullable=False,
        ),
        sa.Column("children_held", sa.Integer(), nullable=False),
        sa.Column("sibling_group_children", sa.Integer(), nullable=False),
        sa.Column("out_of_area_children", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["iro_id"], ["person.id"], name=op.f("fk_iro_profile_iro_id_person")),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["person.id"], name=op.f("fk_iro_profile_updated_by_id_person")
        ),
        sa.PrimaryKeyConstraint("iro_id", name=op.f("pk_iro_profile")),
    )
    op.create_table(
        "conferences_chaired",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("iro_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("conferences", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["iro_id"], ["person.id"], name=op.f("fk_conferences_chaired_iro_id_person")),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["person.id"], name=op.f("fk_conferences_chaired_recorded_by_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conferences_chaired")),
        sa.UniqueConstraint("iro_id", "month", name="uq_conferences_chaired_iro_month"),
    )
    op.create_table(
        "workload_weighting",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("sibling_group_hundredths", sa.Integer(), nullable=False),
        sa.Column("in_proceedings_hundredths", sa.Integer(), nullable=False),
        sa.Column("out_of_area_hundredths", sa.Integer(), nullable=False),
        sa.Column("conference_hundredths", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_workload_weighting_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["person.id"], name=op.f("fk_workload_weighting_updated_by_id_person")
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_workload_weighting")),
    )
    op.create_table(
        "conflict_of_interest",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("proceedings_id", sa.Uuid(), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=False),
        sa.Column("iro_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "fostering_reviewer",
                "childs_social_worker",
                "social_workers_manager",
                "other",
                name="conflictkind",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_by_id", sa.Uuid(), nullable=True),
        sa.Column("acknowledged_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Uuid(), nullable=True),
        sa.Column("withdrawn_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["person.id"],
            name=op.f("fk_conflict_of_interest_acknowledged_by_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["child_id"], ["child.id"], name=op.f("fk_conflict_of_interest_child_id_child")
        ),
        sa.ForeignKeyConstraint(
            ["iro_id"], ["person.id"], name=op.f("fk_conflict_of_interest_iro_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["proceedings_id"],
            ["proceedings.id"],
            name=op.f("fk_conflict_of_interest_proceedings_id_proceedings"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["person.id"], name=op.f("fk_conflict_of_interest_recorded_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"], ["person.id"], name=op.f("fk_conflict_of_interest_withdrawn_by_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflict_of_interest")),
    )
    with op.batch_alter_table("conflict_of_interest", schema=None) as batch_op:
        batch_op.create_index("ix_conflict_of_interest_iro_child", ["iro_id", "child_id"], unique=False)
        batch_op.create_index("ix_conflict_of_interest_proceedings", ["proceedings_id"], unique=False)
    for statement in create(FOLLOW, op.get_bind().dialect.name == "postgresql"):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop(FOLLOW, op.get_bind().dialect.name == "postgresql"):
        op.execute(statement)
    with op.batch_alter_table("conflict_of_interest", schema=None) as batch_op:
        batch_op.drop_index("ix_conflict_of_interest_proceedings")
        batch_op.drop_index("ix_conflict_of_interest_iro_child")
    op.drop_table("conflict_of_interest")
    op.drop_table("workload_weighting")
    op.drop_table("conferences_chaired")
    op.drop_table("iro_profile")
