"""`switchboard models`: model definitions."""

from __future__ import annotations

import json
from typing import Any

import click

from apps.cli.context import CliContext, pass_cli
from apps.cli.output import emit
from apps.views import model_definition_view
from core.domain.page import PageRequest
from core.services.model_definitions import ModelDefinitionPatch, ModelDefinitionSpec
from core.services.unset import UNSET

COLUMNS = ("model_definition_id", "name", "provider", "model_name", "secret_name")


@click.group("models")
def group() -> None:
    """Model definitions: reusable model configurations."""


@group.command("create")
@click.option("--name", required=True)
@click.option("--provider", required=True)
@click.option("--model-name", required=True, help="The provider's own model id.")
@click.option("--secret-id", default=None)
@click.option("--api-base", default=None)
@click.option("--settings", "settings_json", default=None, help="Provider settings as a JSON object.")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def create(
    ctx: CliContext,
    name: str,
    provider: str,
    model_name: str,
    secret_id: str | None,
    api_base: str | None,
    settings_json: str | None,
    as_json: bool,
) -> None:
    """Create a model definition."""
    spec = ModelDefinitionSpec(
        name=name,
        provider=provider,
        model_name=model_name,
        secret_id=secret_id,
        api_base=api_base,
        provider_settings=_json_object(settings_json),
    )
    emit(model_definition_view(ctx.services.model_definitions.create(spec)), as_json)


@group.command("list")
@click.option("--provider", default=None)
@click.option("--max-results", default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def list_(ctx: CliContext, provider: str | None, max_results: int, as_json: bool) -> None:
    """List model definitions."""
    page = ctx.services.model_definitions.list(PageRequest.parse(max_results, None), provider)
    emit([model_definition_view(m) for m in page.items], as_json, COLUMNS)


@group.command("get")
@click.argument("model_definition_id")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def get(ctx: CliContext, model_definition_id: str, as_json: bool) -> None:
    """Show one model definition."""
    emit(model_definition_view(ctx.services.model_definitions.get(model_definition_id)), as_json)


@group.command("update")
@click.argument("model_definition_id")
@click.option("--name", default=None)
@click.option("--model-name", default=None)
@click.option("--secret-id", default=None)
@click.option("--api-base", default=None)
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def update(
    ctx: CliContext,
    model_definition_id: str,
    name: str | None,
    model_name: str | None,
    secret_id: str | None,
    api_base: str | None,
    as_json: bool,
) -> None:
    """Change a model definition; every endpoint using it changes at once."""
    patch = ModelDefinitionPatch(
        name=UNSET if name is None else name,
        model_name=UNSET if model_name is None else model_name,
        secret_id=UNSET if secret_id is None else secret_id,
        api_base=UNSET if api_base is None else api_base,
    )
    emit(model_definition_view(ctx.services.model_definitions.update(model_definition_id, patch)), as_json)


@group.command("delete")
@click.argument("model_definition_id")
@click.option("--force", is_flag=True, help="Also remove its mappings from endpoints.")
@pass_cli
def delete(ctx: CliContext, model_definition_id: str, force: bool) -> None:
    """Delete a model definition (refused while endpoints use it, unless --force)."""
    ctx.services.model_definitions.delete(model_definition_id, force=force)
    click.echo(f"deleted model definition {model_definition_id}")


def _json_object(raw: str | None) -> dict[str, Any]:
    if raw is None:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not valid JSON: {exc.msg}", param_hint="--settings") from None
    if not isinstance(value, dict):
        raise click.BadParameter("must be a JSON object", param_hint="--settings")
    return value
