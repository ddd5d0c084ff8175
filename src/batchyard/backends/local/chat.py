"""Chat and text completions from a Hugging Face causal LM on this machine, answered as OpenAI does.

Importing this module is cheap: torch and transformers load on the first
`run`, in a worker thread, once per process and (folder, device, dtype).
Nothing is ever downloaded: the model is read from a local folder with the
Hugging Face hubs switched offline.

Each `run` turns its requests into rows (a prompt and how to decode it; `n`
choices make `n` rows), sorts them by prompt length and generates them in
batches bounded by `max_batch_size` rows and `max_batch_tokens` (rows times
the longest prompt plus its new tokens), then writes one OpenAI body per
request as soon as its rows are done (so a run journals it then). A stopping
run cancels the call, and the generation ends before its next token. The
decoding loop lives in `generation`, parameter checks in `chat_params`.
"""

from __future__ import annotations

import asyncio
import inspect
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from batchyard.backends.base import Request, Result, parse_options
from batchyard.backends.local.chat_params import Job, parse
from batchyard.backends.local.generation import Completion, LanguageModel, Sampling, generate
from batchyard.backends.local.runtime import (
    ModelCache,
    check_device,
    offline_torch,
    require_modules,
)
from batchyard.config import ModelConfig
from batchyard.endpoints import CHAT, COMPLETIONS
from batchyard.errors import BadRequest
from batchyard.ids import request_id

_DTYPES = ("auto", "float32", "bfloat16", "float16")

_models: ModelCache[LanguageModel] = ModelCache()


@dataclass(frozen=True, slots=True)
class TransformersChatOptions:
    """`[[models]]` options of the `transformers-chat` backend."""

    path: str | None = None
    device: str = "auto"
    threads: int | None = None
    dtype: str = "auto"
    max_batch_size: int = 16
    max_batch_tokens: int = 32768
    default_max_tokens: int = 256

    def __post_init__(self) -> None:
        if self.path is None:
            raise ValueError("option 'path' (a local Hugging Face model folder) is required")
        if not Path(self.path).is_dir():
            raise ValueError(f"path {self.path!r} is not a folder")
        check_device(self.device)
        if self.dtype not in _DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(_DTYPES)}, not {self.dtype!r}")
        for name in ("threads", "max_batch_size", "max_batch_tokens", "default_max_tokens"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1")


class TransformersChatBackend:
    """Serves /v1/chat/completions and /v1/completions from a local causal LM."""

    endpoints: ClassVar[frozenset[str]] = frozenset({CHAT, COMPLETIONS})

    def __init__(self, model: ModelConfig) -> None:
        self.name = model.name
        self.options = parse_options(TransformersChatOptions, model)
        require_modules(model, ("torch", "transformers"))
        self.max_group = self.options.max_batch_size
        # Own threads, so generations waiting on the model never hold the event loop's
        # shared pool, and an interactive call always has a thread to start on.
        self._threads = {
            False: ThreadPoolExecutor(2, thread_name_prefix=f"chat-{model.name}"),
            True: ThreadPoolExecutor(4, thread_name_prefix=f"chat-{model.name}-interactive"),
        }
        self._stops: set[threading.Event] = set()  # one per generation in progress

    async def run(self, requests: Sequence[Request]) -> list[Result]:
        return await self.run_each(requests, lambda index, result: None)

    async def run_each(
        self, requests: Sequence[Request], on_result: Callable[[int, Result], None]
    ) -> list[Result]:
        """As `run`, handing each request's result to `on_result` once its rows are generated.

        Cancelled (a stopping run), the generation stops before its next token: the
        requests not answered yet are dropped, to run again on resume.
        """
        options = self.options
        assert options.path is not None  # checked by the options
        try:
            lm = await asyncio.to_thread(
                _load, options.path, options.device, options.dtype, options.threads
            )
        except Exception as exc:
            return [
                Result.server_error("transformers-chat", "could not load the model", exc)
                for _ in requests
            ]
        loop = asyncio.get_running_loop()
        stop = threading.Event()

        def report(index: int, result: Result) -> None:
            if not stop.is_set():
                loop.call_soon_threadsafe(on_result, index, result)

        self._stops.add(stop)
        try:
            threads = self._threads[any(request.interactive for request in requests)]
            return await loop.run_in_executor(threads, self._answer, lm, requests, report, stop)
        except asyncio.CancelledError:
            stop.set()
            raise
        except Exception as exc:
            return [
                Result.server_error("transformers-chat", "generation failed", exc) for _ in requests
            ]
        finally:
            self._stops.discard(stop)

    async def aclose(self) -> None:
        """Stop the generations, and wait for their threads: a process must not exit while
        a thread is inside torch. The model stays cached for the process's other users."""
        for stop in list(self._stops):
            stop.set()
        for threads in self._threads.values():
            await asyncio.to_thread(threads.shutdown, wait=True, cancel_futures=True)

    def _answer(
        self,
        lm: LanguageModel,
        requests: Sequence[Request],
        report: Callable[[int, Result], None],
        stop: threading.Event,
    ) -> list[Result]:
        """Parse, generate in batches, and write one body per request; runs in a worker thread."""
        results: dict[int, Result] = {}
        accepted: list[tuple[int, Job]] = []  # (request index, its parsed job)
        for index, request in enumerate(requests):
            try:
                job = parse(request.endpoint, request.body, lm, self.options.default_max_tokens)
            except BadRequest as exc:
                results[index] = Result.rejected(exc)
                report(index, results[index])
            else:
                accepted.append((index, job))

        def answered(position: int, choices: list[Completion]) -> None:
            index, job = accepted[position]
            body = self._body(requests[index], job, choices)
            results[index] = Result(200, body, request_id())
            report(index, results[index])

        interactive = any(request.interactive for request in requests)
        try:
            self._generate(lm, [job for _, job in accepted], interactive, answered, stop)
        except Exception as exc:  # out of memory, a broken model: the 400s still stand
            error = Result.server_error("transformers-chat", "generation failed", exc)
            return [results.get(index, error) for index in range(len(requests))]
        return [results[index] for index in range(len(requests))]

    def _generate(
        self,
        lm: LanguageModel,
        jobs: list[Job],
        interactive: bool,
        answered: Callable[[int, list[Completion]], None],
        stop: threading.Event,
    ) -> None:
        """Every row of every job, generated in length-sorted batches; `answered` gets a
        job's completions (in its row order) as soon as its last row is done."""
        rows: list[tuple[list[int], Sampling]] = []
        owner: list[int] = []  # the job of each row
        mine: list[range] = []  # the rows of each job
        for position, job in enumerate(jobs):
            mine.append(range(len(rows), len(rows) + len(job.rows)))
            rows.extend(zip(job.rows, job.samplings, strict=True))
            owner.extend([position] * len(job.rows))
        left = [len(job.rows) for job in jobs]
        order = sorted(range(len(rows)), key=lambda index: len(rows[index][0]))
        done: dict[int, Completion] = {}
        for batch in self._batches(order, rows):
            prompts = [rows[index][0] for index in batch]
            samplings = [rows[index][1] for index in batch]
            outputs = generate(lm, prompts, samplings, interactive=interactive, stop=stop)
            done.update(zip(batch, outputs, strict=True))
            for index in batch:
                position = owner[index]
                left[position] -= 1
                if left[position] == 0:
                    answered(position, [done[row] for row in mine[position]])

    def _batches(self, order: list[int], rows: list[tuple[list[int], Sampling]]) -> list[list[int]]:
        """Split length-sorted rows into batches within the row and token budgets."""
        batches: list[list[int]] = []
        current: list[int] = []
        longest = 0  # the longest prompt plus new tokens in `current`
        for index in order:
            length = len(rows[index][0]) + rows[index][1].max_new_tokens
            over = (len(current) + 1) * max(longest, length) > self.options.max_batch_tokens
            if current and (len(current) == self.options.max_batch_size or over):
                batches.append(current)
                current, longest = [], 0
            current.append(index)
            longest = max(longest, length)
        if current:
            batches.append(current)
        return batches

    def _body(self, request: Request, job: Job, choices: list[Completion]) -> dict[str, Any]:
        """chat.completion or text_completion, with usage counted in the model's tokens."""
        prompt_tokens = sum(len(prompt) for prompt in job.prompts)
        completion_tokens = sum(choice.tokens for choice in choices)
        chat = request.endpoint == CHAT
        items: list[dict[str, Any]] = []
        for index, choice in enumerate(choices):
            if chat:
                message = {"role": "assistant", "content": choice.text, "refusal": None}
                items.append({"index": index, "message": message})
            else:
                text = job.echoes[index // job.n] + choice.text
                items.append({"index": index, "text": text})
            items[-1].update(logprobs=None, finish_reason=choice.finish_reason)
        return {
            "id": ("chatcmpl-" if chat else "cmpl-") + secrets.token_hex(12),
            "object": "chat.completion" if chat else "text_completion",
            "created": int(time.time()),
            "model": request.body.get("model") or self.name,
            "choices": items,
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }


def _load(path: str, device: str, dtype: str, threads: int | None) -> LanguageModel:
    """Load once per process and (path, device, dtype); callers wait for a load in progress."""
    return _models.get((path, device, dtype), lambda: _load_uncached(path, device, dtype, threads))


def _load_uncached(path: str, device: str, dtype: str, threads: int | None) -> LanguageModel:
    torch, device = offline_torch(device, threads)
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer

    hf_logging: Any = transformers.utils.logging  # untyped
    hf_logging.disable_progress_bar()
    torch_dtype = getattr(torch, dtype) if dtype != "auto" else _auto_dtype(torch, device)
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    # transformers 4.56 renamed torch_dtype to dtype; sentence-transformers allows older ones.
    renamed = tuple(int(part) for part in transformers.__version__.split(".")[:2]) >= (4, 56)
    dtype_option = {"dtype" if renamed else "torch_dtype": torch_dtype}
    model: Any = AutoModelForCausalLM.from_pretrained(path, local_files_only=True, **dtype_option)
    model.to(device).eval()
    eos = model.generation_config.eos_token_id
    eos_ids = set(eos if isinstance(eos, list) else [] if eos is None else [eos])
    if tokenizer.eos_token_id is not None:
        eos_ids.add(tokenizer.eos_token_id)
    pad = tokenizer.pad_token_id
    return LanguageModel(
        model=model,
        tokenizer=tokenizer,
        device=torch.device(device),
        context_length=_context_length(model.config, tokenizer, path),
        eos_ids=frozenset(eos_ids),
        pad_id=pad if pad is not None else min(eos_ids, default=0),
        forward_inputs=frozenset(inspect.signature(model.forward).parameters),
    )


def _auto_dtype(torch: Any, device: str) -> Any:
    """float32 on CPU (half precision is slow there); bfloat16 or float16 on a GPU."""
    if device == "cpu":
        return torch.float32
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def _context_length(config: Any, tokenizer: Any, path: str) -> int:
    """The longest sequence the model reads, from its config or else its tokenizer."""
    for name in ("max_position_embeddings", "n_positions", "n_ctx", "seq_length"):
        value = getattr(config, name, None)
        if isinstance(value, int) and value > 0:
            return value
    limit = getattr(tokenizer, "model_max_length", None)
    if isinstance(limit, int) and 0 < limit < 10**7:  # unset limits read as ~1e30
        return limit
    raise ValueError(f"{path} does not say the model's maximum context length")
