"""View versions: a counter per case, and one for the directory, moved by triggers in the transaction of
every write to a table a case's views read, so that a view's answer can be served again while its case and
the directory stand at the versions it was computed at (portal/reuse).

Each table is named here as it stands at this revision: a table added later that a view reads needs its
triggers in the migration that adds it (models/version_triggers.py writes them; tests/test_reuse.py fails
until it has them).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 00:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.version_triggers import Follow, create, drop

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Rows that name their case.
CASE_ROWS = [
    "case_membership",
    "closure",
    "consultation_arrangement",
    "contact",
    "court_paper",
    "discussion",
    "extension",
    "final_order",
    "forwarding_confirmation",
    "handover",
    "legal_hold",
    "monitoring_item",
    "obligation",
    "paper_version",
    "proceedings_child",
    "raised_issue",
    "review",
    "stage_change",
    "upload",
]
# Rows that name their case through the row they belong to: (table, its column, the table it names).
THROUGH = [
    ("agreed_action", "discussion_id", "discussion"),
    ("contact_chase", "contact_id", "contact"),
    ("contact_reply", "contact_id", "contact"),
    ("monitoring_item_move", "item_id", "monitoring_item"),
    ("obligation_event", "obligation_id", "obligation"),
    ("paper_share", "version_id", "paper_version"),
]
# Rows of a child: every case of the child moves.
CHILD_ROWS = [("child", "id"), ("legal_status_entry", "child_id")]
DIRECTORY_ROWS = ["organisation", "obligation_rule", "person", "person_role", "team"]
FOLLOW = Follow(
    case_rows=CASE_ROWS,
    through=THROUGH,
    child_rows=CHILD_ROWS,
    directory_rows=DIRECTORY_ROWS,
    proceedings=True,
)


def upgrade() -> None:
    op.create_table(
        "view_version",
        sa.Column("scope", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_view_version")),
    )
    for statement in create(FOLLOW, op.get_bind().dialect.name == "postgresql"):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop(FOLLOW, op.get_bind().dialect.name == "postgresql"):
        op.execute(statement)
    op.drop_table("view_version")
