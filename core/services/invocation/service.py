"""The invocation use case: authenticate, resolve the endpoint, route, retry, fall back, account."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from core.domain.endpoint import Endpoint, ModelMapping
from core.domain.errors import NotFound, PermissionDenied, Unauthenticated
from core.domain.failures import ProviderFailure, UpstreamError, is_fallback_eligible
from core.domain.invocation import InvocationFailed, final_error
from core.domain.limits import limit_checks
from core.domain.model_definition import ModelDefinition
from core.domain.principal import Principal
from core.domain.routing import RandomSource, attempt_plan
from core.domain.usage import UsageRecord
from core.services.invocation.calls import RetryLoop, Sleep, build_call
from core.services.invocation.outcome import Outcome
from core.services.invocation.request_ids import RequestIds
from core.services.invocation.snapshot import ConfigCache
from core.services.keys import hash_key
from ports.circuit_breaker import CircuitBreaker, open_models
from ports.clock import Clock
from ports.provider import Operation, ProviderRegistry, UpstreamResponse
from ports.rate_limiter import RateLimiter
from ports.secret_values import SecretValueSource
from ports.telemetry import NullObserver, RequestObserver
from ports.usage_sink import UsageSink


@dataclass(frozen=True, slots=True)
class InvocationRequest:
    principal: Principal
    endpoint_name: str
    operation: Operation
    payload: Mapping[str, Any]
    request_id: str


class InvocationService:
    """Serves one request over an endpoint's attempt plan (PRODUCT §2)."""

    def __init__(
        self,
        config: ConfigCache,
        providers: ProviderRegistry,
        secrets: SecretValueSource,
        usage: UsageSink,
        clock: Clock,
        random: RandomSource,
        limiter: RateLimiter | None = None,
        breaker: CircuitBreaker | None = None,
        sleep: Sleep = asyncio.sleep,
        observer: RequestObserver | None = None,
    ) -> None:
        self.config = config
        self.providers = providers
        self.secrets = secrets
        self._usage = usage
        self.clock = clock
        self._request_ids = RequestIds()
        self.random = random
        self.retries = RetryLoop(clock, random, sleep)
        self._limiter = limiter
        self._breaker = breaker
        self.observer: RequestObserver = observer or NullObserver()

    def authenticate(self, presented: str | None) -> Principal:
        """The principal of a gateway key, from the cached snapshot (no database round trip)."""
        if not presented:
            raise Unauthenticated("missing gateway key: send 'Authorization: Bearer <key>'")
        # Looked up by SHA-256 digest: timing can reveal nothing about the key itself, only
        # about a hash an attacker cannot invert (the same reasoning as KeyService).
        principal = self.config.current.principals_by_key_hash.get(hash_key(presented))
        if principal is None:
            raise Unauthenticated("invalid or revoked gateway key")
        return principal

    def resolve(self, principal: Principal, endpoint_name: str) -> Endpoint:
        endpoint = self.config.current.endpoints.get(endpoint_name)
        if endpoint is None:
            raise NotFound("endpoint", endpoint_name)
        if not principal.may_call(endpoint_name):
            raise PermissionDenied(f"this key may not call endpoint '{endpoint_name}'")
        return endpoint

    def visible_endpoints(self, principal: Principal) -> list[Endpoint]:
        return [e for e in self.config.current.endpoints.values() if principal.may_call(e.name)]

    def new_request_id(self) -> str:
        return self._request_ids.new_id()

    def begin(self, request: InvocationRequest) -> Outcome:
        endpoint = self.resolve(request.principal, request.endpoint_name)
        return Outcome(
            request_id=request.request_id,
            principal=request.principal,
            endpoint=endpoint,
            operation=request.operation,
            started=self.clock.monotonic(),
        )

    async def admit(self, outcome: Outcome) -> None:
        """Apply the endpoint's limit rules; a refused request never reaches a provider."""
        rules = self.config.current.limits.get(outcome.endpoint.endpoint_id)
        if not rules or self._limiter is None:
            return
        outcome.limit_checks = limit_checks(outcome.endpoint.endpoint_id, rules, outcome.principal.name)
        decision = await self._limiter.acquire(outcome.limit_checks, self.clock.now_ms())
        if decision.refusal is not None:
            outcome.status = 429
            self.observer.limit_rejected(outcome, decision.refusal)
            self.account(outcome)
            decision.raise_if_refused()

    async def settle(self, outcome: Outcome) -> None:
        """Count the tokens actually used against token budgets, then write the usage record."""
        tokens = outcome.usage.prompt_tokens + outcome.usage.completion_tokens
        checks = [c for c in outcome.limit_checks if c.rule.tokens is not None]
        if checks and tokens and self._limiter is not None:
            await self._limiter.record_tokens(checks, tokens, self.clock.now_ms())
        self.account(outcome)

    async def invoke(self, request: InvocationRequest) -> tuple[UpstreamResponse, Outcome]:
        """A non-streaming call, settled; raises InvocationFailed with the one error the caller gets."""
        response, outcome = await self.call(request)
        await self.settle(outcome)
        return response, outcome

    async def call(self, request: InvocationRequest) -> tuple[UpstreamResponse, Outcome]:
        """A non-streaming call whose caller must `settle` the outcome, once it has answered.

        For a server: the answer goes out first and the accounting (token budgets, the usage
        record, metrics) follows, so none of it adds to the caller's latency. A failure is
        accounted here, before InvocationFailed is raised.
        """
        outcome = self.begin(request)
        await self.admit(outcome)
        try:
            response = await self._run_plan(request, outcome)
        except InvocationFailed as exc:
            outcome.status = exc.status
            self.account(outcome)
            raise
        outcome.add_usage(response.usage)
        return response, outcome

    async def _run_plan(self, request: InvocationRequest, outcome: Outcome) -> UpstreamResponse:
        endpoint = outcome.endpoint
        deadline = outcome.started + endpoint.timeouts.total_s
        plan = await self.plan(endpoint)
        outcome.first_planned = plan[0].model_definition.model_definition_id
        last: ProviderFailure | None = None
        for mapping in plan:
            model = mapping.model_definition
            attempt = partial(self._invoke_once, model, endpoint, request)
            try:
                response = await self.retries.run(
                    model, endpoint, outcome, deadline, attempt, self.on_failure
                )
            except UpstreamError as exc:
                last = exc.failure
                if not is_fallback_eligible(last.error_class) or self.clock.monotonic() >= deadline:
                    break
                continue
            await self.on_success(model)
            outcome.served = model
            return response
        assert last is not None  # the plan is never empty
        raise final_error(last, outcome.attempts)

    async def _invoke_once(
        self, model: ModelDefinition, endpoint: Endpoint, request: InvocationRequest
    ) -> UpstreamResponse:
        call = build_call(model, endpoint, request.operation, request.payload, self.secrets)
        return await self.providers.client_for(model.provider).invoke(call)

    async def plan(self, endpoint: Endpoint) -> list[ModelMapping]:
        """The attempt plan, skipping models whose circuit is open (probing those that are due)."""
        if self._breaker is None:
            return attempt_plan(endpoint, self.random)
        ids = [m.model_definition.model_definition_id for m in endpoint.model_mappings]
        return attempt_plan(endpoint, self.random, await open_models(self._breaker, ids))

    async def on_failure(self, model: ModelDefinition, failure: ProviderFailure) -> None:
        if self._breaker is not None and is_fallback_eligible(failure.error_class):
            # Report the opening once, not every failure of a breaker already open (a probe's).
            was_open = self._breaker.is_open(model.model_definition_id)
            await self._breaker.record_failure(model.model_definition_id)
            if not was_open and self._breaker.is_open(model.model_definition_id):
                self.observer.breaker_changed(model, True)

    async def on_success(self, model: ModelDefinition) -> None:
        if self._breaker is not None:
            # Only a probe succeeds on an open breaker: report the close once, not every success.
            was_open = self._breaker.is_open(model.model_definition_id)
            await self._breaker.record_success(model.model_definition_id)
            if was_open:
                self.observer.breaker_changed(model, False)

    def account(self, outcome: Outcome) -> None:
        """One usage record per request, written off the request path; failures bill nothing."""
        served = outcome.served
        finished = self.clock.monotonic()
        self._usage.record(
            UsageRecord(
                request_id=outcome.request_id,
                timestamp_ms=self.clock.now_ms(),
                endpoint_id=outcome.endpoint.endpoint_id,
                endpoint_name=outcome.endpoint.name,
                model_definition_id=served.model_definition_id if served else None,
                model_definition_name=served.name if served else None,
                provider=served.provider if served else None,
                prompt_tokens=outcome.usage.prompt_tokens,
                completion_tokens=outcome.usage.completion_tokens,
                latency_ms=(finished - outcome.started) * 1000,
                attempts=len(outcome.attempts),
                status=outcome.status,
                principal=outcome.principal.name,
                fallback=outcome.fell_back,
            )
        )
        self.observer.request_finished(outcome, finished)
