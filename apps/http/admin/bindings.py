"""/api/v1/bindings and /api/v1/endpoints/{id}/bindings: who uses which endpoint."""

from __future__ import annotations

from typing import Any

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from apps.http.admin.common import ERRORS, Body, MaxResults, PageToken, listing, page_of
from apps.http.admin.schemas import BindingList, BindingOut, answers
from apps.views import binding_view
from core.domain.binding import ResourceType
from core.domain.page import paginate
from core.services.bindings import BindingService


class BindingCreate(Body):
    endpoint_id: str
    resource_type: ResourceType
    resource_id: str
    display_name: str


class BindingsController(Controller):
    path = "/bindings"
    tags = ["bindings"]

    @post(sync_to_thread=True, responses=answers(201, BindingOut))
    def create_binding(
        self,
        data: JSONBody[BindingCreate],
        binding_service: NamedDependency[BindingService],
        actor: NamedDependency[str],
    ) -> dict[str, Any]:
        binding = binding_service.create(
            data.endpoint_id, data.resource_type, data.resource_id, data.display_name, actor=actor
        )
        return binding_view(binding)

    @get(sync_to_thread=True, responses=answers(200, BindingList))
    def list_bindings_by_resource(
        self,
        resource_type: FromQuery[ResourceType],
        resource_id: FromQuery[str],
        binding_service: NamedDependency[BindingService],
        max_results: MaxResults = None,
        page_token: PageToken = None,
    ) -> dict[str, Any]:
        """The bindings of one resource (e.g. a scorer finds the endpoint it calls)."""
        found = binding_service.list_by_resource(resource_type, resource_id)
        page = paginate(found, page_of(max_results, page_token))
        return listing("bindings", map(binding_view, page.items), page.next_page_token)

    @delete(sync_to_thread=True, responses=ERRORS)
    def delete_binding(
        self,
        endpoint_id: FromQuery[str],
        resource_type: FromQuery[ResourceType],
        resource_id: FromQuery[str],
        binding_service: NamedDependency[BindingService],
    ) -> None:
        """Delete by the three key fields, given as query parameters."""
        binding_service.delete(endpoint_id, resource_type, resource_id)


@get(
    "/endpoints/{endpoint_id:str}/bindings",
    sync_to_thread=True,
    responses=answers(200, BindingList),
    tags=["bindings"],
)
def list_endpoint_bindings(
    endpoint_id: FromPath[str],
    binding_service: NamedDependency[BindingService],
    max_results: MaxResults = None,
    page_token: PageToken = None,
) -> dict[str, Any]:
    """The resources bound to an endpoint ("used by")."""
    page = paginate(binding_service.list_by_endpoint(endpoint_id), page_of(max_results, page_token))
    return listing("bindings", map(binding_view, page.items), page.next_page_token)
