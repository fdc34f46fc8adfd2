"""Settings from the environment: defaults, and a clear one-line refusal of unusable values."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from apps.cli.main import cli
from apps.settings import DEFAULT_DATABASE_URL, InvalidSetting, Settings


def test_an_empty_environment_gives_the_embedded_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.kek_passphrase is None and settings.redis_url is None
    assert (settings.breaker_failures, settings.breaker_cooldown_s) == (5, 30.0)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SWITCHBOARD_MAX_BODY_BYTES", "ten"),
        ("SWITCHBOARD_BREAKER_FAILURES", "2.5"),
        ("SWITCHBOARD_BREAKER_COOLDOWN_S", "-1"),
    ],
)
def test_an_unusable_number_is_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(InvalidSetting, match=name):
        Settings.from_env({name: value})


def test_the_cli_refuses_a_bad_setting_in_one_line() -> None:
    result = CliRunner().invoke(cli, ["models", "list"], env={"SWITCHBOARD_BREAKER_FAILURES": "many"})
    assert result.exit_code != 0
    assert "SWITCHBOARD_BREAKER_FAILURES must be a whole number" in result.output
    assert "Traceback" not in result.output
