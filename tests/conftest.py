"""Shared test configuration: the async backend and access to real PostgreSQL and Redis."""

from __future__ import annotations

import os

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def service_url(env_var: str) -> str:
    """The URL of a real service for tests, or skip; in CI (SWITCHBOARD_REQUIRE_SERVICES=1) fail.

    CI must exercise PostgreSQL and Redis, so a missing URL there is an error, not a skip.
    """
    url = os.environ.get(env_var)
    if url:
        return url
    if os.environ.get("SWITCHBOARD_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{env_var} is not set but SWITCHBOARD_REQUIRE_SERVICES=1 (CI must not skip)")
    pytest.skip(f"{env_var} not set")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    return service_url("SWITCHBOARD_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def redis_url() -> str:
    return service_url("SWITCHBOARD_TEST_REDIS_URL")
