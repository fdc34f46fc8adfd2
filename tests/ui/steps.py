"""Steps the console tests share: Playwright's expect, following a link, signing in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.ui.conftest import Console

if TYPE_CHECKING:
    from playwright.sync_api import Page


def expect(target: Any) -> Any:
    # Imported on use: without Playwright installed the tests must skip (or fail in CI), not break collection.
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def sign_in(page: Page, console: Console, key: str) -> None:
    page.goto(console.url)
    page.get_by_label("Admin key").fill(key)
    page.get_by_role("button", name="Sign in").click()


def go(page: Page, link: str, heading: str) -> None:
    """Follow a link and wait for its page, so what follows acts on that page."""
    page.get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
