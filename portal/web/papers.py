"""Court papers over HTTP: the upload routes (one for API clients, one for the page's form), the papers
tab, the guardian's confirmation, and downloads (the streaming and its limits: portal/web/uploads.py). The
page route answers with the page and its error summary.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from models import PaperVersion, Upload
from portal.access.policy import Permission, acting_roles, granting_role
from portal.auth.actor import Actor
from portal.auth.web import session_actor
from portal.db import unit_of_work
from portal.errors import NotFound
from portal.papers import service as papers
from portal.papers.plans import PLAN_FIELD_MAX_LENGTH
from portal.papers.receive import Received
from portal.web import uploads
from portal.web.forms import FormErrors, parse_date
from portal.web.iro_view_pages import ANALYSES
from portal.web.labels import LABELS
from portal.web.operations import PageNotFound
from portal.web.pages import operations
from portal.web.rendering import render
from portal.web.requests import SignInRequired, posted_form, signed_in


def _case_id(request: Request) -> uuid.UUID:
    try:
        return uuid.UUID(request.path_params["case_id"])
    except ValueError:
        raise NotFound("Case") from None


async def _may_file(request: Request, actor: Actor) -> None:
    case_id = _case_id(request)
    async with unit_of_work(request.app.state.sessions) as uow:
        # A refusal raises out of here; the unit of work keeps it in the audit trail.
        await uow.run(lambda s: papers.check_can_file(s, actor, case_id))


async def _record(request: Request, actor: Actor, received: Received) -> Upload:
    case_id = _case_id(request)
    async with unit_of_work(request.app.state.sessions) as uow:
        return await uow.run(lambda s: papers.record_upload(s, actor, case_id, received))


async def _uploaded(request: Request, actor: Actor, received: Received, _: dict[str, str]) -> dict[str, Any]:
    upload = await _record(request, actor, received)
    return {
        "uploadId": str(upload.id),
        "sha256": upload.sha256,
        "size": upload.size,
        "contentType": upload.content_type,
        "filename": upload.filename,
    }


# ``POST /cases/{id}/papers/uploads``, for API clients with a bearer token: the file as the body with its
# name in ``X-Filename`` (percent-encoded), or as the one file of a multipart/form-data body, in its field
# ``file``. Answers the upload's id, hash, size and type; anything else, JSON with a stable code.
upload_api = uploads.in_flight(uploads.ApiUpload(_may_file, _uploaded))


FORM_FIELDS = {
    "file": "file",
    "paperId": "paperId",
    "filedOn": "filedOn-day",
    "title": "title",
    "kind": "kind",
    "filedByParty": "filedByParty",
    "confidentiality": "confidentiality",
    "lawfulBasis": "lawfulBasis",
    "planInBrief": "planInBrief.placement",
    "planInBrief.placement": "planInBrief.placement",
    "planInBrief.permanence": "planInBrief.permanence",
    "planInBrief.familyContact": "planInBrief.familyContact",
    "planInBrief.services": "planInBrief.services",
    "form": "file",
}
# The API's names for the file: a problem with any of them is a problem with the file chosen.
FILE_FIELDS = {"uploadId", "file", "form", None}
PLAN_KEYS = ("placement", "permanence", "familyContact", "services")
DEFAULTS = {"confidentiality": "STANDARD", "lawfulBasis": "FPR_12_73_IRO"}


def _add_problems(errors: FormErrors, problems: list[dict[str, Any]]) -> None:
    errors.add_api_errors(
        [{**p, "field": "file" if p.get("field") in FILE_FIELDS else p["field"]} for p in problems]
    )


def _new_version_of(case: dict[str, Any], paper_id: str) -> dict[str, str]:
    """The form for a new version of a paper: the paper chosen and, for a care plan, the plan in brief of
    the latest care plan version that gave one (what the new version is compared with), to change only what
    has changed."""
    if not any(paper["id"] == paper_id for paper in case["papers"]):
        return {}
    values = {"paperId": paper_id}
    if not any(plan["paperId"] == paper_id for plan in case["carePlans"]):
        return values
    latest = next((plan for plan in reversed(case["carePlans"]) if plan["planInBrief"]), None)
    if latest is not None:
        values |= {f"planInBrief.{key}": latest["planInBrief"][key] for key in PLAN_KEYS}
        values["startedFrom"] = f"{latest['title']}, version {latest['version']['version']}"
    return values


async def papers_page(
    request: Request, errors: FormErrors | None = None, values: dict[str, str] | None = None
) -> Response:
    async with signed_in(request) as (uow, actor):
        data = await operations(request).run(uow, actor, "CasePapers", {"id": request.path_params["case_id"]})
    done = request.query_params.get("done")
    if values is None:
        values = {**DEFAULTS, **_new_version_of(data["case"], request.query_params.get("version", ""))}
    return render(
        request,
        "papers.html",
        {
            "actor": actor,
            "case": data["case"],
            "errors": errors or FormErrors({}),
            "values": values,
            "flash": {
                "filed": "The paper is filed.",
                "confirmed": "Your confirmation is recorded.",
                "iro-view": "Your answer about the IRO's view is saved.",
            }.get(done or ""),
            **uploads.page_limits(request),
            "plan_max": PLAN_FIELD_MAX_LENGTH,
        },
        status_code=400 if errors else 200,
    )


@uploads.in_flight
async def upload_page(request: Request) -> Response:
    """The papers tab's form: the file and what it is, in one multipart post, streamed as it arrives. Every
    problem is reported at once: the details are checked even when the file is missing or refused. A file
    that arrived and is fine is held, so only the details need fixing; a file that is itself the problem
    (refused, or already on the case) is not, and the form asks for another."""
    settings = request.app.state.settings
    async with unit_of_work(request.app.state.sessions) as uow:
        actor = await session_actor(request, uow, settings)
    if actor is None:
        raise SignInRequired
    try:
        case_id = _case_id(request)
        await _may_file(request, actor)
    except NotFound:
        raise PageNotFound from None
    errors = FormErrors(FORM_FIELDS)
    got = await uploads.receive_page_form(request)
    fields, received, read_whole = got.fields, got.received, got.read_whole
    _add_problems(errors, got.problems)
    upload_id = "" if errors.get("file") else fields.get("uploadId", "")
    if received is not None:
        upload_id = str((await _record(request, actor, received)).id)
    filed_on = parse_date(fields, "filedOn", "The date filed", errors, "filedOn")
    paper: dict[str, Any] | None = None
    if read_whole:
        # Without a usable upload the API checks the details alone, and says the file is missing.
        variables = {
            "input": {
                **_file_input(upload_id, fields, filed_on.isoformat() if filed_on else None),
                "caseId": str(case_id),
            }
        }
        async with signed_in(request) as (uow, signed):
            result = await operations(request).run(uow, signed, "FileCourtPaper", variables)
            _add_problems(errors, result["fileCourtPaper"]["errors"])
            paper = result["fileCourtPaper"]["paper"]
            if errors:
                uow.fail()
    if errors:
        # A file that arrived and is fine is held; one that is the problem must be chosen again.
        held = upload_id if upload_id and not errors.get("file") else ""
        return await papers_page(request, errors, {**fields, "uploadId": held})
    roles = acting_roles(actor.roles, actor.case_roles.get(case_id, frozenset()), [])
    records = granting_role(actor, case_id, roles, Permission.RECORD_IRO_VIEW) is not None
    if paper and paper["kind"] in ANALYSES and records:
        # A guardian's analysis: straight on to whether it cites the IRO's view (issue 19).
        return RedirectResponse(f"/cases/{case_id}/papers/{paper['id']}/iro-view?filed=1", status_code=303)
    return RedirectResponse(f"/cases/{case_id}/papers?done=filed", status_code=303)


def _file_input(upload_id: str, fields: dict[str, str], filed_on: str | None) -> dict[str, Any]:
    def choice(name: str, labels: str) -> str | None:
        value = fields.get(name, "")
        return value if value in LABELS[labels] else None

    brief = {key: fields.get(f"planInBrief.{key}", "") for key in PLAN_KEYS}
    plan = {"planInBrief": brief} if any(brief.values()) else {}
    upload = {"uploadId": upload_id} if upload_id else {}
    if fields.get("paperId"):
        return {**upload, "filedOn": filed_on, "paperId": fields["paperId"], **plan}
    return {
        **plan,
        **upload,
        "filedOn": filed_on,
        "kind": choice("kind", "paper_kind"),
        "title": fields.get("title", ""),
        "filedByParty": choice("filedByParty", "filing_party"),
        "confidentiality": choice("confidentiality", "confidentiality"),
        "lawfulBasis": choice("lawfulBasis", "lawful_basis"),
    }


async def confirm_forwarded(request: Request) -> Response:
    form = await posted_form(request)
    case_id = request.path_params["case_id"]
    variables = {"input": {"caseId": case_id, "note": form.get("note", "")}}
    async with signed_in(request) as (uow, actor):
        result = await operations(request).run(uow, actor, "ConfirmPapersForwarded", variables)
        problems = result["confirmPapersForwarded"]["errors"]
        if problems:
            uow.fail()
    if problems:
        errors = FormErrors({"form": "confirm", "note": "note"})
        errors.add_api_errors(problems)
        return await papers_page(request, errors)
    return RedirectResponse(f"/cases/{case_id}/papers?done=confirmed", status_code=303)


async def _open_version(session: AsyncSession, actor: Actor, version_id: uuid.UUID) -> PaperVersion:
    version, _ = await papers.open_version(session, actor, version_id)
    return version


async def download(request: Request) -> Response:
    """A paper's version, for someone who may open it; opening it is audited and is the IRO's receipt."""
    return await uploads.download(request, "version_id", _open_version)


async def plans_page(request: Request) -> Response:
    async with signed_in(request) as (uow, actor):
        data = await operations(request).run(uow, actor, "CarePlans", {"id": request.path_params["case_id"]})
    return render(request, "plans.html", {"actor": actor, "case": data["case"]})


routes = [
    Route("/cases/{case_id}/plans", plans_page, methods=["GET"]),
    Route("/cases/{case_id}/papers/uploads", upload_api, methods=["POST"]),
    Route("/cases/{case_id}/papers", papers_page, methods=["GET"]),
    Route("/cases/{case_id}/papers", upload_page, methods=["POST"]),
    Route("/cases/{case_id}/papers/confirm", confirm_forwarded, methods=["POST"]),
    Route("/papers/{version_id}", download, methods=["GET"]),
]
