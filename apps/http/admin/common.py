"""What every admin resource shares: documented errors, paging, and partial-update markers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any, TypeVar

import msgspec
from litestar.openapi import ResponseSpec
from litestar.params import QueryParameter

from apps.http.errors import ErrorBody
from core.domain.page import MAX_PAGE_SIZE, PageRequest
from core.services.unset import UNSET, Unset

T = TypeVar("T")

_ERROR_DESCRIPTIONS = {
    400: "Invalid input; the message names the field",
    401: "No valid gateway key",
    403: "The key is not an admin key",
    404: "No such entity",
    409: "Conflicts with the current state (already exists, or has dependents)",
    413: "Request body too large",
    503: "Secrets are locked: the KEK passphrase is missing or wrong",
}

ERRORS: Mapping[int, ResponseSpec] = {
    status: ResponseSpec(data_container=ErrorBody, description=text, generate_examples=False)
    for status, text in _ERROR_DESCRIPTIONS.items()
}

MaxResults = Annotated[
    int | None, QueryParameter(ge=1, le=MAX_PAGE_SIZE, description="Page size (default 100)")
]
PageToken = Annotated[str | None, QueryParameter(description="next_page_token of the previous page")]


def page_of(max_results: int | None, page_token: str | None) -> PageRequest:
    return PageRequest.parse(max_results, page_token)


def listing(plural: str, rows: Iterable[dict[str, Any]], next_page_token: str | None) -> dict[str, Any]:
    """The list shape of PRODUCT §6: `{"<plural>": [...], "next_page_token": ...}`."""
    return {plural: list(rows), "next_page_token": next_page_token}


def patched(value: T | msgspec.UnsetType) -> T | Unset:
    """msgspec's "field absent" marker, as the services' UNSET."""
    return UNSET if isinstance(value, msgspec.UnsetType) else value


class Body(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of request bodies: an unknown field is a 400 naming it."""
