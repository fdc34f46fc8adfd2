"""Property-based run over the served OpenAPI schema: no 5xx, and every answer matches the schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import get_client
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.bootstrap import build_in_memory
from apps.http import create_app

SERVICES = build_in_memory()
_, ADMIN_KEY = SERVICES.keys.create("fuzzer", "admin")


def _seed() -> None:
    """Some real entities, so generated ids sometimes hit and updates reach the domain rules."""
    from core.services.endpoints import EndpointSpec, MappingSpec
    from core.services.model_definitions import ModelDefinitionSpec

    model = SERVICES.model_definitions.create(ModelDefinitionSpec(name="m", provider="mock", model_name="x"))
    endpoint = SERVICES.endpoints.create(
        EndpointSpec(name="chat", model_mappings=[MappingSpec(model_definition_id=model.model_definition_id)])
    )
    SERVICES.bindings.create(endpoint.endpoint_id, "scorer", "s-1", "tone")


_seed()
APP = create_app(SERVICES)
schema = schemathesis.openapi.from_asgi("/schema/openapi.json", APP)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def session() -> Iterator[Any]:
    """One in-process client for the whole run (a client per call would start a thread each time)."""
    with get_client(cast(Any, APP)) as client:
        yield client


@schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_admin_api_honours_its_schema(case: Any, session: Any) -> None:
    case.call_and_validate(session=session, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, checks=CHECKS)
