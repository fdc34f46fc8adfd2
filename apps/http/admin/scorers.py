"""/api/v1/scorers: registered LLM judges, their versions, and running them."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.types import ExceptionHandlersMap

from apps.bootstrap import Services
from apps.http.admin.common import ERRORS, Body, MaxResults, PageToken, listing, page_of
from apps.http.admin.schemas import Audited, BindingOut, answers
from apps.http.auth import current_principal
from apps.http.errors import ErrorBody, error_response
from apps.http.invocation.errors import retry_after_value
from apps.views import scorer_detail_view, scorer_result_view, scorer_view
from core.domain.invocation import InvocationFailed
from core.domain.limits import LimitExceeded
from core.domain.scorer import ResultType
from core.services.scorer_answer import MalformedAnswer
from core.services.scorers import ScorerService, ScorerSpec


class ScorerCreate(Body):
    namespace: str
    name: str
    instructions: str
    result_type: ResultType
    endpoint_id: str
    min: float | None = None
    max: float | None = None


class ScorerRun(Body):
    inputs: Any
    outputs: Any
    expectations: Any = None


class ScorerOut(Audited, kw_only=True):
    scorer_id: str
    namespace: str
    name: str
    version: int
    instructions: str
    result_type: ResultType
    min: float | None
    max: float | None
    endpoint_id: str | None


class ScorerDetailOut(ScorerOut, kw_only=True):
    versions: list[ScorerOut]
    binding: BindingOut | None


class ScorerList(msgspec.Struct):
    scorers: list[ScorerOut]
    next_page_token: str | None


class ScorerResultOut(msgspec.Struct):
    value: str | int | float
    rationale: str


def provide_scorers(state: State) -> ScorerService:
    services: Services = state.services
    return services.scorers


def _on_invocation_failed(_: Request[Any, Any, Any], exc: InvocationFailed) -> Response[ErrorBody]:
    return _with_retry_after(error_response(exc.status, exc.code, exc.message), exc.retry_after_s)


def _on_limit_exceeded(_: Request[Any, Any, Any], exc: LimitExceeded) -> Response[ErrorBody]:
    return _with_retry_after(error_response(429, exc.code, exc.message), exc.refusal.retry_after_s)


def _on_malformed_answer(_: Request[Any, Any, Any], exc: MalformedAnswer) -> Response[ErrorBody]:
    return error_response(502, exc.code, exc.message)


def _with_retry_after(response: Response[ErrorBody], seconds: float | None) -> Response[ErrorBody]:
    if seconds is not None:
        response.headers["Retry-After"] = retry_after_value(seconds).decode()
    return response


_RUN_ERRORS: ExceptionHandlersMap = {
    InvocationFailed: _on_invocation_failed,
    LimitExceeded: _on_limit_exceeded,
    MalformedAnswer: _on_malformed_answer,
}

_RUN_RESPONSES = {
    **answers(200, ScorerResultOut),
    409: ResponseSpec(data_container=ErrorBody, description="The scorer's endpoint was deleted"),
    429: ResponseSpec(data_container=ErrorBody, description="A limit of the endpoint refused the call"),
    502: ResponseSpec(
        data_container=ErrorBody, description="The endpoint failed, or its answer was not of the result type"
    ),
    504: ResponseSpec(data_container=ErrorBody, description="The endpoint timed out"),
}


class ScorersController(Controller):
    path = "/scorers"
    tags = ["scorers"]
    dependencies = {"scorer_service": Provide(provide_scorers, sync_to_thread=False)}

    @post(sync_to_thread=True, responses=answers(201, ScorerOut))
    def register_scorer(
        self,
        data: JSONBody[ScorerCreate],
        scorer_service: NamedDependency[ScorerService],
        actor: NamedDependency[str],
    ) -> dict[str, Any]:
        """Same namespace and name again registers the next version and re-points its binding."""
        spec = ScorerSpec(
            namespace=data.namespace,
            name=data.name,
            instructions=data.instructions,
            result_type=data.result_type.value,
            endpoint_id=data.endpoint_id,
            min_value=data.min,
            max_value=data.max,
        )
        return scorer_view(scorer_service.register(spec, actor=actor))

    @get(sync_to_thread=True, responses=answers(200, ScorerList))
    def list_scorers(
        self,
        scorer_service: NamedDependency[ScorerService],
        max_results: MaxResults = None,
        page_token: PageToken = None,
        namespace: FromQuery[str | None] = None,
    ) -> dict[str, Any]:
        """The newest version of each scorer, optionally of one namespace."""
        page = scorer_service.list(page_of(max_results, page_token), namespace)
        return listing("scorers", map(scorer_view, page.items), page.next_page_token)

    @get("/{scorer_id:str}", sync_to_thread=True, responses=answers(200, ScorerDetailOut))
    def get_scorer(
        self, scorer_id: FromPath[str], scorer_service: NamedDependency[ScorerService]
    ) -> dict[str, Any]:
        """The newest version, with `versions` (oldest first) and the scorer's `binding`."""
        return scorer_detail_view(scorer_service.get(scorer_id))

    @delete("/{scorer_id:str}", sync_to_thread=True, responses=ERRORS)
    def delete_scorer(
        self,
        scorer_id: FromPath[str],
        scorer_service: NamedDependency[ScorerService],
        actor: NamedDependency[str],
        version: FromQuery[int | None] = None,
    ) -> None:
        """The whole scorer and its binding, or with `version` one version (re-pointing the binding)."""
        scorer_service.delete(scorer_id, version, actor=actor)

    @post(
        "/{scorer_id:str}/run",
        status_code=200,
        responses=_RUN_RESPONSES,
        exception_handlers=_RUN_ERRORS,
    )
    async def run_scorer(
        self,
        request: Request[Any, Any, Any],
        scorer_id: FromPath[str],
        data: JSONBody[ScorerRun],
        scorer_service: NamedDependency[ScorerService],
    ) -> dict[str, Any]:
        """Judge `outputs` (with `inputs`, `expectations`) through the scorer's endpoint."""
        target = await anyio.to_thread.run_sync(scorer_service.target, scorer_id)
        result = await scorer_service.judge(
            target, current_principal(request), data.inputs, data.outputs, data.expectations
        )
        return scorer_result_view(result)
