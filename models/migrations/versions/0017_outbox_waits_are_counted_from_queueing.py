"""Emails are retried for as long as they have waited since they were queued (written, or queued again with
`portal outbox retry`), not for a number of attempts.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 21:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("queued_at", models.base.UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE outbox_message SET queued_at = created_at")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.alter_column(
            "queued_at", existing_type=models.base.UTCDateTime(timezone=True), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("queued_at")
