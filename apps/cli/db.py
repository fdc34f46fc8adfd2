"""`switchboard db`: schema migrations."""

from __future__ import annotations

import click

from apps.bootstrap import upgrade_database
from apps.cli.context import CliContext, pass_cli


@click.group("db")
def group() -> None:
    """Database schema management."""


@group.command("upgrade")
@pass_cli
def upgrade(ctx: CliContext) -> None:
    """Apply every pending migration to SWITCHBOARD_DATABASE_URL."""
    click.echo(upgrade_database(ctx.settings.database_url))
