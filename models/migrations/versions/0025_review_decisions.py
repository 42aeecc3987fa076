"""A looked-after review's decisions as actions, each with an owner, a due date and a state, carried to the
next review; and the team manager's confirmation or dispute of them (issue 18). The case's view versions
follow the new rows: the decisions name their case, the check its review.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-08 09:12:40.118305
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models.base
from models.version_triggers import Follow, create, drop

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLLOW = Follow(case_rows=["review_decision"], through=[("review_decisions_check", "review_id", "review")])
# The rules' table is followed as part of the directory (0019): SQLite rebuilds the table to change a column,
# which drops its triggers, so they are made again after.
RULES = Follow(directory_rows=["obligation_rule"])

EVIDENCE = (
    "contact_from_guardian",
    "consultation_arrangement",
    "review_notice",
    "review_record_shared",
    "document_shared",
    "discussion_record",
    "significant_issue_notice",
    "pre_review_consultation",
    "final_care_plan_shared",
    "final_discussion",
    "handover_submitted",
    "handover_acknowledged",
    "review_held",
    "reply_marked",
)


def _evidence(*values: str) -> sa.Enum:
    return sa.Enum(*values, name="evidence", native_enum=False, length=max(map(len, values)) + 8)


def _evidence_column(was: sa.Enum, becomes: sa.Enum) -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if not postgresql:
        for statement in drop(RULES, postgresql):
            op.execute(statement)
    with op.batch_alter_table("obligation_rule", schema=None) as batch_op:
        batch_op.alter_column("evidence", existing_type=was, type_=becomes, existing_nullable=False)
    if not postgresql:
        for statement in create(RULES, postgresql):
            op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "review_decision",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("proceedings_id", sa.Uuid(), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "open",
                "done",
                "carried_forward",
                "dropped",
                name="decisionstate",
                native_enum=False,
                length=23,
            ),
            nullable=False,
        ),
        sa.Column("carried_from_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Uuid(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["carried_from_id"],
            ["review_decision.id"],
            name=op.f("fk_review_decision_carried_from_id_review_decision"),
        ),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"], name=op.f("fk_review_decision_child_id_child")),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["person.id"], name=op.f("fk_review_decision_closed_by_id_person")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["person.id"], name=op.f("fk_review_decision_owner_id_person")),
        sa.ForeignKeyConstraint(
            ["proceedings_id"], ["proceedings.id"], name=op.f("fk_review_decision_proceedings_id_proceedings")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["person.id"], name=op.f("fk_review_decision_recorded_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["review.id"], name=op.f("fk_review_decision_review_id_review")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_decision")),
    )
    with op.batch_alter_table("review_decision", schema=None) as batch_op:
        batch_op.create_index("ix_review_decision_child_state", ["child_id", "state"], unique=False)
        batch_op.create_index("ix_review_decision_owner_state", ["owner_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_decision_review_id"), ["review_id"], unique=False)

    op.create_table(
        "review_decisions_check",
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("manager_id", sa.Uuid(), nullable=True),
        sa.Column(
            "response",
            sa.Enum("confirmed", "disputed", name="managerresponse", native_enum=False, length=17),
            nullable=True,
        ),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("responded_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["person.id"], name=op.f("fk_review_decisions_check_recorded_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["person.id"], name=op.f("fk_review_decisions_check_manager_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["review.id"], name=op.f("fk_review_decisions_check_review_id_review")
        ),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_review_decisions_check")),
    )
    with op.batch_alter_table("review_decisions_check", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_decisions_check_manager_id"), ["manager_id"], unique=False
        )
    # RD's evidence is the longest value yet: the column grows to hold it.
    _evidence_column(_evidence(*EVIDENCE), _evidence(*EVIDENCE, "review_decisions_recorded"))
    for statement in create(FOLLOW, op.get_bind().dialect.name == "postgresql"):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop(FOLLOW, op.get_bind().dialect.name == "postgresql"):
        op.execute(statement)
    _evidence_column(_evidence(*EVIDENCE, "review_decisions_recorded"), _evidence(*EVIDENCE))
    with op.batch_alter_table("review_decisions_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_decisions_check_manager_id"))
    op.drop_table("review_decisions_check")
    with op.batch_alter_table("review_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_decision_review_id"))
        batch_op.drop_index("ix_review_decision_owner_state")
        batch_op.drop_index("ix_review_decision_child_state")
    op.drop_table("review_decision")
