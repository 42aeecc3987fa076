"""Who is signing in: the person an identity provider's account belongs to.

People are provisioned by an administrator. An account is bound to a person in one of two ways, and anyone
else is refused without anything being created:

- an administrator names it beforehand: the provider's stable subject (its ``subject_claims``: "sub", or
  for Microsoft Entra ID the tenant and object ids), for someone whose provider does not confirm email
  addresses;
- at the first sign-in with it, by the person's email address, only if the provider says it has verified
  that address (``email_verified`` exactly true; a provider that does not say has not verified it).

A person has at most one account at each provider: another account with the same email address cannot
take theirs over.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote

from sqlalchemy.ext.asyncio import AsyncSession

from models import BoundBy, Organisation, Person, PersonIdentity, utcnow
from portal.auth import repository
from portal.people import repository as people
from portal.settings import OidcProvider


class SignInRefused(Exception):
    def __init__(self, reason: str, message: str, person_id: uuid.UUID | None = None) -> None:
        super().__init__(reason)
        # A stable reason, for the log, the audit trail and the tests; the page says it in words.
        self.reason = reason
        self.message = message
        # The person the sign-in would have been, where the portal could tell (for the audit trail only).
        self.person_id = person_id


ASK_ADMINISTRATOR = (
    "Ask your organisation's portal administrator to add you, using the email address you sign in with, "
    "or to link your sign-in account to you."
)


def _unknown(person_id: uuid.UUID | None = None) -> SignInRefused:
    return SignInRefused(
        "unknown_person", f"You do not have an account on the portal. {ASK_ADMINISTRATOR}", person_id
    )


def _unverified(person_id: uuid.UUID | None) -> SignInRefused:
    return SignInRefused(
        "email_not_verified",
        "Your organisation's sign-in service has not confirmed your email address, so the portal cannot "
        "tell which account is yours. Ask your organisation's portal administrator to link your sign-in "
        "account to your portal account.",
        person_id,
    )


def subject_of(values: Sequence[str]) -> str:
    """The stable subject made of its claims' values: one value as it is; several, each percent-encoded,
    joined by "/" (Entra ID's "tenant-id/object-id")."""
    if len(values) == 1:
        return values[0]
    return "/".join(quote(value, safe="") for value in values)


def stable_subject(provider: OidcProvider, *claim_sets: Mapping[str, object]) -> str | None:
    """The account's stable subject, from the provider's ``subject_claims`` in the first of ``claim_sets``
    (the ID token's, then userinfo's) that has each; None if one is missing or empty."""
    values = []
    for name in provider.subject_claims:
        value = next((c[name] for c in claim_sets if c.get(name) not in (None, "")), None)
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            return None
        values.append(str(value))
    return subject_of(values)


def parse_subject(provider: OidcProvider, text: str) -> str | None:
    """A subject an administrator typed, in the form ``stable_subject`` makes (for several claims, their
    values separated by "/"); None if it is not one."""
    text = text.strip()
    if len(provider.subject_claims) == 1:
        return text or None
    values = [unquote(part.strip()) for part in text.split("/")]
    if len(values) != len(provider.subject_claims) or not all(values):
        return None
    return subject_of(values)


async def person_for_sign_in(
    session: AsyncSession,
    *,
    issuer: str,
    subject: str,
    email: str | None,
    email_verified: object,
    organisations: Sequence[str],
    former_subject: str | None = None,
) -> Person:
    """The person signing in, binding the account to them on their first sign-in with this provider.

    ``former_subject`` is what accounts were bound by before the provider named its ``subject_claims``
    (its "sub"): an account bound by it is found by it once, and moved to ``subject``."""
    identity = await repository.identity_at(session, issuer, subject)
    if identity is None and former_subject and former_subject != subject:
        identity = await repository.identity_at(session, issuer, former_subject)
        if identity is not None:
            identity.subject = subject
    if identity is not None:
        person = await session.get(Person, identity.person_id)
    elif not email:
        person = None
    elif email_verified is not True:
        # Refused whoever the address belongs to, so the page tells nothing about who has an account; the
        # person it names, if anyone, is only for the audit trail.
        found = await people.person_with_email(session, email)
        raise _unverified(found.id if found else None)
    else:
        person = await people.person_with_email(session, email)
    if person is None or not person.active:
        raise _unknown(person.id if person else None)
    if organisations:
        organisation = await session.get(Organisation, person.organisation_id)
        if organisation is None or organisation.name not in organisations:
            raise SignInRefused(
                "wrong_organisation",
                "This sign-in service is for another organisation's staff: use your own organisation's.",
                person.id,
            )
    if identity is None:
        if await repository.identity_of(session, person.id, issuer) is not None:
            raise SignInRefused(
                "identity_taken",
                "Your portal account is linked to a different account at this sign-in service. Ask your "
                "organisation's portal administrator to check it.",
                person.id,
            )
        identity = PersonIdentity(person_id=person.id, issuer=issuer, subject=subject, bound_by=BoundBy.EMAIL)
        session.add(identity)
    identity.last_signed_in_at = utcnow()
    await session.flush()
    return person


@dataclass(frozen=True)
class InvitedSubject:
    """An account an administrator names for a person: the provider (its name in the settings) and the
    account's stable subject there."""

    provider: str
    subject: str


async def subject_taken(
    session: AsyncSession, issuer: str, subject: str, person_id: uuid.UUID | None
) -> bool:
    """Whether the account is bound to someone other than ``person_id`` (anyone, for None)."""
    found = await repository.identity_at(session, issuer, subject)
    return found is not None and found.person_id != person_id


async def invite(session: AsyncSession, person_id: uuid.UUID, issuer: str, subject: str) -> PersonIdentity:
    """Bind the account to the person before they sign in with it, in place of any account at that issuer
    they had (checked beforehand with ``subject_taken``)."""
    current = await repository.identity_of(session, person_id, issuer)
    if current is not None and current.subject == subject:
        return current
    if current is not None:
        await session.delete(current)
        await session.flush()
    identity = PersonIdentity(
        person_id=person_id,
        issuer=issuer,
        subject=subject,
        bound_by=BoundBy.ADMINISTRATOR,
        last_signed_in_at=None,
    )
    session.add(identity)
    await session.flush()
    return identity
