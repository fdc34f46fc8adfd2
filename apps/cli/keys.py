"""`switchboard keys`: gateway keys, on the database (so the first admin key needs no server)."""

from __future__ import annotations

import click

from apps.cli.context import CliContext, pass_cli
from apps.cli.output import emit, emit_page

COLUMNS = ("key_id", "name", "role", "endpoints", "revoked", "created_at")


@click.group("keys")
def group() -> None:
    """Gateway keys: who may call the gateway, and with which role."""


@group.command("create")
@click.option("--name", required=True, help="The principal this key belongs to.")
@click.option("--role", type=click.Choice(["admin", "user"]), required=True)
@click.option("--endpoint", "endpoints", multiple=True, help="Limit a user key to this endpoint; repeatable.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object with key_id and key.")
@pass_cli
def create(ctx: CliContext, name: str, role: str, endpoints: tuple[str, ...], as_json: bool) -> None:
    """Create a key and print it once; only its hash is stored."""
    created = ctx.backend.create_key(name, role, endpoints=endpoints)
    if as_json:
        emit(created, True)
        return
    click.echo(f"key_id  {created['key_id']}")
    click.echo(f"key     {created['key']}")
    click.echo("Store this key now: it is shown only once.", err=True)


@group.command("list")
@click.option("--max-results", default=100, show_default=True)
@click.option("--page-token", default=None)
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def list_(ctx: CliContext, max_results: int, page_token: str | None, as_json: bool) -> None:
    """List keys (never the key itself)."""
    page = ctx.backend.list_keys(max_results=max_results, page_token=page_token)
    emit_page("keys", page, as_json, COLUMNS)


@group.command("revoke")
@click.argument("key_id")
@pass_cli
def revoke(ctx: CliContext, key_id: str) -> None:
    """Revoke a key: it stops working at once."""
    ctx.backend.revoke_key(key_id)
    click.echo(f"revoked key {key_id}")
