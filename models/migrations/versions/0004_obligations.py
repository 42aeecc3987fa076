"""The protocol engine: versioned obligation rules, obligations and their history.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 13:40:38.936741
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "obligation_rule",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column(
            "owner",
            sa.Enum("guardian", "iro", "both", name="owner", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "trigger",
            sa.Enum(
                "guardian_allocated",
                "review_scheduled",
                "review_held",
                "paper_filed",
                "discussion_held",
                "significant_issue",
                "final_order",
                name="trigger",
                native_enum=False,
                length=26,
            ),
            nullable=False,
        ),
        sa.Column(
            "deadline_kind",
            sa.Enum("after", "before", name="deadlinekind", native_enum=False, length=14),
            nullable=False,
        ),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column(
            "evidence",
            sa.Enum(
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
                name="evidence",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("waivable_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("superseded_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "working_days BETWEEN 0 AND 100", name=op.f("ck_obligation_rule_working_days_0_to_100")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["person.id"], name=op.f("fk_obligation_rule_created_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_obligation_rule_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obligation_rule")),
        sa.UniqueConstraint("code", "organisation_id", "version", name="uq_obligation_rule_version"),
    )
    op.create_table(
        "obligation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("proceedings_id", sa.Uuid(), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=True),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("rule_id", sa.Uuid(), nullable=False),
        sa.Column("trigger_id", sa.Uuid(), nullable=True),
        sa.Column("owner_person_id", sa.Uuid(), nullable=True),
        sa.Column("partner_person_id", sa.Uuid(), nullable=True),
        sa.Column("opened_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "open",
                "met",
                "waived",
                "not_applicable",
                name="obligationstate",
                native_enum=False,
                length=22,
            ),
            nullable=False,
        ),
        sa.Column("closed_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("evidence_id", sa.Uuid(), nullable=True),
        sa.Column("closed_by_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"], name=op.f("fk_obligation_child_id_child")),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["person.id"], name=op.f("fk_obligation_closed_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["owner_person_id"], ["person.id"], name=op.f("fk_obligation_owner_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["partner_person_id"], ["person.id"], name=op.f("fk_obligation_partner_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["proceedings_id"], ["proceedings.id"], name=op.f("fk_obligation_proceedings_id_proceedings")
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["obligation_rule.id"], name=op.f("fk_obligation_rule_id_obligation_rule")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obligation")),
    )
    with op.batch_alter_table("obligation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_obligation_owner_state_due", ["owner_person_id", "state", "due_on"], unique=False
        )
        batch_op.create_index(
            "ix_obligation_partner_state_due", ["partner_person_id", "state", "due_on"], unique=False
        )
        batch_op.create_index("ix_obligation_proceedings_code", ["proceedings_id", "code"], unique=False)

    op.create_table(
        "obligation_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("obligation_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("occurred_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["obligation_id"], ["obligation.id"], name=op.f("fk_obligation_event_obligation_id_obligation")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_obligation_event_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obligation_event")),
    )
    with op.batch_alter_table("obligation_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_obligation_event_obligation_id"), ["obligation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("obligation_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_obligation_event_obligation_id"))

    op.drop_table("obligation_event")
    with op.batch_alter_table("obligation", schema=None) as batch_op:
        batch_op.drop_index("ix_obligation_proceedings_code")
        batch_op.drop_index("ix_obligation_partner_state_due")
        batch_op.drop_index("ix_obligation_owner_state_due")

    op.drop_table("obligation")
    op.drop_table("obligation_rule")
