"""One model's turn: build the upstream call, and retry transient failures per the policy."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from core.domain.endpoint import Endpoint
from core.domain.errors import NotFound
from core.domain.failures import ErrorClass, ProviderFailure, UpstreamError, retry_delay_s
from core.domain.invocation import AttemptRecord
from core.domain.model_definition import ModelDefinition
from core.domain.routing import RandomSource
from core.services.invocation.outcome import Outcome
from ports.clock import Clock
from ports.provider import Operation, UpstreamCall
from ports.secret_values import SecretValueSource

Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")


def build_call(
    model: ModelDefinition,
    endpoint: Endpoint,
    operation: Operation,
    payload: Mapping[str, Any],
    secrets: SecretValueSource,
    prefill: str | None = None,
) -> UpstreamCall:
    """The call for one model; an orphaned model fails over as a bad key would (PRODUCT §1)."""
    api_key: str | None = None
    auth_config: Mapping[str, Any] = {}
    if model.orphaned:
        raise UpstreamError(
            ProviderFailure(
                ErrorClass.AUTH, None, f"model definition '{model.name}' has no secret (orphaned)"
            )
        )
    if model.secret_id is not None:
        try:
            secret = secrets.get(model.secret_id)
        except NotFound:
            raise UpstreamError(
                ProviderFailure(
                    ErrorClass.AUTH, None, f"the secret of model definition '{model.name}' is gone"
                )
            ) from None
        api_key, auth_config = secret.value, secret.auth_config
    return UpstreamCall(
        operation=operation,
        payload=payload,
        model=model,
        api_key=api_key,
        timeouts=endpoint.timeouts,
        prefill=prefill,
        auth_config=auth_config,
    )


class RetryLoop:
    """Runs an upstream call, retrying the same model on transient errors (PRODUCT §2.2)."""

    def __init__(self, clock: Clock, random: RandomSource, sleep: Sleep) -> None:
        self._clock = clock
        self._random = random
        self._sleep = sleep

    async def run(
        self,
        model: ModelDefinition,
        endpoint: Endpoint,
        outcome: Outcome,
        deadline: float,
        attempt: Callable[[], Awaitable[T]],
        on_failure: Callable[[ModelDefinition, ProviderFailure], Awaitable[None]],
    ) -> T:
        retries = 0
        while True:
            started = self._clock.monotonic()
            try:
                result = await attempt()
            except UpstreamError as exc:
                waited = self._clock.monotonic() - started
                outcome.upstream_s += waited
                failure = exc.failure
                outcome.attempts.append(
                    AttemptRecord(
                        model.name, model.provider, failure.error_class, failure.status, started, waited
                    )
                )
                await on_failure(model, failure)
                delay = retry_delay_s(failure, retries, endpoint.retry_policy, self._random)
                if delay is None or self._clock.monotonic() + delay >= deadline:
                    raise
                await self._sleep(delay)
                retries += 1
                continue
            waited = self._clock.monotonic() - started
            outcome.upstream_s += waited
            outcome.attempts.append(AttemptRecord(model.name, model.provider, None, None, started, waited))
            return result
