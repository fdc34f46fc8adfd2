"""Small builders of valid domain objects, so each test states only what it varies."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from core.domain.audit import Audit
from core.domain.endpoint import (
    Endpoint,
    FallbackConfig,
    LinkageType,
    ModelMapping,
    Tag,
)
from core.domain.errors import InvalidInput
from core.domain.model_definition import ModelDefinition

AUDIT = Audit.new(1_700_000_000_000, "tester")


def model(ident: str = "md-1", provider: str = "openai") -> ModelDefinition:
    return ModelDefinition(
        model_definition_id=ident,
        name=f"name-{ident}",
        provider=provider,
        model_name=f"model-{ident}",
        audit=AUDIT,
    )


def primary(ident: str, weight: float = 1.0, provider: str = "openai") -> ModelMapping:
    return ModelMapping(mapping_id=f"map-{ident}", model_definition=model(ident, provider), weight=weight)


def fallback(ident: str, order: int, provider: str = "openai") -> ModelMapping:
    return ModelMapping(
        mapping_id=f"map-fb-{ident}",
        model_definition=model(ident, provider),
        linkage_type=LinkageType.FALLBACK,
        fallback_order=order,
    )


def endpoint(
    *mappings: ModelMapping,
    name: str = "chat",
    fallback_config: FallbackConfig | None = None,
    tags: tuple[Tag, ...] = (),
) -> Endpoint:
    return Endpoint(
        endpoint_id="ep-1",
        name=name,
        model_mappings=mappings or (primary("md-1"),),
        fallback_config=fallback_config,
        tags=tags,
        audit=AUDIT,
    )


@contextmanager
def rejected(field: str, mentioning: str = "") -> Iterator[None]:
    """Expect an InvalidInput that names `field` (and says `mentioning`, when given)."""
    with pytest.raises(InvalidInput) as caught:
        yield
    assert caught.value.field == field, caught.value.message
    assert mentioning in caught.value.message
