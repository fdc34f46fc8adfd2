"""The deployment under test: two instances of two workers on PostgreSQL and Redis, once per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.faulty_upstream import ScriptedUpstream, upstream_thread
from tests.scaleout.cluster import Cluster, flushed_redis, fresh_database, running_cluster, server_env


@pytest.fixture(scope="module")
def upstream() -> Iterator[ScriptedUpstream]:
    """An OpenAI-compatible upstream on loopback whose replies each test scripts per model name."""
    with upstream_thread() as server:
        yield server


@pytest.fixture(scope="module")
def cluster(
    postgres_url: str, redis_url: str, upstream: ScriptedUpstream, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    with fresh_database(postgres_url) as database_url, flushed_redis(redis_url) as shared_redis_url:
        env = server_env(database_url, shared_redis_url)
        with running_cluster(tmp_path_factory.mktemp("scaleout"), env, upstream.url) as running:
            yield running
