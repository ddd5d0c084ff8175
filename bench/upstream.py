"""Pacing against a rate-limited or concurrency-limited upstream: batchyard vs the cookbook.

    python bench/upstream.py                        # both modes, 5,000 chat lines
    python bench/upstream.py --mode rate --lines 1000 --seconds 20
    python bench/upstream.py --model-option rpm=none --model-option tpm=none   # omit limits

For each mode a fresh fake upstream (bench/fake_upstream.py, its own process)
serves `batchyard run` (the real pipeline, `backend = "openai"`, in a child
process), then another fresh one serves the cookbook baseline (bench/cookbook.py).

rate: TPM binds. The limit is set so the lines' tokens take `--seconds` at the
  limit; RPM is twice the rate the lines need. Both buckets start empty (the
  key is already in use), so total tokens / TPM is a true lower bound. The
  cookbook is given the same RPM and TPM, as its user would pass them.
  batchyard gets `rpm`/`tpm` model options when its openai backend accepts them.
concurrency: knee K = 16, work per request 0.05 s + 3 ms per completion token,
  each request in flight beyond K slows the engine 0.5 % (to half speed at
  most). Lower bound: sum of work / K. The cookbook has no concurrency control:
  its user sets RPM to the knee's throughput x 60 (TPM out of the way), so its
  full one-minute bucket sends at once, 100 at a time (aiohttp's pool).
  batchyard gets only `max_concurrency` (an upper bound, 128 by default).

Completion time is measured inside each client (batchyard: register to final
file; cookbook: first read to last answer). 429s are the fake's count, as a
share of the job's lines.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from fake_upstream import FakeSettings, command_line, completion_tokens_of, prompt_tokens_of

from batchyard.backends import create_backend
from batchyard.config import ConfigError, ModelConfig
from batchyard.testing import free_port, write_config

BENCH = Path(__file__).parent
RESULTS = BENCH / "results"
MODEL = "gpt-fake"
WORDS = [
    "invoice",
    "export",
    "csv",
    "timeout",
    "login",
    "password",
    "reset",
    "refund",
    "order",
    "shipping",
    "delay",
    "damaged",
    "account",
    "billing",
    "upgrade",
    "cancel",
    "subscription",
    "error",
    "crash",
    "mobile",
    "app",
    "sync",
    "calendar",
    "report",
    "dashboard",
    "permission",
    "admin",
    "invite",
    "team",
    "api",
    "key",
    "webhook",
    "latency",
    "region",
]
CHILD = r"""
import json, sys
from pathlib import Path
from batchyard.config import load_settings
from batchyard.runtime.run import run_file

config, path, data_dir = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
settings = load_settings(config, data_dir=data_dir)
outcome = run_file(settings, path, output=data_dir / "out.jsonl", errors=data_dir / "err.jsonl")
print(json.dumps({"seconds": outcome.seconds, "status": outcome.batch.status.value,
                  "completed": outcome.batch.completed, "failed": outcome.batch.failed}))
"""


def make_bodies(lines: int, seed: int = 7) -> list[dict[str, Any]]:
    """Chat requests with prompts of 10 to 400 words (log-uniform) and varied max_tokens."""
    rng = random.Random(seed)
    bodies = []
    for i in range(lines):
        words = round(math.exp(rng.uniform(math.log(10), math.log(400))))
        text = " ".join(rng.choice(WORDS) for _ in range(words))
        messages = [
            {"role": "system", "content": "You sort support tickets into one of ten queues."},
            {"role": "user", "content": f"Ticket {i}: {text}"},
        ]
        max_tokens = rng.choices([32, 64, 128, 256], weights=[30, 30, 25, 15])[0]
        bodies.append({"model": MODEL, "messages": messages, "max_tokens": max_tokens})
    return bodies


def write_inputs(bodies: list[dict[str, Any]], workdir: Path) -> tuple[Path, Path]:
    """The batch file for batchyard and the plain request file for the cookbook."""
    batch, plain = workdir / "batch.jsonl", workdir / "requests.jsonl"
    with batch.open("w") as b, plain.open("w") as p:
        for i, body in enumerate(bodies):
            line = {"custom_id": f"l-{i}", "method": "POST", "url": "/v1/chat/completions"}
            b.write(json.dumps({**line, "body": body}) + "\n")
            p.write(json.dumps({**body, "metadata": {"custom_id": f"l-{i}"}}) + "\n")
    return batch, plain


class FakeProcess:
    """bench/fake_upstream.py as a child process, so it never shares a client's event loop."""

    def __init__(self, settings: FakeSettings, log: Path) -> None:
        self.port = free_port()
        args = [sys.executable, str(BENCH / "fake_upstream.py"), "--port", str(self.port)]
        args += command_line(settings)
        with log.open("ab") as out:
            self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        self.root = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.root}/stats", timeout=1).raise_for_status()
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"fake upstream did not start:\n{log.read_text()[-2000:]}")

    @property
    def url(self) -> str:
        return f"{self.root}/v1"

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = httpx.get(f"{self.root}/stats", timeout=10).json()["stats"]
        return result

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def parse_model_options(pairs: list[str]) -> dict[str, Any]:
    """`KEY=VALUE` pairs; VALUE is read as JSON when it parses (numbers), `none` drops KEY."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, _, raw = pair.partition("=")
        try:
            options[key] = json.loads(raw)
        except json.JSONDecodeError:
            options[key] = raw
    return options


def accepted(options: dict[str, Any], max_concurrency: int) -> bool:
    """Whether this checkout's openai backend takes these options (it builds one to see)."""
    model = ModelConfig(MODEL, "openai", max_concurrency, {"base_url": "http://x/v1", **options})
    try:
        create_backend(model)
    except ConfigError:
        return False
    return True


def run_batchyard(
    fake: FakeProcess, batch: Path, workdir: Path, options: dict[str, Any], max_concurrency: int
) -> dict[str, Any]:
    model = {"name": MODEL, "backend": "openai", "max_concurrency": max_concurrency}
    model |= {"base_url": fake.url, **options}
    config = write_config(workdir / "batchyard.toml", models=[model])
    data_dir = workdir / "batchyard-data"
    with (workdir / "batchyard.log").open("ab") as log:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(config), str(batch), str(data_dir)],
            check=True,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run_cookbook(fake: FakeProcess, plain: Path, workdir: Path, rpm: float, tpm: float) -> Any:
    save = workdir / "cookbook-out.jsonl"
    save.unlink(missing_ok=True)
    args = [
        sys.executable,
        str(BENCH / "cookbook.py"),
        "--requests_filepath",
        str(plain),
        "--save_filepath",
        str(save),
        "--request_url",
        f"{fake.url}/chat/completions",
        "--max_requests_per_minute",
        str(rpm),
        "--max_tokens_per_minute",
        str(tpm),
        "--logging_level",
        "40",
    ]
    with (workdir / "cookbook.log").open("ab") as log:
        out = subprocess.run(args, check=True, stdout=subprocess.PIPE, stderr=log, text=True)
    status = json.loads(out.stdout.strip().splitlines()[-1])
    return {
        "seconds": status["seconds"],
        "completed": status["num_tasks_succeeded"],
        "failed": status["num_tasks_failed"],
        "seconds_paused": round(status["seconds_paused"], 1),
    }


def figures(
    run: dict[str, Any],
    stats: dict[str, Any],
    minimum: float,
    lines: int,
    capacity: tuple[int, float],
) -> Any:
    """`capacity`: which per-second column the limit bounds, and its bound per 10 s."""
    seconds = float(run["seconds"])
    column, per_10s = capacity
    rows = stats["per_second"]
    windows = [rows[i : i + 10] for i in range(0, len(rows), 10)]
    return {
        "share_of_limit_per_10s": [round(sum(r[column] for r in w) / per_10s, 2) for w in windows],
        **run,
        "seconds": round(seconds, 2),
        "ratio_to_minimum": round(seconds / minimum, 3),
        "http_429": stats["rate_limited"],
        "http_429_share_of_lines": round(stats["rate_limited"] / lines, 4),
        "upstream_requests": stats["requests"],
        "upstream_tokens": stats["total_tokens"],
        "max_in_flight": stats["max_in_flight"],
        "requests_per_second": round(run["completed"] / seconds, 2),
    }


def limit_options(args: argparse.Namespace, defaults: dict[str, Any]) -> dict[str, Any]:
    """`defaults` if the backend takes them, then --model-option on top; `none` drops a key."""
    options = defaults if defaults and accepted(defaults, args.max_concurrency) else {}
    options = {**options, **parse_model_options(args.model_option)}
    return {k: v for k, v in options.items() if v != "none"}


def bench_rate(bodies: list[dict[str, Any]], workdir: Path, args: argparse.Namespace) -> Any:
    lines = len(bodies)
    tokens = sum(prompt_tokens_of(b) + completion_tokens_of(b) for b in bodies)
    tpm = math.ceil(tokens * 60 / args.seconds / 1000) * 1000
    rpm = math.ceil(lines * 60 / args.seconds * 2 / 100) * 100
    settings = FakeSettings(
        mode="rate", rpm=rpm, tpm=tpm, start_empty=True, headers=not args.no_headers
    )
    minimum = max(tokens / (tpm / 60), lines / (rpm / 60))
    options = limit_options(args, {"rpm": rpm, "tpm": tpm})
    rows = run_both(settings, workdir, args, options, cookbook_limits=(rpm, tpm))
    return {
        "fake": vars(settings),
        "lines": lines,
        "tokens": tokens,
        "theoretical_minimum_seconds": round(minimum, 2),
        "minimum_is": "tokens / TPM" if tokens / tpm >= lines / rpm else "lines / RPM",
        "batchyard_options": options,
        "cookbook_limits": {"max_requests_per_minute": rpm, "max_tokens_per_minute": tpm},
        **{
            name: figures(run, stats, minimum, lines, (1, tpm / 6))
            for name, (run, stats) in rows.items()
        },
    }


def bench_concurrency(bodies: list[dict[str, Any]], workdir: Path, args: argparse.Namespace) -> Any:
    settings = FakeSettings(
        mode="concurrency",
        knee=args.knee,
        base_latency=0.05,
        per_token_latency=0.003,
        thrash=0.005,
        thrash_floor=0.5,
    )
    lines = len(bodies)
    work = sum(
        settings.base_latency + settings.per_token_latency * completion_tokens_of(b) for b in bodies
    )
    minimum = work / settings.knee
    knee_rps = lines / minimum
    rpm = round(knee_rps * 60)
    options = limit_options(args, {})
    rows = run_both(settings, workdir, args, options, cookbook_limits=(rpm, 10**9))
    result = {
        "fake": vars(settings),
        "lines": lines,
        "work_seconds": round(work, 2),
        "knee_requests_per_second": round(knee_rps, 2),
        "theoretical_minimum_seconds": round(minimum, 2),
        "minimum_is": "sum of work / knee",
        "batchyard_options": options,
        "cookbook_limits": {"max_requests_per_minute": rpm, "max_tokens_per_minute": 10**9},
    }
    for name, (run, stats) in rows.items():
        row = figures(run, stats, minimum, lines, (0, knee_rps * 10))
        row["share_of_knee_throughput"] = round(row["requests_per_second"] / knee_rps, 3)
        result[name] = row
    return result


def run_both(
    settings: FakeSettings,
    workdir: Path,
    args: argparse.Namespace,
    options: dict[str, Any],
    cookbook_limits: tuple[float, float],
) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Each client against its own fresh fake upstream."""
    batch, plain = workdir / "batch.jsonl", workdir / "requests.jsonl"
    rows = {}
    for name in ("batchyard", "cookbook"):
        fake = FakeProcess(settings, workdir / f"fake-{settings.mode}-{name}.log")
        try:
            if name == "batchyard":
                run = run_batchyard(fake, batch, workdir, options, args.max_concurrency)
            else:
                run = run_cookbook(fake, plain, workdir, *cookbook_limits)
            rows[name] = (run, fake.stats())
        finally:
            fake.stop()
        print(f"{settings.mode} {name}: {json.dumps(run)}", flush=True)
    return rows


def markdown(report: dict[str, Any]) -> str:
    out = [
        "# Upstream pacing: batchyard vs the OpenAI cookbook processor",
        "",
        f"{report['machine']}, Python {report['python']}, batchyard at {report['commit']}, "
        f"{report['lines']:,} chat lines.",
        f"Command: `{report['command']}`",
    ]
    for mode in ("rate", "concurrency"):
        if mode not in report:
            continue
        r = report[mode]
        fake = r["fake"]
        if mode == "rate":
            setting = (
                f"RPM {fake['rpm']:,}, TPM {fake['tpm']:,}, buckets start empty, "
                f"headers {'on' if fake['headers'] else 'off'}; {r['tokens']:,} tokens"
            )
        else:
            setting = (
                f"knee {fake['knee']}, work 0.05 s + 3 ms/token, -0.5 %/request past the knee "
                f"(floor 50 %); knee throughput {r['knee_requests_per_second']} req/s"
            )
        out += [
            "",
            f"## {mode}: {setting}",
            "",
            f"Theoretical minimum {r['theoretical_minimum_seconds']} s ({r['minimum_is']}). "
            f"batchyard options: `{json.dumps(r['batchyard_options'])}`; "
            f"cookbook: `{json.dumps(r['cookbook_limits'])}`.",
            "",
            "| client | seconds | ÷ minimum | 429s | 429s ÷ lines | failed lines "
            "| req/s | max in flight |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for name in ("batchyard", "cookbook"):
            row = r[name]
            out.append(
                f"| {name} | {row['seconds']} | {row['ratio_to_minimum']} | {row['http_429']:,} "
                f"| {row['http_429_share_of_lines']:.2%} | {row['failed']:,} "
                f"| {row['requests_per_second']} | {row['max_in_flight']} |"
            )
        out += ["", "Share of the limit served in each 10 s from the first request:", ""]
        for name in ("batchyard", "cookbook"):
            shares = " ".join(f"{x:.0%}" for x in r[name]["share_of_limit_per_10s"])
            out.append(f"- {name}: {shares}")
    out += [
        "",
        "Targets (issue 4): rate mode <= 1.10x the minimum with 429s <= 1 % of requests; "
        "concurrency mode >= 90 % of the knee's throughput; better than the cookbook in both.",
    ]
    return "\n".join(out) + "\n"


def git_commit() -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=BENCH
    )
    return out.stdout.strip() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=["rate", "concurrency", "both"], default="both")
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=75.0, help="Rate mode: run at the TPM.")
    parser.add_argument("--knee", type=int, default=16, help="Concurrency mode: the knee K.")
    parser.add_argument("--max-concurrency", type=int, default=128, help="batchyard's cap.")
    parser.add_argument("--no-headers", action="store_true", help="Rate mode: no x-ratelimit-*.")
    parser.add_argument(
        "--model-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="Extra [[models]] option for batchyard (repeatable); VALUE none drops KEY.",
    )
    parser.add_argument("--report", default="upstream", help="Report name under bench/results/.")
    args = parser.parse_args()
    bodies = make_bodies(args.lines)
    report: dict[str, Any] = {
        "bench": "upstream",
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cpus",
        "python": platform.python_version(),
        "commit": git_commit(),
        "lines": args.lines,
        "command": " ".join(["python bench/upstream.py", *sys.argv[1:]]),
    }
    with tempfile.TemporaryDirectory(prefix="batchyard-upstream-") as tmp:
        for mode in ("rate", "concurrency"):
            if args.mode not in (mode, "both"):
                continue
            workdir = Path(tmp) / mode
            workdir.mkdir()
            write_inputs(bodies, workdir)
            bench = bench_rate if mode == "rate" else bench_concurrency
            report[mode] = bench(bodies, workdir, args)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.report}.json").write_text(json.dumps(report, indent=2) + "\n")
    text = markdown(report)
    (RESULTS / f"{args.report}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
