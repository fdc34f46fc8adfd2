"""`switchboard keys` through click's CliRunner: create shows the key once, list never does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from apps.bootstrap import Services, build, build_in_memory
from apps.cli.context import CliContext
from apps.cli.main import cli
from apps.settings import Settings
from core.domain.errors import Unauthenticated


@pytest.fixture
def services() -> Services:
    return build_in_memory()


def run(services: Services, *args: str) -> Result:
    context = CliContext(settings=services.settings, _services=services)
    return CliRunner().invoke(cli, list(args), obj=context)


def test_create_json_prints_the_key_once_and_it_works(services: Services) -> None:
    result = run(services, "keys", "create", "--name", "root", "--role", "admin", "--json")

    assert result.exit_code == 0, result.output
    created = json.loads(result.stdout)
    assert {"key_id", "key"} <= created.keys()
    assert services.keys.authenticate(created["key"]).name == "root"


def test_create_for_humans_shows_the_key_and_a_warning(services: Services) -> None:
    result = run(services, "keys", "create", "--name", "app", "--role", "user")

    assert result.exit_code == 0, result.output
    assert "sb-" in result.stdout
    assert "shown only once" in result.stderr


def test_list_never_shows_a_key_or_its_hash(services: Services) -> None:
    key, plaintext = services.keys.create("root", "admin")

    for extra in ([], ["--json"]):
        result = run(services, "keys", "list", *extra)
        assert result.exit_code == 0, result.output
        assert key.key_id in result.output
        assert plaintext not in result.output and key.key_hash not in result.output


def test_revoke_makes_the_key_stop_working(services: Services) -> None:
    key, plaintext = services.keys.create("root", "admin")

    result = run(services, "keys", "revoke", key.key_id)

    assert result.exit_code == 0, result.output
    listed = json.loads(run(services, "keys", "list", "--json").stdout)
    assert listed["keys"][0]["revoked"] is True
    with pytest.raises(Unauthenticated):
        services.keys.authenticate(plaintext)


def test_bad_input_is_a_one_line_reason_and_non_zero_exit(services: Services) -> None:
    result = run(services, "keys", "create", "--name", "root", "--role", "admin", "--endpoint", "chat")

    assert result.exit_code != 0
    assert "endpoints" in result.output and "Traceback" not in result.output


def test_revoking_an_unknown_key_fails_cleanly(services: Services) -> None:
    result = run(services, "keys", "revoke", "missing")

    assert result.exit_code != 0
    assert "does not exist" in result.output


def test_the_first_admin_key_is_made_on_the_database_before_any_server(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'switchboard.db'}"
    runner = CliRunner(env={"SWITCHBOARD_DATABASE_URL": url, "SWITCHBOARD_URL": None})

    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(cli, ["keys", "create", "--name", "root", "--role", "admin", "--json"])

    assert result.exit_code == 0, result.output
    created = json.loads(result.stdout)
    principal = build(Settings(database_url=url)).keys.authenticate(created["key"])
    assert (principal.name, principal.is_admin) == ("root", True)
    listed = json.loads(runner.invoke(cli, ["keys", "list", "--json"]).stdout)
    assert [k["key_id"] for k in listed["keys"]] == [created["key_id"]]
    assert created["key"] not in json.dumps(listed)
