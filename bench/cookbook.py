"""The baseline: the OpenAI cookbook's `api_request_parallel_processor.py` algorithm, re-typed.

    python bench/cookbook.py --requests_filepath bodies.jsonl --save_filepath out.jsonl \
        --request_url http://127.0.0.1:8009/v1/chat/completions \
        --max_requests_per_minute 3000 --max_tokens_per_minute 200000

What it does, as the cookbook does (openai/openai-cookbook, examples/):
- one loop reads one request at a time (retries first), refills a request and a
  token bucket by elapsed time, each capped at its per-minute maximum and
  starting full, and sends the next request only if requests >= 1 and
  tokens >= its estimate; the loop sleeps 1 ms per turn;
- estimate = per message 4 + the tokens of every field (a name: -1) + 2, plus
  n x max_tokens (max_tokens defaults to 15); the actual usage is never read;
- a failed request goes to a retry queue until its 5 attempts are spent;
- after a rate-limit error the whole loop sleeps until 15 s after the latest one.

Liberties, none of which changes the pacing:
- httpx instead of aiohttp (not installed here), with aiohttp's defaults copied:
  at most 100 connections, a 300 s timeout;
- tokenizer: bpe-openai's cl100k_base, the same encoding tiktoken would load;
- a rate-limit error is recognised by the message ("Rate limit", the check the
  cookbook had for most of its life) or by code "429" (its current check, which
  OpenAI's real code "rate_limit_exceeded" would never match, so the current
  script as written would not pause at all);
- results are appended as the cookbook does, but the counters are returned so
  the bench can report them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from bpe_openai import get_encoding  # type: ignore[import-untyped]

SECONDS_TO_PAUSE_AFTER_RATE_LIMIT_ERROR = 15.0
SECONDS_TO_SLEEP_EACH_LOOP = 0.001  # 1 ms limits max throughput to 1,000 requests per second

log = logging.getLogger("cookbook")


@dataclass
class StatusTracker:
    """The cookbook's counters, one instance per run."""

    num_tasks_started: int = 0
    num_tasks_in_progress: int = 0
    num_tasks_succeeded: int = 0
    num_tasks_failed: int = 0
    num_rate_limit_errors: int = 0
    num_api_errors: int = 0
    num_other_errors: int = 0
    time_of_last_rate_limit_error: float = 0.0
    seconds_paused: float = 0.0


@dataclass
class APIRequest:
    task_id: int
    request_json: dict[str, Any]
    token_consumption: int
    attempts_left: int
    metadata: Any
    result: list[Any] = field(default_factory=list)

    async def call_api(
        self,
        client: httpx.AsyncClient,
        request_url: str,
        retry_queue: asyncio.Queue[APIRequest],
        save_filepath: str,
        status: StatusTracker,
    ) -> None:
        error: Any = None
        response: Any = None
        try:
            answer = await client.post(request_url, json=self.request_json)
            response = answer.json()
            if "error" in response:
                status.num_api_errors += 1
                error = response
                if is_rate_limit_error(response["error"]):
                    status.time_of_last_rate_limit_error = time.time()
                    status.num_rate_limit_errors += 1
                    status.num_api_errors -= 1
        except Exception as exc:  # the cookbook catches everything and retries it
            status.num_other_errors += 1
            error = exc
        if error is not None:
            self.result.append(error)
            if self.attempts_left:
                retry_queue.put_nowait(self)
            else:
                log.error("request %d failed after all attempts", self.task_id)
                errors = [str(e) for e in self.result]
                append_to_jsonl([self.request_json, errors, self.metadata], save_filepath)
                status.num_tasks_in_progress -= 1
                status.num_tasks_failed += 1
        else:
            append_to_jsonl([self.request_json, response, self.metadata], save_filepath)
            status.num_tasks_in_progress -= 1
            status.num_tasks_succeeded += 1


def is_rate_limit_error(error: Any) -> bool:
    if not isinstance(error, dict):
        return False
    return "Rate limit" in str(error.get("message", "")) or error.get("code") == "429"


def append_to_jsonl(data: Any, filename: str) -> None:
    with open(filename, "a") as fh:
        fh.write(json.dumps(data) + "\n")


def num_tokens_consumed_from_request(request_json: dict[str, Any], encoding: Any) -> int:
    """Chat completions only, as the cookbook counts them."""
    completion_tokens = request_json.get("n", 1) * request_json.get("max_tokens", 15)
    num_tokens = 0
    for message in request_json["messages"]:
        num_tokens += 4  # every message follows <im_start>{role/name}\n{content}<im_end>\n
        for key, value in message.items():
            num_tokens += len(encoding.encode(value))
            if key == "name":  # if there's a name, the role is omitted
                num_tokens -= 1
    num_tokens += 2  # every reply is primed with <im_start>assistant
    return int(num_tokens + completion_tokens)


async def process_api_requests_from_file(
    requests_filepath: str,
    save_filepath: str,
    request_url: str,
    max_requests_per_minute: float,
    max_tokens_per_minute: float,
    token_encoding_name: str = "cl100k_base",
    max_attempts: int = 5,
) -> StatusTracker:
    """Send every request of the file, throttled by the two buckets; the counters at the end."""
    encoding = get_encoding(token_encoding_name)
    retry_queue: asyncio.Queue[APIRequest] = asyncio.Queue()
    task_ids = iter(range(10**12))
    status = StatusTracker()
    next_request: APIRequest | None = None
    available_request_capacity = max_requests_per_minute
    available_token_capacity = max_tokens_per_minute
    last_update_time = time.time()
    file_not_finished = True
    tasks: set[asyncio.Task[None]] = set()

    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    with open(requests_filepath) as file:  # noqa: ASYNC230 (the cookbook reads line by line)
        requests: Iterator[str] = iter(file)
        async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(300.0)) as client:
            while True:
                if next_request is None:
                    if not retry_queue.empty():
                        next_request = retry_queue.get_nowait()
                    elif file_not_finished:
                        try:
                            request_json = json.loads(next(requests))
                            next_request = APIRequest(
                                task_id=next(task_ids),
                                request_json=request_json,
                                token_consumption=num_tokens_consumed_from_request(
                                    request_json, encoding
                                ),
                                attempts_left=max_attempts,
                                metadata=request_json.pop("metadata", None),
                            )
                            status.num_tasks_started += 1
                            status.num_tasks_in_progress += 1
                        except StopIteration:
                            file_not_finished = False

                current_time = time.time()
                seconds_since_update = current_time - last_update_time
                available_request_capacity = min(
                    available_request_capacity
                    + max_requests_per_minute * seconds_since_update / 60.0,
                    max_requests_per_minute,
                )
                available_token_capacity = min(
                    available_token_capacity + max_tokens_per_minute * seconds_since_update / 60.0,
                    max_tokens_per_minute,
                )
                last_update_time = current_time

                if next_request is not None and (
                    available_request_capacity >= 1
                    and available_token_capacity >= next_request.token_consumption
                ):
                    available_request_capacity -= 1
                    available_token_capacity -= next_request.token_consumption
                    next_request.attempts_left -= 1
                    call = next_request.call_api(
                        client, request_url, retry_queue, save_filepath, status
                    )
                    task = asyncio.create_task(call)
                    tasks.add(task)  # asyncio keeps only weak references to tasks
                    task.add_done_callback(tasks.discard)
                    next_request = None

                if status.num_tasks_in_progress == 0:
                    break

                await asyncio.sleep(SECONDS_TO_SLEEP_EACH_LOOP)

                since_error = time.time() - status.time_of_last_rate_limit_error
                if since_error < SECONDS_TO_PAUSE_AFTER_RATE_LIMIT_ERROR:
                    pause = SECONDS_TO_PAUSE_AFTER_RATE_LIMIT_ERROR - since_error
                    status.seconds_paused += pause
                    await asyncio.sleep(pause)
                    log.warning("Pausing to cool down for %.1f s", pause)
    return status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests_filepath", required=True)
    parser.add_argument("--save_filepath", default=None)
    parser.add_argument("--request_url", default="http://127.0.0.1:8009/v1/chat/completions")
    parser.add_argument("--max_requests_per_minute", type=float, default=3_000 * 0.5)
    parser.add_argument("--max_tokens_per_minute", type=float, default=250_000 * 0.5)
    parser.add_argument("--token_encoding_name", default="cl100k_base")
    parser.add_argument("--max_attempts", type=int, default=5)
    parser.add_argument("--logging_level", type=int, default=logging.INFO)
    args = parser.parse_args()
    logging.basicConfig(level=args.logging_level)
    save = args.save_filepath or args.requests_filepath.replace(".jsonl", "_results.jsonl")
    started = time.perf_counter()
    status = asyncio.run(
        process_api_requests_from_file(
            args.requests_filepath,
            save,
            args.request_url,
            args.max_requests_per_minute,
            args.max_tokens_per_minute,
            args.token_encoding_name,
            args.max_attempts,
        )
    )
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": round(seconds, 3), **vars(status)}))


if __name__ == "__main__":
    main()
