"""SwitchboardClient: the admin API and the data plane over one connection pool."""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self

import httpx

from apps.client._admin import AdminMethods
from apps.client._errors import SwitchboardError
from apps.client._invocation import InvocationMethods
from apps.client._transport import Sleep, Transport

DEFAULT_URL = "http://127.0.0.1:8080"


class SwitchboardClient(AdminMethods, InvocationMethods):
    """A synchronous client for a Switchboard server.

    Args:
        base_url: The server, e.g. ``http://127.0.0.1:8080``.
        api_key: A gateway key (admin for the admin methods). It is sent as
            ``Authorization: Bearer`` and never shown by ``repr`` or in errors.
        timeout: Seconds to wait for an answer (connect, each read, write).
        max_retries: Retries of a request answered 429 or 503, with exponential backoff
            (``backoff_s`` doubling) or the server's ``Retry-After``.
        max_retry_wait_s: The longest wait before one retry; a longer ``Retry-After`` is
            not waited for.
        transport: An httpx transport, for tests.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = 30.0,
        max_retries: int = 3,
        backoff_s: float = 0.5,
        max_retry_wait_s: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        extra: dict[str, Any] = {} if sleep is None else {"sleep": sleep}
        self._http = Transport(
            base_url,
            api_key,
            timeout=timeout,
            max_retries=max_retries,
            backoff_s=backoff_s,
            max_wait_s=max_retry_wait_s,
            transport=transport,
            **extra,
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> SwitchboardClient:
        """A client for ``SWITCHBOARD_URL`` (default ``http://127.0.0.1:8080``) with ``SWITCHBOARD_API_KEY``.

        Raises:
            SwitchboardError: ``SWITCHBOARD_API_KEY`` is not set.
        """
        env = os.environ if environ is None else environ
        key = env.get("SWITCHBOARD_API_KEY")
        if not key:
            raise SwitchboardError("SWITCHBOARD_API_KEY is not set: export a gateway key to use the client")
        return cls(env.get("SWITCHBOARD_URL") or DEFAULT_URL, key, **options)

    @property
    def base_url(self) -> str:
        return self._http.base_url

    def health(self) -> bool:
        """True when the server answers its liveness check."""
        self._http.request("GET", "/health")
        return True

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SwitchboardClient(base_url={self.base_url!r})"
