"""Two real `switchboard serve` instances of two workers each, on one PostgreSQL and one Redis.

Set up as an operator would (docs/deploy.md): a fresh database migrated with `switchboard db
upgrade`, one Redis database flushed for this run, the same passphrase and settings for every
process, an admin key from `switchboard keys create`. Each instance is a `serve --workers 2`
subprocess on a free loopback port; its output goes to a log file shown when it fails to start.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis
from sqlalchemy import text
from sqlalchemy.engine import make_url

from adapters.storage import create_engine_for
from tests.e2e.gateway import Gateway
from tests.served import BIN, ROOT, free_port, stop, wait_until_answering

PASSPHRASE = "scaleout-tests-passphrase-0123456789abcdef"
WORKERS = 2
# A Redis database of its own, so flushing it never touches what other tests keep in database 0.
REDIS_DB = 7
# Breakers open after three failures and cool down in seconds, so a test sees them come back.
BREAKER_FAILURES = 3
BREAKER_COOLDOWN_S = 4.0
STARTUP_S = 90  # a loaded CI machine takes a while to import and fork four workers


@dataclass(frozen=True)
class Cluster:
    """Two instances (`a`, `b`) over the same database and Redis."""

    a: Gateway
    b: Gateway

    @property
    def instances(self) -> tuple[Gateway, Gateway]:
        return (self.a, self.b)


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the test PostgreSQL server, dropped afterwards."""
    name = f"switchboard_scaleout_{uuid.uuid4().hex[:12]}"
    _admin(server_url, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(server_url: str, statement: str) -> None:
    engine = create_engine_for(server_url)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


@contextmanager
def flushed_redis(server_url: str) -> Iterator[str]:
    """The URL of Redis database REDIS_DB on the test server, empty now and emptied afterwards."""
    url = _with_db(server_url, REDIS_DB)
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
        yield url
    finally:
        client.flushdb()
        client.close()


def _with_db(url: str, db: int) -> str:
    base, _, _ = url.partition("?")
    scheme, _, rest = base.partition("://")
    host = rest.split("/", 1)[0]
    return f"{scheme}://{host}/{db}"


def server_env(database_url: str, redis_url: str) -> dict[str, str]:
    """What every process of the deployment is given; nothing from the developer's SWITCHBOARD_*."""
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SWITCHBOARD_", "OTEL_")) and k != "PROMETHEUS_MULTIPROC_DIR"
    }
    return inherited | {
        "SWITCHBOARD_DATABASE_URL": database_url,
        "SWITCHBOARD_REDIS_URL": redis_url,
        "SWITCHBOARD_KEK_PASSPHRASE": PASSPHRASE,
        "SWITCHBOARD_BREAKER_FAILURES": str(BREAKER_FAILURES),
        "SWITCHBOARD_BREAKER_COOLDOWN_S": str(BREAKER_COOLDOWN_S),
        "SWITCHBOARD_LOG_LEVEL": "WARNING",
    }


@contextmanager
def running_cluster(tmp: Path, env: Mapping[str, str], upstream_url: str) -> Iterator[Cluster]:
    """Migrate, make an admin key, start two instances and wait until both answer /ready."""
    setup = Gateway("", "", dict(env), upstream_url)
    setup.switchboard("db", "upgrade")
    created = json.loads(setup.switchboard("keys", "create", "--name", "ops", "--role", "admin", "--json"))
    with ExitStack() as stack:
        # Both start at once; each is waited for only once both are booting.
        started = [stack.enter_context(_instance(tmp / name, env)) for name in "ab"]
        for url, process, log_path in started:
            wait_until_answering(url, process, log_path, path="/ready", within_s=STARTUP_S)
        a, b = (Gateway(url, created["key"], dict(env), upstream_url) for url, _, _ in started)
        yield Cluster(a, b)


@contextmanager
def _instance(log_dir: Path, env: Mapping[str, str]) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    """One `serve --workers 2` on a free port (its URL, process and log); stopped on exit."""
    log_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [str(BIN / "switchboard"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    log_path = log_dir / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*command, "--workers", str(WORKERS)],
            env=dict(env),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield f"http://127.0.0.1:{port}", process, log_path
        finally:
            stop(process, timeout_s=20)
