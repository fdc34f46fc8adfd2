"""On a real SQLite database: a file with secrets needs the KEK passphrase, a file without does not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from apps.cli.main import cli

Run = Callable[..., Result]
WITHOUT_SECRETS = "model_definitions:\n  - {name: echo, provider: mock, model_name: echo}\n"
WITH_SECRETS = (
    "secrets:\n  - {name: openai, value_env: PP_TEST_KEY}\n"
    "model_definitions:\n  - {name: gpt, provider: openai, model_name: gpt-4o, secret: openai}\n"
)


@pytest.fixture
def run(tmp_path: Path) -> Run:
    database = f"sqlite:///{tmp_path / 'switchboard.db'}"

    def invoke(*args: str, passphrase: str | None = None) -> Result:
        env = {
            "SWITCHBOARD_DATABASE_URL": database,
            "SWITCHBOARD_KEK_PASSPHRASE": passphrase,
            "SWITCHBOARD_URL": None,
            "PP_TEST_KEY": "sk-passphrase-test-0000",
        }
        return CliRunner().invoke(cli, list(args), env=env)

    assert invoke("db", "upgrade").exit_code == 0
    return invoke


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "gateway.yaml"
    path.write_text(text)
    return str(path)


def test_a_file_without_secrets_applies_without_the_passphrase(run: Run, tmp_path: Path) -> None:
    result = run("config", "apply", _write(tmp_path, WITHOUT_SECRETS))
    assert result.exit_code == 0, result.output
    assert "+ model echo" in result.output


def test_a_file_with_secrets_needs_the_passphrase_and_changes_nothing_without_it(
    run: Run, tmp_path: Path
) -> None:
    path = _write(tmp_path, WITH_SECRETS)
    refused = run("config", "apply", path)
    assert refused.exit_code == 1
    assert "SWITCHBOARD_KEK_PASSPHRASE" in refused.output
    assert len(refused.output.strip().splitlines()) == 1
    listed = run("models", "list", "--json")
    assert '"model_definitions": []' in listed.output
    applied = run("config", "apply", path, passphrase="a-long-enough-passphrase-42")
    assert applied.exit_code == 0, applied.output
    assert "+ secret openai" in applied.output and "+ model gpt" in applied.output
