"""End-to-end fixtures: one faulty upstream and one real gateway in front of it, per test session."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.faulty_upstream import ScriptedUpstream, upstream_thread
from tests.e2e.gateway import Gateway, running_gateway


@pytest.fixture(scope="session")
def upstream() -> Iterator[ScriptedUpstream]:
    with upstream_thread() as server:
        yield server


@pytest.fixture(scope="session")
def gateway(tmp_path_factory: pytest.TempPathFactory, upstream: ScriptedUpstream) -> Iterator[Gateway]:
    # The SQLite file lives in memory-backed /dev/shm where there is one: admin writes (a few per
    # test) commit twice as fast as on disk.
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() else tmp_path_factory.getbasetemp()
    with tempfile.TemporaryDirectory(dir=base) as tmp, running_gateway(Path(tmp), upstream.url) as running:
        yield running


@pytest.fixture
def caller(gateway: Gateway) -> Iterator[httpx.Client]:
    """An application calling the data plane with a gateway key; it gives up after 10 s."""
    headers = {"authorization": f"Bearer {gateway.admin_key}"}
    with httpx.Client(base_url=gateway.url, headers=headers, timeout=10) as client:
        yield client
