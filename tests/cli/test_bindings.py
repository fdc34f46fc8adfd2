"""`switchboard bindings` in local mode."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cli.conftest import Invoke


@pytest.fixture
def endpoint_id(invoke_json: Callable[..., Any], model_id: Callable[[str], str]) -> str:
    return str(
        invoke_json("endpoints", "create", "--name", "chat", "--primary", model_id("m"))["endpoint_id"]
    )


def _bind(invoke: Invoke, endpoint_id: str, resource_id: str, code: int = 0) -> Any:
    return invoke(
        "bindings",
        "create",
        "--endpoint-id",
        endpoint_id,
        "--resource-type",
        "application",
        "--resource-id",
        resource_id,
        "--display-name",
        f"app {resource_id}",
        code=code,
    )


def test_create_then_list_by_endpoint_and_by_resource(
    invoke: Invoke, invoke_json: Callable[..., Any], endpoint_id: str
) -> None:
    _bind(invoke, endpoint_id, "a1")
    by_endpoint = invoke_json("bindings", "list", "--endpoint-id", endpoint_id)["bindings"]
    assert [(b["resource_type"], b["resource_id"], b["display_name"]) for b in by_endpoint] == [
        ("application", "a1", "app a1")
    ]
    by_resource = invoke_json("bindings", "list", "--resource-type", "application", "--resource-id", "a1")
    assert by_resource["bindings"][0]["endpoint_id"] == endpoint_id
    assert "app a1" in invoke("bindings", "list", "--endpoint-id", endpoint_id).stdout


def test_the_same_binding_twice_is_refused(invoke: Invoke, endpoint_id: str) -> None:
    _bind(invoke, endpoint_id, "a1")
    assert "already exists" in _bind(invoke, endpoint_id, "a1", code=1).output


def test_unknown_resource_type_names_the_allowed_ones(invoke: Invoke, endpoint_id: str) -> None:
    result = invoke(
        "bindings",
        "create",
        "--endpoint-id",
        endpoint_id,
        "--resource-type",
        "robot",
        "--resource-id",
        "r",
        "--display-name",
        "r",
        code=1,
    )
    assert "resource_type" in result.output and "scorer" in result.output


def test_binding_to_a_missing_endpoint_fails(invoke: Invoke) -> None:
    assert "does not exist" in _bind(invoke, "nope", "a1", code=1).output


def test_delete_removes_it(invoke: Invoke, invoke_json: Callable[..., Any], endpoint_id: str) -> None:
    _bind(invoke, endpoint_id, "a1")
    invoke(
        "bindings",
        "delete",
        "--endpoint-id",
        endpoint_id,
        "--resource-type",
        "application",
        "--resource-id",
        "a1",
    )
    assert invoke_json("bindings", "list", "--endpoint-id", endpoint_id)["bindings"] == []
    invoke(
        "bindings",
        "delete",
        "--endpoint-id",
        endpoint_id,
        "--resource-type",
        "application",
        "--resource-id",
        "a1",
        code=1,
    )


def test_list_needs_exactly_one_selector(invoke: Invoke, endpoint_id: str) -> None:
    invoke("bindings", "list", code=2)
    invoke("bindings", "list", "--endpoint-id", endpoint_id, "--resource-id", "x", code=2)
    invoke("bindings", "list", "--resource-type", "job", code=2)
