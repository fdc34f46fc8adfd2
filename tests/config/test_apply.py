"""`switchboard config apply|export`: idempotent apply, printed diff, dry run, prune, export round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apps.bootstrap import Services, build_in_memory
from apps.cli.backend_local import LocalBackend
from apps.config import read_state
from apps.config.state import CurrentState
from tests.cli.conftest import Invoke

SECRET = "sk-config-test-value-abcd1234"
ENV = {"TEST_OPENAI_KEY": SECRET}
FILE = """
secrets:
  - {name: openai, value_env: TEST_OPENAI_KEY, provider: openai}
model_definitions:
  - {name: gpt, provider: openai, model_name: gpt-4o, secret: openai}
  - {name: backup, provider: mock, model_name: echo}
endpoints:
  - name: chat
    model_mappings:
      - {model: gpt, weight: 3}
      - {model: backup, fallback_order: 1}
    tags: {team: search}
    fallback_config: {max_attempts: 2}
    timeouts: {idle_s: 5}
    limits: [{renewal_period: minute, calls: 100}]
"""


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "gateway.yaml"
    path.write_text(FILE)
    return path


def _state(services: Services) -> CurrentState:
    return read_state(LocalBackend(services))


def test_first_apply_creates_everything_and_prints_the_diff(
    invoke: Invoke, services: Services, config_file: Path
) -> None:
    out = invoke("config", "apply", str(config_file), env=ENV).stdout
    assert out.splitlines() == [
        "+ secret openai",
        "+ model gpt",
        "+ model backup",
        "+ endpoint chat",
        "+ limits chat (minute:100:endpoint)",
        "5 to create, 0 to update, 0 to delete, 0 unchanged",
    ]
    state = _state(services)
    chat = state.endpoints["chat"]
    assert [m["model_definition"]["name"] for m in chat["model_mappings"]] == ["gpt", "backup"]
    assert chat["timeouts"]["idle_s"] == 5.0
    assert state.models["gpt"]["secret_name"] == "openai"
    assert state.limits["chat"][0]["calls"] == 100


def test_a_second_apply_changes_nothing(invoke: Invoke, services: Services, config_file: Path) -> None:
    invoke("config", "apply", str(config_file), env=ENV)
    before = _state(services)
    out = invoke("config", "apply", str(config_file), env=ENV).stdout
    assert out.strip() == "no changes (5 unchanged)"
    assert _state(services) == before


def test_dry_run_prints_the_diff_and_changes_nothing(
    invoke: Invoke, services: Services, config_file: Path
) -> None:
    out = invoke("config", "apply", str(config_file), "--dry-run", env=ENV).stdout
    assert "+ endpoint chat" in out and "dry run: nothing was changed" in out
    assert _state(services).endpoints == {}
    assert _state(services).secrets == {}


def test_edits_show_field_by_field(invoke: Invoke, config_file: Path) -> None:
    invoke("config", "apply", str(config_file), env=ENV)
    config_file.write_text(
        FILE.replace("model_name: gpt-4o", "model_name: gpt-4.1")
        .replace("weight: 3", "weight: 1")
        .replace("calls: 100", "calls: 50")
    )
    out = invoke("config", "apply", str(config_file), "--dry-run", env=ENV).stdout
    assert "~ model gpt (model_name: gpt-4o -> gpt-4.1)" in out
    assert (
        "~ endpoint chat (model_mappings: [gpt (weight 3), backup (fallback 1)]"
        " -> [gpt (weight 1), backup (fallback 1)])" in out
    )
    assert "~ limits chat ([minute:100:endpoint] -> [minute:50:endpoint])" in out
    invoke("config", "apply", str(config_file), env=ENV)
    assert "no changes" in invoke("config", "apply", str(config_file), env=ENV).stdout


def test_changes_made_elsewhere_are_reverted_to_the_file(
    invoke: Invoke, services: Services, config_file: Path
) -> None:
    invoke("config", "apply", str(config_file), env=ENV)
    chat = _state(services).endpoints["chat"]["endpoint_id"]
    invoke("endpoints", "update", chat, "--total-timeout", "30", "--tag", "extra=1")
    out = invoke("config", "apply", str(config_file), env=ENV).stdout
    assert (
        "~ endpoint chat (tags: [extra=1, team=search] -> [team=search]; timeouts.total_s: 30 -> 600)" in out
    )
    assert _state(services).endpoints["chat"]["timeouts"]["total_s"] == 600.0


def test_a_new_secret_value_in_the_environment_is_written(
    invoke: Invoke, services: Services, config_file: Path
) -> None:
    invoke("config", "apply", str(config_file), env=ENV)
    out = invoke("config", "apply", str(config_file), env={"TEST_OPENAI_KEY": "sk-rotated-value-9999"}).stdout
    assert "~ secret openai (value changed)" in out
    assert _state(services).secrets["openai"]["masked_value"] == "sk-...9999"


def test_a_new_secret_needs_its_variable(invoke: Invoke, config_file: Path) -> None:
    result = invoke("config", "apply", str(config_file), code=1, env={"TEST_OPENAI_KEY": ""})
    assert "secret 'openai': environment variable TEST_OPENAI_KEY is not set" in result.output


def test_an_existing_secret_without_its_variable_keeps_its_value(
    invoke: Invoke, services: Services, config_file: Path
) -> None:
    invoke("config", "apply", str(config_file), env=ENV)
    result = invoke("config", "apply", str(config_file), env={"TEST_OPENAI_KEY": ""})
    assert "keeping the stored value" in result.output
    assert "no changes" in result.stdout
    assert _state(services).secrets["openai"]["masked_value"] == "sk-...1234"


def test_prune_deletes_what_the_file_leaves_out_only_when_asked(
    invoke: Invoke, services: Services, config_file: Path
) -> None:
    invoke("config", "apply", str(config_file), env=ENV)
    invoke("models", "create", "--name", "stray", "--provider", "mock", "--model-name", "x")
    assert "stray" not in invoke("config", "apply", str(config_file), env=ENV).stdout
    out = invoke("config", "apply", str(config_file), "--prune", env=ENV).stdout
    assert "- model stray" in out
    assert "stray" not in _state(services).models


def test_prune_leaves_sections_the_file_does_not_have(
    invoke: Invoke, services: Services, tmp_path: Path
) -> None:
    invoke("models", "create", "--name", "kept", "--provider", "mock", "--model-name", "x")
    only_endpoints = tmp_path / "endpoints.yaml"
    only_endpoints.write_text("endpoints:\n  - {name: e, model_mappings: [{model: kept}]}\n")
    out = invoke("config", "apply", str(only_endpoints), "--prune").stdout
    assert "- model" not in out
    assert set(_state(services).models) == {"kept"}


def test_prune_deletes_endpoints_before_the_models_they_use(
    invoke: Invoke, services: Services, config_file: Path, tmp_path: Path
) -> None:
    invoke("config", "apply", str(config_file), env=ENV)
    empty = tmp_path / "empty.yaml"
    empty.write_text("secrets: []\nmodel_definitions: []\nendpoints: []\n")
    out = invoke("config", "apply", str(empty), "--prune").stdout
    assert out.splitlines()[:4] == ["- endpoint chat", "- model backup", "- model gpt", "- secret openai"]
    state = _state(services)
    assert (state.secrets, state.models, state.endpoints) == ({}, {}, {})


def test_references_to_unknown_models_are_refused_before_any_change(
    invoke: Invoke, services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "model_definitions:\n  - {name: a, provider: mock, model_name: x}\n"
        "endpoints:\n  - {name: e, model_mappings: [{model: ghost}]}\n"
    )
    result = invoke("config", "apply", str(path), code=1)
    assert (
        "endpoints[0].model_mappings[0].model: 'ghost' is neither in the file nor in the gateway"
        in result.output
    )
    assert _state(services).models == {}


def test_domain_rules_still_apply(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "model_definitions:\n  - {name: a, provider: mock, model_name: x}\n"
        "endpoints:\n  - {name: e, model_mappings: [{model: a, weight: 0}]}\n"
    )
    assert "weight" in invoke("config", "apply", str(path), code=1).output


def test_json_plan(invoke: Invoke, config_file: Path) -> None:
    plan = json.loads(invoke("config", "apply", str(config_file), "--dry-run", "--json", env=ENV).stdout)
    assert plan["applied"] is False
    assert {"action": "+", "kind": "endpoint", "name": "chat", "details": []} in plan["changes"]


def test_export_has_no_secret_value_and_round_trips(
    invoke: Invoke, services: Services, config_file: Path, tmp_path: Path
) -> None:
    invoke("config", "apply", str(config_file), env=ENV)
    exported = invoke("config", "export").stdout
    assert SECRET not in exported
    assert "sk-...1234" not in exported
    assert "value_env: OPENAI" in exported
    # Applied onto the gateway it came from: nothing to do.
    path = tmp_path / "exported.yaml"
    path.write_text(exported)
    assert "no changes" in invoke("config", "apply", str(path)).stdout
    # Applied onto an empty gateway (with the secret's variable set): the same state again.
    fresh = build_in_memory()
    from click.testing import CliRunner

    from apps.cli.context import CliContext
    from apps.cli.main import cli

    result = CliRunner().invoke(
        cli,
        ["config", "apply", str(path)],
        obj=CliContext(settings=fresh.settings, _services=fresh),
        env={"OPENAI": SECRET, "SWITCHBOARD_URL": None},
    )
    assert result.exit_code == 0, result.output
    assert _comparable(_state(fresh)) == _comparable(_state(services))


def test_export_to_a_file(invoke: Invoke, config_file: Path, tmp_path: Path) -> None:
    invoke("config", "apply", str(config_file), env=ENV)
    target = tmp_path / "out.yaml"
    invoke("config", "export", "--output", str(target))
    assert "name: chat" in target.read_text()


def _comparable(state: CurrentState) -> object:
    from apps.config.state import endpoint_view_form, limits_form, model_view_form, secret_view_form

    return (
        {n: (secret_view_form(s), s["masked_value"]) for n, s in state.secrets.items()},
        {n: model_view_form(m) for n, m in state.models.items()},
        {n: endpoint_view_form(e) for n, e in state.endpoints.items()},
        {n: limits_form(r) for n, r in state.limits.items()},
    )


def test_the_file_may_come_from_stdin(invoke: Invoke, services: Services) -> None:
    out = invoke(
        "config", "apply", "-", stdin="model_definitions:\n  - {name: m, provider: mock, model_name: x}\n"
    ).stdout
    assert "+ model m" in out
    assert set(_state(services).models) == {"m"}
