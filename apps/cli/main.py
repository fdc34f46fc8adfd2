"""Root of the `switchboard` command: global options, error handling, and the command groups."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click

from apps.bootstrap import configure_logging
from apps.cli import (
    bindings,
    config,
    crypto,
    db,
    endpoints,
    keys,
    limits,
    models,
    scorers,
    secrets,
    serve,
    usage,
)
from apps.cli.context import CliContext
from apps.client import SwitchboardError
from apps.settings import InvalidSetting, Settings
from core.domain.errors import DomainError


class SwitchboardGroup(click.Group):
    """Turns domain and client errors into a one-line reason and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
        except SwitchboardError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=SwitchboardGroup)
@click.version_option(package_name="switchboard-gateway")
@click.option(
    "--url",
    envvar="SWITCHBOARD_URL",
    default=None,
    help="Run admin commands on this server (with SWITCHBOARD_API_KEY) instead of the database.",
)
@click.pass_context
def cli(ctx: click.Context, url: str | None) -> None:
    """Switchboard: a self-hosted LLM gateway."""
    if not isinstance(ctx.obj, CliContext):  # tests hand in a ready context
        try:
            settings = Settings.from_env()
        except InvalidSetting as exc:
            raise click.ClickException(str(exc)) from None
        ctx.obj = CliContext(settings=settings)
        # Admin commands print their own results: library chatter only when the level is asked for.
        configure_logging(ctx.obj.settings, None if "SWITCHBOARD_LOG_LEVEL" in os.environ else "WARNING")
    if url:
        # The key comes only from the environment: argv is visible to every local user.
        ctx.obj.remote_url = url
        ctx.obj.api_key = os.environ.get("SWITCHBOARD_API_KEY")


for group in (db.group, models.group, endpoints.group, keys.group):
    cli.add_command(group)
cli.add_command(bindings.group)
cli.add_command(limits.group)
cli.add_command(usage.group)
cli.add_command(scorers.group)
cli.add_command(config.group)
cli.add_command(secrets.group)
cli.add_command(crypto.group)
cli.add_command(serve.serve)


def main(argv: Sequence[str] | None = None) -> None:
    cli.main(args=list(argv) if argv is not None else sys.argv[1:], prog_name="switchboard")
