"""The transformers-chat backend on a tiny randomly initialised Llama built in a temp folder."""

from __future__ import annotations

import asyncio
import importlib.util
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from tests.unit.tiny_causal_lm import CHAT_TEMPLATE, CONTEXT, build_tiny_causal_lm

from batchyard.backends import Request, Result
from batchyard.backends.local.chat import TransformersChatBackend
from batchyard.backends.local.generation import PriorityGate
from batchyard.config import ConfigError, ModelConfig

pytestmark = [
    pytest.mark.local,
    pytest.mark.skipif(
        importlib.util.find_spec("transformers") is None,
        reason="needs the 'local' extra (torch, transformers)",
    ),
]

CHAT = "/v1/chat/completions"
COMPLETIONS = "/v1/completions"


@pytest.fixture(scope="session")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_causal_lm(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(scope="session")
def bare_model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_causal_lm(tmp_path_factory.mktemp("tiny-bare"), chat_template=None)


def build(path: Path, **options: Any) -> TransformersChatBackend:
    return TransformersChatBackend(
        ModelConfig("tiny", "transformers-chat", 1, {"path": str(path), "device": "cpu", **options})
    )


@pytest.fixture
def backend(model_path: Path) -> TransformersChatBackend:
    return build(model_path)  # the model itself is cached per process


def chat(content: str, **params: Any) -> Request:
    return Request(CHAT, {"messages": [{"role": "user", "content": content}], **params}, "c")


def complete(prompt: Any, **params: Any) -> Request:
    return Request(COMPLETIONS, {"prompt": prompt, **params}, "p")


async def one(backend: TransformersChatBackend, request: Request) -> Result:
    (result,) = await backend.run([request])
    return result


def text(result: Result, choice: int = 0) -> str:
    item = result.body["choices"][choice]
    return str(item["message"]["content"] if "message" in item else item["text"])


def tokenizer(path: Path) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(path, local_files_only=True)


async def test_chat_completion_has_openai_shape_and_template_token_usage(
    backend: TransformersChatBackend, model_path: Path
) -> None:
    messages = [
        {"role": "system", "content": "you write poems"},
        {"role": "user", "content": "a poem about the moon"},
    ]
    result = await one(
        backend, Request(CHAT, {"model": "tiny", "messages": messages, "max_tokens": 5}, "c")
    )

    assert result.status_code == 200 and result.request_id.startswith("req_")
    body = result.body
    assert body["id"].startswith("chatcmpl-") and body["object"] == "chat.completion"
    assert isinstance(body["created"], int) and body["model"] == "tiny"
    (choice,) = body["choices"]
    assert choice["index"] == 0 and choice["logprobs"] is None
    assert choice["message"]["role"] == "assistant" and isinstance(
        choice["message"]["content"], str
    )
    assert choice["finish_reason"] in ("stop", "length")
    words = tokenizer(model_path)
    prompt = words.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    prompt_tokens = len(words(prompt, add_special_tokens=False)["input_ids"])
    assert prompt.endswith("<|assistant|>")
    usage = body["usage"]
    assert usage["prompt_tokens"] == prompt_tokens
    assert 1 <= usage["completion_tokens"] <= 5
    assert usage["total_tokens"] == prompt_tokens + usage["completion_tokens"]


async def test_text_completion_has_openai_shape_and_prompt_usage(
    backend: TransformersChatBackend, model_path: Path
) -> None:
    result = await one(backend, complete("the quick brown fox", max_tokens=4, temperature=0))

    body = result.body
    assert body["id"].startswith("cmpl-") and body["object"] == "text_completion"
    assert body["model"] == "tiny"
    (choice,) = body["choices"]
    assert set(choice) == {"index", "text", "logprobs", "finish_reason"}
    assert body["usage"]["prompt_tokens"] == len(
        tokenizer(model_path)("the quick brown fox")["input_ids"]
    )


@pytest.mark.parametrize("architecture", ["llama", "gpt2"])
async def test_greedy_batch_decoding_matches_transformers_generate_alone(
    tmp_path: Path, architecture: str
) -> None:
    import torch
    from transformers import AutoModelForCausalLM

    path = build_tiny_causal_lm(tmp_path, architecture=architecture)
    words = tokenizer(path)
    model = AutoModelForCausalLM.from_pretrained(path, local_files_only=True)
    prompts = ["the quick brown fox", "red green", "please write a short poem about the"]
    batch = await build(path).run([complete(p, max_tokens=12, temperature=0) for p in prompts])
    for prompt, result in zip(prompts, batch, strict=True):
        ids = torch.tensor([words(prompt)["input_ids"]])
        out = model.generate(ids, max_new_tokens=12, do_sample=False, pad_token_id=0)
        assert text(result) == words.decode(out[0, ids.shape[1] :], skip_special_tokens=True)


async def test_a_batch_gives_each_request_the_same_greedy_text_as_alone(
    backend: TransformersChatBackend,
) -> None:
    prompts = ["hi", "the cat sits on the mat", "one two three", "a poem about rivers and the sea"]
    requests = [chat(p, max_tokens=10, temperature=0) for p in prompts]
    requests.append(complete("red green blue", max_tokens=10, temperature=0))

    together = await backend.run(requests)
    alone = [await one(backend, request) for request in requests]

    assert [text(r) for r in together] == [text(r) for r in alone]
    assert len({text(r) for r in together}) > 1, "the prompts should not all give one text"


async def test_small_batch_budgets_split_the_work_and_change_no_answer(
    backend: TransformersChatBackend, model_path: Path
) -> None:
    requests = [chat("word " * i, max_tokens=6, temperature=0, n=2) for i in range(1, 6)]
    tight = build(model_path, max_batch_size=3, max_batch_tokens=40)  # 2-3 rows a batch
    wide, narrow = await backend.run(requests), await tight.run(requests)
    assert [[text(r, i) for i in range(2)] for r in narrow] == [
        [text(r, i) for i in range(2)] for r in wide
    ]
    assert [r.body["usage"] for r in narrow] == [r.body["usage"] for r in wide]


async def test_max_tokens_ends_with_finish_reason_length(backend: TransformersChatBackend) -> None:
    for key in ("max_tokens", "max_completion_tokens"):
        result = await one(backend, chat("one two three", temperature=0, **{key: 3}))
        assert result.body["choices"][0]["finish_reason"] == "length"
        assert result.body["usage"]["completion_tokens"] == 3


async def test_the_end_of_sequence_token_stops_a_choice(
    backend: TransformersChatBackend, model_path: Path
) -> None:
    eos = tokenizer(model_path).eos_token_id
    result = await one(backend, chat("hi", max_tokens=9, logit_bias={str(eos): 100}))
    assert text(result) == ""
    assert result.body["choices"][0]["finish_reason"] == "stop"
    assert result.body["usage"]["completion_tokens"] == 1


async def test_stop_cuts_the_text_before_the_stop_string(backend: TransformersChatBackend) -> None:
    full = text(await one(backend, chat("rivers flow", max_tokens=16, temperature=0)))
    words = full.split()
    assert len(words) >= 6, full
    stop = words[4]
    expected = full[: full.find(stop)]

    for stops in (stop, ["never said", stop]):
        result = await one(backend, chat("rivers flow", max_tokens=16, temperature=0, stop=stops))
        assert text(result) == expected
        assert result.body["choices"][0]["finish_reason"] == "stop"
        assert result.body["usage"]["completion_tokens"] < 16


async def test_same_seed_same_text_and_another_seed_another(
    backend: TransformersChatBackend,
) -> None:
    params = {"max_tokens": 16, "temperature": 1.0}
    first = await one(backend, chat("hello world", seed=7, **params))
    again = await one(backend, chat("hello world", seed=7, **params))
    other = await one(backend, chat("hello world", seed=8, **params))

    assert text(first) == text(again)
    assert text(first) != text(other)


async def test_a_seeded_request_gives_the_same_text_in_any_batch(
    backend: TransformersChatBackend,
) -> None:
    seeded = chat("hello world", seed=42, max_tokens=12, temperature=0.9, top_p=0.95)
    alone = text(await one(backend, seeded))
    crowd = [
        chat("the quick brown fox jumps over the lazy dog", temperature=0, max_tokens=4),
        seeded,
        chat("one", temperature=1.5, max_tokens=20),
        complete("red green", seed=1, max_tokens=12),
    ]
    assert text((await backend.run(crowd))[1]) == alone


async def test_n_choices_are_indexed_and_counted(backend: TransformersChatBackend) -> None:
    result = await one(backend, chat("hello", n=3, seed=5, max_tokens=8, temperature=1.0))
    choices = result.body["choices"]
    assert [c["index"] for c in choices] == [0, 1, 2]
    assert len({text(result, i) for i in range(3)}) > 1
    usage = result.body["usage"]["completion_tokens"]
    if all(c["finish_reason"] == "length" for c in choices):
        assert usage == 3 * 8
    assert 3 <= usage <= 3 * 8


async def test_top_p_zero_keeps_only_the_most_likely_token(
    backend: TransformersChatBackend,
) -> None:
    greedy = text(await one(backend, chat("blue skies", max_tokens=10, temperature=0)))
    nucleus = await one(backend, chat("blue skies", max_tokens=10, temperature=2.0, top_p=0.0))
    assert text(nucleus) == greedy


async def test_logit_bias_and_penalties_steer_the_tokens(
    backend: TransformersChatBackend, model_path: Path
) -> None:
    moon = tokenizer(model_path).convert_tokens_to_ids("moon")
    biased = await one(
        backend, chat("hello", max_tokens=5, temperature=0, logit_bias={str(moon): 100})
    )
    assert text(biased) == "moon moon moon moon moon"
    penalised = await one(
        backend,
        chat("hello", max_tokens=5, temperature=0, logit_bias={str(moon): 3}, frequency_penalty=2),
    )
    assert text(penalised).split().count("moon") <= 2


async def test_completions_take_prompt_arrays_token_ids_and_echo(
    backend: TransformersChatBackend, model_path: Path
) -> None:
    ids = tokenizer(model_path)("red green")["input_ids"]
    result = await one(
        backend, complete(["red green", ids, "one two"], n=2, max_tokens=5, temperature=0)
    )
    texts = [text(result, i) for i in range(6)]
    assert [c["index"] for c in result.body["choices"]] == list(range(6))
    assert texts[0] == texts[1] == texts[2] == texts[3]  # greedy, same prompt as text or ids
    assert texts[4] == texts[5] != texts[0]

    echoed = await one(backend, complete("red green", echo=True, max_tokens=5, temperature=0))
    assert text(echoed) == "red green" + texts[0]


async def test_completions_default_to_16_tokens_as_openai(backend: TransformersChatBackend) -> None:
    no_eos = {"3": -100}  # </s>
    result = await one(backend, complete("one two", temperature=0, logit_bias=no_eos))
    assert result.body["usage"]["completion_tokens"] == 16
    assert result.body["choices"][0]["finish_reason"] == "length"


@pytest.mark.parametrize(
    ("request_", "param", "code"),
    [
        (chat("hi", stream=True), "stream", None),
        (chat("hi", logprobs=True), "logprobs", None),
        (chat("hi", tools=[{"type": "function"}]), "tools", None),
        (chat("hi", response_format={"type": "json_object"}), "response_format", None),
        (chat("hi", n=0), "n", None),
        (chat("hi", temperature=2.5), "temperature", None),
        (chat("hi", top_p="high"), "top_p", None),
        (chat("hi", stop=["a", "b", "c", "d", "e"]), "stop", None),
        (chat("hi", seed=1.5), "seed", None),
        (chat("hi", logit_bias={"99999": 5}), "logit_bias", None),
        (chat("hi", frobnicate=1), "frobnicate", "unknown_parameter"),
        (Request(CHAT, {"messages": []}, "c"), "messages", None),
        (
            Request(CHAT, {"messages": [{"role": "robot", "content": "x"}]}, "c"),
            "messages[0].role",
            "invalid_value",
        ),
        (
            Request(CHAT, {"messages": [{"rolez": "user", "contentz": "x"}]}, "c"),
            "messages[0].role",
            "missing_required_parameter",
        ),
        (
            Request(
                CHAT, {"messages": [{"role": "user", "content": [{"type": "image_url"}]}]}, "c"
            ),
            "messages[0].content",
            None,
        ),
        (chat("word " * CONTEXT), "messages", "context_length_exceeded"),
        (chat("hi", max_tokens=CONTEXT), "max_tokens", "context_length_exceeded"),
        (complete(None), "prompt", "missing_required_parameter"),
        (complete([[1, 2, 10**6]]), "prompt", None),
        (complete(["x"] * 2049), "prompt", None),
        (complete("x", best_of=3), "best_of", None),
        (complete("x", suffix="y"), "suffix", None),
        (complete("x", logprobs=2), "logprobs", None),
        (complete("x", messages=[]), "messages", "unknown_parameter"),
    ],
)
async def test_unsupported_or_bad_requests_are_400s(
    backend: TransformersChatBackend, request_: Request, param: str, code: str | None
) -> None:
    result = await one(backend, request_)
    assert result.status_code == 400 and not result.retryable
    assert result.body["error"]["type"] == "invalid_request_error"
    assert result.body["error"]["param"] == param
    assert result.body["error"]["code"] == code


async def test_a_bad_request_fails_alone_in_its_group(backend: TransformersChatBackend) -> None:
    results = await backend.run([chat("hi", max_tokens=2), chat("hi", n=-1), complete("x")])
    assert [r.status_code for r in results] == [200, 400, 200]


async def test_a_model_without_chat_template_serves_completions_only(
    bare_model_path: Path,
) -> None:
    backend = build(bare_model_path)
    no_chat, completion = await backend.run([chat("hi"), complete("hi", max_tokens=2)])
    assert no_chat.status_code == 400
    assert no_chat.body["error"]["code"] == "chat_template_missing"
    assert completion.status_code == 200


async def test_a_template_that_rejects_the_messages_is_a_400_quoting_it(
    tmp_path: Path,
) -> None:
    strict = (
        "{% if messages[0]['role'] != 'user' %}"
        "{{ raise_exception('Conversations must start with a user message') }}{% endif %}"
        + CHAT_TEMPLATE
    )
    backend = build(build_tiny_causal_lm(tmp_path, chat_template=strict))
    rejected, accepted = await backend.run(
        [
            Request(CHAT, {"messages": [{"role": "assistant", "content": "hi"}]}, "a"),
            chat("hi", max_tokens=2),
        ]
    )
    assert rejected.status_code == 400
    assert "Conversations must start with a user message" in rejected.body["error"]["message"]
    assert accepted.status_code == 200


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"path": "/nonexistent"},
        {"device": "tpu"},
        {"dtype": "int4"},
        {"max_batch_size": 0},
        {"temperature": 1},
    ],
)
def test_bad_options_are_config_errors(model_path: Path, options: dict[str, Any]) -> None:
    settings = {"path": str(model_path), **options} if options else {}
    with pytest.raises(ConfigError):
        TransformersChatBackend(ModelConfig("tiny", "transformers-chat", 1, settings))


def test_the_gate_gives_the_next_pass_to_a_waiting_interactive_generation() -> None:
    gate = PriorityGate()
    order: list[str] = []

    def run_pass(name: str, interactive: bool) -> None:
        with gate.generation(interactive), gate.forward_pass(interactive):
            order.append(name)

    with gate.forward_pass(interactive=False):  # a batch pass is running
        waiting = [threading.Thread(target=run_pass, args=("batch", False))]
        waiting[0].start()
        time.sleep(0.05)  # the batch pass queues first
        waiting.append(threading.Thread(target=run_pass, args=("interactive", True)))
        waiting[1].start()
        time.sleep(0.05)
    for thread in waiting:
        thread.join(timeout=5)
    assert order == ["interactive", "batch"]


async def test_an_interactive_call_finishes_before_batch_work_started_earlier(
    backend: TransformersChatBackend,
) -> None:
    batch = [chat(f"batch line {i}", max_tokens=100, temperature=0) for i in range(8)]
    interactive = chat("urgent", max_tokens=100, temperature=0)
    interactive.interactive = True
    finished: list[str] = []

    async def timed(name: str, requests: list[Request]) -> None:
        await backend.run(requests)
        finished.append(name)

    await one(backend, chat("warm up", max_tokens=1))
    batch_task = asyncio.create_task(timed("batch", batch))
    await asyncio.sleep(0.05)
    await timed("interactive", [interactive])
    await batch_task
    assert finished == ["interactive", "batch"]


async def test_each_request_is_handed_over_as_soon_as_its_rows_are_generated(
    model_path: Path,
) -> None:
    backend = build(model_path, max_batch_size=1)  # one row per generation
    requests = [chat(f"line {i}", max_tokens=4, temperature=0) for i in range(3)]
    requests.append(chat("bad", max_tokens=4, n=0))  # a 400, handed over at once
    seen: list[tuple[int, int, int]] = []  # (index, status, results handed over before)

    def on_result(index: int, result: Result) -> None:
        seen.append((index, result.status_code, len(seen)))

    results = await backend.run_each(requests, on_result)
    await asyncio.sleep(0)  # hand-overs are scheduled on the loop from the thread
    assert sorted(index for index, _, _ in seen) == [0, 1, 2, 3]
    assert seen[0][:2] == (3, 400)  # rejected before any generation
    assert [status for _, status, _ in seen[1:]] == [200, 200, 200]
    assert [r.status_code for r in results] == [200, 200, 200, 400]
    assert [text(r) for r in results[:3]] == [text(await one(backend, r)) for r in requests[:3]]
    await backend.aclose()


async def test_a_cancelled_call_stops_generating_and_drops_what_is_not_done(
    model_path: Path,
) -> None:
    """A stopping run cancels the call: the generation in progress ends before its next
    token (the threads are free at once), and no result arrives for the lines left."""
    backend = build(model_path, max_batch_size=1)
    requests = [chat(f"line {i}", max_tokens=100, temperature=0) for i in range(6)]
    arrived: list[int] = []
    first = asyncio.Event()

    def on_result(index: int, result: Result) -> None:
        arrived.append(index)
        first.set()

    call = asyncio.ensure_future(backend.run_each(requests, on_result))
    await first.wait()
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    await backend.aclose()  # joins the generation threads: they stopped mid-row
    await asyncio.sleep(0.05)
    assert 1 <= len(arrived) < len(requests)


def test_a_set_stop_ends_a_generation_before_its_next_token(model_path: Path) -> None:
    from batchyard.backends.local.chat import _load
    from batchyard.backends.local.generation import GenerationStopped, Sampling, generate

    lm = _load(str(model_path), "cpu", "auto", None)
    stop = threading.Event()
    stop.set()
    with pytest.raises(GenerationStopped):
        generate(lm, [[1, 2, 3]], [Sampling(max_new_tokens=50)], stop=stop)
