"""batchyard's batch throughput through llama.cpp's server vs the server's own best.

    python bench/real_upstream.py                    # 1,500 lines, sweep 1 2 4 8 16
    python bench/real_upstream.py --lines 1000 --max-tokens 16

Needs the llamacpp env (`scripts/extra-envs llamacpp`); the model is the tiny random
Llama of tests/integrations/tiny_gguf.py, built here. In one run, on one server:

1. a plain async client sends the lines at a fixed concurrency, for each level of the
   sweep; the best level's lines per second is the server's best throughput;
2. `batchyard serve` (openai backend, `max_concurrency = 64`: an upper bound, never the
   knee) runs the same lines as one batch; its throughput is lines over the time from
   create to completed, as a user sees it.

It reports the ratio (target >= 0.95) and the concurrency the pacer settled on
(`batchyard_pacer_limit{limit="concurrency"}` at the end), and writes
bench/results/real-upstream.{json,md}.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integrations.envs import env_dir  # noqa: E402
from tests.integrations.support import submit_batch, wait  # noqa: E402
from tests.integrations.upstreams import LLAMA_MODEL, LlamaServer  # noqa: E402

from batchyard.testing import ServerProcess, write_config  # noqa: E402


def bodies(lines: int, max_tokens: int) -> list[dict[str, Any]]:
    return [
        {
            "model": LLAMA_MODEL,
            "messages": [{"role": "user", "content": f"hello the batch {i} of the yard"}],
            "max_tokens": max_tokens,
            "temperature": 0,
        }
        for i in range(lines)
    ]


async def plain_client(url: str, work: list[dict[str, Any]], concurrency: int) -> float:
    """Lines per second with `concurrency` requests in flight at all times."""
    queue = list(reversed(work))
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:

        async def worker() -> None:
            while queue:
                reply = await http.post("/chat/completions", json=queue.pop())
                reply.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return len(work) / (time.perf_counter() - started)


def pacer_concurrency(server: ServerProcess) -> float | None:
    text = httpx.get(f"http://127.0.0.1:{server.port}/metrics", timeout=10).text
    for line in text.splitlines():
        if line.startswith("batchyard_pacer_limit{") and 'limit="concurrency"' in line:
            return float(line.rsplit(" ", 1)[1])
    return None


def batchyard_run(upstream: LlamaServer, work: list[dict[str, Any]], tmp: Path) -> dict[str, Any]:
    model = {"name": LLAMA_MODEL, "backend": "openai", "base_url": upstream.base_url}
    config = write_config(tmp / "batchyard.toml", models=[{**model, "max_concurrency": 64}])
    with ServerProcess(config, tmp / "data", env={"OPENAI_API_KEY": "unused"}) as server:
        started = time.perf_counter()
        client, batch_id = submit_batch(server, work, tmp)
        batch = wait(client, batch_id, timeout=1800)
        elapsed = time.perf_counter() - started
        settled = pacer_concurrency(server)
        assert batch.status == "completed" and batch.request_counts.failed == 0, batch
    return {"lines_per_second": len(work) / elapsed, "seconds": elapsed, "concurrency": settled}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1500)
    parser.add_argument("--max-tokens", type=int, default=12)
    parser.add_argument("--sweep", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    args = parser.parse_args()
    env = env_dir("llamacpp")
    if not (env / ".batchyard-stamp").exists():
        sys.exit("needs the llamacpp env: run scripts/extra-envs llamacpp")
    work = bodies(args.lines, args.max_tokens)
    with tempfile.TemporaryDirectory() as tmp, LlamaServer(env, Path(tmp)) as upstream:
        asyncio.run(plain_client(upstream.base_url, work[:20], 1))  # warm up
        sweep = {}
        for level in args.sweep:
            sweep[level] = asyncio.run(plain_client(upstream.base_url, work, level))
            print(f"plain client, concurrency {level:3d}: {sweep[level]:8.1f} lines/s")
        ours = batchyard_run(upstream, work, Path(tmp))  # type: ignore[arg-type]
    best_level = max(sweep, key=lambda k: sweep[k])
    ratio = ours["lines_per_second"] / sweep[best_level]
    print(
        f"batchyard batch: {ours['lines_per_second']:.1f} lines/s "
        f"({ours['seconds']:.1f} s, pacer concurrency {ours['concurrency']})"
    )
    print(f"ratio to the best fixed concurrency ({best_level}): {ratio:.3f} (target >= 0.95)")
    report = {
        "lines": args.lines,
        "max_tokens": args.max_tokens,
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "plain_client_lines_per_second": sweep,
        "best_concurrency": best_level,
        "batchyard": ours,
        "ratio": ratio,
    }
    results = ROOT / "bench/results"
    (results / "real-upstream.json").write_bytes(
        orjson.dumps(report, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)
    )
    rows = "\n".join(f"| plain client, concurrency {k} | {v:.1f} |" for k, v in sweep.items())
    (results / "real-upstream.md").write_text(
        f"# batchyard through llama.cpp's server ({args.lines} chat lines, "
        f"{args.max_tokens} tokens, tiny random Llama, {report['machine']})\n\n"
        f"| who | lines/s |\n| --- | --- |\n{rows}\n"
        f"| batchyard batch (pacer settled at {ours['concurrency']}) | "
        f"{ours['lines_per_second']:.1f} |\n\n"
        f"Ratio to the best fixed concurrency ({best_level}): **{ratio:.3f}** (target >= 0.95).\n"
    )


if __name__ == "__main__":
    main()
