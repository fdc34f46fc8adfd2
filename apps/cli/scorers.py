"""`switchboard scorers`: registered LLM judges, their versions, and running them."""

from __future__ import annotations

import json
from typing import Any

import click

from apps.cli.context import CliContext, pass_cli
from apps.cli.output import emit, emit_page

COLUMNS = ("scorer_id", "namespace", "name", "version", "result_type", "endpoint_id", "created_by")
VERSION_COLUMNS = ("version", "result_type", "min", "max", "endpoint_id", "created_at", "created_by")


@click.group("scorers")
def group() -> None:
    """Scorers: versioned LLM judges, each bound to the endpoint it calls."""


@group.command("register")
@click.option("--namespace", required=True, help="E.g. an experiment id; names are unique within it.")
@click.option("--name", required=True)
@click.option(
    "--instructions",
    required=True,
    help="Template over {{ inputs }}, {{ outputs }}, {{ expectations }}; @FILE reads a file, @- stdin.",
)
@click.option("--result-type", required=True, type=click.Choice(["yes_no", "integer", "float"]))
@click.option("--endpoint-id", required=True, help="The endpoint the judge calls.")
@click.option("--min", "low", type=float, default=None, help="Lowest value (integer: required).")
@click.option("--max", "high", type=float, default=None, help="Highest value (integer: required).")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def register(
    ctx: CliContext,
    namespace: str,
    name: str,
    instructions: str,
    result_type: str,
    endpoint_id: str,
    low: float | None,
    high: float | None,
    as_json: bool,
) -> None:
    """Register a scorer; the same namespace and name again registers its next version."""
    scorer = ctx.backend.create_scorer(
        namespace, name, _text_argument(instructions), result_type, endpoint_id, min=low, max=high
    )
    emit(scorer, as_json)


@group.command("list")
@click.option("--namespace", default=None)
@click.option("--max-results", type=int, default=None)
@click.option("--page-token", default=None)
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def list_(
    ctx: CliContext, namespace: str | None, max_results: int | None, page_token: str | None, as_json: bool
) -> None:
    """The newest version of each scorer."""
    page = ctx.backend.list_scorers(namespace=namespace, max_results=max_results, page_token=page_token)
    emit_page("scorers", page, as_json, COLUMNS)


@group.command("get")
@click.argument("scorer_id")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def get(ctx: CliContext, scorer_id: str, as_json: bool) -> None:
    """A scorer's newest version, every version, and its binding."""
    scorer: dict[str, Any] = dict(ctx.backend.get_scorer(scorer_id))
    if as_json:
        emit(scorer, True)
        return
    versions = scorer.pop("versions", [])
    binding = scorer.pop("binding", None)
    scorer["bound_to"] = binding["endpoint_id"] if binding else None
    emit(scorer, False)
    click.echo("")
    emit(versions, False, VERSION_COLUMNS)


@group.command("delete")
@click.argument("scorer_id")
@click.option("--version", type=int, default=None, help="Delete only this version.")
@pass_cli
def delete(ctx: CliContext, scorer_id: str, version: int | None) -> None:
    """Delete a scorer and its binding, or one version (the binding follows the newest left)."""
    ctx.backend.delete_scorer(scorer_id, version=version)
    what = f"version {version} of scorer" if version is not None else "scorer"
    click.echo(f"deleted {what} {scorer_id}")


@group.command("run")
@click.argument("scorer_id")
@click.option("--inputs", required=True, help="JSON, or plain text; @FILE reads a file, @- stdin.")
@click.option("--outputs", required=True, help="JSON, or plain text; @FILE reads a file, @- stdin.")
@click.option("--expectations", default=None, help="JSON, or plain text; @FILE reads a file, @- stdin.")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def run(
    ctx: CliContext, scorer_id: str, inputs: str, outputs: str, expectations: str | None, as_json: bool
) -> None:
    """Judge OUTPUTS with the scorer; prints the value and the judge's rationale."""
    result = ctx.backend.run_scorer(
        scorer_id,
        _value_argument(inputs),
        _value_argument(outputs),
        expectations=None if expectations is None else _value_argument(expectations),
    )
    emit(result, as_json)


def _text_argument(raw: str) -> str:
    """`@FILE` reads FILE and `@-` stdin; anything else is the text itself."""
    if not raw.startswith("@"):
        return raw
    with click.open_file(raw[1:], encoding="utf-8") as handle:
        text: str = handle.read()
        return text


def _value_argument(raw: str) -> Any:
    """JSON when the text parses as JSON (objects, lists, numbers), else the text as a string."""
    text = _text_argument(raw)
    try:
        return json.loads(text)
    except ValueError:
        return text
