"""Domain errors: each carries a stable code and names what is wrong."""

from __future__ import annotations

import pytest

from core.domain.errors import (
    AlreadyExists,
    Conflict,
    DomainError,
    HasDependents,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    Unsupported,
)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InvalidInput("weight", "must be > 0"), "INVALID_PARAMETER_VALUE"),
        (NotFound("endpoint", "ep-1"), "RESOURCE_DOES_NOT_EXIST"),
        (AlreadyExists("endpoint", "chat"), "RESOURCE_ALREADY_EXISTS"),
        (HasDependents("endpoint", "ep-1", ["scorer 'x' (sc-1)"]), "RESOURCE_HAS_DEPENDENTS"),
        (Conflict("endpoint deleted"), "CONFLICT"),
        (Unauthenticated("no key"), "UNAUTHENTICATED"),
        (PermissionDenied("admin only"), "PERMISSION_DENIED"),
        (Unsupported("no embeddings"), "UNSUPPORTED"),
    ],
)
def test_each_error_has_its_code_and_is_a_domain_error(error: DomainError, code: str) -> None:
    assert error.code == code
    assert isinstance(error, DomainError)


def test_invalid_input_names_the_field_in_its_message() -> None:
    error = InvalidInput("model_mappings.weight", "must be a number greater than 0")
    assert error.field == "model_mappings.weight"
    assert str(error) == "model_mappings.weight: must be a number greater than 0"


def test_not_found_and_already_exists_name_the_entity() -> None:
    assert str(NotFound("model definition", "md-9")) == "model definition 'md-9' does not exist"
    assert str(AlreadyExists("endpoint", "chat")) == "endpoint 'chat' already exists"


def test_has_dependents_lists_every_dependent_and_mentions_force() -> None:
    error = HasDependents("endpoint", "ep-1", ["scorer 'a' (sc-1)", "scorer 'b' (sc-2)"])
    assert error.dependents == ("scorer 'a' (sc-1)", "scorer 'b' (sc-2)")
    assert "scorer 'a' (sc-1), scorer 'b' (sc-2)" in error.message
    assert "force" in error.message
