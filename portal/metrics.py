"""What a process tells Prometheus (``/metrics``, when ``PORTAL_METRICS_TOKEN`` is set): how long requests
take by operation and status, uploads in flight and when the clock last ticked, counted as they happen;
and, read as they are scraped, the database pool's use, the outbox's depth and its oldest waiting email's age,
and how far the audit sealer is behind.

Each process counts its own requests (a scrape reaches one process, so a deployment of several scrapes each
on its own port, or sums what it gets); what is read from the database is the same whichever answers.
Labels are only ever names the code knows (an operation, a route's endpoint, a state): never a person, a
case or anything a client sent."""

from __future__ import annotations

import time
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

REQUEST_SECONDS = Histogram(
    "portal_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by operation (a GraphQL operation's name, or "
    "the page's or route's) and status.",
    ["operation", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
UPLOADS_IN_FLIGHT = Gauge(
    "portal_uploads_in_flight", "Court papers' files being received now.", registry=REGISTRY
)
CLOCK_LAST_TICK = Gauge(
    "portal_clock_last_tick_timestamp_seconds",
    "When this process's clock last finished a tick (Unix time; 0 if it has not, or runs elsewhere).",
    registry=REGISTRY,
)
POOL_CONNECTIONS = Gauge(
    "portal_db_pool_connections",
    "This process's database connections, in use by a request or idle in the pool.",
    ["state"],
    registry=REGISTRY,
)
POOL_SIZE = Gauge(
    "portal_db_pool_size",
    "The connections this process keeps (PORTAL_DATABASE_POOL_SIZE).",
    registry=REGISTRY,
)
OUTBOX_MESSAGES = Gauge(
    "portal_outbox_messages",
    "Emails in the outbox, by state (pending, held, sent, dead...).",
    ["state"],
    registry=REGISTRY,
)
OUTBOX_OLDEST_WAITING = Gauge(
    "portal_outbox_oldest_waiting_seconds",
    "How long the email that has waited longest to be sent has waited (0 when none waits).",
    registry=REGISTRY,
)
DATABASE_UP = Gauge(
    "portal_database_up", "Whether the last scrape could read the database (1) or not (0).", registry=REGISTRY
)
AUDIT_UNSEALED = Gauge(
    "portal_audit_unsealed_events",
    "Audit events written and not yet sealed into the chain.",
    registry=REGISTRY,
)
AUDIT_SEALING_LAG = Gauge(
    "portal_audit_sealing_lag_seconds",
    "How long ago the oldest event waiting to be sealed happened (0 when none waits).",
    registry=REGISTRY,
)


def ticked() -> None:
    """The clock finished a tick."""
    CLOCK_LAST_TICK.set(time.time())


def read_from_database(
    *,
    pool_size: int,
    in_use: int,
    idle: int,
    outbox: Iterable[tuple[str, int]],
    oldest_waiting: float,
    unsealed: int,
    sealing_lag: float,
) -> None:
    """Set the figures read as a scrape comes."""
    DATABASE_UP.set(1)
    POOL_SIZE.set(pool_size)
    POOL_CONNECTIONS.labels("in_use").set(in_use)
    POOL_CONNECTIONS.labels("idle").set(idle)
    OUTBOX_MESSAGES.clear()
    for state, count in outbox:
        OUTBOX_MESSAGES.labels(state).set(count)
    OUTBOX_OLDEST_WAITING.set(oldest_waiting)
    AUDIT_UNSEALED.set(unsealed)
    AUDIT_SEALING_LAG.set(sealing_lag)


def exposition() -> bytes:
    """Every figure, in Prometheus's text format."""
    return generate_latest(REGISTRY)
