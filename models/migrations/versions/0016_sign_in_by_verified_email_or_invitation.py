"""Sign-in binds an account by a verified email address or by the subject an administrator named; attempts
are counted against an address or an account.

An account an administrator names has not signed in yet, so its last sign-in may be empty; every account
says how it was bound (those bound before are "email"). Sign-in attempts are only the last minutes' rate
limiting, so their table is made anew rather than converted.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models.base

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person_identity", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "bound_by",
                sa.Enum("email", "administrator", name="boundby", native_enum=False, length=21),
                nullable=False,
                server_default="email",
            )
        )
        batch_op.alter_column(
            "last_signed_in_at", existing_type=models.base.UTCDateTime(timezone=True), nullable=True
        )

    with op.batch_alter_table("sign_in_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_attempt_source_at")
    op.drop_table("sign_in_attempt")
    op.create_table(
        "sign_in_attempt",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "counted",
            sa.Enum("address", "account", name="counted", native_enum=False, length=15),
            nullable=False,
        ),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("attempted_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempt")),
    )
    with op.batch_alter_table("sign_in_attempt", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sign_in_attempt_counted_key_at", ["counted", "key", "attempted_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sign_in_attempt_attempted_at"), ["attempted_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sign_in_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_attempt_attempted_at"))
        batch_op.drop_index("ix_sign_in_attempt_counted_key_at")
    op.drop_table("sign_in_attempt")
    op.create_table(
        "sign_in_attempt",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("attempted_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempt")),
    )
    with op.batch_alter_table("sign_in_attempt", schema=None) as batch_op:
        batch_op.create_index("ix_sign_in_attempt_source_at", ["source", "attempted_at"], unique=False)

    op.execute("UPDATE person_identity SET last_signed_in_at = bound_at WHERE last_signed_in_at IS NULL")
    with op.batch_alter_table("person_identity", schema=None) as batch_op:
        batch_op.alter_column(
            "last_signed_in_at", existing_type=models.base.UTCDateTime(timezone=True), nullable=False
        )
        batch_op.drop_column("bound_by")
