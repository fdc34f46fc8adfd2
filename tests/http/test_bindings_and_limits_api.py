"""/api/v1/bindings and /api/v1/endpoints/{id}/limits."""

from __future__ import annotations

from typing import Any

from tests.http.conftest import Admin, error_of


def binding(endpoint_id: str, resource_id: str = "s-1", name: str = "tone") -> dict[str, Any]:
    return {
        "endpoint_id": endpoint_id,
        "resource_type": "scorer",
        "resource_id": resource_id,
        "display_name": name,
    }


def test_bindings_are_listed_by_endpoint_and_by_resource(admin: Admin) -> None:
    ident = admin.endpoint("chat")["endpoint_id"]

    created = admin.post("/api/v1/bindings", binding(ident))
    by_endpoint = admin.get(f"/api/v1/endpoints/{ident}/bindings").json()
    by_resource = admin.get("/api/v1/bindings", resource_type="scorer", resource_id="s-1").json()

    assert created.status_code == 201
    assert created.json()["created_by"] == "alice"
    assert by_endpoint["bindings"] == by_resource["bindings"] == [created.json()]
    assert by_endpoint["next_page_token"] is None


def test_bindings_of_an_endpoint_paginate(admin: Admin) -> None:
    ident = admin.endpoint("chat")["endpoint_id"]
    for i in range(3):
        admin.post("/api/v1/bindings", binding(ident, f"s-{i}", f"scorer {i}"))

    first = admin.get(f"/api/v1/endpoints/{ident}/bindings", max_results=2).json()
    rest = admin.get(f"/api/v1/endpoints/{ident}/bindings", page_token=first["next_page_token"]).json()

    assert len(first["bindings"]) == 2 and len(rest["bindings"]) == 1


def test_delete_by_the_three_key_fields(admin: Admin) -> None:
    ident = admin.endpoint("chat")["endpoint_id"]
    admin.post("/api/v1/bindings", binding(ident))
    key = {"endpoint_id": ident, "resource_type": "scorer", "resource_id": "s-1"}

    assert admin.delete("/api/v1/bindings", **key).status_code == 204
    assert admin.get(f"/api/v1/endpoints/{ident}/bindings").json()["bindings"] == []
    assert error_of(admin.delete("/api/v1/bindings", **key))[0] == 404


def test_binding_errors(admin: Admin) -> None:
    ident = admin.endpoint("chat")["endpoint_id"]
    admin.post("/api/v1/bindings", binding(ident))

    assert error_of(admin.post("/api/v1/bindings", binding(ident)))[:2] == (409, "RESOURCE_ALREADY_EXISTS")
    assert error_of(admin.post("/api/v1/bindings", binding("ghost")))[0] == 404
    status, _, message = error_of(admin.post("/api/v1/bindings", binding(ident) | {"resource_type": "robot"}))
    assert status == 400 and "resource_type" in message
    status, _, message = error_of(admin.post("/api/v1/bindings", {"endpoint_id": ident}))
    assert status == 400 and "resource_type" in message
    status, _, message = error_of(admin.get("/api/v1/bindings", resource_type="scorer"))
    assert status == 400 and "resource_id" in message
    assert error_of(admin.get("/api/v1/endpoints/ghost/bindings"))[0] == 404


def test_limits_are_replaced_and_read_back(admin: Admin) -> None:
    ident = admin.endpoint("chat")["endpoint_id"]
    rules = [
        {"renewal_period": "minute", "calls": 100, "key": "endpoint"},
        {"renewal_period": "day", "calls": 1000, "tokens": 50000, "key": "user"},
    ]

    put = admin.put(f"/api/v1/endpoints/{ident}/limits", {"limits": rules})
    got = admin.get(f"/api/v1/endpoints/{ident}/limits")
    cleared = admin.put(f"/api/v1/endpoints/{ident}/limits", {"limits": []})

    expected = [rules[0] | {"tokens": None}, rules[1]]
    assert put.status_code == 200 and put.json() == got.json() == {"limits": expected}
    assert cleared.json() == {"limits": []}


def test_limit_errors_name_the_field(admin: Admin) -> None:
    path = f"/api/v1/endpoints/{admin.endpoint('chat')['endpoint_id']}/limits"
    cases = [
        ({"limits": [{"renewal_period": "week", "calls": 1}]}, "renewal_period"),
        ({"limits": [{"renewal_period": "minute", "calls": -1}]}, "limits.calls"),
        ({"limits": [{"renewal_period": "minute", "calls": 1, "key": "team"}]}, "key"),
        ({"limits": [{"renewal_period": "minute", "calls": 1}] * 2}, "limits"),
        ({"rules": []}, "rules"),
    ]
    for body, field in cases:
        status, _, message = error_of(admin.put(path, body))
        assert status == 400 and field in message, (body, message)
    assert error_of(admin.get("/api/v1/endpoints/ghost/limits"))[0] == 404
    assert error_of(admin.put("/api/v1/endpoints/ghost/limits", {"limits": []}))[0] == 404
