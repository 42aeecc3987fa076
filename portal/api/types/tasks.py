"""A person's tasks: the protocol's obligations that are theirs across their cases, the replies waiting on
either side, and what the other side raised for them to acknowledge."""

from __future__ import annotations

from portal.api.doc import field, object_type
from portal.api.types.cases import Case
from portal.api.types.contacts import Contact
from portal.api.types.obligations import Obligation
from portal.api.types.records import RaisedIssue


@object_type
class Task:
    """One obligation on one of your cases: yours, or shared with you."""

    obligation: Obligation = field("The obligation, with its due date and state.")
    case: Case = field("The case it is on.")


@object_type
class AwaitedReply:
    """A contact still waiting for its reply: from you to the other side, or from them to you."""

    contact: Contact = field("The contact.")
    case: Case = field("The case it is on.")
    waiting_on_you: bool = field("Whether the reply is yours to give.")


@object_type
class IssueToAcknowledge:
    """A concern (for the IRO) or significant issue (for the guardian) raised with you, not acknowledged."""

    issue: RaisedIssue = field("The concern or significant issue.")
    case: Case = field("The case it is on.")
