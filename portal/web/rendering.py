"""Jinja templates with the GOV.UK page furniture and the portal's filters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from portal.auth.actor import Actor
from portal.auth.web import csrf_token
from portal.dashboards.viewer import may_view
from portal.staffing.service import allocates_guardians, assigns_iros
from portal.web.dispute_lists import lists_disputes
from portal.web.labels import LABELS, date_time, label, long_date
from portal.web.referral_lists import lists_referrals

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.filters.update(label=label, long_date=long_date, date_time=date_time)
# A label within a sentence: its first letter in lower case, the rest (an "IRO") as it is.
TEMPLATES.env.filters["lower_first"] = lambda text: text[:1].lower() + text[1:]
TEMPLATES.env.globals["LABELS"] = LABELS
# The choices of one kind of label, as the radios macro takes them: (value, text, hint).
TEMPLATES.env.globals["options"] = lambda kind: [(value, text, None) for value, text in LABELS[kind].items()]
SERVICE_NAME = "Guardian–IRO portal"


def staffing_page(actor: Actor | None) -> tuple[str, str, str] | None:
    """The staffing page of a Cafcass manager (the allocation queue) or an IRO manager (IRO assignments)."""
    if allocates_guardians(actor):
        return "/allocations", "Allocations", "allocations"
    if assigns_iros(actor):
        return "/assignments", "IRO assignments", "assignments"
    return None


class _LazyCsrfToken:
    """This session's CSRF token, made only when a page prints it (in a form): a page without a form, read
    by someone not signed in (the accessibility statement, the privacy notice, the cookies page), then
    sets no cookie at all."""

    def __init__(self, request: Request) -> None:
        self._request = request

    def __str__(self) -> str:
        # An error page for a failure outside the session middleware has no session (and no forms).
        return csrf_token(self._request) if "session" in self._request.scope else ""

    def __html__(self) -> str:
        return str(self)


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """A page. Pass ``actor`` in the context to show who is signed in."""
    base = {
        "csrf_token": _LazyCsrfToken(request),
        "demo": request.app.state.settings.demo_sign_in,
        "service_name": SERVICE_NAME,
        "sees_dashboards": may_view(context.get("actor")),
        # The manager's staffing page for the navigation (href, words, nav key), or None.
        "staffing_page": staffing_page(context.get("actor")),
        # The list of disputes, for those who raise, oversee or answer them.
        "lists_disputes": lists_disputes(context.get("actor")),
        "lists_referrals": lists_referrals(context.get("actor")),
    }
    return TEMPLATES.TemplateResponse(request, template, {**base, **context}, status_code=status_code)
