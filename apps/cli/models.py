"""`switchboard models`: model definitions."""

from __future__ import annotations

import json
from typing import Any

import click

from apps.cli.context import CliContext, pass_cli
from apps.cli.output import emit, emit_page
from apps.client import ModelDefinitionChanges

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
    model = ctx.backend.create_model_definition(
        name,
        provider,
        model_name,
        secret_id=secret_id,
        api_base=api_base,
        provider_settings=json_object(settings_json, "--settings"),
    )
    emit(model, as_json)


@group.command("list")
@click.option("--provider", default=None)
@click.option("--max-results", type=int, default=100, show_default=True)
@click.option("--page-token", default=None)
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def list_(
    ctx: CliContext, provider: str | None, max_results: int, page_token: str | None, as_json: bool
) -> None:
    """List model definitions."""
    page = ctx.backend.list_model_definitions(
        provider=provider, max_results=max_results, page_token=page_token
    )
    emit_page("model_definitions", page, as_json, COLUMNS)


@group.command("get")
@click.argument("model_definition_id")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def get(ctx: CliContext, model_definition_id: str, as_json: bool) -> None:
    """Show one model definition."""
    emit(ctx.backend.get_model_definition(model_definition_id), as_json)


@group.command("update")
@click.argument("model_definition_id")
@click.option("--name", default=None)
@click.option("--provider", default=None)
@click.option("--model-name", default=None)
@click.option("--secret-id", default=None)
@click.option("--no-secret", is_flag=True, help="Use no secret.")
@click.option("--api-base", default=None)
@click.option("--no-api-base", is_flag=True, help="Remove the api_base override.")
@click.option("--settings", "settings_json", default=None, help="Replace provider settings (JSON object).")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def update(
    ctx: CliContext,
    model_definition_id: str,
    name: str | None,
    provider: str | None,
    model_name: str | None,
    secret_id: str | None,
    no_secret: bool,
    api_base: str | None,
    no_api_base: bool,
    settings_json: str | None,
    as_json: bool,
) -> None:
    """Change a model definition; every endpoint using it changes at once."""
    changes: ModelDefinitionChanges = {}
    if name is not None:
        changes["name"] = name
    if provider is not None:
        changes["provider"] = provider
    if model_name is not None:
        changes["model_name"] = model_name
    if secret_id is not None or no_secret:
        changes["secret_id"] = None if no_secret else secret_id
    if api_base is not None or no_api_base:
        changes["api_base"] = None if no_api_base else api_base
    if settings_json is not None:
        changes["provider_settings"] = json_object(settings_json, "--settings")
    if not changes:
        raise click.UsageError("nothing to change: give at least one option")
    emit(ctx.backend.update_model_definition(model_definition_id, **changes), as_json)


@group.command("delete")
@click.argument("model_definition_id")
@click.option("--force", is_flag=True, help="Also remove its mappings from endpoints.")
@pass_cli
def delete(ctx: CliContext, model_definition_id: str, force: bool) -> None:
    """Delete a model definition (refused while endpoints use it, unless --force)."""
    ctx.backend.delete_model_definition(model_definition_id, force=force)
    click.echo(f"deleted model definition {model_definition_id}")


def json_object(raw: str | None, option: str) -> dict[str, Any]:
    if raw is None:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not valid JSON: {exc.msg}", param_hint=option) from None
    if not isinstance(value, dict):
        raise click.BadParameter("must be a JSON object", param_hint=option)
    return value
