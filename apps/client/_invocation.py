"""Data-plane methods: OpenAI-compatible chat, completions and embeddings on /v1."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from apps.client._sse import iter_chunks
from apps.client._transport import Transport


class InvocationMethods:
    """Calls an endpoint by name (the ``model`` of the request); any key allowed on it works."""

    _http: Transport

    def chat(self, endpoint: str, messages: Sequence[dict[str, Any]], **params: Any) -> dict[str, Any]:
        """One chat completion; ``params`` are OpenAI's (temperature, max_tokens, tools, …)."""
        body = {**params, "model": endpoint, "messages": list(messages), "stream": False}
        answer: dict[str, Any] = self._http.request("POST", "/v1/chat/completions", json=body)
        return answer

    def chat_stream(
        self, endpoint: str, messages: Sequence[dict[str, Any]], **params: Any
    ) -> Iterator[dict[str, Any]]:
        """Stream a chat completion as OpenAI chunk dicts, until the server's ``[DONE]``.

        Raises:
            SwitchboardStreamError: The stream ended with an error event (nothing more follows).
        """
        body = {**params, "model": endpoint, "messages": list(messages), "stream": True}
        with self._http.stream("POST", "/v1/chat/completions", json=body) as response:
            yield from iter_chunks(response.iter_lines())

    def completions(self, endpoint: str, prompt: str | list[str], **params: Any) -> dict[str, Any]:
        body = {**params, "model": endpoint, "prompt": prompt}
        answer: dict[str, Any] = self._http.request("POST", "/v1/completions", json=body)
        return answer

    def embeddings(self, endpoint: str, input: str | list[str], **params: Any) -> dict[str, Any]:
        body = {**params, "model": endpoint, "input": input}
        answer: dict[str, Any] = self._http.request("POST", "/v1/embeddings", json=body)
        return answer

    def list_models(self) -> list[dict[str, Any]]:
        """The endpoints this key may call, as OpenAI model objects."""
        answer = self._http.request("GET", "/v1/models")
        return list(answer["data"])
