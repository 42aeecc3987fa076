"""Retention: each local authority's rule for keeping concluded cases, legal holds, and the record of each
case the clock deleted. A submitted handover may now be deleted, but only with its whole case, by the clock:
the database allows it only once the case's deletion is recorded in the same transaction.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 23:44:05.531485
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models.base

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FROZEN = "a submitted handover cannot be changed"
CHECK_NAME = "ck_organisation_keep_concluded_years_1_to_100"
CHECK = (
    "keep_concluded_years IS NULL OR (kind = 'local_authority' AND keep_concluded_years BETWEEN 1 AND 100)"
)
DELETING = "EXISTS (SELECT 1 FROM deleted_case d WHERE d.proceedings_id = OLD.proceedings_id)"


def upgrade() -> None:
    op.create_table(
        "deleted_case",
        sa.Column("proceedings_id", sa.Uuid(), nullable=False),
        sa.Column("local_authority_id", sa.Uuid(), nullable=False),
        sa.Column("concluded_on", sa.Date(), nullable=False),
        sa.Column("kept_until", sa.Date(), nullable=False),
        sa.Column("deleted_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["local_authority_id"],
            ["organisation.id"],
            name=op.f("fk_deleted_case_local_authority_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("proceedings_id", name=op.f("pk_deleted_case")),
    )
    with op.batch_alter_table("deleted_case", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deleted_case_local_authority", ["local_authority_id", "deleted_at"], unique=False
        )

    op.create_table(
        "legal_hold",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("proceedings_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("placed_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("placed_by_id", sa.Uuid(), nullable=False),
        sa.Column("lifted_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lifted_by_id", sa.Uuid(), nullable=True),
        sa.Column("lift_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["lifted_by_id"], ["person.id"], name=op.f("fk_legal_hold_lifted_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["placed_by_id"], ["person.id"], name=op.f("fk_legal_hold_placed_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["proceedings_id"], ["proceedings.id"], name=op.f("fk_legal_hold_proceedings_id_proceedings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_hold")),
    )
    with op.batch_alter_table("legal_hold", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_legal_hold_proceedings_id"), ["proceedings_id"], unique=False)

    # Added in place: SQLite would rebuild the table for a CHECK, and a rebuild of a table others refer to
    # fails their foreign keys. The service checks the range on both (portal/retention/service.py).
    op.add_column("organisation", sa.Column("keep_concluded_years", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.create_check_constraint(op.f(CHECK_NAME), "organisation", CHECK)
    _replace_delete_trigger(allow_with_case=True)


def _replace_delete_trigger(*, allow_with_case: bool) -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.execute("DROP TRIGGER handover_not_deleted" + (" ON handover" if postgresql else ""))
    if postgresql:
        if allow_with_case:
            op.execute(
                f"""
                CREATE FUNCTION handover_not_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF {DELETING} THEN RETURN OLD; END IF;
                    RAISE EXCEPTION '{FROZEN}';
                END $$
                """
            )
        else:
            op.execute("DROP FUNCTION handover_not_deleted()")
        function = "handover_not_deleted" if allow_with_case else "handover_frozen"
        op.execute(
            "CREATE TRIGGER handover_not_deleted BEFORE DELETE ON handover "
            f"FOR EACH ROW WHEN (OLD.state <> 'draft') EXECUTE FUNCTION {function}()"
        )
    else:
        unless = f" AND NOT {DELETING}" if allow_with_case else ""
        op.execute(
            "CREATE TRIGGER handover_not_deleted BEFORE DELETE ON handover "
            f"WHEN OLD.state <> 'draft'{unless} BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END"
        )


def downgrade() -> None:
    _replace_delete_trigger(allow_with_case=False)
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f(CHECK_NAME), "organisation", type_="check")
    op.execute("ALTER TABLE organisation DROP COLUMN keep_concluded_years")

    with op.batch_alter_table("legal_hold", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legal_hold_proceedings_id"))
    op.drop_table("legal_hold")
    with op.batch_alter_table("deleted_case", schema=None) as batch_op:
        batch_op.drop_index("ix_deleted_case_local_authority")
    op.drop_table("deleted_case")
