"""What every browser test checks on a page: axe (WCAG 2.2 A/AA) clean at 1280 px and at 320 px, with no
horizontal page scroll at 320 px (only tables scroll, inside their containers); and the way people sign in."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.async_api import Locator, Page

from tests.e2e.conftest import ROOT

AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDE, NARROW = 1280, 320


async def check_accessibility(page: Page, screenshots: Path, name: str) -> None:
    """axe finds no violations on the page as it stands; a full-page screenshot is kept either way."""
    await page.screenshot(path=screenshots / f"{name}.png", full_page=True)
    if not await page.evaluate("typeof axe !== 'undefined'"):
        await page.evaluate(AXE.read_text())
    result = await page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    violations = [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]
    assert violations == [], f"{name}: {json.dumps(violations, indent=1)}"


async def check_page(page: Page, screenshots: Path, name: str) -> None:
    """axe clean at 1280 px and at 320 px, and the page reflows at 320 px: nothing but a table container
    scrolls sideways (WCAG 1.4.10). Leaves the page at its width before."""
    before = page.viewport_size or {"width": WIDE, "height": 900}
    await page.set_viewport_size({"width": WIDE, "height": before["height"]})
    await check_accessibility(page, screenshots, name)
    await page.set_viewport_size({"width": NARROW, "height": before["height"]})
    overflow = await page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= NARROW, f"{name}: the page is {overflow} px wide at {NARROW} px"
    await check_accessibility(page, screenshots, f"{name}-320")
    await page.set_viewport_size(before)


async def sign_in(page: Page, base: str, label: str) -> None:
    """Sign in on the demo sign-in page as the person ``label`` names ("Name, Organisation")."""
    await page.goto(f"{base}/sign-in")
    await page.get_by_label(label).check()
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(lambda url: "/sign-in" not in url)


async def tab_stops_to(page: Page, target: Locator, limit: int = 60) -> int:
    """How many presses of Tab from the top of the page reach ``target`` (fails past ``limit``)."""
    await page.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")
    await page.locator("body").focus()
    handle = await target.element_handle()
    assert handle is not None
    for stop in range(1, limit + 1):
        await page.keyboard.press("Tab")
        if await handle.evaluate("(el) => el === document.activeElement"):
            return stop
    raise AssertionError(f"not reached in {limit} tab stops")
