"""`switchboard bindings`: which resources use which endpoint."""

from __future__ import annotations

import click

from apps.cli.context import CliContext, pass_cli
from apps.cli.output import emit

COLUMNS = ("endpoint_id", "resource_type", "resource_id", "display_name", "created_by")


@click.group("bindings")
def group() -> None:
    """Bindings: who uses an endpoint (scorers, applications, jobs)."""


@group.command("create")
@click.option("--endpoint-id", required=True)
@click.option("--resource-type", required=True, help="scorer, application or job.")
@click.option("--resource-id", required=True)
@click.option("--display-name", required=True, help="How the resource is shown in 'used by'.")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def create(
    ctx: CliContext, endpoint_id: str, resource_type: str, resource_id: str, display_name: str, as_json: bool
) -> None:
    """Record that a resource uses an endpoint."""
    emit(ctx.backend.create_binding(endpoint_id, resource_type, resource_id, display_name), as_json)


@group.command("delete")
@click.option("--endpoint-id", required=True)
@click.option("--resource-type", required=True)
@click.option("--resource-id", required=True)
@pass_cli
def delete(ctx: CliContext, endpoint_id: str, resource_type: str, resource_id: str) -> None:
    """Delete one binding, by its three key fields."""
    ctx.backend.delete_binding(endpoint_id, resource_type, resource_id)
    click.echo(f"deleted binding {resource_type}/{resource_id} on {endpoint_id}")


@group.command("list")
@click.option("--endpoint-id", default=None, help="Who uses this endpoint.")
@click.option("--resource-type", default=None, help="With --resource-id: what this resource uses.")
@click.option("--resource-id", default=None)
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def list_(
    ctx: CliContext,
    endpoint_id: str | None,
    resource_type: str | None,
    resource_id: str | None,
    as_json: bool,
) -> None:
    """List the bindings of an endpoint, or of a resource."""
    by_resource = resource_type is not None or resource_id is not None
    if (endpoint_id is not None) == by_resource:
        raise click.UsageError("give either --endpoint-id, or --resource-type with --resource-id")
    if endpoint_id is not None:
        rows = ctx.backend.list_bindings(endpoint_id)
    elif resource_type is None or resource_id is None:
        raise click.UsageError("--resource-type and --resource-id go together")
    else:
        rows = ctx.backend.find_bindings(resource_type, resource_id)
    emit({"bindings": rows} if as_json else rows, as_json, COLUMNS)
