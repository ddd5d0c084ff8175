"""Check request files on this machine with the server's own validator, before uploading.

A file that would fail at the server fails here first, with the same codes and
1-based line numbers. Limits are the target's (OpenAI's 50,000 requests and
200 MB by default); `submit` checks without them, since it splits anyway.
"""

from __future__ import annotations

import sys
from collections.abc import Container
from pathlib import Path

import orjson

from batchyard.client.errors import ToolkitError
from batchyard.client.split import request_lines
from batchyard.config import Limits
from batchyard.endpoints import BATCH_ENDPOINTS
from batchyard.validation import ValidationReport, validate_path
from batchyard.wording import counted

NO_LIMIT = sys.maxsize


def infer_endpoint(path: Path) -> str:
    """The `url` of the file's first request; every other line must match it."""
    try:
        with open(path, "rb") as file:
            for line_no, line in request_lines(file):
                try:
                    url = orjson.loads(line).get("url")
                except (orjson.JSONDecodeError, AttributeError):
                    raise ToolkitError(
                        f"{path}:{line_no}: not a JSON object; cannot tell the endpoint "
                        "(pass --endpoint, or run batchyard validate for the full report)"
                    ) from None
                if url not in BATCH_ENDPOINTS:
                    raise ToolkitError(
                        f"{path}:{line_no}: url {url!r} is not a Batch API endpoint "
                        f"({', '.join(sorted(BATCH_ENDPOINTS))})"
                    )
                return str(url)
    except FileNotFoundError:
        raise ToolkitError(f"{path}: no such file") from None
    raise ToolkitError(f"{path}: the file has no requests")


def check(
    path: Path,
    *,
    endpoint: str,
    max_requests: int = NO_LIMIT,
    max_bytes: int = NO_LIMIT,
    models: Container[str] | None = None,
    max_errors: int = 1000,
) -> ValidationReport:
    limits = Limits(
        max_requests_per_batch=max_requests,
        max_batch_file_bytes=max_bytes,
        max_validation_errors=max_errors,
    )
    return validate_path(path, endpoint=endpoint, limits=limits, models=models)


def describe(path: Path, report: ValidationReport, limit: int = 50) -> list[str]:
    """`file:line: code (param): message`, one per error, at most `limit` then a count."""
    lines = []
    for error in report.errors[:limit]:
        where = f"{path}:{error.line}" if error.line else str(path)
        param = f" ({error.param})" if error.param else ""
        lines.append(f"{where}: {error.code}{param}: {error.message}")
    more = len(report.errors) - len(lines) + report.omitted_errors
    if more > 0:
        lines.append(f"... and {counted(more, 'more error')}")
    return lines


def require_valid(
    path: Path, endpoint: str, models: Container[str] | None = None
) -> ValidationReport:
    """Check without limits (the caller splits); raise with the report if anything is wrong.

    `models`: the ones the server offers, when it said (client/models.py)."""
    report = check(path, endpoint=endpoint, models=models, max_errors=200)
    if not report.ok:
        details = "\n  ".join(describe(path, report, 20))
        raise ToolkitError(f"{path} has errors; nothing was uploaded:\n  {details}")
    return report
