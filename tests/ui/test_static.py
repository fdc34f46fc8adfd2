"""/ui serves the console's committed files: the page, JS modules as JavaScript, and a strict CSP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from apps.bootstrap import build_in_memory
from apps.http import create_app


@pytest.fixture
def client() -> Iterator[TestClient[Any]]:
    with TestClient(create_app(build_in_memory())) as test_client:
        yield test_client


def test_the_console_page_needs_no_key_and_loads_only_from_this_server(client: TestClient[Any]) -> None:
    page = client.get("/ui")
    assert page.status_code == 200
    assert '<script type="module" src="/ui/js/main.js">' in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert page.headers["referrer-policy"] == "no-referrer"


def test_modules_are_served_as_javascript(client: TestClient[Any]) -> None:
    module = client.get("/ui/js/pages/usage.js")
    assert module.status_code == 200
    assert "javascript" in module.headers["content-type"]
    assert client.get("/ui/console.css").headers["content-type"].startswith("text/css")


def test_an_unknown_file_is_a_404(client: TestClient[Any]) -> None:
    assert client.get("/ui/js/missing.js").status_code == 404
