"""Browser tests of the console: Debian's Chromium (headless, via Playwright) against a real server.

Locally they skip when Chromium or Playwright is missing; in CI (SWITCHBOARD_REQUIRE_SERVICES=1)
that is a failure, as for PostgreSQL and Redis. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.client.server import RunningServer, running_server
from tests.served import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
VIEWPORT = {"width": 1366, "height": 860}  # a laptop screen
_taken: list[Path] = []


def required(available: bool, what: str) -> None:
    """Skip when `what` is missing; in CI (SWITCHBOARD_REQUIRE_SERVICES=1) fail instead."""
    if available:
        return
    if os.environ.get("SWITCHBOARD_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{what} is missing but SWITCHBOARD_REQUIRE_SERVICES=1 (CI must not skip)")
    pytest.skip(f"{what} is missing")


@dataclass(frozen=True)
class Console:
    """The server under test, its keys, and where screenshots go."""

    server: RunningServer
    user_key: str

    @property
    def url(self) -> str:
        return f"{self.server.url}/ui"

    @property
    def admin_key(self) -> str:
        return self.server.admin_key


@pytest.fixture(scope="session")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    with running_server(tmp_path_factory.mktemp("ui-server")) as server:
        created = server.switchboard("keys", "create", "--name", "ui-user", "--role", "user", "--json")
        yield Console(server, json.loads(created)["key"])


@pytest.fixture
def unique() -> str:
    """A suffix that keeps names apart between tests sharing the server."""
    return uuid.uuid4().hex[:6]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    required(CHROMIUM.exists() or shutil.which("chromium") is not None, "Chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        required(False, "Playwright for Python (pip install playwright)")
        raise
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")),
            args=CHROMIUM_ARGS,
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context per test: its own sessionStorage, so its own sign-in."""
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    _taken.append(path)
    return path


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _taken:
        terminalreporter.write_line(f"console screenshots ({len(_taken)}): {SCREENSHOTS}")
