"""`switchboard secrets`: provider credentials; values go in from a prompt, stdin or the environment."""

from __future__ import annotations

import os
import sys

import click

from apps.cli.context import CliContext, pass_cli
from apps.cli.models import json_object
from apps.cli.output import emit, emit_page
from apps.client import SecretChanges

COLUMNS = ("secret_id", "name", "provider", "masked_value", "last_updated_at")


@click.group("secrets")
def group() -> None:
    """Secrets: provider credentials, stored encrypted and only ever shown masked.

    A value is never taken from the command line (every local user can read argv): it
    comes from a hidden prompt, from stdin (--value-stdin) or from an environment
    variable (--value-env VAR).
    """


def require_kek(ctx: CliContext) -> None:
    """Refuse up front, with one line, when SWITCHBOARD_KEK_PASSPHRASE is missing or wrong.

    Called by each command rather than the group, so `--help` works without it; a server
    (with --url) checks its own passphrase.
    """
    if not ctx.remote_url:
        ctx.services.require_unlocked()


@group.command("create")
@click.option("--name", required=True)
@click.option("--provider", default=None, help="The provider this credential is for, e.g. openai.")
@click.option("--auth-config", "auth_json", default=None, help="Non-secret settings as a JSON object.")
@click.option("--value-stdin", is_flag=True, help="Read the value from stdin.")
@click.option(
    "--value-env", metavar="VAR", default=None, help="Read the value from environment variable VAR."
)
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def create(
    ctx: CliContext,
    name: str,
    provider: str | None,
    auth_json: str | None,
    value_stdin: bool,
    value_env: str | None,
    as_json: bool,
) -> None:
    """Create a secret; without --value-stdin or --value-env, prompt for the value (hidden)."""
    require_kek(ctx)
    value = read_value(value_stdin, value_env, prompt=True)
    assert value is not None  # prompt=True always yields a value
    secret = ctx.backend.create_secret(
        name, value, provider=provider, auth_config=json_object(auth_json, "--auth-config")
    )
    emit(secret, as_json)


@group.command("list")
@click.option("--max-results", type=int, default=100, show_default=True)
@click.option("--page-token", default=None)
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def list_(ctx: CliContext, max_results: int, page_token: str | None, as_json: bool) -> None:
    """List secrets (masked values only)."""
    require_kek(ctx)
    emit_page(
        "secrets", ctx.backend.list_secrets(max_results=max_results, page_token=page_token), as_json, COLUMNS
    )


@group.command("get")
@click.argument("secret_id")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def get(ctx: CliContext, secret_id: str, as_json: bool) -> None:
    """Show one secret (its masked value, never the value)."""
    require_kek(ctx)
    emit(ctx.backend.get_secret(secret_id), as_json)


@group.command("update")
@click.argument("secret_id")
@click.option("--name", default=None, help="Rename it.")
@click.option("--provider", default=None)
@click.option("--no-provider", is_flag=True, help="Clear the provider.")
@click.option(
    "--auth-config", "auth_json", default=None, help="Replace the non-secret settings (JSON object)."
)
@click.option("--value-prompt", is_flag=True, help="Prompt for a new value (hidden).")
@click.option("--value-stdin", is_flag=True, help="Read a new value from stdin.")
@click.option(
    "--value-env", metavar="VAR", default=None, help="Read a new value from environment variable VAR."
)
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def update(
    ctx: CliContext,
    secret_id: str,
    name: str | None,
    provider: str | None,
    no_provider: bool,
    auth_json: str | None,
    value_prompt: bool,
    value_stdin: bool,
    value_env: str | None,
    as_json: bool,
) -> None:
    """Change a secret; a new value is encrypted under a new data key."""
    require_kek(ctx)
    changes: SecretChanges = {}
    value = read_value(value_stdin, value_env, prompt=value_prompt)
    if value is not None:
        changes["value"] = value
    if name is not None:
        changes["name"] = name
    if provider is not None or no_provider:
        changes["provider"] = None if no_provider else provider
    if auth_json is not None:
        changes["auth_config"] = json_object(auth_json, "--auth-config")
    if not changes:
        raise click.UsageError("nothing to change: give a new value or at least one option")
    emit(ctx.backend.update_secret(secret_id, **changes), as_json)


@group.command("delete")
@click.argument("secret_id")
@click.option("--force", is_flag=True, help="Delete even if model definitions use it; they become orphaned.")
@pass_cli
def delete(ctx: CliContext, secret_id: str, force: bool) -> None:
    """Delete a secret (refused while model definitions use it, unless --force)."""
    require_kek(ctx)
    ctx.backend.delete_secret(secret_id, force=force)
    click.echo(f"deleted secret {secret_id}")


def read_value(from_stdin: bool, env_var: str | None, prompt: bool) -> str | None:
    """The secret value from exactly one source, or None when none was asked for."""
    if from_stdin and env_var:
        raise click.UsageError("give the value one way: --value-stdin or --value-env, not both")
    if env_var:
        value = os.environ.get(env_var)
        if not value:
            raise click.ClickException(f"environment variable {env_var} is not set or empty")
        return value
    if from_stdin:
        return _strip_newline(sys.stdin.read())
    if prompt:
        return str(click.prompt("Secret value", hide_input=True, err=True))
    return None


def _strip_newline(text: str) -> str:
    # `echo $KEY |` adds one newline; anything else the value contains is kept as given.
    return text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith("\n") else text
