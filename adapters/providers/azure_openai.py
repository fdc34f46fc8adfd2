"""Azure OpenAI: OpenAI's wire format on `{api_base}/openai/deployments/{deployment}/...?api-version=`.

Settings, from the model definition's `provider_settings` (or the secret's `auth_config`):
`deployment_name` (default: the model name), `api_version` (default DEFAULT_API_VERSION), and
`auth_type: "azure_ad"` to send the secret as an Entra ID bearer token instead of `api-key`.
`api_base` is the resource endpoint, e.g. https://my-resource.openai.azure.com.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from adapters.providers.openai_compat import OpenAICompatibleClient
from core.domain.failures import ErrorClass, ProviderFailure, UpstreamError
from ports.provider import Operation, UpstreamCall

DEFAULT_API_VERSION = "2024-10-21"
_PATHS = {
    Operation.CHAT: "chat/completions",
    Operation.COMPLETIONS: "completions",
    Operation.EMBEDDINGS: "embeddings",
}


def _setting(call: UpstreamCall, name: str) -> Any:
    value = call.model.provider_settings.get(name)
    return value if value is not None else call.auth_config.get(name)


class AzureOpenAIClient(OpenAICompatibleClient):
    provider = "azure_openai"

    def url(self, call: UpstreamCall) -> str:
        base = call.model.api_base or _setting(call, "api_base")
        if not isinstance(base, str) or not base:
            # A configuration gap of this model only: let the endpoint fall back past it.
            raise UpstreamError(
                ProviderFailure(
                    ErrorClass.MODEL_NOT_FOUND, None, "azure_openai: the model definition has no api_base"
                )
            )
        deployment = quote(str(_setting(call, "deployment_name") or call.model.model_name), safe="")
        version = quote(str(_setting(call, "api_version") or DEFAULT_API_VERSION), safe="")
        path = _PATHS[call.operation]
        return f"{base.rstrip('/')}/openai/deployments/{deployment}/{path}?api-version={version}"

    def headers(self, call: UpstreamCall) -> dict[str, str]:
        headers = {"content-type": "application/json"}
        if call.api_key:
            if _setting(call, "auth_type") == "azure_ad":
                headers["authorization"] = f"Bearer {call.api_key}"
            else:
                headers["api-key"] = call.api_key
        return headers
