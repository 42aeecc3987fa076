"""Which roles on a case may open a paper of each confidentiality level. Managers oversee the checklist, not
the papers themselves."""

from __future__ import annotations

from collections.abc import Iterable

from models import Confidentiality, LawfulBasis, Role

READERS: dict[Confidentiality, frozenset[Role]] = {
    Confidentiality.STANDARD: frozenset({Role.GUARDIAN, Role.IRO, Role.LA_SOLICITOR, Role.SOCIAL_WORKER}),
    Confidentiality.RESTRICTED: frozenset({Role.GUARDIAN, Role.IRO, Role.LA_SOLICITOR}),
    Confidentiality.LEGAL_ONLY: frozenset({Role.GUARDIAN, Role.LA_SOLICITOR}),
}


def may_read(roles: Iterable[Role], level: Confidentiality) -> bool:
    return any(role in READERS[level] for role in roles)


def shareable_with_iro(level: Confidentiality, basis: LawfulBasis) -> bool:
    """P6: the IRO is supplied with every court paper, unless the court withheld it."""
    return Role.IRO in READERS[level] and basis is not LawfulBasis.WITHHELD_BY_COURT
