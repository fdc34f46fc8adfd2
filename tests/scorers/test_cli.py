"""`switchboard scorers` in local mode, through CliRunner on an in-memory gateway."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from apps.bootstrap import Services, build_in_memory
from apps.cli.context import CliContext
from apps.cli.main import cli
from core.domain.page import PageRequest
from ports.repositories import UsageQuery
from tests.scorers.conftest import JUDGE

Invoke = Callable[..., Result]


@pytest.fixture
def services() -> Services:
    return build_in_memory()


@pytest.fixture
def invoke(services: Services) -> Invoke:
    def run(*args: str, code: int = 0, stdin: str | None = None) -> Result:
        context = CliContext(settings=services.settings, _services=services)
        result = CliRunner().invoke(cli, list(args), obj=context, input=stdin)
        assert result.exit_code == code, (result.exit_code, result.output, result.exception)
        return result

    return run


@pytest.fixture
def invoke_json(invoke: Invoke) -> Callable[..., Any]:
    return lambda *args: json.loads(invoke(*args, "--json").stdout)


@pytest.fixture
def endpoint(invoke_json: Callable[..., Any]) -> Callable[[str], str]:
    """An endpoint on the built-in mock provider; returns its id."""

    def create(name: str) -> str:
        model = invoke_json(
            "models", "create", "--name", f"{name}-m", "--provider", "mock", "--model-name", "m"
        )
        made = invoke_json("endpoints", "create", "--name", name, "--primary", model["model_definition_id"])
        return str(made["endpoint_id"])

    return create


def register(invoke_json: Callable[..., Any], endpoint_id: str, *extra: str) -> Any:
    return invoke_json(
        "scorers", "register", "--namespace", "exp", "--name", "correct", "--instructions", JUDGE,
        "--result-type", "yes_no", "--endpoint-id", endpoint_id, *extra,
    )  # fmt: skip


def test_register_list_get_and_versions(
    invoke_json: Callable[..., Any], endpoint: Callable[[str], str]
) -> None:
    first, second = endpoint("judge-a"), endpoint("judge-b")

    v1 = register(invoke_json, first)
    v2 = register(invoke_json, second)
    listed = invoke_json("scorers", "list")
    detail = invoke_json("scorers", "get", v1["scorer_id"])

    assert (v1["version"], v2["version"], v2["scorer_id"]) == (1, 2, v1["scorer_id"])
    assert [(s["name"], s["version"]) for s in listed["scorers"]] == [("correct", 2)]
    assert [v["endpoint_id"] for v in detail["versions"]] == [first, second]
    assert detail["binding"]["endpoint_id"] == second
    assert invoke_json("bindings", "list", "--endpoint-id", first)["bindings"] == []


def test_human_output_is_a_table(
    invoke: Invoke, invoke_json: Callable[..., Any], endpoint: Callable[[str], str]
) -> None:
    scorer = register(invoke_json, endpoint("judge-a"))

    listing = invoke("scorers", "list").stdout
    detail = invoke("scorers", "get", scorer["scorer_id"]).stdout

    assert "SCORER_ID" in listing and scorer["scorer_id"] in listing and "correct" in listing
    assert "bound_to" in detail and "VERSION" in detail


def test_delete_a_version_then_the_scorer(
    invoke: Invoke, invoke_json: Callable[..., Any], endpoint: Callable[[str], str]
) -> None:
    first, second = endpoint("judge-a"), endpoint("judge-b")
    scorer_id = register(invoke_json, first)["scorer_id"]
    register(invoke_json, second)

    assert "deleted version 2" in invoke("scorers", "delete", scorer_id, "--version", "2").stdout
    assert invoke_json("scorers", "get", scorer_id)["binding"]["endpoint_id"] == first
    invoke("scorers", "delete", scorer_id)
    assert invoke_json("scorers", "list")["scorers"] == []
    assert invoke_json("bindings", "list", "--endpoint-id", first)["bindings"] == []


def test_errors_are_one_line(
    invoke: Invoke, invoke_json: Callable[..., Any], endpoint: Callable[[str], str]
) -> None:
    missing = invoke(
        "scorers", "register", "--namespace", "exp", "--name", "n", "--instructions", JUDGE,
        "--result-type", "yes_no", "--endpoint-id", "ghost", code=1,
    )  # fmt: skip
    gone = endpoint("judge-a")
    scorer_id = register(invoke_json, gone)["scorer_id"]
    refused = invoke("endpoints", "delete", gone, code=1)
    invoke("endpoints", "delete", gone, "--force")
    deleted = invoke("scorers", "run", scorer_id, "--inputs", "q", "--outputs", "a", code=1)

    assert "endpoint 'ghost' does not exist" in missing.output
    assert "scorer 'correct'" in refused.output
    assert "endpoint was deleted" in deleted.output
    assert all(len(r.output.strip().splitlines()) == 1 for r in (missing, refused, deleted))


def test_run_on_the_mock_provider_returns_a_typed_value_and_records_usage(
    invoke_json: Callable[..., Any], endpoint: Callable[[str], str], services: Services, tmp_path: Path
) -> None:
    endpoint_id = endpoint("judge-a")
    instructions = tmp_path / "judge.txt"
    instructions.write_text("Rate {{ outputs }} for {{ inputs }} from 1 to 5.")
    scorer = invoke_json(
        "scorers", "register", "--namespace", "exp", "--name", "stars", "--instructions", f"@{instructions}",
        "--result-type", "integer", "--min", "1", "--max", "5", "--endpoint-id", endpoint_id,
    )  # fmt: skip

    result = invoke_json("scorers", "run", scorer["scorer_id"], "--inputs", '{"q": "2+2"}', "--outputs", "4")

    assert scorer["instructions"] == "Rate {{ outputs }} for {{ inputs }} from 1 to 5."
    assert isinstance(result["value"], int) and 1 <= result["value"] <= 5
    assert isinstance(result["rationale"], str)
    with services.ports.uow() as uow:
        records = uow.usage.list(PageRequest(), UsageQuery(endpoint_id=endpoint_id)).items
    assert [(r.endpoint_name, r.status) for r in records] == [("judge-a", 200)]
