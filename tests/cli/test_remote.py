"""Every admin command on a real server through the admin API (`--url` / SWITCHBOARD_URL + key)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from apps.cli.main import cli
from apps.client import SwitchboardClient
from tests.client.server import RunningServer, running_server

# Remote mode must never open the local database: point it somewhere that cannot exist.
NO_DATABASE = "sqlite:////nonexistent-dir/never.db"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with running_server(tmp_path_factory.mktemp("remote-cli")) as running:
        yield running


@pytest.fixture
def remote(server: RunningServer) -> Callable[..., Result]:
    def run(*args: str, code: int = 0, env: dict[str, str] | None = None) -> Result:
        environ = {
            "SWITCHBOARD_URL": server.url,
            "SWITCHBOARD_API_KEY": server.admin_key,
            "SWITCHBOARD_DATABASE_URL": NO_DATABASE,
            **(env or {}),
        }
        result = CliRunner().invoke(cli, list(args), env=environ)
        assert result.exit_code == code, (result.exit_code, result.output, result.exception)
        return result

    return run


@pytest.fixture
def remote_json(remote: Callable[..., Result]) -> Callable[..., Any]:
    return lambda *args: json.loads(remote(*args, "--json").stdout)


def test_models_endpoints_bindings_and_limits_over_http(
    remote: Callable[..., Result], remote_json: Callable[..., Any]
) -> None:
    model = remote_json("models", "create", "--name", "r-main", "--provider", "mock", "--model-name", "echo")
    assert model["created_by"] == "test-admin"  # the server's principal, so it went over HTTP
    ident = model["model_definition_id"]
    assert remote_json("models", "update", ident, "--model-name", "echo-2")["model_name"] == "echo-2"
    assert "r-main" in remote("models", "list").stdout

    endpoint = remote_json(
        "endpoints", "create", "--name", "r-chat", "--primary", f"{ident}:2", "--idle-timeout", "3"
    )
    ep = endpoint["endpoint_id"]
    assert endpoint["timeouts"]["idle_s"] == 3.0
    assert remote_json("endpoints", "update", ep, "--tag", "env=dev")["tags"] == [
        {"key": "env", "value": "dev"}
    ]
    assert [e["name"] for e in remote_json("endpoints", "list", "--tag", "env=dev")["endpoints"]] == [
        "r-chat"
    ]

    remote(
        "bindings",
        "create",
        "--endpoint-id",
        ep,
        "--resource-type",
        "job",
        "--resource-id",
        "j1",
        "--display-name",
        "nightly",
    )
    assert remote_json("bindings", "list", "--endpoint-id", ep)["bindings"][0]["display_name"] == "nightly"
    assert remote_json("bindings", "list", "--resource-type", "job", "--resource-id", "j1")["bindings"]
    assert "nightly" in remote("endpoints", "delete", ep, code=1).output
    remote("bindings", "delete", "--endpoint-id", ep, "--resource-type", "job", "--resource-id", "j1")

    assert remote_json("limits", "set", ep, "--rule", "minute:100:user")["limits"][0]["key"] == "user"
    assert remote_json("limits", "get", ep)["limits"][0]["calls"] == 100

    remote("endpoints", "delete", ep)
    remote("models", "delete", ident)
    assert remote_json("models", "list")["model_definitions"] == []


def test_usage_over_http(remote_json: Callable[..., Any], server: RunningServer) -> None:
    model = remote_json("models", "create", "--name", "u-mock", "--provider", "mock", "--model-name", "echo")
    endpoint = remote_json(
        "endpoints", "create", "--name", "u-chat", "--primary", model["model_definition_id"]
    )
    with SwitchboardClient(server.url, server.admin_key) as client:
        client.chat("u-chat", [{"role": "user", "content": "count me"}])
    deadline = time.monotonic() + 15
    while True:  # usage is written in batches, off the request path
        records = remote_json("usage", "list", "--endpoint-id", endpoint["endpoint_id"], "--since", "1h")[
            "usage"
        ]
        if records or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert [(r["endpoint_name"], r["status"], r["principal"]) for r in records] == [
        ("u-chat", 200, "test-admin")
    ]
    assert records[0]["prompt_tokens"] > 0


def test_config_apply_and_export_over_http(remote: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "gateway.yaml"
    path.write_text(
        "secrets:\n  - {name: r-key, value_env: R_KEY, provider: openai}\n"
        "model_definitions:\n  - {name: r-gpt, provider: openai, model_name: gpt-4o, secret: r-key}\n"
        "endpoints:\n  - name: r-cfg\n    model_mappings: [{model: r-gpt}]\n"
        "    limits: [{renewal_period: minute, calls: 5}]\n"
    )
    value = "sk-remote-config-secret-5678"
    first = remote("config", "apply", str(path), env={"R_KEY": value}).stdout
    assert "+ secret r-key" in first and "+ endpoint r-cfg" in first
    assert "no changes" in remote("config", "apply", str(path), env={"R_KEY": value}).stdout
    exported = remote("config", "export").stdout
    assert "r-cfg" in exported and value not in exported


def test_errors_are_one_line_with_the_servers_reason(remote: Callable[..., Result]) -> None:
    result = remote("endpoints", "get", "no-such", code=1)
    assert result.output.strip() == "Error: 404 RESOURCE_DOES_NOT_EXIST: endpoint 'no-such' does not exist"


def test_a_url_without_a_key_is_refused_with_a_reason(remote: Callable[..., Result]) -> None:
    result = remote("endpoints", "list", code=1, env={"SWITCHBOARD_API_KEY": ""})
    assert "SWITCHBOARD_API_KEY" in result.output


def test_a_user_key_is_refused(remote: Callable[..., Result], server: RunningServer) -> None:
    user_key = json.loads(server.switchboard("keys", "create", "--name", "u", "--role", "user", "--json"))[
        "key"
    ]
    result = remote("endpoints", "list", code=1, env={"SWITCHBOARD_API_KEY": user_key})
    assert "403" in result.output
    assert user_key not in result.output


def test_url_option_works_like_the_environment_variable(server: RunningServer) -> None:
    env = {
        "SWITCHBOARD_API_KEY": server.admin_key,
        "SWITCHBOARD_DATABASE_URL": NO_DATABASE,
        "SWITCHBOARD_URL": "",
    }
    result = CliRunner().invoke(cli, ["--url", server.url, "endpoints", "list", "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert "endpoints" in json.loads(result.stdout)


def test_local_and_remote_answers_have_the_same_fields(remote_json: Callable[..., Any]) -> None:
    from apps.bootstrap import build_in_memory
    from apps.cli.context import CliContext

    services = build_in_memory()

    def local_json(*args: str) -> Any:
        context = CliContext(settings=services.settings, _services=services)
        result = CliRunner().invoke(cli, [*args, "--json"], obj=context)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def shape(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items()}
        if isinstance(value, list):
            return [shape(v) for v in value[:1]]
        return None  # values differ (ids, times, who made it); the fields must not

    answers = []
    for run in (local_json, remote_json):
        model = run("models", "create", "--name", "shape-m", "--provider", "mock", "--model-name", "x")
        endpoint = run("endpoints", "create", "--name", "shape-e", "--primary", model["model_definition_id"])
        run("limits", "set", endpoint["endpoint_id"], "--rule", "minute:1")
        answers.append(
            (
                shape(run("endpoints", "get", endpoint["endpoint_id"])),
                shape(run("models", "list")),
                shape(run("limits", "get", endpoint["endpoint_id"])),
            )
        )
    local, remote = answers
    assert local == remote
