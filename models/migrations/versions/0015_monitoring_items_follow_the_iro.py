"""Monitoring items follow the case's live IRO: the history of their moves.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 10:30:00.000000
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import models

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "monitoring_item_move",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("from_iro_id", sa.Uuid(), nullable=False),
        sa.Column("to_iro_id", sa.Uuid(), nullable=False),
        sa.Column("moved_at", models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("moved_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["from_iro_id"], ["person.id"], name=op.f("fk_monitoring_item_move_from_iro_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["monitoring_item.id"], name=op.f("fk_monitoring_item_move_item_id_monitoring_item")
        ),
        sa.ForeignKeyConstraint(
            ["moved_by_id"], ["person.id"], name=op.f("fk_monitoring_item_move_moved_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["to_iro_id"], ["person.id"], name=op.f("fk_monitoring_item_move_to_iro_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_item_move")),
    )
    op.create_index(
        op.f("ix_monitoring_item_move_item_id"), "monitoring_item_move", ["item_id"], unique=False
    )
    _move_items_left_with_former_iros()


def _move_items_left_with_former_iros() -> None:
    """Items left with an IRO who has since left the case go to the case's live IRO now."""
    bind = op.get_bind()
    item = sa.table(
        "monitoring_item",
        sa.column("id", sa.Uuid()),
        sa.column("proceedings_id", sa.Uuid()),
        sa.column("iro_id", sa.Uuid()),
        sa.column("done_at", models.UTCDateTime()),
    )
    membership = sa.table(
        "case_membership",
        sa.column("proceedings_id", sa.Uuid()),
        sa.column("person_id", sa.Uuid()),
        sa.column("role", sa.String()),
        sa.column("ended_at", models.UTCDateTime()),
    )
    move = sa.table(
        "monitoring_item_move",
        sa.column("id", sa.Uuid()),
        sa.column("item_id", sa.Uuid()),
        sa.column("from_iro_id", sa.Uuid()),
        sa.column("to_iro_id", sa.Uuid()),
        sa.column("moved_at", models.UTCDateTime()),
    )
    live: dict[uuid.UUID, set[uuid.UUID]] = {}
    for case_id, person_id in bind.execute(
        sa.select(membership.c.proceedings_id, membership.c.person_id).where(
            membership.c.role == "iro", membership.c.ended_at.is_(None)
        )
    ):
        live.setdefault(case_id, set()).add(person_id)
    now = datetime.now(UTC)
    for item_id, case_id, iro_id in bind.execute(
        sa.select(item.c.id, item.c.proceedings_id, item.c.iro_id).where(item.c.done_at.is_(None))
    ):
        iros = live.get(case_id, set())
        if iros and iro_id not in iros:
            to = min(iros)
            bind.execute(
                sa.insert(move).values(
                    id=uuid.uuid4(), item_id=item_id, from_iro_id=iro_id, to_iro_id=to, moved_at=now
                )
            )
            bind.execute(sa.update(item).where(item.c.id == item_id).values(iro_id=to))


def downgrade() -> None:
    op.drop_index(op.f("ix_monitoring_item_move_item_id"), table_name="monitoring_item_move")
    op.drop_table("monitoring_item_move")
