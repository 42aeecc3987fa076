"""Chain the audit trail: a sequence, the previous and own hash on every event, a head row, and triggers
that refuse UPDATE and DELETE.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 13:01:06.632784
"""

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models

GENESIS_HASH = "0" * 64

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = "audit events are append-only"


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    seq, head = _chain_existing_events()
    op.execute(
        sa.text("INSERT INTO audit_head (id, seq, hash) VALUES (1, :seq, :hash)").bindparams(
            seq=seq, hash=head
        )
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column(
            "prev_hash", existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False
        )
        batch_op.alter_column(
            "hash", existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False
        )
        batch_op.drop_index(batch_op.f("ix_audit_event_case_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_subject"))
        batch_op.create_index("ix_audit_event_case_seq", ["case_id", "seq"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_event_seq"), ["seq"])
    _create_triggers()


def _digest(row: Any, seq: int, prev_hash: str) -> str:
    """The unkeyed chain's hash of an event, as it was at this revision (0013 replaced it)."""
    fields = [
        seq,
        row.occurred_at.isoformat(timespec="microseconds"),
        str(row.person_id or ""),
        row.acting_as,
        row.action,
        row.subject_type,
        str(row.subject_id or ""),
        str(row.case_id or ""),
        row.outcome,
        row.channel,
        row.source,
        str(row.id),
        prev_hash,
    ]
    return hashlib.sha256(json.dumps(fields, separators=(",", ":")).encode()).hexdigest()


def _chain_existing_events() -> tuple[int, str]:
    """Events recorded before the chain existed are chained in the order they happened."""
    table = sa.table(
        "audit_event",
        *(
            sa.column(name)
            for name in (
                "person_id",
                "acting_as",
                "action",
                "subject_type",
                "subject_id",
                "case_id",
                "outcome",
                "channel",
                "source",
            )
        ),
        sa.column("id", sa.Uuid()),
        sa.column("occurred_at", models.UTCDateTime()),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(table).order_by(table.c.occurred_at, table.c.id)).all()
    seq, prev = 0, GENESIS_HASH
    for row in rows:
        seq += 1
        digest = _digest(row, seq, prev)
        bind.execute(
            sa.text(
                "UPDATE audit_event SET seq = :seq, prev_hash = :prev, hash = :hash WHERE id = :id"
            ).bindparams(sa.bindparam("id", type_=sa.Uuid())),
            {"seq": seq, "prev": prev, "hash": digest, "id": row.id},
        )
        prev = digest
    return seq, prev


def _create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$
            """
        )
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION audit_event_append_only()")
    else:
        op.execute("DROP TRIGGER audit_event_no_update")
        op.execute("DROP TRIGGER audit_event_no_delete")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_event_seq"), type_="unique")
        batch_op.drop_index("ix_audit_event_case_seq")
        batch_op.create_index(
            batch_op.f("ix_audit_event_subject"), ["subject_type", "subject_id", "occurred_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_event_case_id"), ["case_id"], unique=False)
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
    op.drop_table("audit_head")
