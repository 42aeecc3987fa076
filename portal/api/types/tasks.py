"""A person's tasks: the protocol's obligations that are theirs, across their cases."""

from __future__ import annotations

from portal.api.doc import field, object_type
from portal.api.types.cases import Case
from portal.api.types.obligations import Obligation


@object_type
class Task:
    """One obligation on one of your cases: yours, or shared with you."""

    obligation: Obligation = field("The obligation, with its due date and state.")
    case: Case = field("The case it is on.")
