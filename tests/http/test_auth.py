"""Every admin route needs an admin key: none or a bad one is 401, a user key is 403."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient

from apps.bootstrap import Services, build_in_memory
from apps.http import create_app
from tests.http.conftest import Admin, error_of


def admin_routes() -> list[tuple[str, str]]:
    """(method, path) of every admin operation the served OpenAPI schema lists."""
    with TestClient(create_app(build_in_memory())) as client:
        paths = client.get("/schema/openapi.json").json()["paths"]
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "some-id", path))
        for path, operations in paths.items()
        if path.startswith("/api/v1/")
        for method in operations
    ]


ROUTES = admin_routes()


def test_the_admin_api_has_every_resource_of_the_contract() -> None:
    paths = {path for _, path in ROUTES}
    for resource in ("model-definitions", "endpoints", "bindings", "keys"):
        assert f"/api/v1/{resource}" in paths
    assert "/api/v1/endpoints/some-id/limits" in paths
    assert "/api/v1/endpoints/some-id/bindings" in paths


def call(client: TestClient[Any], method: str, path: str, headers: dict[str, str]) -> Any:
    return client.request(
        method, path, headers=headers, json={} if method in ("POST", "PUT", "PATCH") else None
    )


BAD_AUTHORIZATIONS = [
    None,
    "Bearer",
    "Bearer sb-not-a-real-key",
    "Basic dXNlcjpwYXNz",
    "sb-key-without-scheme",
]


def test_every_admin_route_is_401_without_a_valid_key(client: TestClient[Any]) -> None:
    for method, path in ROUTES:
        for authorization in BAD_AUTHORIZATIONS:
            headers = {} if authorization is None else {"Authorization": authorization}
            status, code, _ = error_of(call(client, method, path, headers))
            assert (status, code) == (401, "UNAUTHENTICATED"), (method, path, authorization)


def test_every_admin_route_is_403_for_a_user_key(client: TestClient[Any], user_key: str) -> None:
    for method, path in ROUTES:
        status, code, _ = error_of(call(client, method, path, {"Authorization": f"Bearer {user_key}"}))
        assert (status, code) == (403, "PERMISSION_DENIED"), (method, path)


def test_a_revoked_admin_key_is_401(services: Services, admin: Admin) -> None:
    key, plaintext = services.keys.create("bob", "admin")
    services.keys.revoke(key.key_id)

    response = admin.client.get("/api/v1/keys", headers={"Authorization": f"Bearer {plaintext}"})

    assert error_of(response)[0] == 401


def test_the_scheme_is_case_insensitive(admin: Admin) -> None:
    token = admin.headers["Authorization"].split(" ", 1)[1]
    assert admin.client.get("/api/v1/keys", headers={"Authorization": f"bearer {token}"}).status_code == 200


def test_changes_record_the_principal_who_made_them(admin: Admin) -> None:
    model = admin.model()
    assert model["created_by"] == model["last_updated_by"] == "alice"


def test_health_needs_no_key(client: TestClient[Any]) -> None:
    response = client.get("/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
