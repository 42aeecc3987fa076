"""The child's file carries the disputes and referrals to Cafcass about the child (or all the case's
children) that the exporter may see (issue 17): the IRO's file has them, with every stage, exchange and
enquiry, in the JSON and the PDF; another child's dispute is not in it; the authority's solicitor, who does
not see an informal dispute or any referral, exports a file without them."""

from __future__ import annotations

import io
import json
import re
import uuid
from datetime import date, timedelta

import httpx
from pypdf import PdfReader

from models import DisputeSubject, LegalStatus, ReferralGround
from portal.cases import repository as cases
from portal.disputes import service as disputes
from portal.papers.receive import Received
from portal.referrals import service as referrals
from tests.support.browsing import sign_in_as
from tests.support.world import World


def _challenge(case_id: uuid.UUID, child_id: uuid.UUID | None, summary: str) -> disputes.RaiseChallenge:
    return disputes.RaiseChallenge(
        case_id=case_id,
        subject=DisputeSubject.PLACEMENT_MOVE,
        summary=summary,
        raised_with="The team manager",
        resolution_sought="Keep the placement.",
        sought_by=date.today() + timedelta(days=7),
        child_id=child_id,
    )


async def test_the_childs_file_carries_the_disputes_and_referrals_its_exporter_may_see(
    web: httpx.AsyncClient, world: World
) -> None:
    case_id = await world.open_case(
        [("Amy", LegalStatus.INTERIM_CARE_ORDER), ("Ben", LegalStatus.INTERIM_CARE_ORDER)]
    )
    iro = await world.actor("iro")
    async with world.sessions() as session, session.begin():
        amy, ben = sorted(await cases.case_children(session, case_id), key=lambda c: c.given_name)
        about_amy = await disputes.raise_challenge(session, iro, _challenge(case_id, amy.id, "Amy's move."))
        await disputes.record_exchange(
            session, iro, about_amy.id, date.today(), "Team manager", "Will review."
        )
        await disputes.add_document(
            session, iro, about_amy.id, Received("ab" * 32, 2048, "application/pdf", "minutes.pdf"), "Minutes"
        )
        await disputes.raise_challenge(session, iro, _challenge(case_id, ben.id, "Ben's school."))
        await referrals.refer(
            session,
            iro,
            referrals.Refer(
                case_id, ReferralGround.FAMILY_LIFE, "Contact stopped.", "The ladder, to stage 3."
            ),
        )
    await sign_in_as(web, world.id("iro"))
    file = f"/cases/{case_id}/children/{amy.id}/file"
    record = json.loads((await web.get(file + ".json")).text)
    assert [d["summary"] for d in record["disputes"]] == ["Amy's move."]
    assert [n["kind"] for n in record["disputes"][0]["notes"]] == ["raised", "exchange", "document"]
    assert [(d["filename"], d["sha256"]) for d in record["disputes"][0]["documents"]] == [
        ("minutes.pdf", "ab" * 32)
    ]
    assert [(r["ground"], r["stepsTaken"]) for r in record["referralsToCafcass"]] == [
        ("FAMILY_LIFE", "The ladder, to stage 3.")
    ]
    pdf = PdfReader(io.BytesIO((await web.get(file + ".pdf")).content))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pdf.pages))
    for expected in (
        "Disputes about the care plan",
        "Amy's move.",
        "Will review.",
        "Contact stopped.",
        "Document kept: minutes.pdf (Minutes)",
    ):
        assert expected in text, expected
    assert "Ben's school." not in text
    # The solicitor sees neither an informal dispute nor a referral: their export has none.
    await sign_in_as(web, world.id("solicitor"))
    record = json.loads((await web.get(file + ".json")).text)
    assert (record["disputes"], record["referralsToCafcass"]) == ([], [])
