"""LiteLLM's SDK with batchyard as its OpenAI provider: one batch, then one chat call.

Usage (in an env with `litellm`; LITELLM_LOCAL_MODEL_COST_MAP=True keeps it offline):
    OPENAI_API_KEY=... python batch.py BASE_URL MODEL requests.jsonl results.jsonl

The batch goes through LiteLLM's own Files and Batches calls (`create_file`,
`create_batch`, `retrieve_batch`, `file_content`, `list_batches`) with
`custom_llm_provider="openai"` and `api_base`; the chat call is `litellm.completion`
on the `openai/` prefix. Prints one JSON line of what it saw.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import litellm


def main(base_url: str, model: str, requests: Path, output: Path) -> None:
    provider = {
        "custom_llm_provider": "openai",
        "api_base": base_url,
        "api_key": os.environ["OPENAI_API_KEY"],
    }
    with requests.open("rb") as file:
        uploaded = litellm.create_file(file=file, purpose="batch", **provider)
    batch = litellm.create_batch(
        completion_window="24h",
        endpoint="/v1/chat/completions",
        input_file_id=uploaded.id,
        metadata={"client": "litellm"},
        **provider,
    )
    while batch.status not in ("completed", "failed", "expired", "cancelled"):
        time.sleep(0.2)
        batch = litellm.retrieve_batch(batch_id=batch.id, **provider)
    if batch.status != "completed" or batch.output_file_id is None:
        raise SystemExit(f"batch {batch.id} ended {batch.status}")
    content = litellm.file_content(file_id=batch.output_file_id, **provider)
    output.write_bytes(content.content)
    listed = [b.id for b in litellm.list_batches(limit=10, **provider).data]

    reply = litellm.completion(
        model=f"openai/{model}",
        api_base=base_url,
        api_key=provider["api_key"],
        messages=[{"role": "user", "content": "hello from litellm"}],
    )
    counts = batch.request_counts
    summary = {
        "id": batch.id,
        "counts": {"total": counts.total, "completed": counts.completed, "failed": counts.failed},
        "metadata": batch.metadata,
        "listed": listed,
        "completion": reply.choices[0].message.content,
        "completion_model": reply.model,
        "usage": reply.usage.total_tokens,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
