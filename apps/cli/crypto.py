"""`switchboard crypto`: the key-encryption key (KEK) that protects every secret."""

from __future__ import annotations

import dataclasses
import os

import click

from apps.cli.context import CliContext, pass_cli
from apps.cli.output import emit

STATUS_COLUMNS = ("version", "state", "secrets", "kdf", "iterations", "created_at")


@click.group("crypto")
@pass_cli
def group(ctx: CliContext) -> None:
    """Key management; works directly on the database (never through --url)."""
    if ctx.remote_url:
        raise click.UsageError("crypto commands work on the database directly: unset --url / SWITCHBOARD_URL")


@group.command("rotate-kek")
@click.option(
    "--new-passphrase-env",
    "new_env",
    metavar="VAR",
    required=True,
    help="Environment variable holding the new passphrase (the current one is SWITCHBOARD_KEK_PASSPHRASE).",
)
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def rotate_kek(ctx: CliContext, new_env: str, as_json: bool) -> None:
    """Re-wrap every data key under a new KEK; the encrypted values are not touched.

    Safe to interrupt: run it again with the same passphrases and it finishes the job.
    """
    old = ctx.settings.kek_passphrase
    if not old:
        raise click.ClickException("SWITCHBOARD_KEK_PASSPHRASE (the current passphrase) is not set")
    new = os.environ.get(new_env)
    if not new:
        raise click.ClickException(f"environment variable {new_env} (the new passphrase) is not set or empty")
    report = ctx.services.keks.rotate(old, new)
    if as_json:
        emit(dataclasses.asdict(report), True)
        return
    click.echo(report.summary())
    click.echo(
        f"Now set SWITCHBOARD_KEK_PASSPHRASE to the value of {new_env} wherever Switchboard runs, and "
        "restart: the old passphrase is no longer accepted.",
        err=True,
    )


@group.command("status")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def status(ctx: CliContext, as_json: bool) -> None:
    """KEK versions, their state, and how many secrets each wraps (a `pending` one: rotation unfinished)."""
    rows = [dataclasses.asdict(s) for s in ctx.services.keks.status()]
    emit({"kek_versions": rows} if as_json else rows, as_json, STATUS_COLUMNS)
