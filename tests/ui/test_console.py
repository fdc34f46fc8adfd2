"""The console in a real browser: sign in, create a secret, models and an endpoint, try it, usage, errors."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.served import free_port
from tests.ui.conftest import Console, screenshot
from tests.ui.steps import expect, go, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

SECRET_VALUE = "sk-console-test-0123456789abcdef"


@pytest.fixture
def signed_in(page: Page, console: Console) -> Page:
    sign_in(page, console, console.admin_key)
    expect(page.get_by_role("heading", name="Endpoints")).to_be_visible()
    return page


def usage_count(console: Console, endpoint_name: str) -> int:
    answer = httpx.get(
        f"{console.server.url}/api/v1/usage",
        headers={"Authorization": f"Bearer {console.admin_key}"},
        timeout=10,
    )
    return sum(1 for r in answer.json()["usage"] if r["endpoint_name"] == endpoint_name)


def wait_for_usage(console: Console, endpoint_name: str, count: int) -> None:
    """Usage is written in batches off the request path: wait until the API has `count` records."""
    for _ in range(200):
        if usage_count(console, endpoint_name) >= count:
            return
        httpx.get(f"{console.server.url}/health", timeout=10)  # a round trip, not a sleep
    raise AssertionError(f"the API never listed {count} usage records of {endpoint_name}")


def create_secret(page: Page, name: str) -> str:
    go(page, "Secrets", "Secrets")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Value", exact=True).fill(SECRET_VALUE)
    page.get_by_label("Provider", exact=True).fill("openai")
    page.get_by_role("button", name="Create secret").click()
    notice = page.get_by_role("status")
    expect(notice).to_contain_text(f"Saved {name}")
    row = page.get_by_role("row", name=re.compile(name))
    masked = row.locator("code").inner_text()
    assert masked != SECRET_VALUE and masked.endswith(SECRET_VALUE[-4:])
    assert SECRET_VALUE not in page.content()
    return masked


def create_model(page: Page, name: str, provider: str, secret: str | None = None, api_base: str = "") -> None:
    go(page, "Model definitions", "Model definitions")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Provider", exact=True).fill(provider)
    page.get_by_label("Model name").fill(f"{provider}-model")
    if secret:
        page.get_by_label("Secret").select_option(label=secret)
    page.get_by_label("API base").fill(api_base)
    page.get_by_role("button", name="Create model definition").click()
    expect(page.get_by_role("row", name=re.compile(f"^{name} ")).first).to_be_visible()


def fill_endpoint(page: Page, name: str, primary: str, fallback: str, max_attempts: str) -> None:
    go(page, "Endpoints", "Endpoints")
    go(page, "New endpoint", "New endpoint")
    page.get_by_label("Name", exact=True).fill(name)
    rows = page.locator(".mapping-row")
    rows.nth(0).get_by_label("Model definition").select_option(label=primary)
    page.get_by_role("button", name="Add model").click()
    rows.nth(1).get_by_label("Model definition").select_option(label=fallback)
    expect(rows.nth(1).get_by_label("Linkage")).to_have_value("FALLBACK")
    page.get_by_label("Max attempts").fill(max_attempts)


def test_create_everything_try_it_and_watch_usage(signed_in: Page, console: Console, unique: str) -> None:
    page = signed_in
    screenshot(page, "01-endpoints-empty")
    secret = f"openai-{unique}"
    masked = create_secret(page, secret)
    screenshot(page, "02-secrets")

    # The primary is an OpenAI model whose server is down (a closed loopback port): the mock fallback answers.
    down, mock = f"down-{unique}", f"mock-{unique}"
    create_model(
        page, down, "openai", secret=f"{secret} ({masked})", api_base=f"http://127.0.0.1:{free_port()}/v1"
    )
    create_model(page, mock, "mock")
    screenshot(page, "03-model-definitions")

    endpoint = f"chat-{unique}"
    fill_endpoint(page, endpoint, f"{down} (openai)", f"{mock} (mock)", "2")
    page.get_by_role("button", name="Add tag").click()
    page.locator(".tag-row").get_by_label("Key").fill("team")
    page.locator(".tag-row").get_by_label("Value").fill("search")
    screenshot(page, "04-endpoint-form")
    page.get_by_role("button", name="Create endpoint").click()

    expect(page.get_by_role("heading", name=f"Endpoint {endpoint}")).to_be_visible()
    down_card = page.get_by_role("article", name=f"Model {down}")
    expect(down_card).to_contain_text(secret)
    expect(down_card).to_contain_text("primary · 100%")
    expect(page.get_by_role("article", name=f"Model {mock}")).to_contain_text("fallback #1")

    page.get_by_label("Message").fill("Hello from the console")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#try-answer")).to_have_text("Mock answer to: Hello from the console")
    expect(page.locator("#try-model")).to_have_text(mock)
    assert int(page.locator("#try-attempts").inner_text()) >= 2  # the failed primary, then the fallback
    screenshot(page, "05-endpoint-try-it")

    go(page, "Endpoints", "Endpoints")
    listed = page.locator(f"tr[data-endpoint='{endpoint}']")
    expect(listed).to_contain_text(f"{down} 100%")
    expect(listed).to_contain_text(f"{mock}max 2 attempts")
    expect(listed).to_contain_text("team=search")
    page.get_by_label("Provider").select_option("mock")
    page.get_by_label("Tag").fill("team=search")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    screenshot(page, "06-endpoints")

    wait_for_usage(console, endpoint, 1)
    go(page, "Usage", "Usage")
    page.get_by_label("Endpoint", exact=True).select_option(label=endpoint)
    page.get_by_label("Group by").select_option("model")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#chart-requests")).to_have_attribute("data-total", "1")
    expect(page.locator("#chart-requests")).to_contain_text(
        f"Requests per model definition — 1 in range{mock}"
    )
    expect(page.locator("#chart-fallbacks")).to_have_attribute("data-total", "1")

    # Another request, and the chart follows.
    go(page, "Endpoints", "Endpoints")
    go(page, endpoint, f"Endpoint {endpoint}")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#try-model")).to_have_text(mock)
    wait_for_usage(console, endpoint, 2)
    go(page, "Show usage", "Usage")
    expect(page.get_by_label("Endpoint", exact=True)).to_have_value(re.compile(".+"))
    expect(page.locator("#chart-requests")).to_have_attribute("data-total", "2")
    expect(page.locator("#total-requests")).to_have_text("2")
    page.get_by_text("Numbers behind “Requests per endpoint”").click()
    table = page.locator("#chart-requests-table")
    expect(table.locator("thead")).to_contain_text(endpoint)
    expect(table.locator("tbody")).to_contain_text("2")
    screenshot(page, "07-usage")

    # A custom window before any traffic: nothing in it.
    page.get_by_label("Time range", exact=True).select_option("custom")
    page.get_by_label("From", exact=True).fill("2020-01-01T00:00")
    page.get_by_label("To", exact=True).fill("2020-01-02T00:00")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#total-requests")).to_have_text("0")
    expect(page.get_by_text("No request in this time range.")).to_be_visible()
    expect(page.get_by_label("From", exact=True)).to_have_value("2020-01-01T00:00")


def test_a_validation_error_shows_beside_its_field(signed_in: Page, unique: str) -> None:
    page = signed_in
    create_model(page, f"a-{unique}", "mock")
    create_model(page, f"b-{unique}", "mock")
    fill_endpoint(page, f"bad-{unique}", f"a-{unique} (mock)", f"b-{unique} (mock)", "5")
    page.get_by_role("button", name="Create endpoint").click()

    attempts = page.get_by_label("Max attempts")
    error = page.locator("#max-attempts-error")
    expect(error).to_contain_text("fallback_config.max_attempts: is 5 but at most 2 models")
    expect(attempts).to_have_attribute("aria-invalid", "true")
    expect(attempts).to_be_focused()
    expect(page.get_by_label("Name", exact=True)).not_to_have_attribute("aria-invalid", "true")
    screenshot(page, "08-validation-error")


def test_a_user_key_gets_the_403_page(page: Page, console: Console) -> None:
    page.goto(console.url)
    screenshot(page, "00-sign-in")
    sign_in(page, console, console.user_key)
    expect(page.get_by_role("heading", name="403 — this key is not an admin key")).to_be_visible()
    expect(page.get_by_role("navigation", name="Sections")).to_be_hidden()
    assert page.evaluate("() => sessionStorage.length") == 0
    assert console.user_key not in page.url
    screenshot(page, "09-forbidden")
