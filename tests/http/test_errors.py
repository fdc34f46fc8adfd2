"""The error contract: one shape, precise statuses, and nothing internal in a 500."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import pytest
from litestar.testing import TestClient

from apps.bootstrap import Services, build_in_memory
from apps.http import create_app
from tests.http.conftest import Admin, error_of

LEAK = "SELECT * FROM secret WHERE value = 'sk-live-1234'"


class ExplodingRepository:
    """Stands in for a store whose queries fail in a way nobody planned for."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(LEAK)


class Fuse:
    """Lit once the app has started, so only requests (not startup) meet the failure."""

    lit = False


class ExplodingEndpointsUow:
    """A real unit of work whose endpoint repository fails while the fuse is lit."""

    def __init__(self, inner: Any, fuse: Fuse) -> None:
        self._inner = inner
        self._fuse = fuse

    def __enter__(self) -> Any:
        uow = self._inner.__enter__()
        if self._fuse.lit:
            uow.endpoints = ExplodingRepository()
        return uow

    def __exit__(self, *exc: Any) -> None:
        self._inner.__exit__(*exc)


def test_unknown_routes_and_methods_use_the_error_shape(admin: Admin) -> None:
    assert error_of(admin.get("/api/v1/nothing-here"))[:2] == (404, "NOT_FOUND")
    assert error_of(admin.client.put("/health"))[:2] == (405, "METHOD_NOT_ALLOWED")


def test_malformed_json_is_400(admin: Admin) -> None:
    response = admin.client.post("/api/v1/keys", content=b"{not json", headers=admin.headers)
    assert error_of(response)[0] == 400


def test_a_body_of_the_wrong_type_is_400(admin: Admin) -> None:
    status, _, message = error_of(admin.post("/api/v1/keys", [1, 2]))
    assert status == 400 and "body" in message


def test_a_body_over_the_limit_is_413() -> None:
    services = build_in_memory()
    small = dataclasses.replace(
        services, settings=dataclasses.replace(services.settings, max_body_bytes=1024)
    )
    _, key = services.keys.create("alice", "admin")
    with TestClient(create_app(small)) as client:
        body = {"name": "x" * 4096, "role": "user"}
        response = client.post("/api/v1/keys", json=body, headers={"Authorization": f"Bearer {key}"})
    assert error_of(response)[:2] == (413, "REQUEST_TOO_LARGE")


def test_an_unexpected_failure_is_a_generic_500(caplog: pytest.LogCaptureFixture) -> None:
    healthy = build_in_memory()
    _, key = healthy.keys.create("alice", "admin")
    fuse = Fuse()
    broken: Services = build_in_memory(uow=lambda: ExplodingEndpointsUow(healthy.ports.uow(), fuse))
    with TestClient(create_app(broken)) as client, caplog.at_level(logging.ERROR, "switchboard.http"):
        fuse.lit = True
        response = client.get("/api/v1/endpoints", headers={"Authorization": f"Bearer {key}"})
        fuse.lit = False  # let the app shut down cleanly

    assert error_of(response)[:2] == (500, "INTERNAL_ERROR")
    assert "SELECT" not in response.text and "Traceback" not in response.text
    assert "RuntimeError" in caplog.text  # the operator still learns what broke
