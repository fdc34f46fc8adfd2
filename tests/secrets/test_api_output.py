"""The admin API takes a secret's value and never gives it back, whatever is asked or goes wrong."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from apps.bootstrap import Services, build_in_memory
from apps.http import create_app
from tests.secrets.conftest import PLAINTEXT, leaks

API = "/api/v1"


@pytest.fixture
def services() -> Services:
    return build_in_memory()


@pytest.fixture
def api(services: Services) -> Iterator[tuple[TestClient[Any], dict[str, str]]]:
    _, key = services.keys.create("root", "admin")
    with TestClient(create_app(services)) as client:
        yield client, {"Authorization": f"Bearer {key}"}


def test_no_answer_ever_contains_the_value(
    api: tuple[TestClient[Any], dict[str, str]], services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    client, auth = api
    caplog.set_level(logging.DEBUG)
    answers = []

    created = client.post(f"{API}/secrets", json={"name": "openai", "value": PLAINTEXT}, headers=auth)
    secret_id = created.json()["secret_id"]
    answers += [
        created,
        client.get(f"{API}/secrets", headers=auth),
        client.get(f"{API}/secrets/{secret_id}", headers=auth),
        client.patch(f"{API}/secrets/{secret_id}", json={"value": PLAINTEXT + "-2"}, headers=auth),
        client.post(f"{API}/secrets", json={"name": "openai", "value": PLAINTEXT}, headers=auth),  # 409
        client.post(f"{API}/secrets", json={"name": "", "value": PLAINTEXT}, headers=auth),  # 400
        client.post(f"{API}/secrets", json={"name": 7, "value": PLAINTEXT}, headers=auth),  # 400
        client.post(f"{API}/secrets", json={"name": "x", "value": PLAINTEXT, "extra": 1}, headers=auth),
        client.post(
            f"{API}/secrets",
            content=b'{"name": "x", "value": "' + PLAINTEXT.encode() + b'"',  # malformed JSON
            headers={**auth, "Content-Type": "application/json"},
        ),
        client.post(f"{API}/secrets", json={"name": "x", "value": PLAINTEXT}),  # 401
    ]

    assert created.status_code == 201 and created.json()["masked_value"] == "sk-...q8Zr"
    assert [a.status_code for a in answers[4:]] == [409, 400, 400, 400, 400, 401]
    for answer in answers:
        assert not leaks(answer.text) and not leaks(str(answer.headers)), answer.text
    assert [r.getMessage() for r in caplog.records if leaks(r.getMessage())] == []
    assert services.secret_values.value(secret_id) == PLAINTEXT + "-2"
