"""Tell a person a job finished: a desktop notification and/or a Slack message.

Both are optional and best effort: a missing `notify-send` or an unreachable
webhook is a warning, never a failed job. Messages carry counts only; the
webhook URL is a secret and is never printed.
"""

from __future__ import annotations

import shutil
import subprocess

import httpx


def notify(message: str, *, desktop: bool, slack_webhook: str | None) -> list[str]:
    """Send `message`; return warnings for the channels that did not work."""
    warnings = []
    if desktop:
        command = shutil.which("notify-send")
        if command is None:
            warnings.append("no desktop notification: notify-send is not installed")
        else:
            try:
                subprocess.run(
                    [command, "batchyard", message], check=True, timeout=10, capture_output=True
                )
            except (OSError, subprocess.SubprocessError) as exc:
                warnings.append(f"desktop notification failed ({type(exc).__name__})")
    if slack_webhook:
        try:
            response = httpx.post(slack_webhook, json={"text": message}, timeout=10)
            response.raise_for_status()
        except httpx.HTTPStatusError as exc:
            warnings.append(f"Slack webhook answered {exc.response.status_code}")
        except httpx.HTTPError as exc:
            warnings.append(f"Slack webhook unreachable ({type(exc).__name__})")
    return warnings
