"""Running scorers on the built-in `mock` provider, which answers the requested JSON schema."""

from __future__ import annotations

from typing import Any

import pytest

from tests.scorers.conftest import ScorerAdmin


@pytest.mark.parametrize(
    ("result_type", "bounds", "expected"),
    [
        ("yes_no", {}, "yes"),  # the mock picks the first value of the enum
        ("integer", {"min": 1, "max": 5}, 5),  # its example number, kept within the bounds
        ("float", {"min": 0, "max": 1}, 1.0),  # float scorers always answer floats
        ("float", {}, 42.0),
    ],
)
def test_a_run_returns_a_value_of_the_result_type(
    admin: ScorerAdmin, result_type: str, bounds: dict[str, Any], expected: Any
) -> None:
    endpoint = admin.endpoint("judge")["endpoint_id"]
    scorer_id = admin.register(endpoint, result_type=result_type, **bounds)["scorer_id"]

    response = admin.run(scorer_id, expectations={"answer": "Paris"})

    assert response.status_code == 200, response.text
    result = response.json()
    assert result["value"] == expected and type(result["value"]) is type(expected)
    assert isinstance(result["rationale"], str) and result["rationale"]


def test_a_mock_run_shows_in_usage(admin: ScorerAdmin) -> None:
    endpoint = admin.endpoint("judge")["endpoint_id"]
    scorer_id = admin.register(endpoint)["scorer_id"]

    admin.run(scorer_id)
    admin.run(scorer_id)

    records = admin.usage()
    assert [(r["endpoint_name"], r["provider"], r["status"]) for r in records] == [("judge", "mock", 200)] * 2
    assert all(r["prompt_tokens"] > 0 and r["completion_tokens"] > 0 for r in records)
