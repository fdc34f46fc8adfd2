"""`serve --workers N` without Redis warns that limits and breakers are per worker, when limits exist."""

from __future__ import annotations

import dataclasses

import pytest
from click.testing import CliRunner

from apps.bootstrap import Services, build_in_memory
from apps.cli.context import CliContext
from apps.cli.main import cli
from apps.cli.serve import per_worker_limits_warning


def _switchboard(services: Services, *args: str) -> str:
    context = CliContext(settings=services.settings, _services=services)
    environ: dict[str, str | None] = {"SWITCHBOARD_URL": None, "SWITCHBOARD_API_KEY": None}
    result = CliRunner().invoke(cli, list(args), obj=context, env=environ)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def services() -> Services:
    return build_in_memory()


def _limit_an_endpoint(services: Services) -> None:
    _switchboard(services, "models", "create", "--name", "m", "--provider", "mock", "--model-name", "m")
    _switchboard(services, "endpoints", "create", "--name", "demo", "--primary", "m")
    endpoint_id = services.endpoints.get_by_name("demo").endpoint_id
    _switchboard(services, "limits", "set", endpoint_id, "--rule", "minute:100")


def _warning(services: Services, workers: int, redis_url: str | None = None) -> str | None:
    settings = dataclasses.replace(services.settings, redis_url=redis_url)
    return per_worker_limits_warning(CliContext(settings=settings, _services=services), workers)


def test_several_workers_with_limits_and_no_redis_are_warned_about(services: Services) -> None:
    _limit_an_endpoint(services)
    warning = _warning(services, workers=4)
    assert warning is not None
    assert "PER WORKER" in warning and "4 workers" in warning and "4×N" in warning
    assert "SWITCHBOARD_REDIS_URL" in warning


def test_no_warning_with_one_worker_with_redis_or_without_limits(services: Services) -> None:
    assert _warning(services, workers=4) is None  # nothing limited yet
    _limit_an_endpoint(services)
    assert _warning(services, workers=1) is None
    assert _warning(services, workers=4, redis_url="redis://127.0.0.1:6379/0") is None
