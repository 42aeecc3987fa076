"""The loops of the portal's background work (the outbox's sender, the clock, the audit sealer), in a web
process or a command of their own: each round of work, then a pause.

A round that fails because the database (or another dependency) cannot be used is one line in the log
with the cause, and the rounds after it wait longer each time, up to five minutes, until one succeeds: an
outage must not fill the log with a traceback every few seconds. Any other failure is the portal's own,
logged in full; the next round comes as usual."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import sqlalchemy as sa

from portal.outage import outage

log = logging.getLogger("portal")
# The longest pause between rounds while they keep failing.
LONGEST_PAUSE_SECONDS = 300.0


async def repeat(name: str, work: Callable[[], Awaitable[object]], every: float) -> None:
    """Run ``work`` every ``every`` seconds, for ever; ``name`` says whose rounds they are in the log."""
    failing = 0
    while True:
        try:
            await work()
            failing = 0
        except Exception as error:
            if outage(error) is None and not isinstance(error, sa.exc.DBAPIError):
                log.exception("%s failed a round", name)
            else:
                failing += 1
                log.warning(
                    "%s cannot use the database (%s); trying again in %.0f s",
                    name,
                    (str(error).strip() or type(error).__name__).splitlines()[0],
                    pause(every, failing),
                )
        await asyncio.sleep(pause(every, failing))


def pause(every: float, failing: int) -> float:
    """How long to wait before the next round, after ``failing`` failed rounds in a row."""
    return min(every * float(2 ** min(failing, 16)), max(every, LONGEST_PAUSE_SECONDS))
