"""`switchboard usage list` in local mode, over records in the store."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from apps.bootstrap import Services
from apps.cli.usage import parse_time
from core.domain.usage import UsageRecord
from tests.cli.conftest import Invoke

DAY_MS = 86_400_000
T0 = int(datetime(2026, 1, 2, 12, 0, tzinfo=UTC).timestamp() * 1000)


def _record(n: int, endpoint_id: str, at: int) -> UsageRecord:
    return UsageRecord(
        request_id=f"r{n}",
        timestamp_ms=at,
        endpoint_id=endpoint_id,
        endpoint_name=f"name-{endpoint_id}",
        model_definition_id="m",
        model_definition_name="gpt",
        provider="mock",
        prompt_tokens=10,
        completion_tokens=5,
        latency_ms=12.5,
        attempts=1,
        status=200,
        principal="alice",
    )


@pytest.fixture
def records(services: Services) -> None:
    with services.ports.uow() as uow:
        uow.usage.add_many(
            [_record(1, "e1", T0), _record(2, "e2", T0 + DAY_MS), _record(3, "e1", T0 + 2 * DAY_MS)]
        )
        uow.commit()


@pytest.mark.usefixtures("records")
def test_filters_by_endpoint_and_window(invoke: Invoke) -> None:
    every = json.loads(invoke("usage", "list", "--json").stdout)["usage"]
    assert {r["request_id"] for r in every} == {"r1", "r2", "r3"}
    by_endpoint = json.loads(invoke("usage", "list", "--endpoint-id", "e1", "--json").stdout)["usage"]
    assert {r["request_id"] for r in by_endpoint} == {"r1", "r3"}
    windowed = json.loads(
        invoke("usage", "list", "--since", "2026-01-03", "--until", str(T0 + 2 * DAY_MS - 1), "--json").stdout
    )["usage"]
    assert [r["request_id"] for r in windowed] == ["r2"]
    assert windowed[0]["total_tokens"] == 15


@pytest.mark.usefixtures("records")
def test_table_has_times_and_totals(invoke: Invoke) -> None:
    out = invoke("usage", "list", "--endpoint-id", "e1").stdout
    assert "2026-01-02 12:00:00" in out
    assert "requests" in out and "prompt_tokens" in out


def test_bad_time_names_the_option(invoke: Invoke) -> None:
    assert "--since" in invoke("usage", "list", "--since", "yesterday-ish", code=2).output


def test_an_inverted_window_is_refused_in_one_line(invoke: Invoke) -> None:
    result = invoke("usage", "list", "--since", str(T0 + DAY_MS), "--until", str(T0), code=1)
    assert result.output.strip() == "Error: since: must not be after until"


def test_parse_time_forms() -> None:
    now = T0
    assert parse_time("15m", "--since", now_ms=now) == now - 15 * 60_000
    assert parse_time("7d", "--since", now_ms=now) == now - 7 * DAY_MS
    assert parse_time("2026-01-02T12:00:00", "--since") == T0
    assert parse_time("2026-01-02T13:00:00+01:00", "--since") == T0
    assert parse_time(str(T0), "--since") == T0
    assert parse_time(None, "--since") is None
