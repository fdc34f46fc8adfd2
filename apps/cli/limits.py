"""`switchboard limits`: the call and token budgets of an endpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import click
import yaml

from apps.cli.context import CliContext, pass_cli
from apps.cli.output import emit
from apps.client import LimitRule

COLUMNS = ("renewal_period", "calls", "tokens", "key")
RULE_HELP = "PERIOD:CALLS[:TOKENS][:endpoint|user], e.g. minute:100 or hour:1000:50000:user; repeatable."


@click.group("limits")
def group() -> None:
    """Limits: calls (and tokens) per second, minute, hour or day, per endpoint or per caller."""


@group.command("set")
@click.argument("endpoint_id")
@click.option("--rule", "rules", multiple=True, help=RULE_HELP)
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='YAML or JSON: a list of rules, or {"limits": [...]}.',
)
@click.option("--clear", is_flag=True, help="Remove every limit of the endpoint.")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def set_(
    ctx: CliContext, endpoint_id: str, rules: tuple[str, ...], path: Path | None, clear: bool, as_json: bool
) -> None:
    """Replace every limit rule of an endpoint."""
    if sum((bool(rules), path is not None, clear)) != 1:
        raise click.UsageError("give --rule (repeatable), --file, or --clear")
    wanted = [parse_rule(r) for r in rules] if rules else read_rules(path) if path else []
    stored = ctx.backend.set_limits(endpoint_id, wanted)
    _show(stored, as_json)


@group.command("get")
@click.argument("endpoint_id")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def get(ctx: CliContext, endpoint_id: str, as_json: bool) -> None:
    """Show the limit rules of an endpoint."""
    _show(ctx.backend.get_limits(endpoint_id), as_json)


def _show(rules: list[LimitRule], as_json: bool) -> None:
    if as_json:
        emit({"limits": rules}, True)
    elif not rules:
        click.echo("(no limits)")
    else:
        emit(rules, False, COLUMNS)


def parse_rule(raw: str) -> LimitRule:
    """``PERIOD:CALLS[:TOKENS][:KEY]``: the part after CALLS is tokens if numeric, else the key."""
    parts = raw.split(":")
    if len(parts) < 2 or len(parts) > 4:
        raise click.BadParameter(f"'{raw}' is not {'PERIOD:CALLS[:TOKENS][:KEY]'}", param_hint="--rule")
    period, calls, *rest = parts
    rule: dict[str, Any] = {"renewal_period": period, "calls": _count(calls, raw)}
    if rest and rest[0].isdigit():
        rule["tokens"] = _count(rest.pop(0), raw)
    if rest:
        if rest[0] not in ("endpoint", "user") or len(rest) > 1:
            raise click.BadParameter(f"'{raw}': the key must be 'endpoint' or 'user'", param_hint="--rule")
        rule["key"] = rest[0]
    return cast(LimitRule, rule)


def read_rules(path: Path) -> list[LimitRule]:
    try:
        data = yaml.safe_load(path.read_text())  # YAML is a superset of JSON
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"{path} is not YAML or JSON: {exc}", param_hint="--file") from None
    if isinstance(data, dict) and "limits" in data:
        data = data["limits"]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise click.BadParameter(
            f'{path} must hold a list of rules or {{"limits": [...]}}', param_hint="--file"
        )
    return cast(list[LimitRule], data)


def _count(text: str, raw: str) -> int:
    if not text.isdigit():
        raise click.BadParameter(f"'{raw}': '{text}' is not a whole number", param_hint="--rule")
    return int(text)
