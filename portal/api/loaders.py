"""DataLoaders: every list on a GraphQL type is loaded for all its parents in one query, through the read
layer: each fetch of case data takes the request's viewer and returns only what they may see."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import cached_property
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from models import (
    AgreedAction,
    CaseMembership,
    Child,
    ChildSummary,
    Closure,
    ConsultationArrangement,
    Contact,
    ContactReply,
    CourtPaper,
    Discussion,
    Extension,
    FinalOrder,
    ForwardingConfirmation,
    Handover,
    IroIntroduction,
    IroViewCitation,
    LegalHold,
    LegalStatusEntry,
    MidpointCheck,
    Obligation,
    ObligationEvent,
    ObligationRule,
    Organisation,
    PaperShare,
    PaperVersion,
    Person,
    Proceedings,
    RaisedIssue,
    Review,
    ReviewDecisionsCheck,
    ReviewPreparation,
    Role,
    SignificantChange,
    StageChange,
    Team,
)
from portal.access import repository as access
from portal.auth.actor import Viewer
from portal.cases import repository as cases
from portal.contacts import repository as contacts
from portal.contacts.repository import LedgerCounts
from portal.db import UnitOfWork
from portal.discussions import repository as discussions
from portal.disputes import repository as disputes
from portal.handovers import repository as handovers
from portal.letters import repository as letters
from portal.midpoints import repository as midpoints
from portal.obligations import repository as obligations
from portal.papers import repository as papers
from portal.people import repository as people
from portal.raised_issues import repository as raised_issues
from portal.referrals import repository as referrals
from portal.retention import repository as retention
from portal.reviews import repository as reviews
from portal.reviews.repository import DecisionRow, ParticipationRow
from portal.significant_changes import repository as significant_changes

K = TypeVar("K")
V = TypeVar("V")
M = TypeVar("M")
R = TypeVar("R")
Fetch = Callable[[AsyncSession, Sequence[uuid.UUID]], Awaitable[Mapping[uuid.UUID, V]]]
ScopedFetch = Callable[[AsyncSession, Viewer, Sequence[uuid.UUID]], Awaitable[Mapping[uuid.UUID, V]]]


def _loader(uow: UnitOfWork, fetch: Fetch[V], missing: Callable[[], V]) -> DataLoader[uuid.UUID, V]:
    async def load(keys: Sequence[uuid.UUID]) -> list[V]:
        found = await uow.run(lambda session: fetch(session, keys))
        return [found.get(key, missing()) for key in keys]

    return DataLoader(load_fn=load)


def loaded(loader: DataLoader[K, V], key: K) -> V | None:
    """What ``loader`` holds for ``key`` already, without waiting; None if it has not loaded it (yet).
    A resolver that finds its record loaded can answer at once: graphql-core completes a list of such
    answers in one pass, where each awaited load costs it a coroutine, a future and a task."""
    future = loader.cache_map.get(key)
    if future is None or not future.done() or future.cancelled() or future.exception() is not None:
        return None
    return future.result()


def reference(loader: DataLoader[K, M | None], key: K, make: Callable[[M], R]) -> R | Awaitable[R]:
    """What a reference to ``key`` resolves to: made at once from the record if ``loader`` holds it, else
    an awaitable of it. The record must exist (the reference comes from a row that names it)."""
    model = loaded(loader, key)
    return make(model) if model is not None else reference_later(loader, key, make)


async def reference_later(loader: DataLoader[K, M | None], key: K, make: Callable[[M], R]) -> R:
    model = await loader.load(key)
    assert model is not None
    return make(model)


def _none() -> None:
    return None


# A ledger entry with its reply and the id of the entry that corrects it.
NewestContact = tuple[Contact, ContactReply | None, uuid.UUID | None]


class Loaders:
    """The request's loaders, each made when first used (a request uses a few of them). Directory data
    (people, organisations, teams) is keyed by ids that come from records already fetched through the read
    layer; every fetch of case data is scoped to ``viewer``."""

    def __init__(self, uow: UnitOfWork, viewer: Viewer) -> None:
        self._uow, self._viewer = uow, viewer
        # The newest entries of each case's ledger, one loader per number asked for.
        self._newest_contacts: dict[int, DataLoader[uuid.UUID, list[NewestContact]]] = {}

    def _scoped(self, fetch: ScopedFetch[V]) -> Fetch[V]:
        viewer = self._viewer
        return lambda session, keys: fetch(session, viewer, keys)

    @cached_property
    def organisation(self) -> DataLoader[uuid.UUID, Organisation | None]:
        return _loader(self._uow, cases.organisations_by_id, _none)

    @cached_property
    def person(self) -> DataLoader[uuid.UUID, Person | None]:
        return _loader(self._uow, cases.people_by_id, _none)

    @cached_property
    def team(self) -> DataLoader[uuid.UUID, Team | None]:
        return _loader(self._uow, people.teams_by_id, _none)

    @cached_property
    def officers(self) -> DataLoader[uuid.UUID, list[Person]]:
        """A Cafcass service area's officers, whom its managers may appoint to a referral."""
        return _loader(self._uow, referrals.officers_of, list)

    @cached_property
    def roles(self) -> DataLoader[uuid.UUID, list[Role]]:
        return _loader(self._uow, people.roles_by_person, list)

    @cached_property
    def children(self) -> DataLoader[uuid.UUID, list[Child]]:
        return _loader(self._uow, self._scoped(cases.children_by_case), list)

    @cached_property
    def memberships(self) -> DataLoader[uuid.UUID, list[CaseMembership]]:
        """Live and ended together: a case has few, and one query serves both views of them. The members
        and their organisations come in the same query, and are put in their loaders."""
        return DataLoader(load_fn=self._memberships)

    @cached_property
    def extensions(self) -> DataLoader[uuid.UUID, list[Extension]]:
        return _loader(self._uow, self._scoped(cases.extensions_by_case), list)

    @cached_property
    def stage_changes(self) -> DataLoader[uuid.UUID, list[StageChange]]:
        return _loader(self._uow, self._scoped(cases.stage_changes_by_case), list)

    @cached_property
    def legal_status(self) -> DataLoader[uuid.UUID, list[LegalStatusEntry]]:
        return _loader(self._uow, self._scoped(cases.legal_status_by_child), list)

    @cached_property
    def obligations(self) -> DataLoader[uuid.UUID, list[tuple[Obligation, ObligationRule]]]:
        return _loader(self._uow, self._scoped(obligations.obligations_by_case), list)

    @cached_property
    def obligation_history(self) -> DataLoader[uuid.UUID, list[ObligationEvent]]:
        return _loader(self._uow, self._scoped(obligations.history_by_obligation), list)

    @cached_property
    def arrangement(self) -> DataLoader[uuid.UUID, ConsultationArrangement | None]:
        return _loader(self._uow, self._scoped(obligations.current_arrangements_by_case), _none)

    @cached_property
    def reviews(self) -> DataLoader[uuid.UUID, list[tuple[Review, bool]]]:
        return _loader(self._uow, self._scoped(reviews.reviews_by_case), list)

    @cached_property
    def participation(self) -> DataLoader[uuid.UUID, ParticipationRow | None]:
        """Each review's participation record (by review), with what decides whether the viewer reads what
        the child said."""
        return _loader(self._uow, self._scoped(reviews.participation_by_review), _none)

    @cached_property
    def decisions(self) -> DataLoader[uuid.UUID, list[DecisionRow]]:
        """Each review's decisions (by review), in order, for reviews whose case the viewer may read."""
        return _loader(self._uow, self._scoped(reviews.decisions_by_review), list)

    @cached_property
    def preparation(self) -> DataLoader[uuid.UUID, ReviewPreparation | None]:
        """The social worker's part before each review (by review): SW1, SW2."""
        return _loader(self._uow, self._scoped(reviews.preparations_by_review), _none)

    @cached_property
    def decisions_check(self) -> DataLoader[uuid.UUID, ReviewDecisionsCheck | None]:
        """Each review's record of its decisions and the manager's check (by review)."""
        return _loader(self._uow, self._scoped(reviews.checks_by_review), _none)

    @cached_property
    def significant_changes(self) -> DataLoader[uuid.UUID, list[SignificantChange]]:
        """Each case's significant changes in its children's circumstances (SC), the latest first."""
        return _loader(self._uow, self._scoped(significant_changes.changes_by_case), list)

    @cached_property
    def midpoint_checks(self) -> DataLoader[uuid.UUID, list[MidpointCheck]]:
        """Each case's midpoint checks between its children's reviews (issue 19), the latest done first."""
        return _loader(self._uow, self._scoped(midpoints.checks_by_case), list)

    @cached_property
    def child_summaries(self) -> DataLoader[uuid.UUID, list[ChildSummary]]:
        """Each dispute's summaries for its children (issue 19), by dispute: asked only below a dispute the
        viewer already sees (portal/disputes/service.py decides who sees one)."""
        return _loader(self._uow, disputes.child_summaries_of_disputes, list)

    @cached_property
    def introductions(self) -> DataLoader[uuid.UUID, list[IroIntroduction]]:
        """Each case's IRO introductions to its children (issue 19), the latest first."""
        return _loader(self._uow, self._scoped(letters.introductions_by_case), list)

    @cached_property
    def discussions(self) -> DataLoader[uuid.UUID, list[Discussion]]:
        return _loader(self._uow, self._scoped(discussions.discussions_by_case), list)

    @cached_property
    def agreed_actions(self) -> DataLoader[uuid.UUID, list[AgreedAction]]:
        return _loader(self._uow, self._scoped(discussions.actions_by_discussion), list)

    @cached_property
    def raised_issues(self) -> DataLoader[uuid.UUID, list[RaisedIssue]]:
        return _loader(self._uow, self._scoped(raised_issues.issues_by_case), list)

    @cached_property
    def final_orders(self) -> DataLoader[uuid.UUID, list[FinalOrder]]:
        return _loader(self._uow, self._scoped(cases.final_orders_by_case), list)

    @cached_property
    def papers(self) -> DataLoader[uuid.UUID, list[CourtPaper]]:
        return _loader(self._uow, self._scoped(papers.papers_by_case), list)

    @cached_property
    def paper_versions(self) -> DataLoader[uuid.UUID, list[PaperVersion]]:
        return _loader(self._uow, self._scoped(papers.versions_by_paper), list)

    @cached_property
    def paper_shares(self) -> DataLoader[uuid.UUID, list[PaperShare]]:
        return _loader(self._uow, self._scoped(papers.shares_by_case), list)

    @cached_property
    def iro_views(self) -> DataLoader[uuid.UUID, list[IroViewCitation]]:
        """Each case's records of whether the guardian's analyses cite the IRO's view (issue 19)."""
        return _loader(self._uow, self._scoped(papers.iro_views_by_case), list)

    @cached_property
    def forwarding(self) -> DataLoader[uuid.UUID, list[ForwardingConfirmation]]:
        return _loader(self._uow, self._scoped(papers.confirmations_by_case), list)

    @cached_property
    def handovers(self) -> DataLoader[uuid.UUID, list[Handover]]:
        return _loader(self._uow, self._scoped(handovers.handovers_by_case), list)

    @cached_property
    def legal_holds(self) -> DataLoader[uuid.UUID, list[LegalHold]]:
        return _loader(self._uow, self._scoped(retention.holds_by_case), list)

    @cached_property
    def closure(self) -> DataLoader[uuid.UUID, Closure | None]:
        return _loader(self._uow, self._scoped(handovers.closures_by_case), _none)

    @cached_property
    def contacts(self) -> DataLoader[uuid.UUID, list[tuple[Contact, ContactReply | None]]]:
        return _loader(self._uow, self._scoped(contacts.contacts_by_case), list)

    @cached_property
    def ledger_counts(self) -> DataLoader[uuid.UUID, LedgerCounts]:
        return _loader(
            self._uow, self._scoped(contacts.ledger_counts_by_case), lambda: LedgerCounts(0, 0, 0, 0)
        )

    @cached_property
    def readable_case(self) -> DataLoader[uuid.UUID, Proceedings | None]:
        """A case by id, if the viewer may read it (a dashboard's list of cases links to each)."""
        return _loader(self._uow, self._scoped(access.readable_by_id), _none)

    async def _memberships(self, case_ids: Sequence[uuid.UUID]) -> list[list[CaseMembership]]:
        viewer = self._viewer
        found = await self._uow.run(lambda session: cases.memberships_by_case(session, viewer, case_ids))
        for rows in found.values():
            for _, person, organisation in rows:
                self.person.prime(person.id, person)
                self.organisation.prime(organisation.id, organisation)
        return [[membership for membership, _, _ in found.get(key, [])] for key in case_ids]

    def newest_contacts(self, limit: int) -> DataLoader[uuid.UUID, list[NewestContact]]:
        """The loader of each case's newest ``limit`` ledger entries."""
        if limit not in self._newest_contacts:
            viewer = self._viewer

            def fetch(
                session: AsyncSession, keys: Sequence[uuid.UUID]
            ) -> Awaitable[Mapping[uuid.UUID, list[NewestContact]]]:
                return contacts.newest_contacts_by_case(session, viewer, keys, limit)

            self._newest_contacts[limit] = _loader(self._uow, fetch, list)
        return self._newest_contacts[limit]
