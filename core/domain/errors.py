"""Domain errors: each names what is wrong so front-ends can map it to a precise status."""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    """Base of every error the core raises on purpose."""

    code = "INTERNAL_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """A value breaks a rule of the domain; `field` names the offending field."""

    code = "INVALID_PARAMETER_VALUE"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class NotFound(DomainError):
    """The named entity does not exist."""

    code = "RESOURCE_DOES_NOT_EXIST"

    def __init__(self, entity: str, ident: str) -> None:
        super().__init__(f"{entity} '{ident}' does not exist")
        self.entity = entity
        self.ident = ident


class AlreadyExists(DomainError):
    """A unique name or key is already taken."""

    code = "RESOURCE_ALREADY_EXISTS"

    def __init__(self, entity: str, ident: str) -> None:
        super().__init__(f"{entity} '{ident}' already exists")
        self.entity = entity
        self.ident = ident


class HasDependents(DomainError):
    """Deleting would leave dependents dangling; pass force to proceed."""

    code = "RESOURCE_HAS_DEPENDENTS"

    def __init__(self, entity: str, ident: str, dependents: Sequence[str]) -> None:
        listed = ", ".join(dependents)
        super().__init__(f"{entity} '{ident}' is used by {listed}; delete them first or pass force=true")
        self.dependents = tuple(dependents)


class Conflict(DomainError):
    """The request conflicts with the current state (e.g. a scorer's endpoint was deleted)."""

    code = "CONFLICT"


class Unauthenticated(DomainError):
    """No valid gateway key was presented."""

    code = "UNAUTHENTICATED"


class PermissionDenied(DomainError):
    """The principal may not perform this operation."""

    code = "PERMISSION_DENIED"


class Unsupported(DomainError):
    """The provider or strategy does not offer this operation."""

    code = "UNSUPPORTED"
