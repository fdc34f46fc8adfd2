"""HTTP for the client: one httpx connection pool, retries on 429/503, clear errors."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx

from apps.client._errors import SwitchboardAPIError, SwitchboardConnectionError, SwitchboardTimeout

RETRY_STATUSES = frozenset({429, 503})
Sleep = Callable[[float], None]


class Transport:
    """Sends requests with the gateway key, retrying 429/503 with exponential backoff.

    The wait before retry *n* (from 0) is the server's ``Retry-After`` when it sent one,
    else ``backoff_s * 2**n``, capped at ``max_wait_s``; a ``Retry-After`` beyond the cap
    is not waited for: the error goes to the caller at once.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float,
        max_retries: int,
        backoff_s: float = 0.5,
        max_wait_s: float = 30.0,
        sleep: Sleep = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._max_retries = max_retries
        self._backoff_s = backoff_s
        self._max_wait_s = max_wait_s
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {api_key}", "User-Agent": "switchboard-client"},
            timeout=timeout,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """The decoded JSON answer (None for an empty body); raises on an error status."""
        request = self._http.build_request(method, path, params=_clean(params), json=json)
        for attempt in range(self._max_retries + 1):
            response = self._send(request, stream=False)
            wait = self._retry_wait(response, attempt)
            if wait is None:
                break
            response.close()
            self._sleep(wait)
        raise_for_error(response)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:  # e.g. a plain-text health answer
            return response.text

    @contextmanager
    def stream(self, method: str, path: str, *, json: Any = None) -> Iterator[httpx.Response]:
        """An open streaming response with a success status; retries happen before the first byte."""
        request = self._http.build_request(method, path, json=json)
        for attempt in range(self._max_retries + 1):
            response = self._send(request, stream=True)
            wait = self._retry_wait(response, attempt)
            if wait is None:
                break
            response.close()
            self._sleep(wait)
        try:
            if response.is_error:
                response.read()
                raise_for_error(response)
            yield response
        except httpx.TimeoutException:
            raise self._timeout(request) from None
        except httpx.TransportError as exc:
            raise SwitchboardConnectionError(
                f"the connection to {self.base_url} broke during the stream: {type(exc).__name__}"
            ) from None
        finally:
            response.close()

    def _send(self, request: httpx.Request, *, stream: bool) -> httpx.Response:
        try:
            return self._http.send(request, stream=stream)
        except httpx.TimeoutException:
            raise self._timeout(request) from None
        except httpx.TransportError as exc:
            raise SwitchboardConnectionError(
                f"cannot reach {self.base_url}: {type(exc).__name__}: {exc}"
            ) from None

    def _timeout(self, request: httpx.Request) -> SwitchboardTimeout:
        return SwitchboardTimeout(
            f"no answer from {self.base_url} within {self.timeout:g}s ({request.method} {request.url.path})"
        )

    def _retry_wait(self, response: httpx.Response, attempt: int) -> float | None:
        if response.status_code not in RETRY_STATUSES or attempt >= self._max_retries:
            return None
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if retry_after is None:
            return float(min(self._max_wait_s, self._backoff_s * 2**attempt))
        return retry_after if retry_after <= self._max_wait_s else None


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def raise_for_error(response: httpx.Response) -> None:
    """Raise SwitchboardAPIError for an error status, with the server's code and reason."""
    if not response.is_error:
        return
    code, message = _error_fields(response)
    raise SwitchboardAPIError(
        response.status_code, code, message, parse_retry_after(response.headers.get("Retry-After"))
    )


def _error_fields(response: httpx.Response) -> tuple[str, str]:
    fallback = (f"HTTP_{response.status_code}", response.reason_phrase or "error")
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return fallback[0], text[:200] or fallback[1]
    if not isinstance(body, dict):
        return fallback
    if "error_code" in body:  # the admin API's contract
        return str(body["error_code"]), str(body.get("message", fallback[1]))
    error = body.get("error")
    if isinstance(error, dict):  # OpenAI's shape, on the data plane
        return str(error.get("code") or error.get("type") or fallback[0]), str(error.get("message", ""))
    if "detail" in body:
        return fallback[0], str(body["detail"])
    return fallback


def _clean(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if params is None:
        return None
    return {k: _param(v) for k, v in params.items() if v is not None}


def _param(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
