"""Whom a letter to a looked-after child is addressed to: the child, or their carer for a child too young to
read it (RESEARCH-NOTES.md §5.1: the agreed way of keeping in touch is confirmed "in writing to the child or
carer")."""

from __future__ import annotations

from datetime import date

from models import LetterTo
from portal.cases.service import age_on
from portal.errors import ErrorCode, Problems
from portal.validation import clean_required

CARER_NAME_MAX_LENGTH = 200
# A child younger than this is written to through their carer, unless the IRO says otherwise.
CARER_LETTER_UNDER = 8


def suggested(born: date, on: date) -> LetterTo:
    """Whom a letter written ``on`` a day is suggested to be to: the carer for a young child."""
    return LetterTo.CARER if age_on(born, on) < CARER_LETTER_UNDER else LetterTo.CHILD


def addressee(problems: Problems, letter_to: LetterTo | None, carer_name: str) -> str:
    """The carer's name for a letter to the carer; none for a letter to the child."""
    if letter_to is None:
        problems.add(ErrorCode.REQUIRED, "Say whether the letter is to the child or their carer", "letterTo")
        return ""
    if letter_to is LetterTo.CHILD:
        return ""
    return clean_required(
        problems, carer_name, "carerName", "Enter the carer's name, for the letter", CARER_NAME_MAX_LENGTH
    )
