"""`switchboard secrets` and `switchboard crypto` on a real SQLite file, each call a fresh process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from apps.cli.context import CliContext
from apps.cli.main import cli
from apps.settings import Settings
from tests.secrets.conftest import NEW_PASSPHRASE, PASSPHRASE, PLAINTEXT, leaks


class Cli:
    """Runs `switchboard` as a new process would: settings from scratch, services built on demand."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.outputs: list[str] = []

    def __call__(
        self,
        *args: str,
        code: int = 0,
        passphrase: str | None = PASSPHRASE,
        env: dict[str, str] | None = None,
        stdin: str | None = None,
    ) -> Result:
        settings = Settings(database_url=self.database_url, kek_passphrase=passphrase)
        result = CliRunner().invoke(cli, list(args), obj=CliContext(settings=settings), env=env, input=stdin)
        self.outputs.append(result.output)
        assert result.exit_code == code, (result.exit_code, result.output, result.exception)
        return result

    def json(self, *args: str, **kwargs: Any) -> Any:
        return json.loads(self(*args, "--json", **kwargs).stdout)


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Cli]:
    url = f"sqlite:///{tmp_path / 'switchboard.db'}"
    runner = Cli(url)
    runner("db", "upgrade")
    yield runner
    for output in runner.outputs:  # whatever the test did, no output ever showed the value
        assert not leaks(output)


def one_line_error(result: Result) -> str:
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


def create(run: Cli, name: str = "openai") -> dict[str, Any]:
    made: dict[str, Any] = run.json(
        "secrets",
        "create",
        "--name",
        name,
        "--provider",
        "openai",
        "--value-env",
        "KEY",
        env={"KEY": PLAINTEXT},
    )
    return made


def test_create_from_an_environment_variable_shows_only_the_masked_value(run: Cli) -> None:
    made = create(run)

    assert made["masked_value"] == "sk-...q8Zr" and made["provider"] == "openai"
    assert "value" not in made
    listed = run.json("secrets", "list")
    assert [s["secret_id"] for s in listed["secrets"]] == [made["secret_id"]]
    assert run.json("secrets", "get", made["secret_id"]) == made
    assert made["secret_id"] in run("secrets", "list").stdout


def test_create_from_stdin_drops_the_trailing_newline(run: Cli) -> None:
    made = run.json("secrets", "create", "--name", "openai", "--value-stdin", stdin=PLAINTEXT + "\n")

    assert made["masked_value"] == "sk-...q8Zr"


def test_create_prompts_for_the_value_without_echoing_it(run: Cli) -> None:
    result = run("secrets", "create", "--name", "openai", stdin=PLAINTEXT + "\n")

    assert "Secret value" in result.output and "sk-...q8Zr" in result.stdout


def test_the_value_cannot_be_given_on_the_command_line(run: Cli) -> None:
    result = run("secrets", "create", "--name", "openai", "--value", "sk-argv-000000000000", code=2)

    assert "No such option" in result.output


def test_an_unset_value_variable_is_a_one_line_error(run: Cli) -> None:
    result = run("secrets", "create", "--name", "openai", "--value-env", "MISSING_VAR", code=1)

    assert "MISSING_VAR" in one_line_error(result)


def test_update_with_a_new_value_changes_the_masked_value(run: Cli) -> None:
    made = create(run)

    updated = run.json(
        "secrets", "update", made["secret_id"], "--value-env", "KEY", "--name", "openai-eu",
        env={"KEY": "sk-rotated-value-000000wxyz"},
    )  # fmt: skip

    assert (updated["masked_value"], updated["name"]) == ("sk-...wxyz", "openai-eu")
    run("secrets", "update", made["secret_id"], code=2)  # nothing to change


def test_delete_is_refused_while_a_model_uses_the_secret_unless_forced(run: Cli) -> None:
    made = create(run)
    model = run.json(
        "models", "create", "--name", "gpt", "--provider", "openai", "--model-name", "gpt-4o",
        "--secret-id", made["secret_id"],
    )  # fmt: skip

    refused = run("secrets", "delete", made["secret_id"], code=1)
    assert "model definition 'gpt'" in one_line_error(refused)

    run("secrets", "delete", made["secret_id"], "--force")
    orphan = run.json("models", "get", model["model_definition_id"])
    assert (orphan["secret_id"], orphan["orphaned"]) == (None, True)
    assert run.json("secrets", "list")["secrets"] == []


@pytest.mark.parametrize(
    ("passphrase", "expected"),
    [("not the right passphrase", "passphrase is wrong"), (None, "SWITCHBOARD_KEK_PASSPHRASE")],
)
def test_a_wrong_or_missing_passphrase_is_refused_with_one_line(
    run: Cli, passphrase: str | None, expected: str
) -> None:
    create(run)

    for command in (["secrets", "list"], ["secrets", "create", "--name", "x", "--value-env", "KEY"]):
        refused = run(*command, passphrase=passphrase, env={"KEY": "sk-other-000000000000"}, code=1)
        assert expected in one_line_error(refused)


def test_commands_without_secrets_run_without_the_passphrase(run: Cli) -> None:
    run("models", "list", passphrase=None)


def test_rotate_kek_prints_what_it_did_and_retires_the_old_passphrase(run: Cli) -> None:
    made = create(run)
    create(run, "anthropic")

    result = run("crypto", "rotate-kek", "--new-passphrase-env", "NEW", env={"NEW": NEW_PASSPHRASE})

    assert "KEK version 1 -> 2" in result.stdout and "re-wrapped 2 secret(s)" in result.stdout
    refused = run("secrets", "list", code=1)
    assert "retired" in one_line_error(refused)
    assert (
        run.json("secrets", "get", made["secret_id"], passphrase=NEW_PASSPHRASE)["masked_value"]
        == "sk-...q8Zr"
    )
    status = run.json("crypto", "status")["kek_versions"]
    assert [(v["version"], v["state"], v["secrets"]) for v in status] == [(1, "retired", 0), (2, "active", 2)]


def test_rotate_kek_needs_both_passphrases(run: Cli) -> None:
    create(run)

    missing_new = run("crypto", "rotate-kek", "--new-passphrase-env", "NEW", code=1)
    missing_old = run(
        "crypto",
        "rotate-kek",
        "--new-passphrase-env",
        "NEW",
        passphrase=None,
        env={"NEW": NEW_PASSPHRASE},
        code=1,
    )
    wrong_old = run(
        "crypto", "rotate-kek", "--new-passphrase-env", "NEW", passphrase="not the right passphrase",
        env={"NEW": NEW_PASSPHRASE}, code=1,
    )  # fmt: skip

    assert "NEW" in one_line_error(missing_new)
    assert "SWITCHBOARD_KEK_PASSPHRASE" in one_line_error(missing_old)
    assert "does not open" in one_line_error(wrong_old)
    assert [v["state"] for v in run.json("crypto", "status")["kek_versions"]] == ["active"]


def test_help_needs_no_passphrase(run: Cli) -> None:
    for command in (
        ["secrets", "--help"],
        ["secrets", "create", "--help"],
        ["crypto", "rotate-kek", "--help"],
    ):
        assert "Usage:" in run(*command, passphrase=None).stdout


@pytest.mark.parametrize(
    "command",
    [["get", "some-id"], ["update", "some-id", "--name", "x"], ["delete", "some-id"]],
)
def test_every_secrets_command_checks_the_passphrase_first(run: Cli, command: list[str]) -> None:
    create(run)  # makes the KEK

    refused = run("secrets", *command, passphrase="not the right passphrase", code=1)

    assert "passphrase is wrong" in one_line_error(refused)
