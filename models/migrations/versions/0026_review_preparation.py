"""The social worker's part before each review (SW1, SW2) and the information-gathering review's conditions
(issue 18): the dates the social worker consulted the IRO and the IRO had the papers, kept per review; a
review records that the child is settled in a long-term foster placement and agreed to one; a review held
before the proceedings came to the portal is recorded as such. The rules'
owner column grows to hold the social worker. The case's view versions follow the new rows, through their
review.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 14:09:57.774227
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base
from models.version_triggers import Follow, create, drop

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLLOW = Follow(through=[("review_preparation", "review_id", "review")])
# SQLite rebuilds the rules' table to change a column, which drops its triggers (0019): made again after.
RULES = Follow(directory_rows=["obligation_rule"])
OWNERS = ("guardian", "iro", "both")


def _owner(*values: str) -> sa.Enum:
    return sa.Enum(*values, name="owner", native_enum=False, length=max(map(len, values)) + 8)


def _owner_column(was: sa.Enum, becomes: sa.Enum) -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if not postgresql:
        for statement in drop(RULES, postgresql):
            op.execute(statement)
    with op.batch_alter_table("obligation_rule", schema=None) as batch_op:
        batch_op.alter_column("owner", existing_type=was, type_=becomes, existing_nullable=False)
    if not postgresql:
        for statement in create(RULES, postgresql):
            op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "review_preparation",
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("social_worker_consulted_on", sa.Date(), nullable=True),
        sa.Column("papers_received_on", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["person.id"], name=op.f("fk_review_preparation_recorded_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["review.id"], name=op.f("fk_review_preparation_review_id_review")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["person.id"], name=op.f("fk_review_preparation_updated_by_id_person")
        ),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_review_preparation")),
    )
    for statement in create(FOLLOW, op.get_bind().dialect.name == "postgresql"):
        op.execute(statement)
    _owner_column(_owner(*OWNERS), _owner(*OWNERS, "social_worker", "iro_manager"))
    op.add_column(
        "review",
        sa.Column("long_term_foster_settled", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    for column in ("child_agreed", "held_before_portal"):
        op.add_column("review", sa.Column(column, sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in drop(FOLLOW, postgresql):
        op.execute(statement)
    op.drop_table("review_preparation")
    _owner_column(_owner(*OWNERS, "social_worker", "iro_manager"), _owner(*OWNERS))
    # SQLite drops a column in place (3.35), keeping the review's triggers.
    op.drop_column("review", "held_before_portal")
    op.drop_column("review", "child_agreed")
    op.drop_column("review", "long_term_foster_settled")
