"""The sealer: takes queued audit events in order, chains them with the current key, and signs checkpoints.

It runs in each web process (every ``PORTAL_AUDIT_SEAL_EVERY_SECONDS``) and as ``portal audit seal``; one
seals at a time (an advisory lock on PostgreSQL, the single writer on SQLite) and the others skip their
round. Each batch is one transaction, so a sealer killed mid-batch leaves the queue as it was and the next
round carries on from the chain's head without a gap. The checkpoint follows the commit: a sealer killed in
between writes it on its next round.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import utcnow
from portal.audit import repository
from portal.audit.chain import digest
from portal.audit.checkpoints import Checkpoint, CheckpointStore, checkpoint_store
from portal.audit.keys import Keyring
from portal.background import repeat
from portal.settings import Settings

log = logging.getLogger("portal.audit")
BATCH = 1000


@dataclass(frozen=True)
class Sealed:
    events: int
    head: int
    checkpoint: Checkpoint | None


class Sealer:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        keyring: Keyring,
        store: CheckpointStore,
        *,
        checkpoint_every: float = 60,
        batch: int = BATCH,
    ) -> None:
        self._sessions = sessions
        self._keyring = keyring
        self._store = store
        self._checkpoint_every = checkpoint_every
        self._batch = batch
        self._checkpointed: int | None = None
        self._checkpointed_at = float("-inf")

    async def seal_batch(self) -> int:
        """Seal up to one batch of queued events in one transaction; how many were taken off the queue."""
        async with self._sessions() as session, session.begin():
            if not await repository.take_sealer_lock(session):
                return 0
            seq, prev = await repository.chain_head(session)
            taken = await repository.queued(session, self._batch)
            key, now = self._keyring.current, utcnow()
            seals = []
            for event_id, event in taken:
                if event is None:
                    log.warning("audit event %s was queued but is not in the trail", event_id)
                    continue
                seq += 1
                prev = digest(key, seq, prev, event)
                seals.append(
                    {"seq": seq, "event_id": event.id, "key_id": key.id, "hash": prev, "sealed_at": now}
                )
            await repository.add_seals(session, seals, [event_id for event_id, _ in taken])
        return len(taken)

    async def run_once(self, *, checkpoint: bool = False) -> Sealed:
        """Seal everything queued, then sign a checkpoint of the head if it moved since the last one and
        the interval has passed (or ``checkpoint`` asks for one now)."""
        sealed = 0
        while (taken := await self.seal_batch()) > 0:
            sealed += taken
            if taken < self._batch:
                break
        return Sealed(sealed, *await self._checkpoint(force=checkpoint))

    async def _checkpoint(self, *, force: bool) -> tuple[int, Checkpoint | None]:
        async with self._sessions() as session:
            seq, head = await repository.chain_head(session)
        if self._checkpointed is None:
            try:
                latest = await self._store.latest()
            except ValueError:
                log.error("the latest audit checkpoint in %s is not a checkpoint", self._store.describe())
                latest = None
            self._checkpointed = latest.seq if latest else 0
        due = force or time.monotonic() - self._checkpointed_at >= self._checkpoint_every
        if seq <= self._checkpointed or not due:
            return seq, None
        made = Checkpoint.sign(self._keyring.current, seq, head)
        await self._store.append(made)
        self._checkpointed, self._checkpointed_at = seq, time.monotonic()
        return seq, made


def sealer_for(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, *, batch: int = BATCH
) -> Sealer:
    return Sealer(
        sessions,
        settings.audit_keyring,
        checkpoint_store(settings),
        checkpoint_every=settings.audit_checkpoint_every_seconds,
        batch=batch,
    )


async def run_forever(sealer: Sealer, every: float) -> None:
    """The sealer's loop, for a web process's background task and for `portal audit seal --forever`."""
    await repeat("the audit sealer", sealer.run_once, every)
