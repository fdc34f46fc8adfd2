"""`switchboard config`: apply a declarative YAML file, or export the current state as one."""

from __future__ import annotations

import os
from typing import IO

import click

from apps.cli.context import CliContext, pass_cli
from apps.cli.output import emit
from apps.config import (
    Change,
    ConfigError,
    Plan,
    apply_plan,
    export_yaml,
    load_document,
    make_plan,
    read_state,
)


@click.group("config")
def group() -> None:
    """Declarative config: make the gateway match a YAML file, or write one from it."""


@group.command("apply")
@click.argument("file", type=click.File("r"))
@click.option("--dry-run", is_flag=True, help="Print the diff and change nothing.")
@click.option("--prune", is_flag=True, help="Also delete what the file's sections leave out.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@pass_cli
def apply(ctx: CliContext, file: IO[str], dry_run: bool, prune: bool, as_json: bool) -> None:
    """Create and update secrets, model definitions, endpoints and limits to match FILE.

    Secret values come from the environment variables the file names (value_env).
    Applying the same file again changes nothing.
    """
    environ = dict(os.environ)
    try:
        document = load_document(file.read())
        state = read_state(ctx.backend)
        plan = make_plan(document, state, environ, prune=prune)
    except ConfigError as exc:
        raise click.ClickException(f"{file.name}: {exc}") from None
    for note in plan.notes:
        click.echo(f"! {note}", err=True)
    if as_json:
        if not dry_run:
            apply_plan(plan, document, state, ctx.backend, environ)
        emit(_plan_json(plan, applied=not dry_run), True)
        return
    if dry_run or plan.empty:
        for change in plan.changes:
            click.echo(change.line)
    else:
        apply_plan(plan, document, state, ctx.backend, environ, on_change=lambda c: click.echo(c.line))
    click.echo(plan.summary() + (" (dry run: nothing was changed)" if dry_run and not plan.empty else ""))


@group.command("export")
@click.option("--output", "-o", type=click.File("w"), default="-", help="Write here instead of stdout.")
@pass_cli
def export(ctx: CliContext, output: IO[str]) -> None:
    """Write the current state as a config file; secrets appear by name, never with a value."""
    output.write(export_yaml(read_state(ctx.backend)))


def _plan_json(plan: Plan, *, applied: bool) -> dict[str, object]:
    return {
        "changes": [_change_json(c) for c in plan.changes],
        "unchanged": list(plan.unchanged),
        "notes": list(plan.notes),
        "applied": applied and not plan.empty,
    }


def _change_json(change: Change) -> dict[str, object]:
    return {
        "action": change.action,
        "kind": change.kind,
        "name": change.name,
        "details": list(change.details),
    }
