"""`switchboard endpoints`: what applications call by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from apps.cli.backend import every
from apps.cli.context import CliContext, pass_cli
from apps.cli.output import emit, emit_page
from apps.client import (
    Endpoint,
    EndpointChanges,
    FallbackConfigInput,
    MappingInput,
    ModelMapping,
    Page,
    RetryPolicy,
    Tag,
    Timeouts,
)

DEFAULT_RETRY = RetryPolicy(max_retries=1, max_retry_after_s=5.0)
DEFAULT_TIMEOUTS = Timeouts(connect_s=10.0, first_byte_s=60.0, idle_s=20.0, total_s=600.0)

F = TypeVar("F", bound=Callable[..., Any])

TIMEOUT_OPTIONS = {
    "connect_s": "--connect-timeout",
    "first_byte_s": "--first-byte-timeout",
    "idle_s": "--idle-timeout",
    "total_s": "--total-timeout",
}


@click.group("endpoints")
def group() -> None:
    """Endpoints: model mappings, routing and fallback."""


def mapping_options(f: F) -> F:
    f = click.option(
        "--primary", "primaries", multiple=True, help="MODEL (id or name)[:WEIGHT], repeatable."
    )(f)
    f = click.option(
        "--fallback", "fallbacks", multiple=True, help="MODEL (id or name), repeatable, in order."
    )(f)
    return click.option(
        "--max-attempts", type=int, default=None, help="Models tried in all (primary + fallbacks)."
    )(f)


def policy_options(f: F) -> F:
    f = click.option("--tag", "tags", multiple=True, help="KEY=VALUE, repeatable.")(f)
    f = click.option(
        "--max-retries", type=int, default=None, help="Retries of one model on transient errors."
    )(f)
    f = click.option("--max-retry-after", type=float, default=None, help="Longest Retry-After honoured (s).")(
        f
    )
    for field, flag in TIMEOUT_OPTIONS.items():
        f = click.option(flag, field, type=float, default=None, help=f"timeouts.{field} (seconds).")(f)
    return f


@group.command("create")
@click.option("--name", required=True)
@mapping_options
@policy_options
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def create(ctx: CliContext, /, name: str, as_json: bool, **options: Any) -> None:
    """Create an endpoint: at least one --primary, optional --fallback chain."""
    if not options["primaries"]:
        raise click.UsageError("give at least one --primary MODEL[:WEIGHT]")
    mappings, fallback_config = _mappings(ctx, options)
    endpoint = ctx.backend.create_endpoint(
        name,
        mappings,
        tags=[_tag(t) for t in options["tags"]],
        fallback_config=fallback_config,
        retry_policy=_retry_policy(options, DEFAULT_RETRY) if _gives_retry(options) else None,
        timeouts=_timeouts(options, DEFAULT_TIMEOUTS) if _gives_timeouts(options) else None,
    )
    show(endpoint, as_json)


@group.command("list")
@click.option("--name", default=None, help="Name prefix.")
@click.option("--provider", default=None)
@click.option("--tag", default=None, help="KEY or KEY=VALUE.")
@click.option("--max-results", type=int, default=100, show_default=True)
@click.option("--page-token", default=None)
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def list_(
    ctx: CliContext,
    name: str | None,
    provider: str | None,
    tag: str | None,
    max_results: int,
    page_token: str | None,
    as_json: bool,
) -> None:
    """List endpoints."""
    page = ctx.backend.list_endpoints(
        name=name, provider=provider, tag=tag, max_results=max_results, page_token=page_token
    )
    if as_json:
        emit_page("endpoints", page, True)
        return
    emit_page("endpoints", Page([_summary(e) for e in page.items], page.next_page_token), False)


@group.command("get")
@click.argument("endpoint_id")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def get(ctx: CliContext, endpoint_id: str, as_json: bool) -> None:
    """Show one endpoint with its models and bindings."""
    show(ctx.backend.get_endpoint(endpoint_id), as_json)


@group.command("update")
@click.argument("endpoint_id")
@click.option("--name", default=None, help="Rename (callers use the new name at once).")
@mapping_options
@policy_options
@click.option("--clear-tags", is_flag=True, help="Remove every tag (then add any --tag).")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def update(ctx: CliContext, /, endpoint_id: str, name: str | None, as_json: bool, **options: Any) -> None:
    """Change an endpoint. --primary/--fallback replace all its mappings; other options merge."""
    current = ctx.backend.get_endpoint(endpoint_id)
    changes: EndpointChanges = {}
    if name is not None:
        changes["name"] = name
    if options["primaries"] or options["fallbacks"]:
        if not options["primaries"]:
            raise click.UsageError("--fallback replaces the mappings: give the --primary models too")
        changes["model_mappings"], changes["fallback_config"] = _mappings(ctx, options)
    elif options["max_attempts"] is not None:
        changes["fallback_config"] = {"strategy": "SEQUENTIAL", "max_attempts": options["max_attempts"]}
    if options["tags"] or options["clear_tags"]:
        kept = [] if options["clear_tags"] else current["tags"]
        changes["tags"] = _merge_tags(kept, [_tag(t) for t in options["tags"]])
    retry = _retry_policy(options, current["retry_policy"])
    if retry != current["retry_policy"]:
        changes["retry_policy"] = retry
    timeouts = _timeouts(options, current["timeouts"])
    if timeouts != current["timeouts"]:
        changes["timeouts"] = timeouts
    if not changes:
        raise click.UsageError("nothing to change: give at least one option")
    show(ctx.backend.update_endpoint(endpoint_id, **changes), as_json)


@group.command("delete")
@click.argument("endpoint_id")
@click.option("--force", is_flag=True, help="Also delete its bindings.")
@pass_cli
def delete(ctx: CliContext, endpoint_id: str, force: bool) -> None:
    """Delete an endpoint (refused while resources are bound to it, unless --force)."""
    ctx.backend.delete_endpoint(endpoint_id, force=force)
    click.echo(f"deleted endpoint {endpoint_id}")


def _mappings(
    ctx: CliContext, options: dict[str, Any]
) -> tuple[list[MappingInput], FallbackConfigInput | None]:
    resolve = _ModelRefs(ctx)
    fallbacks: tuple[str, ...] = options["fallbacks"]
    mappings = [_primary(p, resolve) for p in options["primaries"]]
    mappings += [
        MappingInput(model_definition_id=resolve(f), linkage_type="FALLBACK", fallback_order=i)
        for i, f in enumerate(fallbacks, start=1)
    ]
    if not fallbacks:
        if options["max_attempts"] not in (None, 1):
            raise click.UsageError("--max-attempts above 1 needs --fallback models")
        return mappings, None
    attempts = options["max_attempts"] or 1 + len(fallbacks)
    return mappings, {"strategy": "SEQUENTIAL", "max_attempts": attempts}


class _ModelRefs:
    """Model definitions given by id or by name; names are looked up once, on first need."""

    def __init__(self, ctx: CliContext) -> None:
        self._ctx = ctx
        self._ids_by_name: dict[str, str] | None = None

    def __call__(self, ref: str) -> str:
        if self._ids_by_name is None:
            models = every(lambda t: self._ctx.backend.list_model_definitions(max_results=1000, page_token=t))
            self._ids_by_name = {m["name"]: m["model_definition_id"] for m in models}
        if ref in self._ids_by_name.values():
            return ref
        return self._ids_by_name.get(ref, ref)  # an unknown reference is named by the server


def _primary(raw: str, resolve: _ModelRefs) -> MappingInput:
    ref, colon, weight = raw.rpartition(":")
    try:
        if colon and ref:
            return MappingInput(model_definition_id=resolve(ref), weight=float(weight))
    except ValueError:
        pass  # not a weight after the colon: the whole text names the model
    return MappingInput(model_definition_id=resolve(raw), weight=1.0)


def _tag(raw: str) -> Tag:
    key, _, value = raw.partition("=")
    return Tag(key=key, value=value)


def _merge_tags(kept: list[Tag], added: list[Tag]) -> list[Tag]:
    merged = {t["key"]: t for t in kept}
    merged.update({t["key"]: t for t in added})
    return list(merged.values())


def _gives_retry(options: dict[str, Any]) -> bool:
    return options["max_retries"] is not None or options["max_retry_after"] is not None


def _gives_timeouts(options: dict[str, Any]) -> bool:
    return any(options[field] is not None for field in TIMEOUT_OPTIONS)


def _retry_policy(options: dict[str, Any], base: RetryPolicy) -> RetryPolicy:
    retries, after = options["max_retries"], options["max_retry_after"]
    return RetryPolicy(
        max_retries=base["max_retries"] if retries is None else retries,
        max_retry_after_s=base["max_retry_after_s"] if after is None else after,
    )


def _timeouts(options: dict[str, Any], base: Timeouts) -> Timeouts:
    def pick(field: str, current: float) -> float:
        given: float | None = options[field]
        return current if given is None else given

    return Timeouts(
        connect_s=pick("connect_s", base["connect_s"]),
        first_byte_s=pick("first_byte_s", base["first_byte_s"]),
        idle_s=pick("idle_s", base["idle_s"]),
        total_s=pick("total_s", base["total_s"]),
    )


def show(endpoint: Endpoint, as_json: bool) -> None:
    """One endpoint: the API's JSON, or a record with one readable line per mapping."""
    if as_json:
        emit(endpoint, True)
        return
    config = endpoint["fallback_config"]
    emit(
        {
            "endpoint_id": endpoint["endpoint_id"],
            "name": endpoint["name"],
            "models": [_mapping_line(m) for m in endpoint["model_mappings"]],
            "tags": [f"{t['key']}={t['value']}" for t in endpoint["tags"]],
            "routing_strategy": endpoint["routing_strategy"],
            "max_attempts": None if config is None else config["max_attempts"],
            "retry_policy": endpoint["retry_policy"],
            "timeouts": endpoint["timeouts"],
            "used_by": [f"{b['resource_type']} {b['display_name']}" for b in endpoint["bindings"]],
            "last_updated_at": endpoint["last_updated_at"],
            "last_updated_by": endpoint["last_updated_by"],
        },
        False,
    )


def _mapping_line(mapping: ModelMapping) -> str:
    model = mapping["model_definition"]
    where = (
        f"weight {mapping['weight']:g}"
        if mapping["linkage_type"] == "PRIMARY"
        else f"fallback #{mapping['fallback_order']}"
    )
    return f"{model['name']} [{model['provider']}/{model['model_name']}] {where}"


def _summary(endpoint: Endpoint) -> dict[str, Any]:
    return {
        "endpoint_id": endpoint["endpoint_id"],
        "name": endpoint["name"],
        "models": [
            f"{m['model_definition']['name']} ({m['linkage_type'].lower()})"
            for m in endpoint["model_mappings"]
        ],
        "tags": [f"{t['key']}={t['value']}" for t in endpoint["tags"]],
        "used_by": [b["display_name"] for b in endpoint["bindings"]],
    }
