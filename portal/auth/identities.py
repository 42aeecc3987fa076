"""Who is signing in: the person an identity provider's account belongs to. People are provisioned by an
administrator; the first sign-in binds the provider's subject to the person with that email address, and
anyone not provisioned is refused without anything being created."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from models import Organisation, Person, PersonIdentity, utcnow
from portal.auth import repository
from portal.people import repository as people


class SignInRefused(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(reason)
        # A stable reason, for the log and the tests; the page says it in words.
        self.reason = reason
        self.message = message


def _unknown() -> SignInRefused:
    return SignInRefused(
        "unknown_person",
        "You do not have an account on the portal. Ask your organisation's portal administrator to add you, "
        "using the email address you sign in with.",
    )


async def person_for_sign_in(
    session: AsyncSession,
    *,
    issuer: str,
    subject: str,
    email: str | None,
    email_verified: bool | None,
    organisations: Sequence[str],
) -> Person:
    """The person signing in, binding the account to them on their first sign-in with this provider."""
    identity = await repository.identity_at(session, issuer, subject)
    if identity is not None:
        person = await session.get(Person, identity.person_id)
    elif email and email_verified is not False:
        person = await people.person_with_email(session, email)
    else:
        person = None
    if person is None or not person.active:
        raise _unknown()
    if organisations:
        organisation = await session.get(Organisation, person.organisation_id)
        if organisation is None or organisation.name not in organisations:
            raise SignInRefused(
                "wrong_organisation",
                "This sign-in service is for another organisation's staff: use your own organisation's.",
            )
    if identity is None:
        if await repository.has_identity_at(session, person.id, issuer):
            raise SignInRefused(
                "identity_taken",
                "Your portal account is linked to a different account at this sign-in service. Ask your "
                "organisation's portal administrator to check it.",
            )
        identity = PersonIdentity(person_id=person.id, issuer=issuer, subject=subject)
        session.add(identity)
    identity.last_signed_in_at = utcnow()
    await session.flush()
    return person
