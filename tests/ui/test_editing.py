"""Editing in the console, signing in by keyboard, and where the admin key is (and is not) kept."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import httpx

from tests.ui.conftest import Console, screenshot
from tests.ui.steps import expect, go, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page


def admin_post(console: Console, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """Setup through the API, so each test exercises only the console screens it is about."""
    answer = httpx.post(
        f"{console.server.url}/api/v1{path}",
        json=body,
        headers={"Authorization": f"Bearer {console.admin_key}"},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


def test_edit_endpoint_into_weighted_split_then_delete(page: Page, console: Console, unique: str) -> None:
    first = admin_post(
        console, "/model-definitions", {"name": f"one-{unique}", "provider": "mock", "model_name": "m1"}
    )
    second = admin_post(
        console, "/model-definitions", {"name": f"two-{unique}", "provider": "mock", "model_name": "m2"}
    )
    endpoint = admin_post(
        console,
        "/endpoints",
        {
            "name": f"split-{unique}",
            "model_mappings": [
                {"model_definition_id": first["model_definition_id"]},
                {
                    "model_definition_id": second["model_definition_id"],
                    "linkage_type": "FALLBACK",
                    "fallback_order": 1,
                },
            ],
            "tags": [{"key": "stage", "value": "beta"}],
        },
    )
    sign_in(page, console, console.admin_key)
    go(page, endpoint["name"], f"Endpoint {endpoint['name']}")
    go(page, "Edit", f"Edit endpoint {endpoint['name']}")

    second_row = page.locator(".mapping-row").nth(1)
    second_row.get_by_label("Linkage").select_option("PRIMARY")
    expect(second_row.get_by_label("Fallback order")).to_be_disabled()
    second_row.get_by_label("Weight").fill("3")
    page.locator(".tag-row").get_by_role("button", name="Remove this tag").click()
    page.get_by_role("button", name="Save endpoint").click()

    expect(page.get_by_role("heading", name=f"Endpoint {endpoint['name']}")).to_be_visible()
    expect(page.get_by_role("article", name=f"Model one-{unique}")).to_contain_text("primary · 25%")
    expect(page.get_by_role("article", name=f"Model two-{unique}")).to_contain_text("primary · 75%")
    go(page, "Endpoints", "Endpoints")
    row = page.locator(f"tr[data-endpoint='{endpoint['name']}']")
    expect(row).to_contain_text(f"one-{unique} 25%two-{unique} 75%")
    expect(row).not_to_contain_text("stage=beta")

    go(page, endpoint["name"], f"Endpoint {endpoint['name']}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("heading", name="Endpoints")).to_be_visible()
    expect(page.locator(f"tr[data-endpoint='{endpoint['name']}']")).to_have_count(0)


def test_a_secret_value_can_be_replaced_and_is_only_shown_masked(
    page: Page, console: Console, unique: str
) -> None:
    secret = admin_post(console, "/secrets", {"name": f"rotate-{unique}", "value": "sk-old-value-0000aaaa"})
    sign_in(page, console, console.admin_key)
    go(page, "Secrets", "Secrets")
    page.get_by_role("link", name=f"Edit rotate-{unique}").click()
    new_value = page.get_by_label("New value")
    expect(new_value).to_have_attribute("placeholder", f"unchanged ({secret['masked_value']})")
    new_value.fill("sk-new-value-1111bbbb")
    page.get_by_role("button", name="Save secret").click()

    expect(page.get_by_role("status")).to_contain_text("stored as sk-...bbbb")
    expect(page.get_by_role("row", name=re.compile(f"rotate-{unique}"))).to_contain_text("sk-...bbbb")
    assert "sk-new-value-1111bbbb" not in page.content()


def test_keyboard_sign_in_keeps_the_key_in_the_tab_only(page: Page, console: Console) -> None:
    page.goto(console.url)
    key = page.get_by_label("Admin key")
    expect(key).to_be_focused()
    page.keyboard.type("sb-not-a-real-key")
    page.keyboard.press("Enter")
    expect(page.locator("#admin-key-error")).to_contain_text("key:")
    expect(key).to_have_attribute("aria-invalid", "true")
    assert page.evaluate("() => sessionStorage.length") == 0

    key.fill(console.admin_key)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Endpoints")).to_be_visible()
    assert page.evaluate("() => sessionStorage.getItem('switchboard.adminKey')") == console.admin_key
    assert console.admin_key not in page.url
    assert page.context.cookies() == []

    page.keyboard.press("Tab")  # from the focused heading, the next stop is the first control
    expect(page.get_by_role("link", name="New endpoint")).to_be_focused()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.evaluate("() => sessionStorage.length") == 0
    screenshot(page, "10-signed-out")


def test_endpoint_page_shows_limits_and_who_uses_it(page: Page, console: Console, unique: str) -> None:
    model = admin_post(
        console, "/model-definitions", {"name": f"lim-{unique}", "provider": "mock", "model_name": "m"}
    )
    endpoint = admin_post(
        console,
        "/endpoints",
        {
            "name": f"bound-{unique}",
            "model_mappings": [{"model_definition_id": model["model_definition_id"]}],
        },
    )
    binding = {
        "endpoint_id": endpoint["endpoint_id"],
        "resource_type": "scorer",
        "resource_id": f"scorer-{unique}",
        "display_name": f"Relevance judge {unique}",
    }
    admin_post(console, "/bindings", binding)
    limits = httpx.put(
        f"{console.server.url}/api/v1/endpoints/{endpoint['endpoint_id']}/limits",
        json={"limits": [{"renewal_period": "minute", "calls": 60, "tokens": 5000}]},
        headers={"Authorization": f"Bearer {console.admin_key}"},
        timeout=10,
    )
    assert limits.status_code == 200, limits.text

    sign_in(page, console, console.admin_key)
    row = page.locator(f"tr[data-endpoint='bound-{unique}']")
    expect(row).to_contain_text(f"Relevance judge {unique} (scorer)")
    go(page, f"bound-{unique}", f"Endpoint bound-{unique}")
    expect(page.get_by_role("table", name="Bindings")).to_contain_text(f"Relevance judge {unique}")
    expect(page.get_by_role("table", name="Limits")).to_contain_text("minute605000endpoint")
    card = page.get_by_role("article", name=f"Model lim-{unique}")
    expect(card).to_contain_text("Secretnone")
    screenshot(page, "11-endpoint-limits-bindings")
