"""`switchboard usage`: what each endpoint served, to whom, with how many tokens."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

import click

from apps.cli.context import CliContext, pass_cli
from apps.cli.output import emit, emit_page
from apps.client import Page, UsageRecord

COLUMNS = (
    "time",
    "endpoint_name",
    "model_definition_name",
    "status",
    "attempts",
    "prompt_tokens",
    "completion_tokens",
    "latency_ms",
    "principal",
)
_RELATIVE = re.compile(r"^(\d+)([smhd])$")
_UNIT_MS = {"s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
TIME_HELP = (
    "Milliseconds since the epoch, an ISO date/time (UTC unless it says), or an age like 15m, 24h, 7d."
)


@click.group("usage")
def group() -> None:
    """Usage records: one per invocation request."""


@group.command("list")
@click.option("--endpoint-id", default=None)
@click.option("--since", default=None, help=TIME_HELP)
@click.option("--until", default=None, help=TIME_HELP)
@click.option("--max-results", type=int, default=100, show_default=True)
@click.option("--page-token", default=None)
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def list_(
    ctx: CliContext,
    endpoint_id: str | None,
    since: str | None,
    until: str | None,
    max_results: int,
    page_token: str | None,
    as_json: bool,
) -> None:
    """List usage records, newest filters first: by endpoint and time window."""
    page = ctx.backend.list_usage(
        endpoint_id=endpoint_id,
        since=parse_time(since, "--since"),
        until=parse_time(until, "--until"),
        max_results=max_results,
        page_token=page_token,
    )
    if as_json:
        emit_page("usage", page, True)
        return
    emit_page("usage", Page([_row(r) for r in page.items], page.next_page_token), False, COLUMNS)
    if page.items:
        prompt = sum(r["prompt_tokens"] for r in page.items)
        completion = sum(r["completion_tokens"] for r in page.items)
        emit({"requests": len(page.items), "prompt_tokens": prompt, "completion_tokens": completion}, False)


def parse_time(raw: str | None, option: str, now_ms: int | None = None) -> int | None:
    """A point in time as ms since the epoch (UTC)."""
    if raw is None:
        return None
    text = raw.strip()
    if text.isdigit():
        return int(text)
    relative = _RELATIVE.match(text)
    if relative:
        now = int(time.time() * 1000) if now_ms is None else now_ms
        return now - int(relative.group(1)) * _UNIT_MS[relative.group(2)]
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"'{raw}' is not a time. {TIME_HELP}", param_hint=option) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp() * 1000)


def _row(record: UsageRecord) -> dict[str, Any]:
    when = datetime.fromtimestamp(record["timestamp_ms"] / 1000, tz=UTC)
    return {**record, "time": when.strftime("%Y-%m-%d %H:%M:%S"), "latency_ms": round(record["latency_ms"])}
