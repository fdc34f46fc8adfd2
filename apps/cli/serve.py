"""`switchboard serve`: the gateway on granian, after checking the schema and the passphrase."""

from __future__ import annotations

import click

from apps.bootstrap import schema_problem
from apps.cli.context import CliContext, pass_cli

# Each worker builds its own services from the environment (connections do not cross forks).
APP_FACTORY = "apps.http.asgi:gateway_from_env"


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
    ctx.services.require_unlocked()  # a missing or wrong passphrase stops here, with one line
    run_server(host, port, workers)


def run_server(host: str, port: int, workers: int) -> None:
    from granian import Granian
    from granian.constants import Interfaces

    Granian(
        APP_FACTORY,
        address=host,
        port=port,
        workers=workers,
        interface=Interfaces.ASGI,
        factory=True,
    ).serve()
