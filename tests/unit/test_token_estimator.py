"""Token estimates before sending: real tokenizer counts, calibrated ratios, completion budgets."""

from __future__ import annotations

from typing import Any

import pytest

from batchyard.backends.pacing.tokens import (
    CHARS_PER_TOKEN,
    MESSAGE_OVERHEAD,
    REPLY_PRIMING,
    TokenEstimator,
    encoding_name,
)

PROMPT = "Summarize the plot of Hamlet in two sentences."  # o200k: 11 tokens, cl100k: 12
FRAMING = MESSAGE_OVERHEAD + REPLY_PRIMING


def chat(content: str = PROMPT, **extra: Any) -> dict[str, Any]:
    return {"model": "m", "messages": [{"role": "user", "content": content}], **extra}


@pytest.mark.parametrize(
    ("model", "encoding"),
    [
        ("gpt-4o-mini", "o200k_base"),
        ("gpt-4.1-nano", "o200k_base"),
        ("o3-mini", "o200k_base"),
        ("openai/gpt-5", "o200k_base"),
        ("gpt-4-turbo", "cl100k_base"),
        ("gpt-3.5-turbo", "cl100k_base"),
        ("text-embedding-3-small", "cl100k_base"),
        ("llama3", None),
    ],
)
def test_model_names_map_to_their_tokenizer(model: str, encoding: str | None) -> None:
    assert encoding_name(model) == encoding


def test_chat_prompt_is_counted_with_the_models_real_tokenizer() -> None:
    assert TokenEstimator("gpt-4o-mini").estimate("/v1/chat/completions", chat()).prompt == (
        11 + FRAMING
    )
    assert TokenEstimator("gpt-4").estimate("/v1/chat/completions", chat()).prompt == 12 + FRAMING


def test_completion_budget_is_max_tokens_times_n() -> None:
    estimator = TokenEstimator("gpt-4o-mini")
    endpoint = "/v1/chat/completions"
    assert estimator.estimate(endpoint, chat(max_tokens=100)).completion == 100
    assert estimator.estimate(endpoint, chat(max_completion_tokens=50, n=3)).completion == 150
    assert estimator.estimate(
        "/v1/responses", {"input": PROMPT, "max_output_tokens": 40}
    ).total == (11 + 40)


def test_embeddings_count_their_input_only() -> None:
    estimator = TokenEstimator("text-embedding-3-small")
    estimate = estimator.estimate("/v1/embeddings", {"input": [PROMPT, "hello"], "model": "e"})
    assert (estimate.prompt, estimate.completion) == (12 + 1, 0)
    ids = estimator.estimate("/v1/embeddings", {"input": [[1, 2, 3], [4, 5]], "model": "e"})
    assert ids.total == 5


def test_unknown_models_use_characters_then_learn_the_upstreams_ratio() -> None:
    estimator = TokenEstimator("llama3")
    assert estimator.tokenizer is None
    text = "word " * 400  # 2,000 characters
    body = chat(text, max_tokens=10)
    first = estimator.estimate("/v1/chat/completions", body)
    assert first.prompt == round(len(text) / CHARS_PER_TOKEN) + FRAMING
    truth = 400 + FRAMING  # this upstream counts a token per word
    for _ in range(30):
        estimate = estimator.estimate("/v1/chat/completions", body)
        estimator.learn(estimate, body, {"prompt_tokens": truth, "completion_tokens": 10})
    assert estimator.estimate("/v1/chat/completions", body).prompt == pytest.approx(truth, rel=0.02)


def test_lines_without_max_tokens_reserve_the_completion_size_seen_so_far() -> None:
    estimator = TokenEstimator("gpt-4o-mini")
    body = chat()
    for _ in range(40):
        estimate = estimator.estimate("/v1/chat/completions", body)
        estimator.learn(estimate, body, {"prompt_tokens": 17, "completion_tokens": 300})
    assert estimator.estimate("/v1/chat/completions", body).completion == pytest.approx(
        300, rel=0.02
    )
