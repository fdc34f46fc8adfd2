"""JSON request logs: one line per request with its id; never a key or a secret value, even at DEBUG."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from adapters.telemetry.logs import JsonFormatter, Redactor, StderrHandler
from apps.bootstrap import configure_logging
from core.domain.failures import ErrorClass, ProviderFailure, UpstreamError
from core.services.endpoints import EndpointSpec, MappingSpec
from core.services.model_definitions import ModelDefinitionSpec
from tests.fakes.providers import answer
from tests.ops.gateway import served

pytestmark = pytest.mark.anyio

SECRET = "sk-upstream-Zq81vYt3NnPo0xWc55"  # the provider credential stored through the admin API


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    yield
    for handler in [h for h in root.handlers if isinstance(h, StderrHandler)]:
        root.removeHandler(handler)
    root.setLevel(level)


def lines(err: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")]


@pytest.mark.usefixtures("restore_logging")
async def test_debug_logs_carry_request_lines_but_no_key_or_secret(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with served() as gw:
        configure_logging(gw.services.settings, "DEBUG")
        created = await gw.client.post("/api/v1/secrets", json={"name": "upstream", "value": SECRET})
        assert created.status_code == 201
        model = gw.services.model_definitions.create(
            ModelDefinitionSpec(
                name="a", provider="scripted", model_name="a", secret_id=created.json()["secret_id"]
            )
        )
        mapping = MappingSpec(model_definition_id=model.model_definition_id)
        gw.services.endpoints.create(EndpointSpec(name="chat", model_mappings=[mapping]))
        gw.services.config.reload()
        # A provider that quotes the key it was given in its error, as some do.
        echo = UpstreamError(ProviderFailure(ErrorClass.AUTH, 401, f"Incorrect API key provided: {SECRET}"))
        gw.provider.then("a", answer("a", "fine"), echo)

        ok = await gw.client.post(
            "/v1/chat/completions",
            json={"model": "chat", "messages": [{"role": "user", "content": f"my key is {SECRET}"}]},
        )
        failed = await gw.chat("chat")
        refused = await gw.chat("chat", authorization=f"Bearer {gw.key}x")
        # A library that logs its request headers at DEBUG: the redactor is the safety net.
        logging.getLogger("some.http.library").debug("headers: %s", {"Authorization": f"Bearer {gw.key}"})
        logging.getLogger("some.http.library").debug("upstream said %s", f"api_key={SECRET}")
        passphrase = gw.services.settings.kek_passphrase
        logging.getLogger("some.library").warning("loaded %s", passphrase)

    err = capsys.readouterr().err
    assert (ok.status_code, failed.status_code, refused.status_code) == (200, 502, 401)
    for secret in (gw.key, f"{gw.key}x", SECRET, str(passphrase)):
        assert secret not in err
    requests = [e for e in lines(err) if e["logger"] == "switchboard.requests"]
    assert [e["status"] for e in requests] == [200, 502, 401]
    assert requests[0]["request_id"] == ok.headers["x-request-id"]
    assert requests[0]["endpoint"] == "chat" and requests[0]["model_definition"] == "a"
    assert requests[0]["attempts"] == 1 and requests[0]["latency_ms"] >= 0
    assert requests[0]["principal"] == "ops-admin"
    assert requests[1]["tried"] == ["a (scripted): auth_error"]
    admin = [e for e in lines(err) if e["logger"] == "switchboard.access"]
    assert {"method": "POST", "path": "/api/v1/secrets", "status": 201}.items() <= admin[0].items()
    assert created.headers["x-request-id"] == admin[0]["request_id"]
    assert "[REDACTED]" in err


@pytest.mark.usefixtures("restore_logging")
async def test_request_lines_stop_below_info(capsys: pytest.CaptureFixture[str]) -> None:
    async with served() as gw:
        configure_logging(gw.services.settings, "WARNING")
        gw.endpoint("chat", "a")
        gw.provider.then("a", answer("a", "fine"))
        assert (await gw.chat("chat")).status_code == 200
    assert not [e for e in lines(capsys.readouterr().err) if e["logger"] == "switchboard.requests"]


def test_server_lines_are_json_without_terminal_colour_codes() -> None:
    # uvicorn passes a coloured copy of its messages as `extra`; the JSON line keeps only the text.
    record = logging.LogRecord("uvicorn.error", logging.INFO, "", 0, "Uvicorn running on %s", ("x",), None)
    record.color_message = "Uvicorn running on \x1b[1m%s\x1b[0m"
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "Uvicorn running on x"
    assert "color_message" not in line
    assert "\x1b" not in json.dumps(line)


@pytest.mark.parametrize(
    "message",
    [
        'upstream headers {"x-goog-api-key": "AIzaSyD-not-a-real-key-42"}',
        "upstream headers {'x-api-key': 'AIzaSyD-not-a-real-key-42'}",
        "authorization: Bearer AIzaSyD-not-a-real-key-42",
        "api_key=AIzaSyD-not-a-real-key-42 in a query string",
    ],
)
def test_credentials_in_a_message_are_redacted_however_they_are_quoted(message: str) -> None:
    record = logging.LogRecord("x", logging.WARNING, "", 0, message, None, None)
    line = JsonFormatter().format(record)
    assert "AIzaSyD-not-a-real-key-42" not in line
    assert "[REDACTED]" in json.loads(line)["message"]


def test_a_known_secret_with_quotes_in_it_is_redacted_once_encoded() -> None:
    passphrase = 'pass"with\\quotes-123'
    record = logging.LogRecord("x", logging.WARNING, "", 0, "unlocking with %s", (passphrase,), None)
    line = JsonFormatter(Redactor([passphrase])).format(record)
    assert json.loads(line)["message"] == "unlocking with [REDACTED]"
