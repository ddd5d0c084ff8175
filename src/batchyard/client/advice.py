"""What `collect` tells the user to do about the lines that did not succeed.

`retry` sends lines again unchanged, which helps only where the cause was
passing: a rate limit, a server error, an expired or cancelled batch. A batch
that failed validation or was refused, or a line the model answered with a 4xx
(a wrong parameter, a prompt too long), fails the same way every time, so the
advice there is what to change instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from batchyard.client.manifest import Manifest

# Error codes that name a passing condition: sending the same line again may succeed.
TRANSIENT_CODES = frozenset(
    {
        "batch_expired",
        "batch_cancelled",
        "rate_limit_exceeded",
        "server_error",
        "upstream_error",
        "timeout",
        "408",
        "409",
        "429",
    }
)


def transient(code: str) -> bool:
    return code in TRANSIENT_CODES or (code.isdigit() and int(code) >= 500)


def plural(count: int, noun: str) -> str:
    """`1 request`, `3 requests`."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def advise(
    manifest: Manifest, failed_codes: Counter[str], missing_by_part: Mapping[str, int]
) -> list[str]:
    """One line per kind of trouble: what it is and what to do, `retry` only where it helps."""
    lines: list[str] = []
    parts = {p.name: p for p in manifest.parts}
    retry_missing = hopeless_missing = 0
    for name, count in sorted(missing_by_part.items()):
        part = parts.get(name)
        if part is not None and (part.state == "rejected" or part.status == "failed"):
            hopeless_missing += count
            how = "was refused" if part.state == "rejected" else "failed validation"
            why = f": {part.error}" if part.error else ""
            lines.append(
                f"{plural(count, 'request')} of {name} got no result: the batch {how}{why}. "
                "Fix the requests (e.g. the model name) and submit the corrected file; "
                "`batchyard retry` would send them unchanged and fail again."
            )
        else:
            retry_missing += count  # expired or cancelled before they ran
    fixable = Counter({c: n for c, n in failed_codes.items() if not transient(c)})
    passing = sorted(c for c in failed_codes if transient(c))
    if fixable:
        codes = ", ".join(f"{code} x{n:,}" for code, n in fixable.most_common(8))
        lines.append(
            f"{plural(sum(fixable.values()), 'request')} failed in a way a retry cannot fix "
            f"({codes}): read error_message in the output, change those requests and "
            "submit them again."
        )
    retry = retry_missing + sum(failed_codes[c] for c in passing)
    if retry:
        flags = ""
        if fixable and passing:
            flags += f" --codes {','.join(passing)}"
        if hopeless_missing and not retry_missing:
            flags += " --no-missing"
        lines.append(
            f"{plural(retry, 'request')} may succeed if sent again: "
            f"`batchyard retry {manifest.path}{flags}`"
        )
    return lines
