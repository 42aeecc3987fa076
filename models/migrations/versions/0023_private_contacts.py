"""A contact can be marked private to the guardian and the IRO (issue 18): everyone else on the case sees
that it happened, not what was said.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 09:50:03.811296
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Not in a batch: on SQLite a batch would rebuild the table, which the view-version triggers of the
    # tables that follow contact (0019) refer to; adding a column needs no rebuild on either database.
    op.add_column("contact", sa.Column("private", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    op.execute("ALTER TABLE contact DROP COLUMN private")
