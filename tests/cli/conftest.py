"""CLI tests run the real `switchboard` command through CliRunner on an in-memory gateway."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner, Result

from apps.bootstrap import Services, build_in_memory
from apps.cli.context import CliContext
from apps.cli.main import cli

Invoke = Callable[..., Result]


@pytest.fixture
def services() -> Services:
    return build_in_memory()


@pytest.fixture
def invoke(services: Services) -> Invoke:
    """Run `switchboard ARGS…` in local mode on `services`; fails the test on an unexpected exit code."""

    def run(*args: str, code: int = 0, env: dict[str, str] | None = None, stdin: str | None = None) -> Result:
        context = CliContext(settings=services.settings, _services=services)
        # Local mode even when the developer's shell points the CLI at a server.
        environ: dict[str, str | None] = {"SWITCHBOARD_URL": None, "SWITCHBOARD_API_KEY": None, **(env or {})}
        result = CliRunner().invoke(cli, list(args), obj=context, env=environ, input=stdin)
        assert result.exit_code == code, (result.exit_code, result.output, result.exception)
        return result

    return run


@pytest.fixture
def invoke_json(invoke: Invoke) -> Callable[..., Any]:
    def run(*args: str) -> Any:
        return json.loads(invoke(*args, "--json").stdout)

    return run


@pytest.fixture
def model_id(invoke_json: Callable[..., Any]) -> Callable[[str], str]:
    """Create a mock model definition by name; returns its id."""

    def create(name: str) -> str:
        made = invoke_json(
            "models", "create", "--name", name, "--provider", "mock", "--model-name", f"m-{name}"
        )
        return str(made["model_definition_id"])

    return create
