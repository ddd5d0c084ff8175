"""transformers-chat speed: batched generation against `generate` per request, and priority.

A randomly initialised Llama (8 layers, width 512, about 19M parameters; the
compute of a trained model of that shape) is built in a temp folder, so
nothing is downloaded. Every request generates exactly `--new-tokens` tokens
(the end-of-sequence token is biased away), greedy, fp32.

    python bench/transformers_chat.py                      # 48 requests, 1 torch thread
    python bench/transformers_chat.py --requests 96 --threads 2

Throughput, generated tokens/s: (a) `model.generate` one request at a time, as
a naive server would; (b) this backend with batches of 1; (c) with batches of
`--batch-size`. Priority: p50 latency of an interactive chat call while idle
and while two groups of batch work keep the model busy (as `max_concurrency = 2`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.unit.tiny_causal_lm

from tests.unit.tiny_causal_lm import SENTENCES, build_tiny_causal_lm

from batchyard.backends import Request
from batchyard.backends.local.chat import TransformersChatBackend
from batchyard.config import ModelConfig

RESULTS = Path(__file__).parent / "results"
EOS = 3  # </s> in the test tokenizer


def body(index: int, new_tokens: int) -> dict[str, Any]:
    words = SENTENCES[index % len(SENTENCES)].split()
    content = " ".join(words[: 3 + index % 7] + SENTENCES[(index * 3) % len(SENTENCES)].split())
    return {
        "messages": [{"role": "user", "content": content}],
        "max_tokens": new_tokens,
        "temperature": 0,
        "logit_bias": {str(EOS): -100},
    }


def backend(folder: Path, threads: int, batch_size: int) -> TransformersChatBackend:
    options = {"path": str(folder), "device": "cpu", "threads": threads}
    return TransformersChatBackend(
        ModelConfig("bench", "transformers-chat", 2, {**options, "max_batch_size": batch_size})
    )


def naive(folder: Path, bodies: list[dict[str, Any]], new_tokens: int) -> float:
    """(a) tokens/s of `generate` called once per request."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(folder, local_files_only=True).eval()
    started = time.perf_counter()
    for item in bodies:
        text = tokenizer.apply_chat_template(
            item["messages"], add_generation_prompt=True, tokenize=False
        )
        ids = torch.tensor([tokenizer(text, add_special_tokens=False)["input_ids"]])
        model.generate(
            ids,
            max_new_tokens=new_tokens,
            min_new_tokens=new_tokens,
            do_sample=False,
            pad_token_id=0,
        )
    return len(bodies) * new_tokens / (time.perf_counter() - started)


async def batched(chat: TransformersChatBackend, bodies: list[dict[str, Any]], size: int) -> float:
    """(b), (c) tokens/s of the backend, one group of `size` requests after another."""
    await chat.run([Request("/v1/chat/completions", bodies[0], "warm")])
    started, tokens = time.perf_counter(), 0
    for start in range(0, len(bodies), size):
        group = [Request("/v1/chat/completions", b, "x") for b in bodies[start : start + size]]
        tokens += sum(r.body["usage"]["completion_tokens"] for r in await chat.run(group))
    return tokens / (time.perf_counter() - started)


async def priority(chat: TransformersChatBackend, size: int, new_tokens: int) -> dict[str, float]:
    """p50 seconds of an interactive call, idle and under two groups of batch work."""

    def request(index: int, interactive: bool) -> Request:
        return Request("/v1/chat/completions", body(index, 16), f"c{index}", interactive)

    async def latencies() -> list[float]:
        seconds = []
        for index in range(8):
            started = time.perf_counter()
            await chat.run([request(index, True)])
            seconds.append(time.perf_counter() - started)
            await asyncio.sleep(0.05)
        return seconds

    async def batch_work(stop: asyncio.Event) -> None:
        while not stop.is_set():
            await chat.run([request(index, False) for index in range(size)])

    idle = statistics.median(await latencies())
    stop = asyncio.Event()
    workers = [asyncio.create_task(batch_work(stop)) for _ in range(2)]
    await asyncio.sleep(0.5)
    busy = statistics.median(await latencies())
    stop.set()
    await asyncio.gather(*workers)
    return {"idle_p50_s": idle, "busy_p50_s": busy, "ratio": busy / idle}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=48)
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--report", default="transformers-chat")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    bodies = [body(index, args.new_tokens) for index in range(args.requests)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = build_tiny_causal_lm(Path(tmp), hidden=512, layers=8)
        a = naive(folder, bodies, args.new_tokens)
        b = asyncio.run(batched(backend(folder, args.threads, 1), bodies, 1))
        chat = backend(folder, args.threads, args.batch_size)
        c = asyncio.run(batched(chat, bodies, args.batch_size))
        latency = asyncio.run(priority(chat, args.batch_size, args.new_tokens))

    figures = {
        "requests": args.requests,
        "new_tokens": args.new_tokens,
        "batch_size": args.batch_size,
        "threads": args.threads,
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}",
        "generate_per_request_tokens_per_s": round(a, 1),
        "backend_batch_1_tokens_per_s": round(b, 1),
        "backend_batched_tokens_per_s": round(c, 1),
        "batch_1_over_generate": round(b / a, 2),
        "batched_over_generate": round(c / a, 2),
        "interactive": {key: round(value, 3) for key, value in latency.items()},
    }
    lines = [
        f"# transformers-chat: {args.requests} chat requests x {args.new_tokens} new tokens",
        "",
        f"Random Llama 8 x 512 (~19M parameters), fp32, CPU, {args.threads} torch thread(s).",
        "`python bench/transformers_chat.py`",
        "",
        "| path | tokens/s | vs (a) |",
        "| --- | ---: | ---: |",
        f"| (a) `model.generate`, one request at a time | {a:.1f} | 1.00 |",
        f"| (b) transformers-chat, batches of 1 | {b:.1f} | {b / a:.2f} |",
        f"| (c) transformers-chat, batches of {args.batch_size} | {c:.1f} | {c / a:.2f} |",
        "",
        f"Interactive chat call (16 new tokens), p50: idle {latency['idle_p50_s'] * 1000:.0f} ms,"
        f" during batch work {latency['busy_p50_s'] * 1000:.0f} ms"
        f" (ratio {latency['ratio']:.2f}).",
    ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.report}.json").write_text(json.dumps(figures, indent=2) + "\n")
    (RESULTS / f"{args.report}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
