"""API tokens remember the token they were made with, so that they never outlive it and are revoked with it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 09:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("made_with_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_api_token_made_with_id"), ["made_with_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_api_token_made_with_id_api_token"), "api_token", ["made_with_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_api_token_made_with_id_api_token"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_api_token_made_with_id"))
        batch_op.drop_column("made_with_id")
