"""Client tests run against a real server on loopback, one per test session."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from apps.client import SwitchboardClient
from tests.client.server import RunningServer, running_server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with running_server(tmp_path_factory.mktemp("server")) as running:
        yield running


@pytest.fixture
def client(server: RunningServer) -> Iterator[SwitchboardClient]:
    with SwitchboardClient(server.url, server.admin_key, timeout=10) as client:
        yield client


@pytest.fixture
def unique() -> str:
    """A suffix that keeps names apart between tests sharing the server."""
    return uuid.uuid4().hex[:8]
