"""How many tokens a request will cost before it is sent, learned better from each answer.

Prompt tokens are counted with the model's real tokenizer where one ships
offline (bpe-openai: o200k_base, cl100k_base for OpenAI model names), else from
characters at a ratio. Either raw count is scaled by a factor learned from the
answers' `usage.prompt_tokens`, so the estimate converges on what the upstream
counts (chat framing, a different tokenizer). The completion part is
`max_completion_tokens`/`max_tokens`/`max_output_tokens` times `n`, or, when a
line sets none, the average completion seen so far.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

# Model-name prefixes of OpenAI's tokenizers; the longest match wins.
_ENCODINGS = {
    "gpt-4o": "o200k_base",
    "gpt-4.1": "o200k_base",
    "gpt-4.5": "o200k_base",
    "gpt-5": "o200k_base",
    "chatgpt-4o": "o200k_base",
    "o1": "o200k_base",
    "o3": "o200k_base",
    "o4": "o200k_base",
    "gpt-oss": "o200k_base",
    "gpt-4": "cl100k_base",
    "gpt-3.5": "cl100k_base",
    "text-embedding-": "cl100k_base",
}
CHARS_PER_TOKEN = 4.0  # the usual English average, until answers say otherwise
MESSAGE_OVERHEAD = 3  # tokens OpenAI adds per chat message (role, separators)
REPLY_PRIMING = 3
DEFAULT_COMPLETION = 64.0  # reserved per choice when a line sets no max_tokens, at first
LEARNING_RATE = 0.2


def encoding_name(model: str) -> str | None:
    """The tokenizer of an OpenAI model name, or None for names it cannot know."""
    name = model.lower().rsplit("/", 1)[-1]
    matches = [prefix for prefix in _ENCODINGS if name.startswith(prefix)]
    return _ENCODINGS[max(matches, key=len)] if matches else None


def _load_counter(encoding: str) -> Callable[[str], int] | None:
    try:
        import bpe_openai
    except ImportError:
        return None
    try:
        encoder = bpe_openai.get_encoding(encoding)
    except Exception:  # an encoding this build lacks: fall back to characters
        log.warning("tokenizer %s is unavailable; estimating from characters", encoding)
        return None

    def count(text: str) -> int:
        return len(encoder.encode_ordinary(text))

    return count


@dataclass(frozen=True, slots=True)
class TokenEstimate:
    """The tokens a request is expected to cost: what the pacer reserves."""

    raw_prompt: float  # tokenizer tokens, or characters: what `scale` multiplies
    prompt: int
    completion: int

    @property
    def total(self) -> int:
        return self.prompt + self.completion


class TokenEstimator:
    """Estimates for one model; learns its scale and completion size from `usage`."""

    def __init__(self, model: str) -> None:
        encoding = encoding_name(model)
        self._count = _load_counter(encoding) if encoding else None
        self.tokenizer = encoding if self._count else None
        self.scale = 1.0 if self._count else 1.0 / CHARS_PER_TOKEN
        self.completion_per_choice = DEFAULT_COMPLETION

    def estimate(self, endpoint: str, body: dict[str, Any]) -> TokenEstimate:
        raw, framing = self._raw_prompt(endpoint, body)
        prompt = max(1, round(raw * self.scale) + framing)
        if endpoint.endswith(("/embeddings", "/moderations")):
            return TokenEstimate(raw, prompt, 0)
        choices = _choices(body)
        cap = next(
            (
                body[key]
                for key in ("max_completion_tokens", "max_tokens", "max_output_tokens")
                if isinstance(body.get(key), int) and body[key] > 0
            ),
            None,
        )
        per_choice = cap if cap is not None else round(self.completion_per_choice)
        return TokenEstimate(raw, prompt, per_choice * choices)

    def learn(self, estimate: TokenEstimate, body: dict[str, Any], usage: dict[str, Any]) -> None:
        """Move the scale and the completion average toward what the upstream counted."""
        prompt = usage.get("prompt_tokens", usage.get("input_tokens"))
        if isinstance(prompt, int) and prompt > 0 and estimate.raw_prompt > 0:
            framing = estimate.prompt - round(estimate.raw_prompt * self.scale)
            observed = min(max(max(prompt - framing, 1) / estimate.raw_prompt, 0.02), 10.0)
            self.scale += LEARNING_RATE * (observed - self.scale)
        completion = usage.get("completion_tokens", usage.get("output_tokens"))
        if isinstance(completion, int) and completion >= 0:
            per_choice = completion / _choices(body)
            self.completion_per_choice += LEARNING_RATE * (per_choice - self.completion_per_choice)

    def _raw_prompt(self, endpoint: str, body: dict[str, Any]) -> tuple[float, int]:
        """(raw units of the prompt's text, framing tokens added around it)."""
        if "messages" in body and isinstance(body["messages"], list):
            texts = [_text(message) for message in body["messages"]]
            framing = MESSAGE_OVERHEAD * len(texts) + REPLY_PRIMING
            return sum(self._units(text) for text in texts), framing
        units = 0.0
        for key in ("instructions", "input", "prompt"):
            value = body.get(key)
            if isinstance(value, list) and _is_token_ids(value):
                # Pre-tokenized input (embeddings, completions): exact, needs no scaling.
                return 0.0, _token_id_count(value)
            units += self._units(_text(value))
        return units, 0

    def _units(self, text: str) -> float:
        if not text:
            return 0.0
        return float(self._count(text)) if self._count else float(len(text))


def _choices(body: dict[str, Any]) -> int:
    n = body.get("n")
    return n if isinstance(n, int) and n > 0 else 1


def _text(value: Any) -> str:
    """All the text in a message, a content-part list or an input item, joined."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(_text(item) for item in value)
    if isinstance(value, dict):
        parts = [value.get(key) for key in ("content", "text", "input_text", "name", "arguments")]
        calls = value.get("tool_calls")
        if isinstance(calls, list):
            parts.extend(_text(call.get("function")) for call in calls if isinstance(call, dict))
        return "\n".join(_text(part) for part in parts if part)
    return ""


def _is_token_ids(value: list[Any]) -> bool:
    return bool(value) and (
        all(isinstance(item, int) for item in value)
        or all(isinstance(item, list) and all(isinstance(i, int) for i in item) for item in value)
    )


def _token_id_count(value: list[Any]) -> int:
    return sum(len(item) if isinstance(item, list) else 1 for item in value)
