"""A synthetic national dataset for benchmarks and load (issue 7): at scale 1, sized like England
(PROTOCOL.md §5): 152 local authorities, about 85,000 looked-after children, about 10,000 children in open
proceedings (fewer sets of proceedings: many are siblings), dozens of contacts and 20-100 court papers per set
of proceedings (the guardians' analyses often recording whether they cite the IRO's view), reviews (most with
the child's participation recorded), the IROs' introductions to the children and their midpoint checks between
reviews, handovers and final discussions at the end, extensions, teams, and obligations whose
adherence varies by authority. Written with bulk inserts; every
name is made up and marked as such. Deterministic for a given seed, ids included."""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from models import (
    CaseMembership,
    CaseRole,
    Channel,
    Child,
    ChildAttendance,
    Confidentiality,
    Contact,
    CourtPaper,
    Discussion,
    DiscussionKind,
    DiscussionMode,
    ExplainedHow,
    Extension,
    FilingParty,
    Handover,
    HandoverState,
    IroIntroduction,
    IroViewCitation,
    LawfulBasis,
    LegalStatus,
    LetterTo,
    MidpointCheck,
    MidpointOutcome,
    Obligation,
    ObligationRule,
    ObligationState,
    Organisation,
    OrganisationKind,
    PaperKind,
    PaperShare,
    PaperVersion,
    Person,
    PersonRole,
    Proceedings,
    ProceedingsChild,
    Purpose,
    Review,
    ReviewKind,
    ReviewParticipation,
    Role,
    Side,
    SocialWorkerContact,
    Stage,
    StageChange,
    Team,
    ViewsConveyed,
)
from portal.obligations import repository as obligation_rows
from portal.obligations.rules import sync_defaults
from portal.papers.iro_view import ANALYSES
from portal.synth import repository

AUTHORITIES, LOOKED_AFTER, IN_PROCEEDINGS = 152, 85_000, 10_000
SERVICE_AREAS, COURTS = 18, 44


@dataclass
class Summary:
    authorities: int = 0
    people: int = 0
    children: int = 0
    proceedings: int = 0
    contacts: int = 0
    papers: int = 0
    obligations: int = 0
    counts: dict[str, int] = field(default_factory=dict)


class _Writer:
    """Rows gathered per table and written in bulk, parents before children."""

    def __init__(self, session: AsyncSession, pick: random.Random) -> None:
        self.session = session
        self.pick = pick
        self.rows: dict[type[SQLModel], list[dict[str, Any]]] = {}

    def add(self, model: type[SQLModel], **values: Any) -> uuid.UUID:
        """Gather a row of a table with an id: its id, from the seeded generator, so that one seed gives the
        same rows, ids and all, on every database."""
        row_id = uuid.UUID(int=self.pick.getrandbits(128), version=4)
        self.link(model, **values, id=row_id)
        return row_id

    def link(self, model: type[SQLModel], **values: Any) -> None:
        """Gather a row of a table without an id (one that links two others)."""
        self.rows.setdefault(model, []).append(values)

    async def flush(self, order: Iterable[type[SQLModel]]) -> None:
        for model in order:
            await repository.insert_rows(self.session, model, self.rows.pop(model, []))


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


async def generate(session: AsyncSession, *, scale: float, today: date, seed: int = 2014) -> Summary:
    pick = random.Random(seed)
    write = _Writer(session, random.Random(seed + 1))
    summary = Summary()
    await sync_defaults(session)
    rules = await obligation_rows.current_defaults(session)
    now = datetime.now(UTC)

    def person(org: uuid.UUID, name: str, role: Role, team: uuid.UUID | None = None) -> uuid.UUID:
        person_id = write.add(
            Person,
            organisation_id=org,
            team_id=team,
            name=name,
            email=f"{name.lower().replace(' ', '.')}@synthetic.invalid",
            active=True,
            email_preference="immediate",
            created_at=now,
        )
        write.link(PersonRole, person_id=person_id, role=role)
        summary.people += 1
        return person_id

    areas = []
    for n in range(max(2, round(SERVICE_AREAS * scale))):  # at least two, so that scopes differ
        area = write.add(
            Organisation,
            kind=OrganisationKind.CAFCASS_SERVICE_AREA,
            name=f"Synthetic Cafcass area {n + 1}",
            created_at=now,
        )
        # Guardians work in teams of about eight.
        teams = [
            write.add(Team, organisation_id=area, name=f"Synthetic team {t + 1}", created_at=now)
            for t in range(max(1, round(10 * min(scale, 1))))
        ]
        guardians = [
            person(area, f"Synthetic guardian {n + 1}.{g + 1}", Role.GUARDIAN, teams[g % len(teams)])
            for g in range(max(2, round(80 * min(scale, 1))))
        ]
        person(area, f"Synthetic Cafcass manager {n + 1}", Role.CAFCASS_MANAGER)
        areas.append((area, guardians))
    courts = []
    for n in range(max(2, round(COURTS * scale))):
        served_by = areas[n % len(areas)]
        courts.append(
            (
                write.add(
                    Organisation,
                    kind=OrganisationKind.COURT,
                    name=f"Synthetic family court {n + 1}",
                    service_area_id=served_by[0],
                    created_at=now,
                ),
                served_by,
            )
        )
    authorities = []
    children_per_la = LOOKED_AFTER * scale / max(1, round(AUTHORITIES * scale))
    for n in range(max(1, round(AUTHORITIES * scale))):
        la = write.add(
            Organisation,
            kind=OrganisationKind.LOCAL_AUTHORITY,
            name=f"Synthetic council {n + 1}",
            ons_code=f"E{6 + n % 5:02d}{n:06d}"[:9],
            created_at=now,
        )
        iro_service = write.add(Team, organisation_id=la, name="Synthetic IRO service", created_at=now)
        iros = [
            person(la, f"Synthetic IRO {n + 1}.{i + 1}", Role.IRO, iro_service)
            for i in range(max(1, round(children_per_la / 60)))
        ]
        solicitor = person(la, f"Synthetic LA solicitor {n + 1}", Role.LA_SOLICITOR)
        person(la, f"Synthetic IRO manager {n + 1}", Role.IRO_MANAGER)
        # How well this authority's cases keep to the protocol: it varies, as the research found.
        authorities.append((la, iros, solicitor, pick.uniform(0.3, 0.95)))
    summary.authorities = len(authorities)
    await write.flush([Organisation, Team, Person, PersonRole])

    proceedings_target = IN_PROCEEDINGS * scale
    in_proceedings = 0
    for index, (la, iros, solicitor, adherence) in enumerate(authorities):
        # Most of an authority's cases go to its local family court; a few elsewhere.
        home = courts[index % len(courts)]
        for _ in range(round(children_per_la)):
            write.add(
                Child,
                local_authority_id=la,
                given_name="Synthetic",
                family_name=f"Child {summary.children + 1}",
                date_of_birth=today - timedelta(days=pick.randint(200, 17 * 365)),
                looked_after_since=today - timedelta(days=pick.randint(30, 2000)),
                legal_status=pick.choice(
                    [LegalStatus.CARE_ORDER, LegalStatus.PLACEMENT_ORDER, LegalStatus.SECTION_20]
                ),
                created_at=now,
            )
            summary.children += 1
        while in_proceedings < proceedings_target * (index + 1) / len(authorities):
            court = home if pick.random() < 0.9 else pick.choice(courts)
            in_proceedings += _case(
                write, pick, today, now, la, iros, solicitor, adherence, court, rules, summary
            )
    await write.flush(
        [
            Child,
            Proceedings,
            StageChange,
            Extension,
            ProceedingsChild,
            CaseMembership,
            Contact,
            Obligation,
            Review,
            ReviewParticipation,
            IroIntroduction,
            CourtPaper,
            IroViewCitation,
            MidpointCheck,
            PaperVersion,
            PaperShare,
            Discussion,
            Handover,
        ]
    )
    # As after any bulk load: refresh the planner's statistics, as autovacuum (PostgreSQL) or PRAGMA optimize
    # (SQLite) would in time.
    await repository.analyze(session)
    return summary


def _participation(
    write: _Writer, pick: random.Random, review: uuid.UUID, held: date, today: date, iro: uuid.UUID
) -> None:
    """Most held reviews have the child's participation recorded (issue 19): every way of attending and of
    conveying views occurs."""
    if held >= today or pick.random() < 0.2:
        return
    attendance = pick.choice(list(ChildAttendance))
    conveyed = None if attendance is ChildAttendance.VIEWS_NOT_CONVEYED else pick.choice(list(ViewsConveyed))
    write.link(
        ReviewParticipation,
        review_id=review,
        attendance=attendance,
        views_conveyed=conveyed,
        conveyed_by="Synthetic" if conveyed is ViewsConveyed.OTHER else "",
        wishes_and_feelings="" if conveyed is None else "Synthetic",
        private=False,
        recorded_by_id=iro,
        recorded_at=_at(held, 16),
        updated_by_id=iro,
        updated_at=_at(held, 16),
    )


def _introduction(
    write: _Writer,
    pick: random.Random,
    case_id: uuid.UUID,
    child: uuid.UUID,
    iro: uuid.UUID,
    issued: date,
    today: date,
    adherence: float,
) -> None:
    """The IRO introduced themselves to the child (issue 19) as often as the authority keeps to its duties,
    most telling the child of advocacy."""
    if pick.random() >= adherence:
        return
    explained = min(issued + timedelta(days=3), today)
    write.add(
        IroIntroduction,
        proceedings_id=case_id,
        child_id=child,
        iro_id=iro,
        explained_on=explained,
        explained_how=pick.choice(list(ExplainedHow)),
        keeping_in_touch="Synthetic",
        phone="",
        advocacy_explained=pick.random() < 0.7,
        letter_to=LetterTo.CHILD,
        carer_name="",
        recorded_at=_at(explained, 15),
        updated_at=_at(explained, 15),
    )


def _midpoints(
    write: _Writer,
    pick: random.Random,
    case_id: uuid.UUID,
    child: uuid.UUID,
    iro: uuid.UUID,
    issued: date,
    held: date,
    today: date,
    adherence: float,
) -> None:
    """The IRO checks on the child halfway through each cycle (issue 19: before the first review, and after
    it) as often as the authority keeps to its duties."""
    for starts, ends in ((issued, min(held, today)), (held, today)):
        if (ends - starts).days < 2 or pick.random() >= adherence:
            continue
        done = starts + timedelta(days=(ends - starts).days // 2)
        write.add(
            MidpointCheck,
            proceedings_id=case_id,
            child_id=child,
            done_on=done,
            file_read=True,
            social_worker_contact=pick.choice(list(SocialWorkerContact)),
            outcome=MidpointOutcome.ON_TRACK,
            note="",
            recorded_by_id=iro,
            recorded_at=_at(done, 14),
        )


def _case(
    write: _Writer,
    pick: random.Random,
    today: date,
    now: datetime,
    la: uuid.UUID,
    iros: list[uuid.UUID],
    solicitor: uuid.UUID,
    adherence: float,
    court_and_area: tuple[uuid.UUID, tuple[uuid.UUID, list[uuid.UUID]]],
    rules: dict[str, ObligationRule],
    summary: Summary,
) -> int:
    court, (_area, guardians) = court_and_area
    issued = today - timedelta(days=pick.randint(1, 300))
    concluded = issued + timedelta(weeks=26) < today and pick.random() < 0.5
    case_id = write.add(
        Proceedings,
        court_id=court,
        local_authority_id=la,
        case_number=f"SY{summary.proceedings + 1:07d}",
        issued_on=issued,
        stage=Stage.ISSUED,
        created_at=now,
    )
    summary.proceedings += 1
    stage = Stage.CONCLUDED if concluded else pick.choice(list(Stage)[:4])
    write.rows[Proceedings][-1]["stage"] = stage
    reached = [s for s in Stage if s.order <= stage.order]
    for n, step in enumerate(reached):
        changed = issued + timedelta(weeks=26) if step is Stage.CONCLUDED else issued + timedelta(days=20 * n)
        write.add(
            StageChange, proceedings_id=case_id, stage=step, changed_on=min(changed, today), recorded_at=now
        )
    if issued + timedelta(weeks=20) < today and pick.random() < 0.25:
        write.add(
            Extension,
            proceedings_id=case_id,
            weeks=pick.randint(1, 8),
            reason="Synthetic",
            granted_on=issued + timedelta(weeks=20),
            recorded_at=now,
        )
    guardian, iro = pick.choice(guardians), pick.choice(iros)
    siblings = pick.choices([1, 2, 3], weights=[6, 3, 1])[0]
    for _ in range(siblings):
        child = write.add(
            Child,
            local_authority_id=la,
            given_name="Synthetic",
            family_name=f"Child {summary.children + 1}",
            date_of_birth=today - timedelta(days=pick.randint(30, 10 * 365)),
            looked_after_since=issued,
            legal_status=LegalStatus.INTERIM_CARE_ORDER,
            created_at=now,
        )
        summary.children += 1
        write.link(ProceedingsChild, proceedings_id=case_id, child_id=child)
        for role, who in (
            (CaseRole.GUARDIAN, guardian),
            (CaseRole.IRO, iro),
            (CaseRole.LA_SOLICITOR, solicitor),
        ):
            write.add(
                CaseMembership,
                proceedings_id=case_id,
                child_id=child,
                person_id=who,
                role=role,
                started_at=_at(issued),
            )
        held = issued + timedelta(days=28)
        review = write.add(
            Review,
            proceedings_id=case_id,
            child_id=child,
            kind=ReviewKind.FIRST,
            review_date=held,
            arrangements="Synthetic",
            scheduled_by_id=iro,
            scheduled_at=_at(issued),
            held_on=held if held < today else None,
        )
        _participation(write, pick, review, held, today, iro)
        _introduction(write, pick, case_id, child, iro, issued, today, adherence)
        _midpoints(write, pick, case_id, child, iro, issued, held, today, adherence)
    days = (today - issued).days
    for _ in range(pick.randint(10, 40)):
        side = Side.GUARDIAN if pick.random() < 0.5 + (adherence - 0.6) / 2 else Side.IRO
        sender, receiver = (guardian, iro) if side is Side.GUARDIAN else (iro, guardian)
        write.add(
            Contact,
            proceedings_id=case_id,
            from_person_id=sender,
            to_person_id=receiver,
            initiated_by=side,
            occurred_at=_at(issued + timedelta(days=pick.randint(0, days))),
            channel=pick.choice(list(Channel)),
            purpose=pick.choice(list(Purpose)),
            summary="Synthetic",
            reply_expected=False,
            recorded_by_id=sender,
            recorded_at=now,
        )
        summary.contacts += 1

    def obligation(code: str, opened: date, state: ObligationState, closed: datetime | None) -> None:
        rule = rules[code]
        write.add(
            Obligation,
            proceedings_id=case_id,
            code=code,
            rule_id=rule.id,
            owner_person_id=iro if rule.owner.value == "iro" else guardian,
            partner_person_id=iro if rule.owner.value == "both" else None,
            opened_at=_at(opened),
            due_on=_due(opened, rule),
            state=state,
            closed_at=closed,
        )
        summary.obligations += 1

    for code in ("P2", "P3", "P7", "P4", "P5"):
        opened = issued + timedelta(days=pick.randint(0, max(0, days - 1)))
        due = _due(opened, rules[code])
        roll = pick.random()
        state, closed = ObligationState.OPEN, None
        if roll < adherence:
            state, closed = ObligationState.MET, _at(due - timedelta(days=pick.randint(0, 3)))
        elif roll < adherence + 0.1:
            state, closed = ObligationState.MET, _at(due + timedelta(days=pick.randint(1, 30)))
        elif roll < adherence + 0.13:
            state, closed = ObligationState.WAIVED, _at(due)
        elif roll < adherence + 0.16 and code == "P4":  # the review was held before the guardian was told
            state, closed = ObligationState.MISSED, _at(due)
        if closed is not None and closed.date() > today:
            state, closed = ObligationState.OPEN, None
        obligation(code, opened, state, closed)
    if concluded:
        _end_of_proceedings(write, pick, today, now, case_id, guardian, iro, adherence, obligation, rules)
    for n in range(pick.randint(20, 100) if days > 60 else pick.randint(1, 20)):
        kind = pick.choice(list(PaperKind))
        paper = write.add(
            CourtPaper,
            proceedings_id=case_id,
            kind=kind,
            title=f"Synthetic paper {n + 1}",
            filed_by_party=FilingParty.LOCAL_AUTHORITY,
            confidentiality=Confidentiality.STANDARD,
            lawful_basis=LawfulBasis.FPR_12_73_IRO,
            created_at=now,
            created_by_id=solicitor,
        )
        filed = issued + timedelta(days=pick.randint(0, days))
        version = write.add(
            PaperVersion,
            paper_id=paper,
            proceedings_id=case_id,
            version=1,
            sha256=hashlib.sha256(f"{case_id}{n}".encode()).hexdigest(),
            size=pick.randint(10_000, 5_000_000),
            content_type="application/pdf",
            filename=f"paper-{n + 1}.pdf",
            filed_on=filed,
            uploaded_by_id=solicitor,
            uploaded_at=_at(filed),
        )
        if kind in ANALYSES and pick.random() < adherence:
            # The guardian recorded whether their analysis cites the IRO's view (issue 19).
            cites = pick.random() < 0.7
            write.add(
                IroViewCitation,
                proceedings_id=case_id,
                paper_id=paper,
                cites=cites,
                reason="" if cites else "Synthetic",
                recorded_by_id=guardian,
                recorded_at=_at(filed, 17),
            )
        opened_on = filed + timedelta(days=pick.randint(0, 20))
        write.add(
            PaperShare,
            version_id=version,
            person_id=iro,
            shared_at=_at(filed),
            first_opened_at=_at(opened_on) if opened_on < today and pick.random() < adherence else None,
        )
        summary.papers += 1
    return siblings


def _due(opened: date, rule: ObligationRule) -> date:
    # Roughly: working days as calendar days (the benchmark needs plausible dates, not exact ones).
    return opened + timedelta(days=rule.working_days * 7 // 5)


def _end_of_proceedings(
    write: _Writer,
    pick: random.Random,
    today: date,
    now: datetime,
    case_id: uuid.UUID,
    guardian: uuid.UUID,
    iro: uuid.UUID,
    adherence: float,
    obligation: Any,
    rules: dict[str, ObligationRule],
) -> None:
    """The final order's duties (P12-P14), the handover (on time, late or never; acknowledged or not, P15)
    and the final discussion, each as likely as the authority's adherence."""
    ended = next(
        row["changed_on"]
        for row in reversed(write.rows[StageChange])
        if row["proceedings_id"] == case_id and row["stage"] is Stage.CONCLUDED
    )
    for code in ("P12", "P13"):
        if pick.random() < adherence:
            obligation(code, ended, ObligationState.MET, _at(min(_due(ended, rules[code]), today)))
        else:
            obligation(code, ended, ObligationState.OPEN, None)
    due = _due(ended, rules["P14"])
    roll = pick.random()
    submitted = None
    if roll < adherence:
        submitted = due - timedelta(days=pick.randint(0, 5))
    elif roll < adherence + 0.15:
        submitted = due + timedelta(days=pick.randint(1, 20))
    if submitted is not None and submitted > today:
        submitted = None
    if submitted is None:
        obligation("P14", ended, ObligationState.OPEN, None)
    else:
        obligation("P14", ended, ObligationState.MET, _at(submitted))
        acknowledged = pick.random() < adherence
        write.add(
            Handover,
            proceedings_id=case_id,
            version=1,
            template_version=1,
            state=HandoverState.ACKNOWLEDGED if acknowledged else HandoverState.SUBMITTED,
            answers={},
            revision=1,
            created_by_id=guardian,
            created_at=_at(submitted),
            updated_by_id=guardian,
            updated_at=_at(submitted),
            submitted_at=_at(submitted),
            submitted_by_id=guardian,
            answered_at=_at(submitted) if acknowledged else None,
            answered_by_id=iro if acknowledged else None,
        )
        obligation(
            "P15",
            submitted,
            ObligationState.MET if acknowledged else ObligationState.OPEN,
            _at(submitted) if acknowledged else None,
        )
    if pick.random() < adherence:
        write.add(
            Discussion,
            proceedings_id=case_id,
            kind=DiscussionKind.FINAL_DISCUSSION,
            held_on=min(ended + timedelta(days=pick.randint(1, 10)), today),
            mode=DiscussionMode.PHONE,
            guardian_id=guardian,
            iro_id=iro,
            summary="Synthetic",
            recorded_by_id=iro,
            recorded_at=now,
        )
