"""A change made through one server reaches another server on the same database within 2 s."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.e2e.gateway import Gateway
from tests.served import BIN, ROOT, free_port, stop, wait_until_answering

LIVE_WITHIN_S = 2.0  # PRODUCT §5: config edits are live on every instance within 2 s


@pytest.fixture(scope="module")
def second_server(gateway: Gateway, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Another `switchboard serve` process on the gateway's own database."""
    port = free_port()
    log = tmp_path_factory.mktemp("second") / "gateway.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(BIN / "switchboard"), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=gateway.env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_answering(url, process, log)
            yield url
        finally:
            stop(process)


def _seconds_until(check: Callable[[], bool], timeout_s: float = 10.0) -> float:
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < timeout_s, "the change never arrived"
        time.sleep(0.02)
    return time.monotonic() - started


def test_an_endpoint_created_through_one_server_is_callable_on_the_other(
    gateway: Gateway, second_server: str
) -> None:
    headers = {"authorization": f"Bearer {gateway.admin_key}"}
    with httpx.Client(base_url=second_server, headers=headers, timeout=10) as other:
        assert other.get("/v1/models").status_code == 200  # the key already works there
        endpoint = gateway.endpoint(gateway.model("mock"))

        def callable_there() -> bool:
            body = {"model": endpoint.name, "messages": [{"role": "user", "content": "hi"}]}
            return other.post("/v1/chat/completions", json=body).status_code == 200

        assert _seconds_until(callable_there) <= LIVE_WITHIN_S


def test_a_model_definition_edit_reaches_the_other_server(gateway: Gateway, second_server: str) -> None:
    model = gateway.model("mock")
    endpoint = gateway.endpoint(model)
    gateway.api("PATCH", f"/api/v1/model-definitions/{model.model_definition_id}", {"model_name": "mock-2"})
    headers = {"authorization": f"Bearer {gateway.admin_key}"}
    body = {"model": endpoint.name, "messages": [{"role": "user", "content": "hi"}]}
    with httpx.Client(base_url=second_server, headers=headers, timeout=10) as other:
        assert (
            _seconds_until(
                lambda: other.post("/v1/chat/completions", json=body).json().get("model") == "mock-2"
            )
            <= LIVE_WITHIN_S
        )
