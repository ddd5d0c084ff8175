"""`batchyard keys`: create, list and revoke API keys, straight in the metadata store.

It runs beside a live server (the server looks keys up on every request), so a
new key works, and a revoked one stops working, at once. The secret is printed
once, alone on stdout, so `KEY=$(batchyard keys create --project p)` works.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import click

from batchyard.cli.options import config_option, console, load_cli_settings
from batchyard.store import Store

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The server's data dir, when its database is SQLite there (default: ./data).",
)


def _open(config: Path | None, data_dir: Path | None) -> Store:
    settings = load_cli_settings(config, data_dir)
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Store.open(settings.resolved_database_url)


@click.group()
def keys() -> None:
    """Manage API keys; each belongs to one project and sees only its objects."""


@keys.command()
@click.option("--project", required=True, help="The project the key belongs to.")
@config_option
@data_dir_option
def create(project: str, config: Path | None, data_dir: Path | None) -> None:
    """Create a key for PROJECT and print it: the only time it is shown."""
    store = _open(config, data_dir)
    try:
        record, secret = store.keys.create(project, int(time.time()))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--project") from None
    finally:
        store.close()
    console.print(f"Created {record.id} for project {record.project!r}; it is shown only once:")
    click.echo(secret)


@keys.command(name="list")
@click.option("--project", help="Only this project's keys.")
@config_option
@data_dir_option
def list_keys(project: str | None, config: Path | None, data_dir: Path | None) -> None:
    """List keys (never their secrets), revoked ones included."""
    store = _open(config, data_dir)
    try:
        records = store.keys.all(project)
    finally:
        store.close()
    rows = [("id", "project", "key", "created", "last_used", "revoked")]
    rows += [
        (
            r.id,
            r.project,
            r.redacted,
            _when(r.created_at),
            _when(r.last_used_at),
            _when(r.revoked_at),
        )
        for r in records
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:  # plain columns on stdout: easy to read, grep and awk
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


@keys.command()
@click.argument("key_id")
@config_option
@data_dir_option
def revoke(key_id: str, config: Path | None, data_dir: Path | None) -> None:
    """Revoke KEY_ID (see `keys list`): requests with it get 401 from now on."""
    store = _open(config, data_dir)
    try:
        record = store.keys.revoke(key_id, int(time.time()))
    finally:
        store.close()
    if record is None:
        raise click.ClickException(f"no key {key_id!r}; `batchyard keys list` shows them")
    console.print(f"Revoked {record.id} (project {record.project!r}, {record.redacted}).")


def _when(timestamp: int | None) -> str:
    if timestamp is None:
        return "-"
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
