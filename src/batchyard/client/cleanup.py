"""Delete a job's files on the server: the uploads and, once collected, the results.

Uploaded requests and their answers stay on the server until deleted (OpenAI
keeps batch files 30 days); the article's advice is to delete them as soon as
the results are safe. A batch still running keeps its input; results not yet
downloaded by `collect` are kept unless forced, since deleting them loses them.
Every deletion is recorded, so a re-run deletes only what is left.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from batchyard.client.manifest import Manifest

if TYPE_CHECKING:
    import openai


@dataclass
class Cleanup:
    deleted: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # "<file id>: why"


def cleanup(
    manifest: Manifest,
    client: openai.OpenAI,
    *,
    inputs: bool = True,
    results: bool = True,
    force: bool = False,
) -> Cleanup:
    import openai

    done = Cleanup()
    for part in manifest.parts:
        targets: list[tuple[str, str | None]] = []
        if inputs:
            targets.append(("input", part.file_id))
        if results:
            targets += [("output", part.output_file_id), ("error", part.error_file_id)]
        for kind, file_id in targets:
            if file_id is None or file_id in part.deleted:
                continue
            if kind == "input" and not part.terminal:
                done.kept.append(f"{file_id} ({part.name} input): its batch has not finished")
                continue
            if kind != "input" and not part.collected and not force:
                done.kept.append(
                    f"{file_id} ({part.name} {kind}): not collected yet "
                    "(run batchyard collect, or --force)"
                )
                continue
            # Gone already (expired, or deleted elsewhere): the goal is met.
            with contextlib.suppress(openai.NotFoundError):
                client.files.delete(file_id)
            part.deleted.append(file_id)
            done.deleted.append(file_id)
            manifest.save()
    return done
