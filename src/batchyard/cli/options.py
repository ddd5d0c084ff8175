"""What the toolkit's commands share: server flags, sizes, and turning failures into messages.

A user should see one line saying what went wrong and what to do, never a
traceback, and never a key: SDK errors are reduced to status and message.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console

from batchyard.client.connection import make_client, resolve_base_url
from batchyard.client.errors import ToolkitError
from batchyard.client.manifest import Manifest, load
from batchyard.config import MB, ConfigError, Limits, Settings, load_settings

if TYPE_CHECKING:
    import openai

F = TypeVar("F", bound=Callable[..., Any])
console = Console(stderr=True, soft_wrap=True)


def load_cli_settings(
    config: Path | None,
    data_dir: Path | None,
    *,
    database_url: str | None = None,
    blob_url: str | None = None,
) -> Settings:
    try:
        return load_settings(
            config, data_dir=data_dir, database_url=database_url, blob_url=blob_url
        )
    except ConfigError as exc:
        raise BadConfig(str(exc)) from None


class BadConfig(click.ClickException):
    """A configuration error: `Error: <where and what>`, exit 2, and no `Usage:` banner,
    which would point at the command line when the file is what is wrong."""

    exit_code = 2


config_option = click.option(
    "--config", type=click.Path(dir_okay=False, path_type=Path), help="A TOML config file."
)
data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the SQLite database and file bytes live by default (default: ./data).",
)
database_url_option = click.option(
    "--database-url",
    envvar="BATCHYARD_DATABASE_URL",
    help="postgresql://… or sqlite:///…; shared by every API and worker process.",
)
blob_url_option = click.option(
    "--blob-url",
    envvar="BATCHYARD_BLOB_URL",
    help="s3://bucket/prefix (or a folder) for file bytes and journals.",
)


def storage_options(func: F) -> F:
    """--data-dir, --config, --database-url, --blob-url: where a server process's state lives."""
    for option in (blob_url_option, database_url_option, config_option, data_dir_option):
        func = option(func)
    return func


def where(settings: Settings) -> str:
    """Where a process keeps its state, for its first log line; passwords hidden."""
    from sqlalchemy.engine import make_url

    database = make_url(settings.resolved_database_url).render_as_string(hide_password=True)
    return f"database {database}, blobs {settings.blob_url or settings.blob_dir}"


DEFAULT_LIMITS = Limits()
_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([kmg]i?b?|b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": MB, "g": 1024 * MB}


def parse_size(value: str) -> int:
    """`200MB`, `200MiB`, `1.5G`, `1048576` -> bytes (K/M/G are powers of 1024, as the server's)."""
    match = _SIZE.match(value)
    if not match:
        raise click.BadParameter(f"{value!r} is not a size such as 200MB or 1048576")
    unit = (match.group(2) or "").lower()[:1]
    size = int(float(match.group(1)) * _UNITS[unit])
    if size < 1:
        raise click.BadParameter("a size must be at least 1 byte")
    return size


class Size(click.ParamType):  # type: ignore[type-arg]
    name = "SIZE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        return value if isinstance(value, int) else parse_size(str(value))


def limits_options(requests_help: str, bytes_help: str) -> Callable[[F], F]:
    """`--max-requests` and `--max-bytes`: the target's per-batch limits, OpenAI's by default."""

    def decorate(func: F) -> F:
        func = click.option(
            "--max-bytes", type=Size(), default=DEFAULT_LIMITS.max_batch_file_bytes,
            show_default=True, help=bytes_help,
        )(func)  # fmt: skip
        return click.option(
            "--max-requests", type=click.IntRange(min=1),
            default=DEFAULT_LIMITS.max_requests_per_batch, show_default=True, help=requests_help,
        )(func)  # fmt: skip

    return decorate


def base_url_option(func: F) -> F:
    return click.option(
        "--base-url",
        envvar=None,
        help="The Batch API's base URL (default: the manifest's server, else $OPENAI_BASE_URL, "
        "else OpenAI). The key is read from $OPENAI_API_KEY only.",
    )(func)


def manifest_argument(func: F) -> F:
    return click.argument(
        "manifest_path",
        metavar="MANIFEST",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
    )(func)


def interval_option(func: F) -> F:
    return click.option(
        "--interval",
        type=click.FloatRange(min=0.05),
        default=10.0,
        show_default=True,
        help="Seconds between status checks.",
    )(func)


def say(message: str) -> None:
    """A message on stderr, unwrapped (paths and ids stay whole), markup allowed."""
    console.print(message, highlight=False, soft_wrap=True)


def open_job(path: Path, base_url: str | None) -> tuple[Manifest, openai.OpenAI]:
    manifest = load(path)
    return manifest, make_client(resolve_base_url(base_url, manifest))


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the toolkit's and the SDK's exceptions into one-line messages, exit 1.

    Also quiets the SDK's per-request INFO logs: a client's user wants the bars.
    """
    import openai

    logging.getLogger().setLevel(logging.WARNING)
    try:
        yield
    except ToolkitError as exc:
        raise click.ClickException(str(exc)) from None
    except openai.AuthenticationError:
        raise click.ClickException(
            "the server refused the API key (401); set OPENAI_API_KEY"
        ) from None
    except openai.APIConnectionError as exc:
        url = getattr(exc.request, "url", "the server")
        raise click.ClickException(
            f"cannot reach {url.copy_with(query=None) if hasattr(url, 'copy_with') else url}; "
            "is the server up? Run the command again to resume."
        ) from None
    except openai.APIStatusError as exc:
        raise click.ClickException(
            f"the server answered {exc.status_code}: {exc.message}. "
            "Run the command again to resume."
        ) from None
