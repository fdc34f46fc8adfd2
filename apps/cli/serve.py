"""`switchboard serve`: the gateway on uvicorn, after checking the schema and the passphrase."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import click

from apps.bootstrap import configure_logging, schema_problem
from apps.cli.context import CliContext, pass_cli

# Each worker builds its own services from the environment (connections do not cross forks).
APP_FACTORY = "apps.http.asgi:gateway_from_env"
# prometheus-client's multiprocess mode: every worker writes its metrics to files here.
METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
# uvicorn's httptools protocol, sending a response's head and body in one write.
HTTP_PROTOCOL = "apps.http.head_with_body:HeadWithBodyProtocol"
# Idle client connections stay open this long: longer than common load balancers' idle timeouts
# (60 s), so a balancer never reuses a connection the gateway is closing.
KEEP_ALIVE_S = 75
# On SIGTERM, running requests and streams get this long to finish before they are cut.
GRACEFUL_SHUTDOWN_S = 30


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 256))
@pass_cli
def serve(ctx: CliContext, host: str, port: int, workers: int) -> None:
    """Serve the admin API and the invocation API over HTTP."""
    problem = schema_problem(ctx.settings.database_url)
    if problem is not None:
        raise click.ClickException(problem)
    # Set before anything imports prometheus-client (building services does), so the workers
    # forked below all write to, and each /metrics reads from, this one directory.
    with metrics_directory():
        ctx.services.require_unlocked()  # a missing or wrong passphrase stops here, with one line
        warning = per_worker_limits_warning(ctx, workers)
        if warning is not None:
            click.echo(warning, err=True)
        # Only now the server's own log level: a refusal above stays one line, without INFO noise.
        configure_logging(ctx.settings)
        run_server(host, port, workers)


def per_worker_limits_warning(ctx: CliContext, workers: int) -> str | None:
    """The warning for several workers with limits stored but no Redis: each worker counts alone."""
    if workers <= 1 or ctx.settings.redis_url is not None:
        return None
    if not any(ctx.services.config.current.limits.values()):
        return None
    return (
        f"WARNING: limits and circuit breakers are PER WORKER. {workers} workers are starting without "
        "SWITCHBOARD_REDIS_URL, so each worker keeps its own counters and breakers: a limit of N calls "
        f"admits up to {workers}×N, and one worker's open breaker does not stop the others. Set "
        "SWITCHBOARD_REDIS_URL to a Redis every worker and instance shares for exact limits "
        "(docs/deploy.md), or serve with --workers 1."
    )


@contextlib.contextmanager
def metrics_directory() -> Iterator[Path]:
    """A fresh directory for this server's metrics: the operator's (emptied) or a temporary one."""
    given = os.environ.get(METRICS_DIR_ENV)
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):  # a previous run's counts must not leak into this one
            stale.unlink()
        yield path
        return
    path = Path(tempfile.mkdtemp(prefix="switchboard-metrics-"))
    os.environ[METRICS_DIR_ENV] = str(path)
    try:
        yield path
    finally:
        os.environ.pop(METRICS_DIR_ENV, None)
        shutil.rmtree(path, ignore_errors=True)


def run_server(host: str, port: int, workers: int) -> None:
    """uvicorn on uvloop and httptools: one event loop thread per worker, measured the fastest
    here for the hot path (docs/performance.md, "HTTP server")."""
    import uvicorn

    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="auto",  # uvloop where it is installed (a dependency, except on Windows)
        http=HTTP_PROTOCOL,
        ws="none",  # no route speaks WebSocket
        lifespan="on",  # the runtime's start and stop (usage flush) hang on it
        log_config=None,  # our own logging (JSON, redacted) stays in charge
        access_log=False,  # our access log middleware writes request lines
        server_header=False,
        proxy_headers=False,  # nothing here reads the client address; a proxy's headers pass as they are
        timeout_keep_alive=KEEP_ALIVE_S,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )
