"""Scorers: a registry of versioned LLM judges, their one binding each, and running them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.domain.audit import Audit
from core.domain.binding import Binding, ResourceType
from core.domain.errors import Conflict, InvalidInput, NotFound
from core.domain.page import Page, PageRequest
from core.domain.principal import Principal
from core.domain.scorer import ResultType, ScorerVersion, desired_scorer_binding, render_instructions
from core.services.endpoints import require_endpoint
from core.services.invocation.service import InvocationRequest, InvocationService
from core.services.scorer_answer import ScorerResult, describe_value, parse_answer, response_format
from ports.clock import Clock
from ports.ids import IdGenerator
from ports.provider import Operation
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True, kw_only=True)
class ScorerSpec:
    namespace: str
    name: str
    instructions: str
    result_type: str
    endpoint_id: str
    min_value: float | None = None
    max_value: float | None = None


@dataclass(frozen=True, slots=True)
class ScorerDetail:
    """A scorer: its newest version, every version (oldest first), and its binding if any."""

    latest: ScorerVersion
    versions: tuple[ScorerVersion, ...]
    binding: Binding | None


@dataclass(frozen=True, slots=True)
class RunTarget:
    """The scorer version to run and the name of the endpoint it calls."""

    scorer: ScorerVersion
    endpoint_name: str


class ScorerService:
    """Register, read, delete and run scorers (PRODUCT §1 "Scorer").

    Every change keeps the binding rules in the same unit of work as the scorer change:
    exactly one binding per scorer, keyed by its id, on the newest version's endpoint.
    """

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, invocation: InvocationService
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._invocation = invocation

    def register(self, spec: ScorerSpec, actor: str | None = None) -> ScorerVersion:
        """Version 1 of a new namespace/name, or the next version of an existing one.

        Raises:
            NotFound: `endpoint_id` names no endpoint; nothing is stored.
            InvalidInput: A field breaks a rule (names the field).
        """
        result_type = _result_type(spec.result_type)
        _check_bounds(result_type, spec.min_value, spec.max_value)
        now = self._clock.now_ms()
        with self._uow() as uow:
            existing = uow.scorers.versions_by_name(spec.namespace, spec.name)
            version = ScorerVersion(
                scorer_id=existing[0].scorer_id if existing else self._ids.new_id(),
                namespace=spec.namespace,
                name=spec.name,
                version=max((v.version for v in existing), default=0) + 1,
                instructions=spec.instructions,
                result_type=result_type,
                endpoint_id=spec.endpoint_id,
                min_value=spec.min_value,
                max_value=spec.max_value,
                audit=Audit.new(now, actor),
            )
            require_endpoint(uow, spec.endpoint_id)
            uow.scorers.add(version)
            _sync_binding(uow, version.scorer_id, [*existing, version], now, actor)
            uow.revision.bump()
            uow.commit()
            return version

    def list(self, page: PageRequest, namespace: str | None = None) -> Page[ScorerVersion]:
        """The newest version of each scorer."""
        with self._uow() as uow:
            return uow.scorers.list_latest(page, namespace)

    def get(self, scorer_id: str) -> ScorerDetail:
        with self._uow() as uow:
            versions = _require_versions(uow, scorer_id)
            bindings = uow.bindings.list_by_resource(ResourceType.SCORER, scorer_id)
            return ScorerDetail(versions[-1], tuple(versions), bindings[0] if bindings else None)

    def delete(self, scorer_id: str, version: int | None = None, actor: str | None = None) -> None:
        """Delete the scorer (and its binding), or one version (re-pointing to the newest left)."""
        with self._uow() as uow:
            versions = _require_versions(uow, scorer_id)
            if version is None:
                uow.scorers.delete(scorer_id)
                remaining: list[ScorerVersion] = []
            else:
                if all(v.version != version for v in versions):
                    raise NotFound("scorer version", f"{scorer_id} v{version}")
                uow.scorers.delete_version(scorer_id, version)
                remaining = [v for v in versions if v.version != version]
            _sync_binding(uow, scorer_id, remaining, self._clock.now_ms(), actor)
            uow.revision.bump()
            uow.commit()

    def target(self, scorer_id: str) -> RunTarget:
        """What a run calls; blocking (reads the store), so async front-ends call it off the loop.

        Raises:
            NotFound: No such scorer.
            Conflict: The scorer's endpoint was deleted (register a new version to re-point it).
        """
        with self._uow() as uow:
            scorer = _require_versions(uow, scorer_id)[-1]
            endpoint = None if scorer.endpoint_id is None else uow.endpoints.get(scorer.endpoint_id)
        if endpoint is None:
            raise Conflict(
                f"scorer '{scorer.namespace}/{scorer.name}' cannot run: its endpoint was deleted; "
                "register a new version naming an existing endpoint"
            )
        # Admin writes in this process may be newer than the invocation snapshot; one tiny read.
        self._invocation.config.refresh_if_changed()
        return RunTarget(scorer, endpoint.name)

    async def judge(
        self,
        target: RunTarget,
        principal: Principal,
        inputs: Any,
        outputs: Any,
        expectations: Any = None,
    ) -> ScorerResult:
        """Call the scorer's endpoint through the invocation path and read back a typed result.

        Raises:
            InvocationFailed, LimitExceeded: As for any invocation (routing, fallback, limits apply).
            MalformedAnswer: The model's answer is not a value of the scorer's result type.
        """
        scorer = target.scorer
        prompt = render_instructions(
            scorer.instructions,
            {"inputs": _text(inputs), "outputs": _text(outputs), "expectations": _text(expectations)},
        )
        payload = {
            "model": target.endpoint_name,
            "messages": [
                {"role": "system", "content": _judge_rules(scorer)},
                {"role": "user", "content": prompt},
            ],
            "response_format": response_format(scorer),
        }
        request = InvocationRequest(
            principal, target.endpoint_name, Operation.CHAT, payload, self._invocation.new_request_id()
        )
        response, _ = await self._invocation.invoke(request)
        return parse_answer(scorer, _content(response.body))

    async def run(
        self,
        scorer_id: str,
        principal: Principal,
        inputs: Any,
        outputs: Any,
        expectations: Any = None,
    ) -> ScorerResult:
        """`target` then `judge`, for callers that may block (the CLI)."""
        return await self.judge(self.target(scorer_id), principal, inputs, outputs, expectations)


def _sync_binding(
    uow: UnitOfWork, scorer_id: str, versions: Sequence[ScorerVersion], now_ms: int, actor: str | None
) -> None:
    """Make the scorer's bindings exactly the one its versions call for (rules 1–4)."""
    desired = desired_scorer_binding(versions)
    kept = False
    for binding in uow.bindings.list_by_resource(ResourceType.SCORER, scorer_id):
        if (
            desired is not None
            and not kept
            and binding.endpoint_id == desired.endpoint_id
            and binding.display_name == desired.display_name
        ):
            kept = True
            continue
        uow.bindings.delete(binding.key)
    if desired is not None and not kept:
        uow.bindings.add(
            Binding(
                endpoint_id=desired.endpoint_id,
                resource_type=desired.resource_type,
                resource_id=desired.resource_id,
                display_name=desired.display_name,
                audit=Audit.new(now_ms, actor),
            )
        )


def _require_versions(uow: UnitOfWork, scorer_id: str) -> Sequence[ScorerVersion]:
    versions = uow.scorers.versions(scorer_id)
    if not versions:
        raise NotFound("scorer", scorer_id)
    return versions


def _result_type(value: str) -> ResultType:
    try:
        return ResultType(value)
    except ValueError:
        allowed = ", ".join(t.value for t in ResultType)
        raise InvalidInput("result_type", f"'{value}' is not one of: {allowed}") from None


def _check_bounds(result_type: ResultType, low: float | None, high: float | None) -> None:
    if result_type is ResultType.YES_NO and (low is not None or high is not None):
        raise InvalidInput("min", "yes_no scorers take no min or max")
    if result_type is ResultType.INTEGER:
        for field, bound in (("min", low), ("max", high)):
            if bound is not None and not float(bound).is_integer():
                raise InvalidInput(field, "must be a whole number for integer scorers")
    if low is not None and high is not None and low > high:
        raise InvalidInput("min", "must not exceed max")


def _judge_rules(scorer: ScorerVersion) -> str:
    # Said in words too: some providers ignore `response_format`.
    return (
        "You are a judge. Follow the user's instructions and answer with one JSON object and "
        'nothing else: {"rationale": "<your reasoning, briefly>", "value": <verdict>} where the '
        f"verdict is {describe_value(scorer)}."
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def _content(body: Any) -> Any:
    """The first choice's message content, or None when the answer has none."""
    try:
        return body["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        return None
