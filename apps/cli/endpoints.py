"""`switchboard endpoints`: what applications call by name."""

from __future__ import annotations

import click

from apps.cli.context import CliContext, pass_cli
from apps.cli.output import emit
from apps.views import endpoint_view
from core.domain.endpoint import FallbackConfig, LinkageType, Tag
from core.domain.page import PageRequest
from core.services.endpoints import EndpointSpec, MappingSpec
from ports.repositories import EndpointFilter


@click.group("endpoints")
def group() -> None:
    """Endpoints: model mappings, routing and fallback."""


@group.command("create")
@click.option("--name", required=True)
@click.option(
    "--primary", "primaries", multiple=True, required=True, help="MODEL_DEFINITION_ID[:WEIGHT], repeatable."
)
@click.option("--fallback", "fallbacks", multiple=True, help="MODEL_DEFINITION_ID, repeatable, in order.")
@click.option("--max-attempts", type=int, default=None, help="Models tried in all (primary + fallbacks).")
@click.option("--tag", "tags", multiple=True, help="KEY=VALUE, repeatable.")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def create(
    ctx: CliContext,
    name: str,
    primaries: tuple[str, ...],
    fallbacks: tuple[str, ...],
    max_attempts: int | None,
    tags: tuple[str, ...],
    as_json: bool,
) -> None:
    """Create an endpoint."""
    mappings = [_primary(p) for p in primaries] + [
        MappingSpec(model_definition_id=f, linkage_type=LinkageType.FALLBACK, fallback_order=i)
        for i, f in enumerate(fallbacks, start=1)
    ]
    config = None
    if fallbacks:
        config = FallbackConfig(max_attempts=max_attempts or 1 + len(fallbacks))
    spec = EndpointSpec(
        name=name, model_mappings=mappings, tags=[_tag(t) for t in tags], fallback_config=config
    )
    emit(endpoint_view(ctx.services.endpoints.create(spec)), as_json)


@group.command("list")
@click.option("--name", default=None, help="Name prefix.")
@click.option("--provider", default=None)
@click.option("--tag", default=None, help="KEY or KEY=VALUE.")
@click.option("--max-results", default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def list_(
    ctx: CliContext, name: str | None, provider: str | None, tag: str | None, max_results: int, as_json: bool
) -> None:
    """List endpoints."""
    key, _, value = (tag or "").partition("=")
    where = EndpointFilter(name=name, provider=provider, tag_key=key or None, tag_value=value or None)
    page = ctx.services.endpoints.list(PageRequest.parse(max_results, None), where)
    rows = [endpoint_view(e, ctx.services.bindings.list_by_endpoint(e.endpoint_id)) for e in page.items]
    if as_json:
        emit(rows, True)
        return
    emit([_summary(r) for r in rows], False)


@group.command("get")
@click.argument("endpoint_id")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def get(ctx: CliContext, endpoint_id: str, as_json: bool) -> None:
    """Show one endpoint with its models and bindings."""
    endpoint = ctx.services.endpoints.get(endpoint_id)
    emit(endpoint_view(endpoint, ctx.services.bindings.list_by_endpoint(endpoint_id)), as_json)


@group.command("delete")
@click.argument("endpoint_id")
@click.option("--force", is_flag=True, help="Also delete its bindings.")
@pass_cli
def delete(ctx: CliContext, endpoint_id: str, force: bool) -> None:
    """Delete an endpoint (refused while resources are bound to it, unless --force)."""
    ctx.services.endpoints.delete(endpoint_id, force=force)
    click.echo(f"deleted endpoint {endpoint_id}")


def _primary(raw: str) -> MappingSpec:
    ident, _, weight = raw.partition(":")
    try:
        return MappingSpec(model_definition_id=ident, weight=float(weight) if weight else 1.0)
    except ValueError:
        raise click.BadParameter(
            f"'{raw}' is not MODEL_DEFINITION_ID[:WEIGHT]", param_hint="--primary"
        ) from None


def _tag(raw: str) -> Tag:
    key, _, value = raw.partition("=")
    return Tag(key, value)


def _summary(view: dict[str, object]) -> dict[str, object]:
    mappings = view["model_mappings"]
    assert isinstance(mappings, list)
    return {
        "endpoint_id": view["endpoint_id"],
        "name": view["name"],
        "models": [f"{m['model_definition']['name']} ({m['linkage_type'].lower()})" for m in mappings],
        "used_by": [b["display_name"] for b in view["bindings"]],  # type: ignore[attr-defined]
    }
