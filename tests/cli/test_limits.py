"""`switchboard limits set|get` in local mode."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Invoke


@pytest.fixture
def endpoint_id(invoke_json: Callable[..., Any], model_id: Callable[[str], str]) -> str:
    return str(
        invoke_json("endpoints", "create", "--name", "chat", "--primary", model_id("m"))["endpoint_id"]
    )


def test_rules_from_the_command_line(invoke_json: Callable[..., Any], endpoint_id: str) -> None:
    stored = invoke_json(
        "limits",
        "set",
        endpoint_id,
        "--rule",
        "minute:100",
        "--rule",
        "hour:1000:50000:user",
        "--rule",
        "day:5:user",
    )
    assert stored["limits"] == [
        {"renewal_period": "minute", "calls": 100, "tokens": None, "key": "endpoint"},
        {"renewal_period": "hour", "calls": 1000, "tokens": 50000, "key": "user"},
        {"renewal_period": "day", "calls": 5, "tokens": None, "key": "user"},
    ]
    assert invoke_json("limits", "get", endpoint_id) == stored


def test_rules_from_a_yaml_file(invoke_json: Callable[..., Any], endpoint_id: str, tmp_path: Path) -> None:
    path = tmp_path / "limits.yaml"
    path.write_text(
        "limits:\n  - {renewal_period: second, calls: 5}\n  - {renewal_period: day, calls: 0, tokens: 0}\n"
    )
    stored = invoke_json("limits", "set", endpoint_id, "--file", str(path))
    assert [r["renewal_period"] for r in stored["limits"]] == ["second", "day"]


def test_rules_from_a_json_list(invoke_json: Callable[..., Any], endpoint_id: str, tmp_path: Path) -> None:
    path = tmp_path / "limits.json"
    path.write_text(json.dumps([{"renewal_period": "minute", "calls": 3, "key": "user"}]))
    assert invoke_json("limits", "set", endpoint_id, "--file", str(path))["limits"][0]["key"] == "user"


def test_human_output_and_clear(invoke: Invoke, endpoint_id: str) -> None:
    out = invoke("limits", "set", endpoint_id, "--rule", "minute:100").stdout
    assert out.splitlines()[0].split() == ["RENEWAL_PERIOD", "CALLS", "TOKENS", "KEY"]
    assert "(no limits)" in invoke("limits", "set", endpoint_id, "--clear").stdout
    assert "(no limits)" in invoke("limits", "get", endpoint_id).stdout


@pytest.mark.parametrize("rule", ["minute", "minute:x", "minute:1:2:3:4", "minute:1:forever"])
def test_malformed_rule_names_the_option(invoke: Invoke, endpoint_id: str, rule: str) -> None:
    assert "--rule" in invoke("limits", "set", endpoint_id, "--rule", rule, code=2).output


def test_unknown_period_is_refused_by_the_domain(invoke: Invoke, endpoint_id: str) -> None:
    result = invoke("limits", "set", endpoint_id, "--rule", "week:1", code=1)
    assert "renewal_period" in result.output


def test_two_rules_for_one_window_are_refused(invoke: Invoke, endpoint_id: str) -> None:
    assert (
        "two rules"
        in invoke("limits", "set", endpoint_id, "--rule", "minute:1", "--rule", "minute:2", code=1).output
    )


def test_exactly_one_source_of_rules(invoke: Invoke, endpoint_id: str) -> None:
    invoke("limits", "set", endpoint_id, code=2)
    invoke("limits", "set", endpoint_id, "--rule", "minute:1", "--clear", code=2)


def test_unknown_endpoint(invoke: Invoke) -> None:
    assert "does not exist" in invoke("limits", "get", "nope", code=1).output


def test_file_with_unknown_field_is_refused(invoke: Invoke, endpoint_id: str, tmp_path: Path) -> None:
    path = tmp_path / "limits.yaml"
    path.write_text("- {renewal_period: minute, calls: 1, burst: 3}\n")
    assert "burst" in invoke("limits", "set", endpoint_id, "--file", str(path), code=1).output
