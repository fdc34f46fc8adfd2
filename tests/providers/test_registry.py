"""The provider registry: every built-in provider by name, one client each, pools closed on aclose."""

from __future__ import annotations

import pytest

from adapters.providers._http import HttpPools
from adapters.providers.registry import Providers
from core.domain.errors import Unsupported
from ports.provider import Operation, ProviderRegistry
from tests.providers.calls import make_call
from tests.providers.upstream import FakeUpstream, Reply

pytestmark = pytest.mark.anyio

REQUIRED = {"openai", "azure_openai", "anthropic", "gemini", "mistral", "cohere", "bedrock", "mock"}


async def test_every_required_provider_is_registered_and_reused() -> None:
    providers: ProviderRegistry = Providers()
    try:
        assert providers.names() >= REQUIRED
        for name in REQUIRED:
            assert providers.client_for(name) is providers.client_for(name)
        answer = await providers.client_for("mock").invoke(
            make_call(
                {"messages": [{"role": "user", "content": "hi"}]},
                provider="mock",
                model_name="m",
                api_base=None,
            )
        )
        assert answer.body["choices"][0]["message"]["content"] == "Mock answer to: hi"
    finally:
        await providers.aclose()


async def test_an_unknown_provider_is_unsupported_and_named() -> None:
    providers = Providers()
    with pytest.raises(Unsupported, match="'nope'"):
        providers.client_for("nope")
    await providers.aclose()


async def test_aclose_closes_the_pooled_connections(upstream: FakeUpstream) -> None:
    pools = HttpPools()
    providers = Providers(pools=pools)
    upstream.then(
        Reply.json(
            200,
            {"object": "list", "data": [], "model": "e", "usage": {"prompt_tokens": 1, "total_tokens": 1}},
        )
    )
    call = make_call(
        {"input": "x"},
        provider="openai",
        model_name="e",
        api_base=upstream.url,
        operation=Operation.EMBEDDINGS,
    )
    await providers.client_for("openai").invoke(call)
    assert pools.origins() == {upstream.url}
    await providers.aclose()
    assert pools.origins() == frozenset()
