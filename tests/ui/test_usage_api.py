"""GET /api/v1/usage, the console's source for its charts: filters by endpoint and time window."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from apps.bootstrap import Services, build_in_memory
from apps.http import create_app
from core.domain.usage import UsageRecord

T0 = 1_767_355_200_000  # 2026-01-02 12:00 UTC
HOUR_MS = 3_600_000


def _record(n: int, endpoint_id: str, at: int, status: int = 200) -> UsageRecord:
    return UsageRecord(
        request_id=f"r{n}",
        timestamp_ms=at,
        endpoint_id=endpoint_id,
        endpoint_name=f"name-{endpoint_id}",
        model_definition_id="m1",
        model_definition_name="gpt",
        provider="mock",
        prompt_tokens=10,
        completion_tokens=5,
        latency_ms=3.0,
        attempts=2 if status == 200 else 1,
        status=status,
        principal="alice",
        fallback=status == 200,
    )


@pytest.fixture
def services() -> Services:
    services = build_in_memory()
    with services.ports.uow() as uow:
        uow.usage.add_many(
            [_record(1, "e1", T0), _record(2, "e2", T0 + HOUR_MS), _record(3, "e1", T0 + 2 * HOUR_MS, 502)]
        )
        uow.commit()
    return services


@pytest.fixture
def client(services: Services) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(services)) as test_client:
        yield test_client


def _headers(services: Services, role: str) -> dict[str, str]:
    _, plaintext = services.keys.create(f"{role}-key", role)
    return {"Authorization": f"Bearer {plaintext}"}


def test_lists_records_filtered_by_endpoint_and_window(services: Services, client: TestClient[Any]) -> None:
    headers = _headers(services, "admin")
    every = client.get("/api/v1/usage", headers=headers).json()
    assert [r["request_id"] for r in every["usage"]] == ["r1", "r2", "r3"]
    assert every["next_page_token"] is None
    first = every["usage"][0]
    assert (first["total_tokens"], first["fallback"], first["model_definition_name"]) == (15, True, "gpt")

    by_endpoint = client.get("/api/v1/usage", params={"endpoint_id": "e1"}, headers=headers).json()
    assert [r["request_id"] for r in by_endpoint["usage"]] == ["r1", "r3"]
    window = {"since": T0 + 1, "until": T0 + 2 * HOUR_MS}
    assert [
        r["request_id"] for r in client.get("/api/v1/usage", params=window, headers=headers).json()["usage"]
    ] == ["r2"]


def test_an_inverted_window_is_a_400_naming_since(services: Services, client: TestClient[Any]) -> None:
    answer = client.get(
        "/api/v1/usage", params={"since": 10, "until": 5}, headers=_headers(services, "admin")
    )
    assert answer.status_code == 400
    assert answer.json()["message"].startswith("since:")


def test_a_user_key_is_refused(services: Services, client: TestClient[Any]) -> None:
    answer = client.get("/api/v1/usage", headers=_headers(services, "user"))
    assert answer.status_code == 403
