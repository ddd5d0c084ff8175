"""How fast is the batch-file validator next to a bare orjson loop over the same file?

    python bench/validate.py [--lines 50000] [--mb 200] [--path FILE] [--repeats 3]

Writes a valid chat-completions batch file (varied content, about mb*1e6 bytes
over `lines` lines; into a temp dir unless --path), then times, best of
`repeats`, with the file in the page cache:

  bare      `for line in f: orjson.loads(line)` (the yardstick; target ratio >= 0.5)
  chunked   the same parse over 256 KiB reads split with bytes.find, as the validator reads
  validate  `validate_path` (full checks, duplicate hashes, shards)

plus the validator at other chunk sizes, and its peak RSS, measured in a fresh
child process so that generating the file does not count. Results go to
bench/results/validate.json and bench/results/validate.md. MB are 10^6 bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))  # run from a checkout without installing

from batchyard import validation  # noqa: E402
from batchyard.config import Limits  # noqa: E402

RESULTS = ROOT / "bench" / "results"
ENDPOINT = "/v1/chat/completions"
MODEL = "batchyard-mock"
CHUNK_SWEEP = (64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024)

_SUBJECTS = (
    "the quarterly report",
    "this customer email",
    "the attached contract",
    "a product review",
    "the meeting transcript",
    "our onboarding guide",
    "the support ticket",
    "this news article",
    "the release notes",
    "a patient intake form",
    "the lease agreement",
    "this recipe",
)
_TASKS = (
    "Summarise {s} in three bullet points.",
    "Classify the sentiment of {s} as positive, neutral or negative.",
    "Extract every date and amount mentioned in {s} as JSON.",
    "Translate {s} into French, keeping the formatting.",
    "List the action items in {s}, with owners where given.",
    "Rewrite {s} for a reader with no background in the field.",
)
_TEXT = (
    "revenue margin forecast customer shipment delay invoice refund contract clause renewal "
    "deadline schedule meeting budget approval risk mitigation vendor supplier warehouse "
    "inventory backlog feature release regression latency outage incident postmortem "
    "escalation priority roadmap milestone hiring onboarding training compliance audit policy "
    "privacy retention encryption migration database cluster replica failover dashboard metric "
    "the a of to and in for on with as by at from that this which was were is are be been has "
    "have had will would should could may might must not no yes also however therefore"
)
_WORDS = _TEXT.split()
_EXTRA = ("café", "naïve", "Zürich", "São Paulo", "東京", "データ", "€120", "—", "“quoted”", "🙂")


def _paragraph(rng: random.Random, n_words: int) -> str:
    words = rng.choices(_WORDS, k=n_words)
    for _ in range(n_words // 60):
        words[rng.randrange(n_words)] = rng.choice(_EXTRA)
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _line(rng: random.Random, index: int, size: int) -> bytes:
    """One request of roughly `size` bytes: a system prompt, a task, a document."""
    subject = rng.choice(_SUBJECTS)
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "You are a careful assistant. Answer concisely."},
        {"role": "user", "content": rng.choice(_TASKS).format(s=subject)},
    ]
    if index % 5 == 0:  # some multi-turn conversations
        messages.append({"role": "assistant", "content": _paragraph(rng, 25)})
        messages.append({"role": "user", "content": "Now do the same for the next part:"})
    body: dict[str, Any] = {"model": MODEL, "messages": messages}
    if index % 3 == 0:
        body["temperature"] = round(rng.uniform(0, 1.2), 2)
    if index % 4 == 0:
        body["max_tokens"] = rng.choice((256, 512, 1024))
    if index % 7 == 0:
        body["response_format"] = {"type": "json_object"}
    request = {
        "custom_id": f"task-{index:07d}-{rng.getrandbits(32):08x}",
        "method": "POST",
        "url": ENDPOINT,
        "body": body,
    }
    fixed = len(orjson.dumps(request)) + len(',{"role":"user","content":""}') + 1
    # About 7.4 bytes per word with its space; the caller corrects the drift.
    messages.append({"role": "user", "content": _paragraph(rng, max(1, (size - fixed) // 7))})
    if index % 10 == 0:  # as Python's json writes it: spaced, non-ASCII escaped
        return json.dumps(request).encode() + b"\n"
    return orjson.dumps(request) + b"\n"


def generate(path: Path, lines: int, total_bytes: int, seed: int = 1) -> int:
    """Write the file, steering each line's size so the total lands near the target."""
    rng = random.Random(seed)
    written = 0
    with path.open("wb") as out:
        for index in range(lines):
            remaining = lines - index
            target = max(300, int((total_bytes - written) / remaining * rng.uniform(0.6, 1.4)))
            line = _line(rng, index, target)
            out.write(line)
            written += len(line)
    return written


def best_times(repeats: int, runs: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Best time of each run; they take turns, so a busy neighbour slows all alike."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def bare_loop(path: Path) -> None:
    with path.open("rb") as f:
        for line in f:
            orjson.loads(line)


def chunked_loop(path: Path) -> None:
    """The validator's read pattern with nothing but the parse."""
    with path.open("rb") as f:
        pending = b""
        while chunk := f.read(256 * 1024):
            pos = 0
            view = memoryview(chunk)
            if pending:
                end = chunk.find(b"\n")
                if end < 0:
                    pending += chunk
                    continue
                orjson.loads(pending + chunk[:end])
                pos = end + 1
            while (end := chunk.find(b"\n", pos)) >= 0:
                orjson.loads(view[pos:end])
                pos = end + 1
            pending = chunk[pos:]
        if pending.strip():
            orjson.loads(pending)


def with_chunk_bytes(chunk_bytes: int, path: Path, limits: Limits) -> Callable[[], object]:
    def run() -> None:
        default = validation.CHUNK_BYTES
        validation.CHUNK_BYTES = chunk_bytes
        try:
            validate(path, limits)
        finally:
            validation.CHUNK_BYTES = default

    return run


def limits_for(lines: int, size: int) -> Limits:
    """Default limits, raised when the flags ask for a bigger file than they allow."""
    defaults = Limits()
    return Limits(
        max_requests_per_batch=max(defaults.max_requests_per_batch, lines),
        max_batch_file_bytes=max(defaults.max_batch_file_bytes, size),
    )


def validate(path: Path, limits: Limits) -> validation.ValidationReport:
    return validation.validate_path(path, endpoint=ENDPOINT, limits=limits, models={MODEL})


def peak_rss_kib() -> int:
    """This process's peak RSS in KiB.

    Linux's `ru_maxrss` carries the parent's peak across fork and exec, so a child
    would report the benchmark's own peak; VmHWM belongs to the new process alone.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes there, KiB elsewhere


def child_rss(path: Path, lines: int) -> None:
    """Runs in a fresh process: peak RSS before and after one validator run, in KiB."""
    limits = limits_for(lines, path.stat().st_size)
    before = peak_rss_kib()
    report = validate(path, limits)
    after = peak_rss_kib()
    print(json.dumps({"before_kib": before, "after_kib": after, "ok": report.ok}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--mb", type=float, default=200, help="file size in MB (10^6 bytes)")
    parser.add_argument(
        "--path", type=Path, help="write the file here (kept) instead of a temp dir"
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child-rss", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child_rss:
        child_rss(args.path, args.lines)
        return

    with tempfile.TemporaryDirectory() as tmp:
        path = args.path or Path(tmp) / "batch.jsonl"
        start = time.perf_counter()
        size = generate(path, args.lines, int(args.mb * 1e6))
        took = time.perf_counter() - start
        print(f"generated {path} ({size / 1e6:.1f} MB, {args.lines} lines) in {took:.1f}s")
        limits = limits_for(args.lines, size)
        report = validate(path, limits)  # also warms the page cache
        if not report.ok:
            raise SystemExit(f"generated file does not validate: {report.errors[:3]}")

        runs: dict[str, Callable[[], object]] = {
            "bare": lambda: bare_loop(path),
            "chunked": lambda: chunked_loop(path),
            "validate": lambda: validate(path, limits),
        }
        for chunk_bytes in CHUNK_SWEEP:
            runs[f"validate@{chunk_bytes}"] = with_chunk_bytes(chunk_bytes, path, limits)
        load_before = os.getloadavg()[0]
        best = best_times(args.repeats, runs)
        load_after = os.getloadavg()[0]

        command = [sys.executable, __file__, "--child-rss", "--path", str(path)]
        command += ["--lines", str(args.lines)]
        child = subprocess.run(command, check=True, capture_output=True, text=True)
        rss = json.loads(child.stdout)

    mbps = {name: size / 1e6 / seconds for name, seconds in best.items()}
    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "orjson": orjson.__version__,
            "platform": platform.platform(),
            "cpu": _cpu_model(),
            "cpus": os.cpu_count(),
            "load_average_1m": [round(load_before, 2), round(load_after, 2)],
        },
        "file": {"bytes": size, "lines": args.lines, "avg_line_bytes": round(size / args.lines)},
        "repeats": args.repeats,
        "seconds": {name: round(best[name], 4) for name in ("bare", "chunked", "validate")},
        "mb_per_s": {name: round(mbps[name], 1) for name in ("bare", "chunked", "validate")},
        "ratio_validate_to_bare": round(mbps["validate"] / mbps["bare"], 3),
        "target_ratio": 0.5,
        "validate_mb_per_s_by_chunk": {
            str(k): round(mbps[f"validate@{k}"], 1) for k in CHUNK_SWEEP
        },
        "validator_default_chunk_bytes": validation.CHUNK_BYTES,
        "validator_peak_rss_kib": rss["after_kib"],
        "child_rss_before_validate_kib": rss["before_kib"],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "validate.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "validate.md").write_text(_markdown(results))
    print(_markdown(results))


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _markdown(r: dict[str, Any]) -> str:
    m, s, f = r["mb_per_s"], r["seconds"], r["file"]
    verdict = "meets" if r["ratio_validate_to_bare"] >= r["target_ratio"] else "MISSES"
    sweep = " | ".join(
        f"{int(k) // 1024} KiB: {v} MB/s" for k, v in r["validate_mb_per_s_by_chunk"].items()
    )
    return f"""# Validator benchmark

{r["date"]}; Python {r["machine"]["python"]}, orjson {r["machine"]["orjson"]}, \
{r["machine"]["cpu"]} ({r["machine"]["cpus"]} CPUs), {r["machine"]["platform"]}; \
1-minute load average {r["machine"]["load_average_1m"][0]} before the timings and \
{r["machine"]["load_average_1m"][1]} after (the runs take turns, so load hits them alike).

File: {f["bytes"] / 1e6:.1f} MB, {f["lines"]} lines (avg {f["avg_line_bytes"]} bytes), valid
chat-completions requests, in the page cache. Best of {r["repeats"]}; MB = 10^6 bytes.

| run | seconds | MB/s |
|---|---|---|
| bare `for line in f: orjson.loads(line)` | {s["bare"]} | {m["bare"]} |
| bare parse over 256 KiB chunks split with `find` | {s["chunked"]} | {m["chunked"]} |
| `validate_batch_file` (all checks) | {s["validate"]} | {m["validate"]} |

Ratio validate / bare: **{r["ratio_validate_to_bare"]}** ({verdict} the {r["target_ratio"]} target).

Validator by read size: {sweep} (default {r["validator_default_chunk_bytes"] // 1024} KiB).
The default's row and the sweep's entry for it are the same run timed twice, so
their gap shows this machine's noise.

Validator peak RSS (fresh process): {r["validator_peak_rss_kib"] / 1024:.1f} MiB; \
{r["child_rss_before_validate_kib"] / 1024:.1f} MiB before the run (interpreter and imports).

Reproduce: `python bench/validate.py --lines {f["lines"]} --mb {round(f["bytes"] / 1e6)}`
"""


if __name__ == "__main__":
    main()
