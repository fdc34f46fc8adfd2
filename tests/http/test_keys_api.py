"""/api/v1/keys: the plaintext once at creation, never again."""

from __future__ import annotations

from tests.http.conftest import Admin, error_of


def test_create_answers_the_key_once_and_it_works(admin: Admin) -> None:
    response = admin.post("/api/v1/keys", {"name": "bob", "role": "admin"})

    assert response.status_code == 201
    created = response.json()
    assert {"key_id", "key", "name", "role", "endpoints"} <= created.keys()
    assert created["created_by"] == "alice"
    as_bob = admin.client.get("/api/v1/keys", headers={"Authorization": f"Bearer {created['key']}"})
    assert as_bob.status_code == 200


def test_the_key_never_appears_in_reads(admin: Admin) -> None:
    created = admin.post("/api/v1/keys", {"name": "bob", "role": "user"}).json()

    listed = admin.get("/api/v1/keys")
    fetched = admin.get(f"/api/v1/keys/{created['key_id']}")

    for response in (listed, fetched):
        assert response.status_code == 200
        assert created["key"] not in response.text and "key_hash" not in response.text
    assert created["key_id"] in [k["key_id"] for k in listed.json()["keys"]]


def test_user_keys_may_be_limited_to_endpoints(admin: Admin) -> None:
    admin.endpoint("chat")
    created = admin.post("/api/v1/keys", {"name": "app", "role": "user", "endpoints": ["chat"]}).json()
    assert created["endpoints"] == ["chat"] and created["role"] == "user"


def test_revoking_stops_the_key_at_once(admin: Admin) -> None:
    created = admin.post("/api/v1/keys", {"name": "bob", "role": "admin"}).json()

    assert admin.delete(f"/api/v1/keys/{created['key_id']}").status_code == 204

    as_bob = admin.client.get("/api/v1/keys", headers={"Authorization": f"Bearer {created['key']}"})
    assert error_of(as_bob)[0] == 401
    assert admin.get(f"/api/v1/keys/{created['key_id']}").json()["revoked"] is True


def test_key_errors(admin: Admin) -> None:
    cases = [
        ({"name": "x", "role": "root"}, "role"),
        ({"name": "", "role": "user"}, "name"),
        ({"name": "x", "role": "admin", "endpoints": ["chat"]}, "endpoints"),
        ({"name": "x", "role": "user", "endpoints": ["ghost"]}, "endpoints"),
        ({"name": "x", "role": "user", "key": "sb-chosen"}, "key"),
    ]
    for body, field in cases:
        status, _, message = error_of(admin.post("/api/v1/keys", body))
        assert status == 400 and field in message, (body, message)
    assert error_of(admin.delete("/api/v1/keys/ghost"))[0] == 404
    assert error_of(admin.get("/api/v1/keys/ghost"))[0] == 404
