"""Fixtures of the provider tests: a fake upstream on loopback and shared HTTP pools."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.providers._http import HttpPools
from tests.providers.upstream import FakeUpstream


@pytest.fixture
async def upstream() -> AsyncIterator[FakeUpstream]:
    server = FakeUpstream()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def pools() -> AsyncIterator[HttpPools]:
    shared = HttpPools()
    try:
        yield shared
    finally:
        await shared.aclose()
