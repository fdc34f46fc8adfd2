"""A real `switchboard serve --workers 2`: /metrics reports the totals of both workers."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from apps.bootstrap import build
from apps.settings import Settings
from core.services.endpoints import EndpointSpec, MappingSpec
from core.services.model_definitions import ModelDefinitionSpec
from tests.served import BIN, ROOT, free_port, stop, wait_until_answering

PASSPHRASE = "ops-workers-passphrase-0123456789"
REQUESTS = 60


def switchboard(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "switchboard"), *args], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """The server's URL, an admin key, and the metrics directory its workers share."""
    database_url = f"sqlite:///{tmp_path / 'switchboard.db'}"
    metrics_dir = tmp_path / "metrics"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SWITCHBOARD_", "OTEL_"))}
    env |= {
        "SWITCHBOARD_DATABASE_URL": database_url,
        "SWITCHBOARD_KEK_PASSPHRASE": PASSPHRASE,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    switchboard(env, "db", "upgrade")
    key = json.loads(switchboard(env, "keys", "create", "--name", "ops", "--role", "admin", "--json"))["key"]
    services = build(Settings(database_url=database_url, kek_passphrase=PASSPHRASE))
    spec = ModelDefinitionSpec(name="m", provider="mock", model_name="mock-1")
    model = services.model_definitions.create(spec)
    mapping = MappingSpec(model_definition_id=model.model_definition_id)
    services.endpoints.create(EndpointSpec(name="chat", model_mappings=[mapping]))
    port = free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        command = [str(BIN / "switchboard"), "serve", "--port", str(port), "--workers", "2"]
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_answering(url, process, log_path)
            yield url, key, metrics_dir
        finally:
            stop(process)


async def send_requests(url: str, key: str) -> None:
    """Concurrent requests, each on its own connection, so both workers get some."""
    body = {"model": "chat", "messages": [{"role": "user", "content": "hello"}]}

    async def one() -> None:
        async with httpx.AsyncClient(headers={"authorization": f"Bearer {key}"}, timeout=10) as client:
            response = await client.post(f"{url}/v1/chat/completions", json=body)
            assert response.status_code == 200, response.text

    async with anyio.create_task_group() as group:
        for _ in range(REQUESTS):
            group.start_soon(one)


def served_count(url: str) -> float:
    text = httpx.get(f"{url}/metrics", timeout=10).text  # a new connection: any worker may answer
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "switchboard_requests_total" and sample.labels == {
                "endpoint": "chat",
                "model_definition": "m",
                "status": "200",
            }:
                return sample.value
    return 0.0


def settled_count(url: str) -> float:
    """The count once every worker has written its sums (each does so within a second)."""
    deadline = time.monotonic() + 30
    count = served_count(url)
    while count < REQUESTS and time.monotonic() < deadline:
        time.sleep(0.2)
        count = served_count(url)
    return count


def test_every_scrape_counts_the_requests_of_both_workers(two_workers: tuple[str, str, Path]) -> None:
    url, key, metrics_dir = two_workers
    anyio.run(send_requests, url, key)

    assert settled_count(url) == REQUESTS
    workers_that_counted = {re.sub(r"\D", "", p.stem) for p in metrics_dir.glob("counter_*.db")}
    assert len(workers_that_counted) == 2
    assert [served_count(url) for _ in range(6)] == [REQUESTS] * 6  # whichever worker answers
