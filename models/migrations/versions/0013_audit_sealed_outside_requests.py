"""The audit trail without a shared lock: requests only insert events; a trigger queues each one; the
sealer chains them into ``audit_seal`` with a keyed hash. The single ``audit_head`` row, which every request
locked, goes, and so do the unkeyed chain's columns: events recorded before this are queued, to be sealed
with the key like any other.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import models

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = "audit events are append-only"
GUARDED = ("audit_event", "audit_seal")


def upgrade() -> None:
    _drop_append_only("audit_event")
    op.create_table(
        "audit_queue",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("occurred_at", models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_audit_queue")),
    )
    op.create_index("ix_audit_queue_occurred", "audit_queue", ["occurred_at", "event_id"], unique=False)
    op.create_table(
        "audit_seal",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("key_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("sealed_at", models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_seal")),
        sa.UniqueConstraint("event_id", name=op.f("uq_audit_seal_event_id")),
    )
    # Everything recorded so far is sealed afresh, with the key, in the order it was chained before.
    op.execute(
        "INSERT INTO audit_queue (event_id, occurred_at) SELECT id, occurred_at FROM audit_event ORDER BY seq"
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_event_seq"), type_="unique")
        batch_op.drop_index("ix_audit_event_case_seq")
        batch_op.create_index("ix_audit_event_case_occurred", ["case_id", "occurred_at", "id"], unique=False)
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
    op.drop_table("audit_head")
    for table in GUARDED:
        _create_append_only(table)
    _create_queueing()


def _drop_append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
    else:
        op.execute(f"DROP TRIGGER {table}_no_update")
        op.execute(f"DROP TRIGGER {table}_no_delete")


def _create_append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )


def _create_queueing() -> None:
    """Each new event joins the queue in the same statement that inserts it, so a request makes one INSERT
    however many events it records (PostgreSQL: once per statement, from its transition table)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION audit_event_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO audit_queue (event_id, occurred_at) SELECT id, occurred_at FROM new_events;
                RETURN NULL;
            END $$
            """
        )
        op.execute(
            "CREATE TRIGGER audit_event_enqueue AFTER INSERT ON audit_event "
            "REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION audit_event_enqueue()"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_event_enqueue AFTER INSERT ON audit_event BEGIN "
            "INSERT INTO audit_queue (event_id, occurred_at) VALUES (NEW.id, NEW.occurred_at); END"
        )


def downgrade() -> None:
    raise NotImplementedError(
        "The keyed audit trail cannot be turned back into the unkeyed one without losing what the keys "
        "prove; restore a backup taken before this revision instead."
    )
