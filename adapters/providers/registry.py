"""The provider registry: one client per provider name, every HTTP client sharing one set of pools.

Adding a provider is one line in FACTORIES: its name and a callable building its client from
the shared `HttpPools`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from adapters.providers._http import HttpPools
from adapters.providers.anthropic import AnthropicClient
from adapters.providers.azure_openai import AzureOpenAIClient
from adapters.providers.bedrock import BedrockClient
from adapters.providers.cohere import CohereClient
from adapters.providers.gemini import GeminiClient
from adapters.providers.mistral import MistralClient
from adapters.providers.mock import MockClient
from adapters.providers.openai_compat import OpenAICompatibleClient
from core.domain.errors import Unsupported
from ports.provider import ProviderClient

ClientFactory = Callable[[HttpPools], ProviderClient]

FACTORIES: Mapping[str, ClientFactory] = {
    "openai": OpenAICompatibleClient,
    "azure_openai": AzureOpenAIClient,
    "anthropic": AnthropicClient,
    "mistral": MistralClient,
    "gemini": GeminiClient,
    "cohere": CohereClient,
    "bedrock": BedrockClient,
    "mock": lambda _pools: MockClient(),
}


class Providers:
    """`ProviderRegistry` over the built-in adapters; clients are built once and reused."""

    def __init__(
        self, factories: Mapping[str, ClientFactory] = FACTORIES, pools: HttpPools | None = None
    ) -> None:
        self._pools = pools or HttpPools()
        self._clients: dict[str, ProviderClient] = {
            name: make(self._pools) for name, make in factories.items()
        }

    def client_for(self, provider: str) -> ProviderClient:
        client = self._clients.get(provider)
        if client is None:
            known = ", ".join(sorted(self._clients))
            raise Unsupported(f"provider '{provider}' is not supported (known: {known})")
        return client

    def names(self) -> frozenset[str]:
        return frozenset(self._clients)

    async def aclose(self) -> None:
        """Close every client, then every pooled connection."""
        for client in self._clients.values():
            await client.aclose()
        await self._pools.aclose()
