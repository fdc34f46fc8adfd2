"""Human tables by default, JSON for scripts."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import click


def emit(data: Any, as_json: bool, columns: Sequence[str] | None = None) -> None:
    """Print `data` (a mapping or a list of mappings) as JSON or as a table/record."""
    if as_json:
        click.echo(json.dumps(data, indent=2, sort_keys=True, default=str))
    elif isinstance(data, Mapping):
        width = max((len(k) for k in data), default=0)
        for key, value in data.items():
            click.echo(f"{key.ljust(width)}  {_cell(value)}")
    else:
        click.echo(table(list(data), columns))


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    if not rows:
        return "(none)"
    cols = list(columns or rows[0].keys())
    cells = [[_cell(row.get(c)) for c in cols] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(cols)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(cols, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(line.rstrip() for line in lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def emit_page(plural: str, page: Any, as_json: bool, columns: Sequence[str] | None = None) -> None:
    """A listing: the admin API's JSON shape with `--json`, else a table and the next-page hint."""
    rows = list(page.items)
    if as_json:
        emit({plural: rows, "next_page_token": page.next_page_token}, True)
        return
    emit(rows, False, columns)
    if page.next_page_token:
        click.echo(f"(more: --page-token {page.next_page_token})")
