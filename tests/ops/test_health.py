"""/health answers while the process runs; /ready only when database, schema and passphrase are fine."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import cast

import httpx
import pytest

from apps.bootstrap import build, upgrade_database
from apps.http.app import create_app
from apps.http.invocation.asgi_io import ASGIApp
from apps.settings import Settings

pytestmark = pytest.mark.anyio

PASSPHRASE = "ops-tests-passphrase-0123456789"


@asynccontextmanager
async def admin_app(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    # No lifespan: the app must answer even when its database is gone.
    app = cast(ASGIApp, create_app(build(settings)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client:
        yield client


@pytest.fixture
def upgraded(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'switchboard.db'}"
    upgrade_database(url)
    build(Settings(database_url=url, kek_passphrase=PASSPHRASE)).require_unlocked()  # creates the KEK
    return url


async def ready(settings: Settings) -> httpx.Response:
    async with admin_app(settings) as client:
        assert (await client.get("/health")).json() == {"status": "ok"}
        return await client.get("/ready")


async def test_ready_when_database_schema_and_passphrase_are_good(upgraded: str) -> None:
    response = await ready(Settings(database_url=upgraded, kek_passphrase=PASSPHRASE))
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_not_ready_on_an_out_of_date_schema(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with caplog.at_level(logging.WARNING, logger="apps.http.health"):
        response = await ready(Settings(database_url=url, kek_passphrase=PASSPHRASE))
    assert response.status_code == 503
    assert response.json() == {"status": "not ready"}  # no reason for the caller...
    assert "switchboard db upgrade" in caplog.text  # ...only for the operator


async def test_not_ready_when_the_database_is_unreachable(caplog: pytest.LogCaptureFixture) -> None:
    url = "postgresql+psycopg://switchboard:pw-not-logged@127.0.0.1:1/switchboard?connect_timeout=2"
    with caplog.at_level(logging.WARNING, logger="apps.http.health"):
        response = await ready(Settings(database_url=url, kek_passphrase=PASSPHRASE))
    assert response.status_code == 503
    assert response.json() == {"status": "not ready"}
    assert "database unreachable" in caplog.text
    assert "pw-not-logged" not in caplog.text


@pytest.mark.parametrize("passphrase", [None, "not-the-passphrase-at-all"])
async def test_not_ready_without_the_right_passphrase(upgraded: str, passphrase: str | None) -> None:
    response = await ready(Settings(database_url=upgraded, kek_passphrase=passphrase))
    assert response.status_code == 503
    assert response.json() == {"status": "not ready"}


async def test_not_ready_when_redis_is_configured_but_unreachable(upgraded: str) -> None:
    settings = Settings(database_url=upgraded, kek_passphrase=PASSPHRASE, redis_url="redis://127.0.0.1:1/0")
    response = await ready(settings)
    assert response.status_code == 503
