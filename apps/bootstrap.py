"""The composition root: the one place that chooses adapters and wires them into services.

`build(settings, **overrides)` wires the real adapters; any port can be overridden by
keyword (tests pass fakes). `build_in_memory()` gives notebooks a working gateway with no
database file.
"""

from __future__ import annotations

import os
import random as _random
import secrets as _secrets
from dataclasses import dataclass
from typing import Any

from adapters.crypto import AesGcmCipher
from adapters.limits.breaker_in_process import InProcessCircuitBreaker
from adapters.limits.in_process import InProcessRateLimiter
from adapters.memory import InMemoryStore
from adapters.providers.registry import Providers
from adapters.system import RandomIds, SystemClock
from adapters.usage import BatchingUsageSink
from apps.settings import Settings
from core.domain.breaker import BreakerPolicy
from core.domain.routing import RandomSource
from core.services.bindings import BindingService
from core.services.endpoints import EndpointService
from core.services.invocation.service import InvocationService
from core.services.invocation.snapshot import ConfigCache, secret_ids_in_use
from core.services.kek import KekService
from core.services.keys import KeyService
from core.services.limits import LimitService
from core.services.model_definitions import ModelDefinitionService
from core.services.scorers import ScorerService
from core.services.secret_values import SecretValues
from core.services.secrets import SecretService
from core.services.usage import UsageService
from ports.cipher import EnvelopeCipher
from ports.circuit_breaker import CircuitBreaker
from ports.clock import Clock
from ports.ids import IdGenerator
from ports.provider import ProviderRegistry
from ports.rate_limiter import RateLimiter
from ports.telemetry import MetricsExposition, RequestObserver
from ports.unit_of_work import UnitOfWorkFactory
from ports.usage_sink import UsageSink


@dataclass(frozen=True, slots=True)
class Ports:
    """The adapters chosen for one process."""

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    random: RandomSource
    cipher: EnvelopeCipher
    rate_limiter: RateLimiter
    breaker: CircuitBreaker
    providers: ProviderRegistry
    usage_sink: UsageSink
    observer: RequestObserver
    metrics: MetricsExposition | None


@dataclass(frozen=True, slots=True)
class Services:
    """Everything a front-end needs; built once per process."""

    settings: Settings
    ports: Ports
    model_definitions: ModelDefinitionService
    endpoints: EndpointService
    bindings: BindingService
    limits: LimitService
    keys: KeyService
    keks: KekService
    secrets: SecretService
    secret_values: SecretValues
    config: ConfigCache
    invocation: InvocationService
    usage: UsageService
    scorers: ScorerService

    @property
    def providers(self) -> ProviderRegistry:
        return self.ports.providers

    @property
    def usage_sink(self) -> UsageSink:
        return self.ports.usage_sink

    def require_unlocked(self) -> None:
        """Check the KEK passphrase (once per process); entry points that need secrets call this first.

        Raises:
            KekLocked: The passphrase is missing or wrong (a one-line message).
        """
        self.keks.ensure_unlocked()


def build(settings: Settings | None = None, **overrides: Any) -> Services:
    """Wire real adapters for `settings`; keyword overrides replace any port by name."""
    settings = settings or Settings.from_env()
    clock = overrides.pop("clock", None) or SystemClock()
    rate_limiter, breaker = overrides.pop("rate_limiter", None), overrides.pop("breaker", None)
    if rate_limiter is None or breaker is None:
        default_limiter, default_breaker = _limits(settings.redis_url, clock, _breaker_policy(settings))
        rate_limiter, breaker = rate_limiter or default_limiter, breaker or default_breaker
    uow = overrides.pop("uow", None) or _sql_unit_of_work(settings.database_url)
    observer, metrics = _telemetry(clock, overrides.pop("observer", None))
    ports = Ports(
        uow=uow,
        clock=clock,
        ids=overrides.pop("ids", None) or RandomIds(),
        random=overrides.pop("random", None) or _random.random,
        cipher=overrides.pop("cipher", None) or AesGcmCipher(),
        rate_limiter=rate_limiter,
        breaker=breaker,
        providers=overrides.pop("providers", None) or Providers(),
        usage_sink=overrides.pop("usage_sink", None) or BatchingUsageSink(uow),
        observer=observer,
        metrics=metrics,
    )
    if overrides:
        raise TypeError(f"unknown port overrides: {', '.join(sorted(overrides))}")
    return _services(settings, ports)


def build_in_memory(**overrides: Any) -> Services:
    """A complete gateway on the in-memory store, for notebooks and tests."""
    store = InMemoryStore()
    # The store dies with the process, so a random passphrase protects nothing that outlives it.
    settings = Settings(database_url="memory://", kek_passphrase=_secrets.token_urlsafe(32))
    return build(settings, uow=overrides.pop("uow", store.unit_of_work), **overrides)


def _services(settings: Settings, ports: Ports) -> Services:
    keks = KekService(
        ports.uow, ports.clock, ports.cipher, (settings.kek_passphrase, settings.kek_passphrase_next)
    )
    values = SecretValues(ports.uow, ports.cipher, keks)
    config = ConfigCache(ports.uow)
    config.listeners.append(lambda snapshot: values.reload(secret_ids_in_use(snapshot)))
    invocation = InvocationService(
        config=config,
        providers=ports.providers,
        secrets=values,
        usage=ports.usage_sink,
        clock=ports.clock,
        random=ports.random,
        limiter=ports.rate_limiter,
        breaker=ports.breaker,
        observer=ports.observer,
    )
    return Services(
        settings=settings,
        ports=ports,
        model_definitions=ModelDefinitionService(ports.uow, ports.clock, ports.ids),
        endpoints=EndpointService(ports.uow, ports.clock, ports.ids),
        bindings=BindingService(ports.uow, ports.clock),
        limits=LimitService(ports.uow),
        keys=KeyService(ports.uow, ports.clock, ports.ids),
        keks=keks,
        secrets=SecretService(ports.uow, ports.clock, ports.ids, ports.cipher, keks, values),
        secret_values=values,
        config=config,
        invocation=invocation,
        usage=UsageService(ports.uow),
        scorers=ScorerService(ports.uow, ports.clock, ports.ids, invocation),
    )


def _breaker_policy(settings: Settings) -> BreakerPolicy:
    cooldown_ms = round(settings.breaker_cooldown_s * 1000)
    return BreakerPolicy(failure_threshold=settings.breaker_failures, cooldown_ms=cooldown_ms)


def _limits(redis_url: str | None, clock: Clock, policy: BreakerPolicy) -> tuple[RateLimiter, CircuitBreaker]:
    """Limits and breakers shared by every instance through Redis when configured, else per process."""
    if redis_url is None:
        return InProcessRateLimiter(), InProcessCircuitBreaker(clock, policy)
    from adapters.limits.breaker_redis import RedisCircuitBreaker
    from adapters.limits.redis_client import connect_redis
    from adapters.limits.redis_limiter import RedisRateLimiter

    client = connect_redis(redis_url)  # one pool for both; connections open lazily on the event loop
    return RedisRateLimiter(client), RedisCircuitBreaker(client, clock, policy)


def _sql_unit_of_work(database_url: str) -> UnitOfWorkFactory:
    from adapters.storage import SqlStore

    return SqlStore(database_url).unit_of_work


def upgrade_database(database_url: str) -> str:
    """Apply pending migrations; returns a one-line report."""
    from adapters.storage import upgrade_database as upgrade

    return str(upgrade(database_url))


def schema_problem(database_url: str) -> str | None:
    """Why the database's schema cannot be served (one line naming `switchboard db upgrade`), or None."""
    if database_url.startswith("memory://"):
        return None
    from adapters.storage import schema_status

    status = schema_status(database_url)
    return None if status.up_to_date else status.describe()


def _telemetry(
    clock: Clock, extra: RequestObserver | None
) -> tuple[RequestObserver, MetricsExposition | None]:
    """Metrics (unless SWITCHBOARD_METRICS=off), request logs, and traces when OTEL_* asks for them.

    `extra` (tests: an in-memory tracer) takes the place of the tracer the environment would give.
    """
    from adapters.telemetry import LogObserver, combine

    access = os.environ.get("SWITCHBOARD_METRICS", "public").lower()
    prometheus, metrics = None, None
    if access != "off":
        from adapters.telemetry.metrics import PrometheusExposition, PrometheusObserver

        prometheus = PrometheusObserver()
        metrics = PrometheusExposition(prometheus, requires_admin=access == "admin")
    tracer = extra
    if tracer is None:
        from adapters.telemetry.tracing import tracing_configured

        if tracing_configured():
            from adapters.telemetry.tracing import TracingObserver, otlp_provider

            tracer = TracingObserver(otlp_provider(), clock)
    return combine(prometheus, LogObserver(), tracer), metrics


def configure_logging(settings: Settings, level: str | None = None) -> None:
    """JSON log lines on stderr at `level` (default SWITCHBOARD_LOG_LEVEL); passphrases redacted."""
    from adapters.telemetry import Redactor
    from adapters.telemetry import configure_logging as configure

    redactor = Redactor([settings.kek_passphrase or "", settings.kek_passphrase_next or ""])
    configure(level or settings.log_level, redactor)


def readiness_problems(services: Services) -> list[str]:
    """Why this process should not get traffic yet, for the logs ([] when ready). Blocking.

    Checks the database answers with a current schema, the KEK passphrase verifies, and Redis
    answers when configured.
    """
    from adapters.telemetry.readiness import database_problem, redis_problem

    settings = services.settings
    problems: list[str] = []
    if not settings.database_url.startswith("memory://"):
        problem = database_problem(settings.database_url)
        if problem is not None:
            return [problem]  # the passphrase check below would only fail on the same database
    try:
        services.require_unlocked()
    except Exception as exc:
        problems.append(f"passphrase not verified ({type(exc).__name__})")
    if settings.redis_url is not None:
        problem = redis_problem(settings.redis_url)
        if problem is not None:
            problems.append(problem)
    return problems
