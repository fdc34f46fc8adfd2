"""Prepare a benchmark database: endpoints on the shared mock's ports, limits, and an admin key.

Prints the admin key on stdout (the only output), for the bench script to send as Bearer.
"""

from __future__ import annotations

from apps.bootstrap import build
from core.domain.limits import LimitKey, LimitRule, RenewalPeriod
from core.services.endpoints import EndpointSpec, MappingSpec
from core.services.model_definitions import ModelDefinitionSpec

# name of the endpoint -> mock port
ENDPOINTS = {"bench-model": 18080, "bench-slow": 18081}
# Limits are checked on every request but never reached, so the run measures their cost only.
GENEROUS = LimitRule(renewal_period=RenewalPeriod.MINUTE, calls=1_000_000_000, key=LimitKey.USER)


def main() -> None:
    services = build()
    services.require_unlocked()
    secret = services.secrets.create("bench-upstream-key", "sk-bench-not-a-real-key-0000", provider="openai")
    for name, port in ENDPOINTS.items():
        model = services.model_definitions.create(
            ModelDefinitionSpec(
                name=f"mock-{port}",
                provider="openai",
                model_name="bench-upstream-model",
                secret_id=secret.secret_id,
                api_base=f"http://127.0.0.1:{port}/v1",
            )
        )
        endpoint = services.endpoints.create(
            EndpointSpec(
                name=name, model_mappings=[MappingSpec(model_definition_id=model.model_definition_id)]
            )
        )
        services.limits.put(endpoint.endpoint_id, [GENEROUS])
    _, key = services.keys.create("bench", "admin")
    print(key)


if __name__ == "__main__":
    main()
