"""A real `switchboard serve` on loopback for the end-to-end tests, configured like an operator would.

The database is a tmp SQLite file upgraded with `switchboard db upgrade`; the first admin key
comes from `switchboard keys create --json`; the upstream credential, models and endpoints
are created through the admin API. Each test builds its own endpoint with unique names
(`Gateway.endpoint`), so tests sharing the server never see each other's models or scripts.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.served import BIN, ROOT, free_port, run_switchboard, stop, wait_until_answering

PASSPHRASE = "e2e-tests-passphrase-0123456789abcdef"
UPSTREAM_KEY = "sk-e2e-upstream-3b9f0c1d2e4a5b6c7d8e9f00"
# Breakers open after a few failures and cool down fast, so recovery is observable in seconds.
BREAKER_FAILURES = 3
BREAKER_COOLDOWN_S = 1.0


@dataclass(frozen=True)
class Model:
    """A model definition a test made: its name, and the upstream model name it calls."""

    name: str
    model_name: str
    model_definition_id: str


@dataclass(frozen=True)
class Endpoint:
    name: str
    endpoint_id: str
    models: tuple[Model, ...]


@dataclass
class Gateway:
    url: str
    admin_key: str = field(repr=False)
    env: dict[str, str] = field(repr=False)
    upstream_url: str = ""
    secret_id: str = ""

    @property
    def admin(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"authorization": f"Bearer {self.admin_key}"}, timeout=10
        )

    def switchboard(self, *args: str) -> str:
        """Run the `switchboard` command on the gateway's database; its stdout."""
        return run_switchboard(self.env, *args)

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """One admin API call that must succeed; its JSON answer."""
        with self.admin as admin:
            answer = admin.request(method, path, json=body)
        assert answer.is_success, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json() if answer.content else None

    def model(self, provider: str = "openai") -> Model:
        """A model definition with a unique upstream model name (the key of its upstream script).

        Every provider but `mock` calls the faulty upstream with the stored upstream key.
        """
        model_name = f"{provider}-{uuid.uuid4().hex[:10]}"
        body: dict[str, Any] = {"name": f"md-{model_name}", "provider": provider, "model_name": model_name}
        if provider != "mock":
            body["api_base"] = f"{self.upstream_url}/v1"
            body["secret_id"] = self.secret_id
        created = self.api("POST", "/api/v1/model-definitions", body)
        return Model(created["name"], model_name, created["model_definition_id"])

    def endpoint(
        self,
        primary: Model,
        *fallbacks: Model,
        timeouts: Mapping[str, float] | None = None,
        retry_policy: Mapping[str, float] | None = None,
    ) -> Endpoint:
        """An endpoint: `primary`, then `fallbacks` in order, all of them tried (max_attempts)."""
        mappings: list[dict[str, Any]] = [{"model_definition_id": primary.model_definition_id}]
        mappings += [
            {"model_definition_id": m.model_definition_id, "linkage_type": "FALLBACK", "fallback_order": i}
            for i, m in enumerate(fallbacks, start=1)
        ]
        body: dict[str, Any] = {"name": f"ep-{uuid.uuid4().hex[:10]}", "model_mappings": mappings}
        if fallbacks:
            body["fallback_config"] = {"strategy": "SEQUENTIAL", "max_attempts": 1 + len(fallbacks)}
        if timeouts:
            body["timeouts"] = dict(timeouts)
        if retry_policy:
            body["retry_policy"] = dict(retry_policy)
        created = self.api("POST", "/api/v1/endpoints", body)
        self.wait_until_callable(created["name"])
        return Endpoint(created["name"], created["endpoint_id"], (primary, *fallbacks))

    def wait_until_callable(self, name: str) -> None:
        """An admin write reaches the data plane just after its answer (at most one 1 s poll later)."""
        deadline = time.monotonic() + 5
        with self.admin as admin:
            while name not in {m["id"] for m in admin.get("/v1/models").json()["data"]}:
                assert time.monotonic() < deadline, f"endpoint {name} never became callable"
                time.sleep(0.02)

    def wait_until_key_accepted(self, key: str) -> None:
        """A new key reaches the data plane just after it is made (within one config poll)."""
        deadline = time.monotonic() + 10
        headers = {"authorization": f"Bearer {key}"}
        while httpx.get(f"{self.url}/v1/models", headers=headers, timeout=5).status_code != 200:
            assert time.monotonic() < deadline, "the key was never accepted"
            time.sleep(0.05)

    def wait_until_limited(self, name: str) -> None:
        """Limits reach the data plane just after the admin answer, like any write."""
        deadline = time.monotonic() + 5
        body = {"model": name, "messages": [{"role": "user", "content": "ping"}]}
        with self.admin as admin:
            while admin.post("/v1/chat/completions", json=body).status_code != 429:
                assert time.monotonic() < deadline, f"the limits of {name} never applied"
                time.sleep(0.02)

    def usage(self, endpoint: Endpoint, expected: int) -> list[dict[str, Any]]:
        """The endpoint's usage records once `expected` of them are written (they are batched)."""
        deadline = time.monotonic() + 10
        while True:
            records = self.api("GET", f"/api/v1/usage?endpoint_id={endpoint.endpoint_id}")["usage"]
            if len(records) >= expected or time.monotonic() > deadline:
                return list(records)
            time.sleep(0.1)


@contextmanager
def running_gateway(tmp: Path, upstream_url: str) -> Iterator[Gateway]:
    """`switchboard serve` (one worker) on a free loopback port, with an admin key and a secret."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    env |= {
        "SWITCHBOARD_DATABASE_URL": f"sqlite:///{tmp / 'switchboard.db'}",
        "SWITCHBOARD_KEK_PASSPHRASE": PASSPHRASE,
        "SWITCHBOARD_BREAKER_FAILURES": str(BREAKER_FAILURES),
        "SWITCHBOARD_BREAKER_COOLDOWN_S": str(BREAKER_COOLDOWN_S),
    }
    port = free_port()
    gateway = Gateway(f"http://127.0.0.1:{port}", "", env, upstream_url)
    gateway.switchboard("db", "upgrade")
    log_path = tmp / "gateway.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(BIN / "switchboard"), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            # The first admin key is made on the database while the server starts.
            created = gateway.switchboard(
                "keys", "create", "--name", "e2e-admin", "--role", "admin", "--json"
            )
            gateway.admin_key = json.loads(created)["key"]
            wait_until_answering(gateway.url, process, log_path)
            gateway.wait_until_key_accepted(gateway.admin_key)
            secret = gateway.api("POST", "/api/v1/secrets", {"name": "upstream", "value": UPSTREAM_KEY})
            gateway.secret_id = secret["secret_id"]
            yield gateway
        finally:
            stop(process)
