"""The keyed hash chain over the audit trail, and its verification against the latest checkpoint.

Seal ``n`` carries HMAC-SHA256, under the key it names, of its position, that key's id, seal ``n - 1``'s
hash and every field of its event. Without the key nobody can make a chain that verifies, so rewriting
events (and re-chaining them) is reported; the checkpoints kept outside the database pin the head, so
cutting the chain short is reported too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models import GENESIS_HASH, AuditEvent, AuditSeal, utcnow
from portal.audit import repository
from portal.audit.checkpoints import Checkpoint
from portal.audit.keys import Key, Keyring

PURPOSE = b"audit chain"
VERIFY_BATCH = 5000
# Events waiting longer than this to be sealed mean no sealer is running.
STALE_QUEUE = timedelta(minutes=10)


def digest(key: Key, seq: int, prev_hash: str, event: AuditEvent) -> str:
    """The seal's hash: its position, key and predecessor, and every field of the event in a fixed order."""
    fields = [
        seq,
        key.id,
        prev_hash,
        str(event.id),
        event.occurred_at.isoformat(timespec="microseconds"),
        str(event.person_id or ""),
        event.acting_as,
        event.action,
        event.subject_type,
        str(event.subject_id or ""),
        str(event.case_id or ""),
        event.outcome.value,
        event.channel,
        event.source,
    ]
    return key.mac(PURPOSE, json.dumps(fields, separators=(",", ":")).encode())


@dataclass(frozen=True)
class Verdict:
    # Events sealed and verified.
    rows: int
    # The first problem found, naming the row; None when everything verifies.
    problem: str | None = None
    # The checkpoint the chain was checked against, if there is one.
    checkpoint: Checkpoint | None = None
    # What an operator should know that is not a break in the trail (a sealer not running, no checkpoint).
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return self.problem is None


def _fault(keyring: Keyring, seal: AuditSeal, event: AuditEvent | None, seq: int, prev: str) -> str | None:
    """What is wrong with ``seal`` if it should be row ``seq``, following a row whose hash is ``prev``."""
    if seal.seq != seq:
        return f"row {seq} is missing: row {seal.seq} follows row {seq - 1}"
    if event is None:
        return f"row {seq} has lost its event (id {seal.event_id}): it has been deleted"
    key = keyring.get(seal.key_id)
    if key is None:
        return f"row {seq} names the key {seal.key_id!r}, which is not in the keyring"
    if seal.hash != digest(key, seq, prev, event):
        return f"row {seq} (event {event.id}) has been altered: it does not match its keyed hash"
    return None


async def verify(session: AsyncSession, keyring: Keyring, checkpoint: Checkpoint | None) -> Verdict:
    """Walk the whole chain in order, a batch at a time, recomputing every keyed hash; then check the chain
    against ``checkpoint`` (the latest), and that no event escaped sealing."""
    seq, prev, at_checkpoint = 1, GENESIS_HASH, None
    while True:
        batch = await repository.seals_from(session, seq, VERIFY_BATCH)
        for seal, event in batch:
            if fault := _fault(keyring, seal, event, seq, prev):
                return Verdict(seq - 1, fault, checkpoint)
            if checkpoint is not None and seq == checkpoint.seq:
                at_checkpoint = seal.hash
            seq, prev = seq + 1, seal.hash
        session.expunge_all()
        if len(batch) < VERIFY_BATCH:
            break
    rows, notes = seq - 1, []
    if checkpoint is None:
        if rows:
            notes.append("There is no checkpoint yet, so the last rows could be removed unnoticed.")
    elif not checkpoint.signed_by(keyring):
        return Verdict(
            rows, f"the checkpoint at row {checkpoint.seq} is not signed by a key of the keyring", checkpoint
        )
    elif checkpoint.seq > rows:
        return Verdict(
            rows,
            f"the chain ends at row {rows} but the checkpoint of {checkpoint.at:%Y-%m-%d %H:%M:%S} UTC "
            f"records row {checkpoint.seq}: rows {rows + 1} to {checkpoint.seq} have been removed",
            checkpoint,
        )
    elif at_checkpoint != checkpoint.hash:
        return Verdict(rows, f"row {checkpoint.seq} does not match the checkpoint signed for it", checkpoint)
    if stray := await repository.unaccounted_events(session, 1):
        return Verdict(
            rows,
            f"the event {stray[0].id} ({stray[0].action}, {stray[0].occurred_at:%Y-%m-%d %H:%M:%S} UTC) was "
            "neither sealed nor queued for sealing: it was put there behind the trail's back",
            checkpoint,
        )
    waiting, oldest = await repository.backlog(session)
    if oldest is not None and utcnow() - oldest > STALE_QUEUE:
        notes.append(
            f"{waiting} events wait to be sealed, the oldest since {oldest:%Y-%m-%d %H:%M} UTC: "
            "is the sealer running (in the web processes, or `portal audit seal`)?"
        )
    elif waiting:
        notes.append(f"{waiting} recent events wait to be sealed.")
    return Verdict(rows, None, checkpoint, notes)
