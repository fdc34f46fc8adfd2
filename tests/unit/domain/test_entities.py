"""The smaller entities: secrets, model definitions, bindings and their audit fields."""

from __future__ import annotations

import pytest

from core.domain.audit import Audit
from core.domain.binding import Binding, BindingKey, ResourceType
from core.domain.model_definition import ModelDefinition
from core.domain.secret import EncryptedValue, Secret
from tests.unit.builders import AUDIT, rejected


def model_definition(**changes: object) -> ModelDefinition:
    fields: dict[str, object] = {
        "model_definition_id": "md-1",
        "name": "gpt-4o-prod",
        "provider": "openai",
        "model_name": "gpt-4o",
        "audit": AUDIT,
    } | changes
    return ModelDefinition(**fields)  # type: ignore[arg-type]


def binding(**changes: object) -> Binding:
    fields: dict[str, object] = {
        "endpoint_id": "ep-1",
        "resource_type": ResourceType.SCORER,
        "resource_id": "sc-1",
        "display_name": "relevance",
        "audit": AUDIT,
    } | changes
    return Binding(**fields)  # type: ignore[arg-type]


class TestSecret:
    @pytest.mark.parametrize("name", ["", "  ", "n" * 256])
    def test_name_is_1_to_255_characters(self, name: str) -> None:
        with rejected("name"):
            Secret(secret_id="s-1", name=name, masked_value="********", audit=AUDIT)

    def test_a_255_character_name_is_accepted(self) -> None:
        assert len(Secret(secret_id="s-1", name="n" * 255, masked_value="***", audit=AUDIT).name) == 255

    def test_the_encrypted_value_never_shows_its_bytes(self) -> None:
        value = EncryptedValue(ciphertext=b"\x01secret-bytes", wrapped_dek=b"\x02dek-bytes", kek_version=3)
        assert repr(value) == "EncryptedValue(kek_version=3)"


class TestModelDefinition:
    @pytest.mark.parametrize("field", ["name", "provider", "model_name"])
    def test_required_text_fields_may_not_be_blank(self, field: str) -> None:
        with rejected(field):
            model_definition(**{field: ""})

    def test_name_and_model_name_are_at_most_255_and_provider_64_characters(self) -> None:
        assert model_definition(name="n" * 255, model_name="m" * 255, provider="p" * 64).provider == "p" * 64
        for field, size in (("name", 256), ("model_name", 256), ("provider", 65)):
            with rejected(field):
                model_definition(**{field: "x" * size})

    @pytest.mark.parametrize("api_base", ["http://localhost:11434/v1", "https://api.example.com"])
    def test_api_base_may_be_an_http_or_https_url(self, api_base: str) -> None:
        assert model_definition(api_base=api_base).api_base == api_base

    @pytest.mark.parametrize("api_base", ["ftp://example.com", "localhost:8000", ""])
    def test_api_base_must_be_an_http_or_https_url(self, api_base: str) -> None:
        with rejected("api_base"):
            model_definition(api_base=api_base)

    def test_without_a_secret_it_is_not_orphaned_by_default(self) -> None:
        model = model_definition()
        assert (model.secret_id, model.secret_name, model.orphaned) == (None, None, False)


class TestBinding:
    @pytest.mark.parametrize("text", ["scorer", "application", "job"])
    def test_resource_types_parse(self, text: str) -> None:
        assert ResourceType.parse(text).value == text

    def test_an_unknown_resource_type_is_rejected_listing_the_allowed_ones(self) -> None:
        with rejected("resource_type", mentioning="scorer, application, job"):
            ResourceType.parse("dashboard")

    @pytest.mark.parametrize("field", ["endpoint_id", "resource_id", "display_name"])
    def test_each_key_field_and_display_name_is_required(self, field: str) -> None:
        with rejected(field):
            binding(**{field: ""})

    def test_its_key_is_endpoint_resource_type_and_resource_id(self) -> None:
        assert binding().key == BindingKey("ep-1", ResourceType.SCORER, "sc-1")

    def test_it_describes_itself_by_type_display_name_and_id(self) -> None:
        assert binding().describe() == "scorer 'relevance' (sc-1)"


class TestAudit:
    def test_a_new_entity_is_created_and_last_updated_by_the_same_actor(self) -> None:
        audit = Audit.new(1000, "alice")
        assert (audit.created_at, audit.last_updated_at, audit.created_by, audit.last_updated_by) == (
            1000,
            1000,
            "alice",
            "alice",
        )

    def test_touching_keeps_the_creation_and_records_the_change(self) -> None:
        touched = Audit.new(1000, "alice").touched(2000, "bob")
        assert touched == Audit(
            created_at=1000, last_updated_at=2000, created_by="alice", last_updated_by="bob"
        )

    def test_an_unknown_actor_is_none(self) -> None:
        assert Audit.new(5, None).created_by is None
