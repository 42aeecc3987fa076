"""Expected errors, with the stable codes that callers may rely on.

Services raise these; the API turns them into typed errors. Anything else is unexpected: it is masked
for the caller and logged with a correlation id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable error codes. Never rename one: clients and pages match on them."""

    # Looking things up.
    NOT_FOUND = "NOT_FOUND"
    INVALID_ID = "INVALID_ID"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    NOT_PERMITTED = "NOT_PERMITTED"
    # A field's value.
    REQUIRED = "REQUIRED"
    TOO_LONG = "TOO_LONG"
    INVALID_VALUE = "INVALID_VALUE"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    DATE_IN_FUTURE = "DATE_IN_FUTURE"
    DATE_TOO_EARLY = "DATE_TOO_EARLY"
    DATE_IN_PAST = "DATE_IN_PAST"
    DATE_TOO_LATE = "DATE_TOO_LATE"
    # The state of the case.
    NOT_IN_PROCEEDINGS = "NOT_IN_PROCEEDINGS"
    ALREADY_IN_PROCEEDINGS = "ALREADY_IN_PROCEEDINGS"
    NOT_LOOKED_AFTER = "NOT_LOOKED_AFTER"
    ALREADY_ALLOCATED = "ALREADY_ALLOCATED"
    # The IRO has an open conflict of interest with the child: assigning them needs it acknowledged.
    CONFLICT_OF_INTEREST = "CONFLICT_OF_INTEREST"
    WRONG_ROLE = "WRONG_ROLE"
    WRONG_ORGANISATION = "WRONG_ORGANISATION"
    NOT_ON_CASE = "NOT_ON_CASE"
    ALREADY_CORRECTED = "ALREADY_CORRECTED"
    ALREADY_REPLIED = "ALREADY_REPLIED"
    NO_REPLY_EXPECTED = "NO_REPLY_EXPECTED"
    PROCEEDINGS_CONCLUDED = "PROCEEDINGS_CONCLUDED"
    STAGE_NOT_FORWARD = "STAGE_NOT_FORWARD"
    DUPLICATE = "DUPLICATE"
    ALREADY_CLOSED = "ALREADY_CLOSED"
    # A referral to Cafcass has nowhere to go: the court has no service area, and there is no guardian.
    NO_SERVICE_AREA = "NO_SERVICE_AREA"
    # Done once already (a notice sent, a record shared, an issue acknowledged, a final order recorded).
    ALREADY_DONE = "ALREADY_DONE"
    ALREADY_SCHEDULED = "ALREADY_SCHEDULED"
    NOT_YET_HELD = "NOT_YET_HELD"
    # A dispute still open: what was decided is written once it is resolved.
    NOT_YET_RESOLVED = "NOT_YET_RESOLVED"
    NO_FINAL_ORDER = "NO_FINAL_ORDER"
    # Files.
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    FILE_EMPTY = "FILE_EMPTY"
    FILE_TYPE_NOT_ALLOWED = "FILE_TYPE_NOT_ALLOWED"
    FILE_TYPE_MISMATCH = "FILE_TYPE_MISMATCH"
    FILE_NAME_INVALID = "FILE_NAME_INVALID"
    UPLOAD_INCOMPLETE = "UPLOAD_INCOMPLETE"
    # Someone else changed the same thing at the same moment; trying again will show what they did.
    CONFLICT = "CONFLICT"
    # Files, again: more than one file in one upload; content that runs (scripts, macros, launch actions,
    # attachments); an archive that would expand past the limits when opened.
    TOO_MANY_FILES = "TOO_MANY_FILES"
    FILE_ACTIVE_CONTENT = "FILE_ACTIVE_CONTENT"
    FILE_EXPANDS_TOO_MUCH = "FILE_EXPANDS_TOO_MUCH"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input. ``field`` names the input field (camelCase, as in the API)."""

    code: ErrorCode
    message: str
    field: str | None = None


class DomainError(Exception):
    """An expected error: it carries one or more problems with stable codes."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(p.message for p in self.problems))

    @classmethod
    def one(cls, code: ErrorCode, message: str, field: str | None = None) -> DomainError:
        return cls([Problem(code, message, field)])


class NotFound(DomainError):
    """Missing, or not yours to see: the two are deliberately indistinguishable."""

    def __init__(self, what: str = "Record", field: str | None = None) -> None:
        super().__init__([Problem(ErrorCode.NOT_FOUND, f"{what} not found", field)])


class Problems:
    """Collects every problem with an input, so a form can show them all at once."""

    def __init__(self) -> None:
        self._items: list[Problem] = []

    def add(self, code: ErrorCode, message: str, field: str | None = None) -> None:
        self._items.append(Problem(code, message, field))

    def has(self, field: str) -> bool:
        return any(p.field == field for p in self._items)

    def raise_if_any(self) -> None:
        if self._items:
            raise DomainError(self._items)


def domain_error_in(error: BaseException | None) -> DomainError | None:
    """The expected error behind ``error``, however deep it is wrapped (graphql-core wraps a scalar's
    OUT_OF_RANGE while coercing a variable or validating a literal)."""
    while error is not None:
        if isinstance(error, DomainError):
            return error
        error = getattr(error, "original_error", None) or error.__cause__
    return None
