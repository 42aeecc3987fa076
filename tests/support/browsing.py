"""Using the pages over HTTP as a browser without JavaScript would: sign in, follow forms, post them."""

from __future__ import annotations

import re

import httpx

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


async def sign_in_as(client: httpx.AsyncClient, person_id: object) -> None:
    """Choose a person on the demo sign-in page."""
    page = await client.get("/sign-in")
    response = await client.post(
        "/sign-in/demo", data={"csrf_token": csrf_from(page.text), "person_id": str(person_id)}
    )
    assert response.status_code == 303
    # Everyone lands on "/", which sends each role to what needs doing (portal/web/next_steps.py).
    assert response.headers["location"] == "/"


async def csrf_of(client: httpx.AsyncClient) -> str:
    """The signed-in session's CSRF token. Only a page with a form carries it (there is no sign-out form on
    every page any more): the email settings page always has one."""
    return csrf_from((await client.get("/settings/email")).text)
