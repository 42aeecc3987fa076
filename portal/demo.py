"""The demo world: two local authorities, a Cafcass service area, twenty children in fourteen sets of
proceedings, and the contact between their guardians and IROs. Every name is made up.

Everything is dated relative to the day it is loaded, so the demo is always current. Case records are
written as rows (the services would stamp them "now"); organisations and people go through the services.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from models import (
    CaseMembership,
    CaseRole,
    Channel,
    Child,
    Contact,
    ContactReply,
    Discussion,
    DiscussionKind,
    DiscussionMode,
    Extension,
    FinalOrderKind,
    LegalStatus,
    LegalStatusEntry,
    Organisation,
    OrganisationKind,
    Person,
    Proceedings,
    ProceedingsChild,
    Purpose,
    Role,
    Side,
    Stage,
    StageChange,
    metadata,
    utcnow,
)
from portal.cases import repository as case_rows
from portal.clock import LONDON, london_datetime
from portal.demo_disputes import DisputeRecords
from portal.demo_iro_views import IroViewRecords
from portal.demo_letters import LetterRecords
from portal.demo_midpoints import MidpointRecords
from portal.demo_records import DemoCase, Records, clock_at
from portal.demo_workloads import WorkloadRecords
from portal.obligations import looked_after
from portal.obligations import service as obligations
from portal.people import repository as people_rows
from portal.people.service import add_organisation, add_person
from portal.reminders import repository as reminder_rows
from portal.storage.blobs import BlobStore

S = Stage
L = LegalStatus
F = FinalOrderKind

RIVERSIDE, NORTHMOOR, CAFCASS = "Riverside City Council", "Northmoor County Council", "Cafcass North Midlands"
DOMAINS = {
    RIVERSIDE: "riverside.example.gov.uk",
    NORTHMOOR: "northmoor.example.gov.uk",
    CAFCASS: "cafcass.example.gov.uk",
}

# Name, organisation, roles.
PEOPLE: list[tuple[str, str, list[Role]]] = [
    ("Grace Okafor", CAFCASS, [Role.GUARDIAN]),
    ("Tom Hughes", CAFCASS, [Role.GUARDIAN]),
    ("Priya Nair", CAFCASS, [Role.GUARDIAN]),
    ("Helen Marsh", CAFCASS, [Role.CAFCASS_MANAGER]),
    ("Daniel Price", RIVERSIDE, [Role.IRO]),
    ("Aisha Rahman", RIVERSIDE, [Role.IRO]),
    ("Margaret Lowe", RIVERSIDE, [Role.IRO_MANAGER]),
    ("James Whitfield", RIVERSIDE, [Role.LA_SOLICITOR]),
    ("Chloe Bennett", RIVERSIDE, [Role.SOCIAL_WORKER]),
    ("Marcus Reid", RIVERSIDE, [Role.SOCIAL_WORKER]),
    ("Sam Taylor", RIVERSIDE, [Role.ADMIN]),
    # Riverside's chain for settling disputes with its IROs (portal/demo_disputes.py).
    ("Nadia Hussain", RIVERSIDE, [Role.LA_MANAGER]),
    ("Peter Walsh", RIVERSIDE, [Role.LA_MANAGER]),
    ("Eleanor Grant", RIVERSIDE, [Role.LA_MANAGER]),
    ("Fiona Campbell", NORTHMOOR, [Role.IRO]),
    ("Owen Davies", NORTHMOOR, [Role.IRO]),
    ("Richard Stone", NORTHMOOR, [Role.IRO_MANAGER]),
    ("Laura Finch", NORTHMOOR, [Role.LA_SOLICITOR]),
    ("Ben Carter", NORTHMOOR, [Role.LA_SOLICITOR]),
    ("Hannah Moss", NORTHMOOR, [Role.SOCIAL_WORKER]),
    ("Kieran Walsh", NORTHMOOR, [Role.SOCIAL_WORKER]),
]
# Teams, for the dashboards' comparison team by team.
TEAMS = {
    "Grace Okafor": "Riverside guardians",
    "Tom Hughes": "Riverside guardians",
    "Priya Nair": "Northmoor guardians",
    "Daniel Price": "Riverside IRO service",
    "Aisha Rahman": "Riverside IRO service",
    "Fiona Campbell": "Northmoor IRO service",
    "Owen Davies": "Northmoor IRO service",
}


@dataclass(frozen=True)
class ChildSpec:
    given_name: str
    family_name: str
    # Age at the issue date, in years (0 for a baby).
    age: int
    # Legal status history: (status, days relative to the issue date).
    statuses: tuple[tuple[LegalStatus, int], ...] = ((L.INTERIM_CARE_ORDER, 0),)


@dataclass(frozen=True)
class CaseSpec:
    case_number: str
    authority: str
    weeks_ago: int
    children: tuple[ChildSpec, ...]
    # The stages reached after issue, with the day (from issue) each was reached.
    stages: tuple[tuple[Stage, int], ...] = ()
    guardian: str | None = None
    iro: str | None = None
    solicitor: str = ""
    social_worker: str = ""
    # How the two sides keep in touch: "both", "guardian only", "iro only" or "introduction only".
    contact: str = "both"
    # (weeks, reason, day granted).
    extensions: tuple[tuple[int, str, int], ...] = ()
    # An earlier guardian and the day (from issue) they handed over, with the reason.
    previous_guardian: tuple[str, int, str] | None = None
    # The IRO's start, in days from issue, when the child was looked after (and had an IRO) before.
    iro_from_day: int = 2
    # Concluded: the day (from issue) of the final orders and each child's order, recorded through the
    # service (which concludes the proceedings and sets each child's status).
    final_orders: tuple[int, tuple[FinalOrderKind, ...]] | None = None
    # What became of the guardian's handover after the final orders (see portal/demo_records.py).
    handover: str | None = None


CASES: tuple[CaseSpec, ...] = (
    CaseSpec(
        "RV26C00101",
        RIVERSIDE,
        19,
        (ChildSpec("Lily", "Harper", 7), ChildSpec("Jack", "Harper", 4), ChildSpec("Rosie", "Harper", 1)),
        stages=((S.CASE_MANAGEMENT_HEARING, 14), (S.ISSUES_RESOLUTION_HEARING, 118)),
        guardian="Grace Okafor",
        iro="Daniel Price",
        solicitor="James Whitfield",
        social_worker="Chloe Bennett",
    ),
    CaseSpec(
        "RV26C00114",
        RIVERSIDE,
        12,
        (ChildSpec("Tyler", "Brooks", 9, ((L.SECTION_20, -240), (L.INTERIM_CARE_ORDER, 0))),),
        stages=((S.CASE_MANAGEMENT_HEARING, 16),),
        guardian="Tom Hughes",
        iro="Aisha Rahman",
        solicitor="James Whitfield",
        social_worker="Marcus Reid",
        contact="guardian only",
        iro_from_day=-236,
    ),
    CaseSpec(
        "RV26C00120",
        RIVERSIDE,
        9,
        (ChildSpec("Maya", "Patel", 2, ((L.INTERIM_SUPERVISION_ORDER, 0),)),),
        stages=((S.CASE_MANAGEMENT_HEARING, 13),),
        guardian="Priya Nair",
        solicitor="James Whitfield",
        social_worker="Chloe Bennett",
    ),
    CaseSpec(
        "RV26C00097",
        RIVERSIDE,
        24,
        (ChildSpec("Ethan", "Clarke", 3),),
        stages=((S.CASE_MANAGEMENT_HEARING, 15), (S.ISSUES_RESOLUTION_HEARING, 140)),
        guardian="Grace Okafor",
        iro="Daniel Price",
        solicitor="James Whitfield",
        social_worker="Marcus Reid",
        contact="guardian only",
    ),
    CaseSpec(
        "RV25C00188",
        RIVERSIDE,
        30,
        (ChildSpec("Ava", "Wilson", 1),),
        stages=((S.CASE_MANAGEMENT_HEARING, 12), (S.ISSUES_RESOLUTION_HEARING, 150)),
        guardian="Tom Hughes",
        iro="Aisha Rahman",
        solicitor="James Whitfield",
        social_worker="Chloe Bennett",
        extensions=(
            (
                8,
                "The court is waiting for a psychological assessment of the mother, delayed by the "
                "expert's illness.",
                160,
            ),
        ),
    ),
    CaseSpec(
        "RV25C00171",
        RIVERSIDE,
        40,
        (ChildSpec("Noah", "Evans", 5), ChildSpec("Isla", "Evans", 0)),
        stages=((S.CASE_MANAGEMENT_HEARING, 14), (S.ISSUES_RESOLUTION_HEARING, 126), (S.FINAL_HEARING, 180)),
        guardian="Priya Nair",
        iro="Daniel Price",
        solicitor="James Whitfield",
        social_worker="Marcus Reid",
        final_orders=(189, (F.CARE_ORDER, F.PLACEMENT_ORDER)),
        handover="acknowledged",
    ),
    # Three more concluded lately, their handovers returned with questions, waiting for the IRO, and a draft.
    CaseSpec(
        "NM25C00190",
        NORTHMOOR,
        31,
        (ChildSpec("Amelia", "Scott", 6),),
        stages=((S.CASE_MANAGEMENT_HEARING, 13), (S.ISSUES_RESOLUTION_HEARING, 120), (S.FINAL_HEARING, 195)),
        guardian="Grace Okafor",
        iro="Owen Davies",
        solicitor="Laura Finch",
        social_worker="Hannah Moss",
        final_orders=(199, (F.CARE_ORDER,)),
        handover="returned",
    ),
    CaseSpec(
        "RV25C00205",
        RIVERSIDE,
        28,
        (ChildSpec("Oscar", "Bell", 8), ChildSpec("Ruby", "Bell", 5)),
        stages=((S.CASE_MANAGEMENT_HEARING, 15), (S.ISSUES_RESOLUTION_HEARING, 119), (S.FINAL_HEARING, 175)),
        guardian="Tom Hughes",
        iro="Aisha Rahman",
        solicitor="James Whitfield",
        social_worker="Chloe Bennett",
        final_orders=(180, (F.CARE_ORDER, F.CARE_ORDER)),
        handover="submitted",
    ),
    CaseSpec(
        "RV26C00092",
        RIVERSIDE,
        27,
        (ChildSpec("Alfie", "Ward", 2),),
        stages=((S.CASE_MANAGEMENT_HEARING, 14), (S.ISSUES_RESOLUTION_HEARING, 117), (S.FINAL_HEARING, 178)),
        guardian="Grace Okafor",
        iro="Daniel Price",
        solicitor="James Whitfield",
        social_worker="Marcus Reid",
        final_orders=(182, (F.PLACEMENT_ORDER,)),
        handover="draft",
    ),
    CaseSpec(
        "RV26C00131",
        RIVERSIDE,
        2,
        (ChildSpec("Freddie", "Moore", 0),),
        iro="Aisha Rahman",
        solicitor="James Whitfield",
        social_worker="Chloe Bennett",
    ),
    CaseSpec(
        "RV26C00125",
        RIVERSIDE,
        7,
        (ChildSpec("Zara", "Ahmed", 1), ChildSpec("Yusuf", "Ahmed", 3)),
        stages=((S.CASE_MANAGEMENT_HEARING, 17),),
        guardian="Priya Nair",
        iro="Daniel Price",
        solicitor="James Whitfield",
        social_worker="Marcus Reid",
        contact="introduction only",
    ),
    CaseSpec(
        "NM26C00045",
        NORTHMOOR,
        15,
        (ChildSpec("Olivia", "Shaw", 6), ChildSpec("Leo", "Shaw", 3)),
        stages=((S.CASE_MANAGEMENT_HEARING, 15),),
        guardian="Tom Hughes",
        iro="Fiona Campbell",
        solicitor="Laura Finch",
        social_worker="Hannah Moss",
        previous_guardian=("Priya Nair", 42, "Guardian on long-term leave"),
    ),
    CaseSpec(
        "NM26C00052",
        NORTHMOOR,
        10,
        (ChildSpec("Sophie", "Turner", 13),),
        stages=((S.CASE_MANAGEMENT_HEARING, 14),),
        guardian="Grace Okafor",
        solicitor="Ben Carter",
        social_worker="Kieran Walsh",
    ),
    CaseSpec(
        "NM25C00211",
        NORTHMOOR,
        29,
        (ChildSpec("Jacob", "Hall", 4),),
        stages=((S.CASE_MANAGEMENT_HEARING, 16), (S.ISSUES_RESOLUTION_HEARING, 145)),
        guardian="Priya Nair",
        iro="Owen Davies",
        solicitor="Laura Finch",
        social_worker="Hannah Moss",
        contact="iro only",
    ),
    CaseSpec(
        "NM26C00060",
        NORTHMOOR,
        6,
        (ChildSpec("Mia", "Robinson", 0),),
        stages=((S.CASE_MANAGEMENT_HEARING, 13),),
        guardian="Grace Okafor",
        iro="Owen Davies",
        solicitor="Ben Carter",
        social_worker="Kieran Walsh",
    ),
    CaseSpec(
        "NM26C00038",
        NORTHMOOR,
        21,
        (ChildSpec("Harry", "Green", 8), ChildSpec("Ella", "Green", 11)),
        stages=((S.CASE_MANAGEMENT_HEARING, 14), (S.ISSUES_RESOLUTION_HEARING, 130)),
        guardian="Priya Nair",
        iro="Fiona Campbell",
        solicitor="Laura Finch",
        social_worker="Hannah Moss",
    ),
    CaseSpec(
        "NM26C00066",
        NORTHMOOR,
        17,
        (ChildSpec("Poppy", "King", 0),),
        stages=((S.CASE_MANAGEMENT_HEARING, 12), (S.ISSUES_RESOLUTION_HEARING, 105)),
        guardian="Tom Hughes",
        iro="Owen Davies",
        solicitor="Ben Carter",
        social_worker="Kieran Walsh",
    ),
)

# What each side writes, by purpose; {names} is the children's first names.
SUMMARIES: dict[Purpose, tuple[str, ...]] = {
    Purpose.INTRODUCTION: (
        "Introduced myself as the children's guardian for {names} and gave my direct line and email. "
        "We agreed to speak after each hearing and before each review.",
        "First contact after my allocation. Shared contact details and the hearing dates so far; the IRO "
        "will send the dates of the next looked-after review.",
    ),
    Purpose.COURT_UPDATE: (
        "Update after the hearing: the court approved the timetable and directed a parenting assessment. I "
        "explained what this means for the plan for {names}.",
        "The final evidence deadline has moved by two weeks. I will send the updated care plan once it is "
        "filed.",
    ),
    Purpose.CARE_PLANNING_UPDATE: (
        "The IRO shared the outcome of the placement planning meeting: {names} will stay with the current "
        "foster carers while assessments finish.",
        "Discussed the draft care plan for {names}. Contact with the mother is to stay at twice a week; the "
        "IRO will raise sibling contact at the review.",
    ),
    Purpose.PRE_REVIEW_CONSULTATION: (
        "Spoke before the looked-after review. I will not attend (attendance is generally not required) but "
        "gave my view on contact arrangements for {names} for the IRO to put to the meeting.",
    ),
    Purpose.SIGNIFICANT_ISSUE: (
        "The IRO told me the foster placement for {names} is under strain and a move is being considered. We "
        "agreed the IRO will let me know the outcome of Thursday's meeting.",
    ),
    Purpose.CONCERN: (
        "I raised a concern about delay in the life-story work for {names}. The IRO will take it up with the "
        "team manager and come back to me within a week.",
    ),
    Purpose.END_OF_PROCEEDINGS_DISCUSSION: (
        "Final discussion of the care plan. We agreed the issues for the IRO to keep under review: sibling "
        "contact for {names}, the life-story work, and the timing of the adoption search.",
    ),
}


@dataclass(frozen=True)
class DemoSummary:
    organisations: int
    people: int
    children: int
    proceedings: int
    contacts: int


@dataclass(frozen=True)
class Persona:
    person_id: uuid.UUID
    name: str
    email: str
    organisation_name: str
    description: str


async def database_is_empty(session: AsyncSession) -> bool:
    return not await people_rows.any_organisation(session)


async def load_demo(session: AsyncSession, *, today: date, store: BlobStore) -> DemoSummary:
    """Add the demo world to an empty database, in the caller's transaction; its court papers (real PDFs,
    made now) go into ``store``."""
    world = _Loader(session, today)
    await world.organisations_and_people()
    for spec in CASES:
        world.case(spec)
    await world.write()
    await world.protocol()
    await Records(session, store, today).replay(world.demo_cases())
    await DisputeRecords(session, store, today).replay_disputes(world.demo_cases(), world.people)
    await LetterRecords(session, store, today).introduce(world.demo_cases())
    await MidpointRecords(session, store, today).check_between_reviews(world.demo_cases())
    await IroViewRecords(session, store, today).cite_iro_views(world.demo_cases())
    await WorkloadRecords(session, store, today).keep_workloads(world.demo_cases(), world.people)
    return DemoSummary(
        organisations=len(world.orgs),
        people=len(world.people),
        children=sum(len(spec.children) for spec in CASES),
        proceedings=len(CASES),
        contacts=world.contacts,
    )


@dataclass
class _Loader:
    session: AsyncSession
    today: date
    orgs: dict[str, Organisation] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    contacts: int = 0
    # The cases, and their contacts in the order they happened, for the protocol engine to replay.
    cases: list[tuple[CaseSpec, Proceedings, list[Child]]] = field(default_factory=list)
    ledger: list[Contact] = field(default_factory=list)
    # The replies marked, by the contact they answer.
    replies: dict[uuid.UUID, ContactReply] = field(default_factory=dict)
    random: random.Random = field(default_factory=lambda: random.Random(2014))
    # The case rows, written table by table in dependency order: there are no ORM relationships to
    # tell the session which must come first.
    rows: list[SQLModel] = field(default_factory=list)

    def _add(self, row: SQLModel) -> None:
        self.rows.append(row)

    async def write(self) -> None:
        by_table: dict[sa.FromClause, list[SQLModel]] = defaultdict(list)
        for row in self.rows:
            by_table[sa.inspect(type(row)).local_table].append(row)
        for table in metadata.sorted_tables:
            rows = by_table.pop(table, [])
            if table.name == "contact":  # corrections refer to the entries they correct
                rows.sort(key=lambda c: isinstance(c, Contact) and c.corrects_id is not None)
            self.session.add_all(rows)
            await self.session.flush()
        assert not by_table

    async def organisations_and_people(self) -> None:
        add = add_organisation
        self.orgs[RIVERSIDE] = await add(
            self.session, None, kind=OrganisationKind.LOCAL_AUTHORITY, name=RIVERSIDE, ons_code="E08000901"
        )
        self.orgs[NORTHMOOR] = await add(
            self.session, None, kind=OrganisationKind.LOCAL_AUTHORITY, name=NORTHMOOR, ons_code="E10000901"
        )
        self.orgs[CAFCASS] = await add(
            self.session, None, kind=OrganisationKind.CAFCASS_SERVICE_AREA, name=CAFCASS
        )
        for town, authority in (("Riverside", RIVERSIDE), ("Northmoor", NORTHMOOR)):
            self.orgs[f"court:{authority}"] = await add(
                self.session,
                None,
                kind=OrganisationKind.COURT,
                name=f"Family Court at {town}",
                service_area_id=self.orgs[CAFCASS].id,
            )
        for name, organisation, roles in PEOPLE:
            email = f"{name.lower().replace(' ', '.')}@{DOMAINS[organisation]}"
            self.people[name] = await add_person(
                self.session,
                None,
                organisation_id=self.orgs[organisation].id,
                name=name,
                email=email,
                roles=roles,
                team=TEAMS.get(name),
            )

    def case(self, spec: CaseSpec) -> None:
        issued = self._working_day(self.today - timedelta(weeks=spec.weeks_ago))
        solicitor = self.people[spec.solicitor]
        proceedings = Proceedings(
            court_id=self.orgs[f"court:{spec.authority}"].id,
            local_authority_id=self.orgs[spec.authority].id,
            case_number=spec.case_number,
            issued_on=issued,
            stage=spec.stages[-1][0] if spec.stages else S.ISSUED,
            created_at=self._at(issued, 9),
            created_by_id=solicitor.id,
        )
        self._add(proceedings)
        for stage, day in ((S.ISSUED, 0), *spec.stages):
            on = issued + timedelta(days=day)
            self._add(
                StageChange(
                    proceedings_id=proceedings.id,
                    stage=stage,
                    changed_on=on,
                    recorded_at=self._at(on, 16),
                    recorded_by_id=solicitor.id,
                )
            )
        for weeks, reason, day in spec.extensions:
            on = issued + timedelta(days=day)
            self._add(
                Extension(
                    proceedings_id=proceedings.id,
                    weeks=weeks,
                    reason=reason,
                    granted_on=on,
                    recorded_at=self._at(on, 15),
                    recorded_by_id=solicitor.id,
                )
            )
        children = [self._child(spec, child, issued) for child in spec.children]
        for child in children:
            self._add(ProceedingsChild(proceedings_id=proceedings.id, child_id=child.id))
        self._members(spec, proceedings, children, issued)
        self.cases.append((spec, proceedings, children))
        if spec.guardian and spec.iro:
            self._ledger(spec, proceedings, children, issued)

    def _child(self, spec: CaseSpec, data: ChildSpec, issued: date) -> Child:
        born = issued - timedelta(days=365 * data.age + self.random.randint(30, 300))
        history = [(status, issued + timedelta(days=day)) for status, day in data.statuses]
        current, since = history[-1][0], None
        for status, start in history:  # the start of the current, unbroken period of being looked after
            since = (since or start) if status.is_looked_after else None
        child = Child(
            local_authority_id=self.orgs[spec.authority].id,
            given_name=data.given_name,
            family_name=data.family_name,
            date_of_birth=born,
            legal_status=current,
            looked_after_since=since,
            created_at=self._at(history[0][1], 9),
        )
        self._add(child)
        for status, start in history:
            self._add(
                LegalStatusEntry(
                    child_id=child.id, status=status, effective_from=start, recorded_at=self._at(start, 17)
                )
            )
        return child

    def _members(self, spec: CaseSpec, proceedings: Proceedings, children: list[Child], issued: date) -> None:
        def add(
            child: Child, person: str, role: CaseRole, start: date, end: tuple[date, str] | None = None
        ) -> None:
            self._add(
                CaseMembership(
                    proceedings_id=proceedings.id,
                    child_id=child.id,
                    person_id=self.people[person].id,
                    role=role,
                    started_at=self._at(start, 10),
                    ended_at=self._at(end[0], 10) if end else None,
                    end_reason=end[1] if end else None,
                    ended_by_id=self.people["Helen Marsh"].id if end else None,
                )
            )

        guardian_from = issued + timedelta(days=2)
        for child in children:
            add(child, spec.solicitor, CaseRole.LA_SOLICITOR, issued)
            add(child, spec.social_worker, CaseRole.SOCIAL_WORKER, child.looked_after_since or issued)
            if spec.previous_guardian:
                name, day, reason = spec.previous_guardian
                handover = issued + timedelta(days=day)
                add(child, name, CaseRole.GUARDIAN, guardian_from, (handover, reason))
                add(child, spec.guardian or name, CaseRole.GUARDIAN, handover)
            elif spec.guardian:
                add(child, spec.guardian, CaseRole.GUARDIAN, guardian_from)
            if spec.iro and child.legal_status.is_looked_after:
                add(child, spec.iro, CaseRole.IRO, issued + timedelta(days=spec.iro_from_day))

    def _ledger(self, spec: CaseSpec, proceedings: Proceedings, children: list[Child], issued: date) -> None:
        """The contact between the two sides: its rhythm follows the hearings, and its balance the spec."""
        assert spec.guardian
        assert spec.iro
        guardian, iro = self.people[spec.guardian], self.people[spec.iro]
        names = _names([c.given_name for c in children])
        start = issued + timedelta(days=(spec.previous_guardian[1] if spec.previous_guardian else 2) + 1)
        end = min(
            self.today - timedelta(days=1),
            issued + timedelta(days=spec.final_orders[0]) if spec.final_orders else self.today,
        )
        plan: list[tuple[date, Side, Purpose]] = []
        if spec.contact != "iro only":
            plan.append((start, Side.GUARDIAN, Purpose.INTRODUCTION))
        for _, day in spec.stages:
            plan.append((issued + timedelta(days=day + 1), Side.GUARDIAN, Purpose.COURT_UPDATE))
        if spec.contact in {"both", "iro only"}:
            step = (end - start).days // 4
            for n, purpose in enumerate(
                (Purpose.CARE_PLANNING_UPDATE, Purpose.SIGNIFICANT_ISSUE, Purpose.CARE_PLANNING_UPDATE)
            ):
                plan.append((start + timedelta(days=step * (n + 1)), Side.IRO, purpose))
        if spec.contact in {"both", "guardian only"}:
            plan.append(
                (
                    start + timedelta(days=(end - start).days // 2),
                    Side.GUARDIAN,
                    Purpose.PRE_REVIEW_CONSULTATION,
                )
            )
        if spec.contact == "both":
            plan.append((start + timedelta(days=(end - start).days * 2 // 3), Side.GUARDIAN, Purpose.CONCERN))
        if spec.contact == "introduction only":
            plan = plan[:1]
        if spec.contact == "iro only":
            plan = [p for p in plan if p[1] is Side.IRO]

        previous: Contact | None = None
        for planned, side, purpose in sorted(plan, key=lambda p: p[0]):
            on = self._working_day(min(max(planned, start), end))
            sender, receiver = (guardian, iro) if side is Side.GUARDIAN else (iro, guardian)
            answered = spec.contact == "both" or (
                spec.contact == "guardian only" and purpose is Purpose.INTRODUCTION
            )
            contact = self._contact(proceedings, sender, receiver, side, on, purpose, names, answered)
            if spec.contact == "both" and previous is not None and purpose is Purpose.SIGNIFICANT_ISSUE:
                self._correct(previous)
            previous = contact

    def _contact(
        self,
        proceedings: Proceedings,
        sender: Person,
        receiver: Person,
        side: Side,
        day: date,
        purpose: Purpose,
        names: str,
        answered: bool,
    ) -> Contact:
        at = self._at(day, self.random.choice((9, 10, 11, 14, 15, 16)), self.random.choice((0, 15, 30, 45)))
        reply_expected = purpose in {Purpose.INTRODUCTION, Purpose.CONCERN, Purpose.SIGNIFICANT_ISSUE} or (
            not answered and self.random.random() < 0.6
        )
        channel = (
            Channel.MESSAGE_LEFT
            if not answered and self.random.random() < 0.5
            else self.random.choice((Channel.PHONE, Channel.PHONE, Channel.EMAIL, Channel.VIDEO_CALL))
        )
        contact = Contact(
            proceedings_id=proceedings.id,
            from_person_id=sender.id,
            to_person_id=receiver.id,
            initiated_by=side,
            occurred_at=at,
            channel=channel,
            purpose=purpose,
            summary=self.random.choice(SUMMARIES[purpose]).format(names=names),
            reply_expected=reply_expected,
            reply_due_on=self._working_day(day + timedelta(days=5)) if reply_expected else None,
            recorded_by_id=sender.id,
            recorded_at=at + timedelta(minutes=20),
        )
        self._add(contact)
        self.ledger.append(contact)
        self.contacts += 1
        reply_at = at + timedelta(days=self.random.randint(1, 4), hours=2)
        if reply_expected and answered and reply_at.date() < self.today:
            reply = ContactReply(
                contact_id=contact.id,
                replied_at=reply_at,
                recorded_by_id=sender.id,
                recorded_at=reply_at + timedelta(hours=1),
            )
            self._add(reply)
            self.replies[contact.id] = reply
        return contact

    def _correct(self, wrong: Contact) -> None:
        """A correction: the entry said "email" when it was a phone call."""
        at = wrong.recorded_at + timedelta(hours=1)
        self._add(
            Contact(
                proceedings_id=wrong.proceedings_id,
                from_person_id=wrong.from_person_id,
                to_person_id=wrong.to_person_id,
                initiated_by=wrong.initiated_by,
                occurred_at=wrong.occurred_at,
                channel=Channel.PHONE if wrong.channel is not Channel.PHONE else Channel.VIDEO_CALL,
                purpose=wrong.purpose,
                summary=wrong.summary + " (Corrected: the first entry gave the wrong channel.)",
                reply_expected=False,
                corrects_id=wrong.id,
                recorded_by_id=wrong.recorded_by_id,
                recorded_at=at,
            )
        )
        self.contacts += 1

    async def protocol(self) -> None:
        """Replay the allocations and contacts through the protocol engine, so that the obligations, their
        due dates and their evidence are what they would be had all this happened in the portal."""
        manager = self.people["Helen Marsh"].id
        for spec, proceedings, children in self.cases:
            # Each looked-after child's first review duty (R1), from when they came into the proceedings.
            for child in children:
                if child.looked_after_since is not None:
                    came = max(child.looked_after_since, proceedings.issued_on)
                    with clock_at(self._at(came, 9)):
                        await looked_after.looked_after(
                            self.session, proceedings, [child], by=self.people[spec.solicitor].id, tell=False
                        )
            if spec.guardian is None:
                continue
            allocations = (
                [(spec.previous_guardian[0], 2), (spec.guardian, spec.previous_guardian[1])]
                if spec.previous_guardian
                else [(spec.guardian, 2)]
            )
            for name, day in allocations:
                at = self._at(proceedings.issued_on + timedelta(days=day), 10)
                await obligations.guardian_allocated(
                    self.session, proceedings, children, self.people[name].id, manager, at=at, tell=False
                )
        case_of = {proceedings.id: proceedings for _, proceedings, _ in self.cases}
        careful = {proceedings.id for spec, proceedings, _ in self.cases if spec.contact == "both"}
        # Each contact and each reply as it happened, in order: a reply to a message meets P2 when it came.
        by_id = {c.id: c for c in self.ledger}
        events = [(c.occurred_at, c, None) for c in self.ledger] + [
            (r.replied_at, by_id[r.contact_id], r) for r in self.replies.values()
        ]
        for _, contact, reply in sorted(events, key=lambda e: e[0]):
            if reply is not None:
                await obligations.reply_marked(self.session, contact.proceedings_id, contact, reply)
                continue
            await obligations.contact_logged(
                self.session, case_of[contact.proceedings_id], contact, tell=False
            )
            # Where both sides keep to the protocol, the IRO writes each call up on the child's file (P7).
            if contact.proceedings_id in careful and contact.channel in obligations.DISCUSSION_CHANNELS:
                await self._discussion(contact)
        await self.session.flush()
        # The past is past: its reminders and overdue notices are not sent now.
        await reminder_rows.mark_notices_sent(self.session, self.today, utcnow())

    async def _discussion(self, contact: Contact) -> None:
        guardian, iro = (
            (contact.from_person_id, contact.to_person_id)
            if contact.initiated_by is Side.GUARDIAN
            else (contact.to_person_id, contact.from_person_id)
        )
        recorded = contact.occurred_at + timedelta(days=2)
        if recorded >= utcnow():
            return
        discussion = Discussion(
            proceedings_id=contact.proceedings_id,
            kind=DiscussionKind.DURING_PROCEEDINGS,
            held_on=contact.occurred_at.astimezone(LONDON).date(),
            mode=DiscussionMode.VIDEO_CALL if contact.channel is Channel.VIDEO_CALL else DiscussionMode.PHONE,
            guardian_id=guardian,
            iro_id=iro,
            summary=contact.summary,
            contact_id=contact.id,
            recorded_by_id=iro,
            recorded_at=recorded,
        )
        self.session.add(discussion)
        await self.session.flush()
        await obligations.meet(
            self.session,
            contact.proceedings_id,
            ["P7"],
            evidence_id=discussion.id,
            when=recorded,
            by=iro,
            triggers={contact.id},
        )

    def demo_cases(self) -> list[DemoCase]:
        def person(name: str | None) -> uuid.UUID | None:
            return self.people[name].id if name else None

        return [
            DemoCase(
                proceedings=proceedings,
                children=children,
                guardian=person(spec.guardian),
                iro=person(spec.iro),
                solicitor=self.people[spec.solicitor].id,
                contact=spec.contact,
                final_orders=(
                    (proceedings.issued_on + timedelta(days=spec.final_orders[0]), spec.final_orders[1])
                    if spec.final_orders
                    else None
                ),
                handover=spec.handover,
                social_worker=person(spec.social_worker),
            )
            for spec, proceedings, children in self.cases
        ]

    def _working_day(self, day: date) -> date:
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return day

    @staticmethod
    def _at(day: date, hour: int, minute: int = 0) -> datetime:
        return london_datetime(day, time(hour, minute))


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


async def personas(session: AsyncSession) -> list[Persona]:
    """Everyone who can sign in to the demo, by organisation then name, with what they will see."""
    rows = await people_rows.active_people_with_roles(session)
    cases = await case_rows.live_case_counts(session)
    people: dict[uuid.UUID, tuple[Person, str]] = {}
    roles: dict[uuid.UUID, list[Role]] = defaultdict(list)
    for person, organisation, role in rows:
        people[person.id] = (person, organisation)
        roles[person.id].append(role)
    return [
        Persona(
            person.id,
            person.name,
            person.email,
            organisation,
            _describe(roles[person.id], organisation, cases.get(person.id, 0)),
        )
        for person, organisation in people.values()
    ]


def _describe(roles: list[Role], organisation: str, cases: int) -> str:
    parts = []
    for role in roles:
        if role is Role.CAFCASS_MANAGER:
            parts.append("Cafcass manager: sees every case in the service area and allocates guardians")
        elif role is Role.IRO_MANAGER:
            parts.append(f"IRO manager: sees the cases of {organisation}'s children and assigns IROs")
        elif role is Role.LA_MANAGER:
            parts.append(f"Manager at {organisation}: answers the disputes an IRO names them to")
        elif role is Role.ADMIN:
            parts.append(f"Administrator: provisions {organisation}'s people, and sees no case")
        elif role is Role.NATIONAL_ADMIN:
            parts.append("National administrator: adds organisations and provisions anyone, and sees no case")
        else:
            label = {
                Role.GUARDIAN: "Children's guardian",
                Role.IRO: "IRO",
                Role.LA_SOLICITOR: "LA solicitor",
                Role.SOCIAL_WORKER: "Social worker",
            }[role]
            parts.append(f"{label} on {cases} {'case' if cases == 1 else 'cases'}")
    return "; ".join(parts)
