"""The schema: queries, mutations and error handling."""

from __future__ import annotations

import strawberry
from strawberry.types import ExecutionContext

from graphql import GraphQLError
from portal.api.doc import object_type
from portal.api.extensions import ExpectedErrors, PreparedDocuments
from portal.api.mutations.admin import AdminMutations
from portal.api.mutations.cases import CaseMutations
from portal.api.mutations.contacts import ContactMutations
from portal.api.mutations.disputes import DisputeMutations
from portal.api.mutations.email import EmailMutations
from portal.api.mutations.handovers import HandoverMutations
from portal.api.mutations.iro_views import IroViewMutations
from portal.api.mutations.letters import LetterMutations
from portal.api.mutations.midpoints import MidpointMutations
from portal.api.mutations.obligations import ObligationMutations
from portal.api.mutations.papers import PaperMutations
from portal.api.mutations.records import RecordMutations
from portal.api.mutations.referrals import ReferralMutations
from portal.api.mutations.retention import RetentionMutations
from portal.api.mutations.rules import RuleMutations
from portal.api.mutations.significant_changes import SignificantChangeMutations
from portal.api.mutations.tokens import TokenMutations
from portal.api.mutations.workloads import WorkloadMutations
from portal.api.queries import Query
from portal.api.scalars import OVERRIDES


@object_type
class Mutation(
    CaseMutations,
    ContactMutations,
    ObligationMutations,
    RecordMutations,
    PaperMutations,
    HandoverMutations,
    TokenMutations,
    AdminMutations,
    RuleMutations,
    EmailMutations,
    RetentionMutations,
    DisputeMutations,
    ReferralMutations,
    SignificantChangeMutations,
    IroViewMutations,
    LetterMutations,
    MidpointMutations,
    WorkloadMutations,
):
    """Changing the portal. Each mutation validates everything before writing anything; its errors come
    back in the payload with stable codes, and nothing is written."""


class PortalSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Expected errors are answers, not faults; unexpected ones are logged by ExpectedErrors.
        return None


schema = PortalSchema(
    query=Query,
    mutation=Mutation,
    scalar_overrides=OVERRIDES,
    # The cost limits are applied as documents are prepared (portal/api/documents.py), before any run.
    extensions=[PreparedDocuments, ExpectedErrors],
)


def sdl() -> str:
    return schema.as_str() + "\n"
