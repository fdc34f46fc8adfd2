"""/api/v1/usage: one record per invocation request, oldest first (read only)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import get
from litestar.datastructures import State
from litestar.params import FromQuery, QueryParameter

from apps.bootstrap import Services
from apps.http.admin.common import MaxResults, PageToken, listing, page_of
from apps.http.admin.schemas import answers
from apps.views import usage_view
from ports.repositories import UsageQuery

EpochMs = Annotated[int | None, QueryParameter(ge=0, description="Milliseconds since the epoch")]


class UsageOut(msgspec.Struct, kw_only=True):
    request_id: str
    timestamp_ms: int
    endpoint_id: str
    endpoint_name: str
    model_definition_id: str | None
    model_definition_name: str | None
    provider: str | None
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    latency_ms: float
    attempts: int
    status: int
    principal: str | None
    fallback: bool


class UsageList(msgspec.Struct):
    usage: list[UsageOut]
    next_page_token: str | None


@get("/usage", sync_to_thread=True, tags=["usage"], responses=answers(200, UsageList))
def list_usage(
    state: State,
    max_results: MaxResults = None,
    page_token: PageToken = None,
    endpoint_id: FromQuery[str | None] = None,
    since: EpochMs = None,
    until: EpochMs = None,
) -> dict[str, Any]:
    """Filters: `endpoint_id`, and the window `since` <= timestamp_ms < `until` (epoch ms)."""
    services: Services = state.services
    page = services.usage.list(page_of(max_results, page_token), UsageQuery(endpoint_id, since, until))
    return listing("usage", map(usage_view, page.items), page.next_page_token)
