"""Rate limiting sign-in, in the database so every app process agrees: attempts are counted against the
address they came from and against the account at the identity provider they were for, each with its own
limit and window.

Every attempt is a row of its own, never a counter that every attempt updates, so sign-ins queue on no
shared row; rows older than their window are swept after the request, outside its transaction.

What counts (see portal/web/sign_in.py): a sign-in counts once against each. Against its account, whenever
the provider has said who it is, success or not; against its address only when it fails. A sign-in that
succeeds is limited by its account alone, so that a whole office behind one address (a proxy the portal
does not know, or a NAT) can sign in on a Monday morning.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models import Counted, SignInAttempt, utcnow
from portal.auth import repository
from portal.settings import Settings

# Old attempts swept after each request that counted one: enough to keep up with any rate of attempts.
SWEEP = 500


@dataclass(frozen=True)
class Limit:
    """At most ``attempts`` in any ``window``."""

    counted: Counted
    attempts: int
    window: timedelta


def address_limit(settings: Settings) -> Limit:
    return Limit(
        Counted.ADDRESS, settings.sign_in_attempts, timedelta(minutes=settings.sign_in_window_minutes)
    )


def account_limit(settings: Settings) -> Limit:
    return Limit(
        Counted.ACCOUNT,
        settings.sign_in_account_attempts,
        timedelta(minutes=settings.sign_in_account_window_minutes),
    )


def longest_window(settings: Settings) -> timedelta:
    return max(address_limit(settings).window, account_limit(settings).window)


def address_key(address: str) -> str:
    """An address as it is counted: an IPv6 address by its /64, which is what one home or one server is
    given, so that stepping through it gains nothing."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:100]
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed.ipv4_mapped if isinstance(parsed, ipaddress.IPv6Address) else parsed)


def account_key(issuer: str, subject: str) -> str:
    """An account as it is counted: a hash of its issuer and subject (the table needs no identifiers)."""
    return hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()


async def within(session: AsyncSession, key: str, limit: Limit) -> bool:
    """Whether ``key`` has made fewer than the limit's attempts in its window (nothing is counted)."""
    since = utcnow() - limit.window
    return await repository.attempts_since(session, limit.counted, key, since) < limit.attempts


def count(session: AsyncSession, key: str, limit: Limit) -> None:
    """Count one attempt against ``key`` (written when the transaction commits)."""
    session.add(SignInAttempt(counted=limit.counted, key=key[:100]))


async def attempt(session: AsyncSession, key: str, limit: Limit) -> bool:
    """Count an attempt against ``key`` if it is within the limit; False (and nothing counted) if not."""
    if not await within(session, key, limit):
        return False
    count(session, key, limit)
    await session.flush()
    return True


async def forget_old_attempts(session: AsyncSession, window: timedelta) -> None:
    """Sweep attempts older than ``window`` (the longest of the windows): they count for nothing now."""
    await repository.forget_attempts_before(session, utcnow() - window, at_most=SWEEP)
