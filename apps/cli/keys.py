"""`switchboard keys`: gateway keys, working directly on the database."""

from __future__ import annotations

import click

from apps.cli.context import CliContext, pass_cli
from apps.cli.output import emit
from apps.views import key_view
from core.domain.page import PageRequest

COLUMNS = ("key_id", "name", "role", "endpoints", "revoked", "created_at")


@click.group("keys")
def group() -> None:
    """Gateway keys: who may call the gateway, and with which role."""


@group.command("create")
@click.option("--name", required=True, help="The principal this key belongs to.")
@click.option("--role", type=click.Choice(["admin", "user"]), required=True)
@click.option("--endpoint", "endpoints", multiple=True, help="Limit a user key to this endpoint; repeatable.")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def create(ctx: CliContext, name: str, role: str, endpoints: tuple[str, ...], as_json: bool) -> None:
    """Create a key and print it once; only its hash is stored."""
    key, plaintext = ctx.services.keys.create(name, role, endpoints)
    if as_json:
        emit({**key_view(key), "key": plaintext}, True)
        return
    click.echo(f"key_id  {key.key_id}")
    click.echo(f"key     {plaintext}")
    click.echo("Store this key now: it is shown only once.", err=True)


@group.command("list")
@click.option("--max-results", default=100, show_default=True)
@click.option("--page-token", default=None)
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def list_(ctx: CliContext, max_results: int, page_token: str | None, as_json: bool) -> None:
    """List keys (never the key itself)."""
    page = ctx.services.keys.list(PageRequest.parse(max_results, page_token))
    rows = [key_view(k) for k in page.items]
    emit(rows, as_json, COLUMNS)
    if page.next_page_token and not as_json:
        click.echo(f"next page: --page-token {page.next_page_token}")


@group.command("revoke")
@click.argument("key_id")
@pass_cli
def revoke(ctx: CliContext, key_id: str) -> None:
    """Revoke a key: it stops working at once."""
    ctx.services.keys.revoke(key_id)
    click.echo(f"revoked key {key_id}")
