"""The request parameters `transformers-chat` reads, checked as OpenAI checks them.

A request becomes a `Job`: its prompts as token ids, how many choices each
gets, and how each choice is decoded. Parameters that change the output and
cannot be honoured here (tools, JSON mode, logprobs, streaming, ...) are 400s
rather than silently ignored; parameters that only label or route a request
(`user`, `metadata`, `store`, ...) are ignored; any other key is a 400, as at
OpenAI ("Unrecognized request argument").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from batchyard import body_rules
from batchyard.backends.local.generation import LanguageModel, Sampling
from batchyard.body_rules import flag as _flag
from batchyard.body_rules import integer as _integer
from batchyard.body_rules import is_number as _is_number
from batchyard.body_rules import number as _number
from batchyard.endpoints import CHAT, COMPLETIONS
from batchyard.errors import BadRequest

_MAX_N = body_rules.MAX_N
_MAX_PROMPTS = 2048
_COMPLETIONS_DEFAULT_MAX_TOKENS = 16  # as OpenAI's legacy completions endpoint

_COMMON = frozenset(
    {
        "model",
        "max_tokens",
        "temperature",
        "top_p",
        "n",
        "seed",
        "stop",
        "presence_penalty",
        "frequency_penalty",
        "logit_bias",
        "logprobs",
        "stream",
        "stream_options",
        "user",
    }
)
_KNOWN = {
    CHAT: _COMMON
    | {
        "messages",
        "max_completion_tokens",
        "top_logprobs",
        "metadata",
        "store",
        "service_tier",
        "parallel_tool_calls",
        "reasoning_effort",
        "verbosity",
        "prompt_cache_key",
        "safety_identifier",
        "tools",
        "tool_choice",
        "functions",
        "function_call",
        "response_format",
        "modalities",
        "audio",
        "prediction",
        "web_search_options",
    },
    COMPLETIONS: _COMMON | {"prompt", "echo", "suffix", "best_of"},
}


@dataclass(frozen=True, slots=True)
class Job:
    """One request as rows to generate: each prompt `n` times, prompt-major."""

    prompts: list[list[int]]
    n: int
    samplings: list[Sampling]  # one per row: len(prompts) * n
    echoes: list[str]  # text put before each prompt's completions ("" unless echo)

    @property
    def rows(self) -> list[list[int]]:
        return [prompt for prompt in self.prompts for _ in range(self.n)]


def parse(endpoint: str, body: dict[str, Any], lm: LanguageModel, default_max_tokens: int) -> Job:
    """The request's rows, or `BadRequest` naming the first problem found."""
    unknown = sorted(set(body) - _KNOWN[endpoint])
    if unknown:
        raise BadRequest(
            f"Unrecognized request argument supplied: {unknown[0]}",
            param=unknown[0],
            code="unknown_parameter",
        )
    _refuse_unsupported(endpoint, body)
    body_rules.check(endpoint, body)  # OpenAI's own rules, as the mock applies them
    if endpoint == CHAT:
        prompts = [chat_prompt(body, lm.tokenizer)]
        echoes = [""]
        max_tokens = _integer(body, "max_completion_tokens", 1) or _integer(body, "max_tokens", 1)
        default = default_max_tokens
    else:
        prompts, texts = completion_prompts(body, lm)
        echoes = texts if _flag(body, "echo") else [""] * len(prompts)
        max_tokens = _integer(body, "max_tokens", 1)
        default = _COMPLETIONS_DEFAULT_MAX_TOKENS
    n = _integer(body, "n", 1, _MAX_N) or 1
    best_of = _integer(body, "best_of", 1, _MAX_N)
    if best_of is not None and best_of != n:
        raise BadRequest(
            "'best_of' other than 'n' is not supported by this model.", param="best_of"
        )
    limits = [
        _new_tokens(len(prompt), max_tokens, default, lm.context_length) for prompt in prompts
    ]
    base = _sampling(body, lm)
    seed = base.seed
    samplings = [
        replace(
            base,
            max_new_tokens=limit,
            seed=None if seed is None else _choice_seed(seed, choice),
        )
        for limit in limits
        for choice in range(n)
    ]
    return Job(prompts, n, samplings, echoes)


def chat_prompt(body: dict[str, Any], tokenizer: Any) -> list[int]:
    """The messages through the model's chat template, ending with the assistant's turn."""
    messages = body_rules.messages(body)
    if getattr(tokenizer, "chat_template", None) is None:
        raise BadRequest(
            "This model has no chat template; use /v1/completions with a prompt instead.",
            param="messages",
            code="chat_template_missing",
        )
    turns = [_turn(message, index) for index, message in enumerate(messages)]
    try:
        text = tokenizer.apply_chat_template(turns, add_generation_prompt=True, tokenize=False)
    except Exception as exc:  # the template's own raise_exception(...), or a Jinja error
        raise BadRequest(
            f"The model's chat template rejected the messages: {exc}", param="messages"
        ) from None
    ids: list[int] = tokenizer(text, add_special_tokens=False)["input_ids"]
    return ids


def completion_prompts(
    body: dict[str, Any], lm: LanguageModel
) -> tuple[list[list[int]], list[str]]:
    """Each prompt's token ids and text: a string, strings, token ids, or arrays of them."""
    prompt = body.get("prompt")
    if isinstance(prompt, str) or (
        isinstance(prompt, list) and prompt and all(isinstance(p, int) for p in prompt)
    ):
        prompt = [prompt]
    if not isinstance(prompt, list) or not prompt:
        raise BadRequest(
            "'prompt' must be a string, an array of strings, or token ids.", param="prompt"
        )
    if len(prompt) > _MAX_PROMPTS:
        raise BadRequest(f"'prompt' may hold at most {_MAX_PROMPTS} prompts.", param="prompt")
    ids, texts = [], []
    vocabulary = len(lm.tokenizer)
    for item in prompt:
        if isinstance(item, str):
            ids.append(list(lm.tokenizer(item, add_special_tokens=True)["input_ids"]))
            texts.append(item)
        elif (
            isinstance(item, list)
            and item
            and all(isinstance(t, int) and not isinstance(t, bool) for t in item)
        ):
            if not all(0 <= t < vocabulary for t in item):
                raise BadRequest(f"Token ids must lie in [0, {vocabulary}).", param="prompt")
            ids.append(list(item))
            texts.append(lm.tokenizer.decode(item))
        else:
            raise BadRequest(
                "'prompt' must be a string, an array of strings, or token ids.", param="prompt"
            )
    if not all(ids):
        raise BadRequest("'prompt' must not be empty for this model.", param="prompt")
    return ids, texts


def _turn(message: Any, index: int) -> dict[str, str]:
    """A message (checked by `body_rules.messages`) as chat templates expect it: a role and
    plain-text content."""
    where = f"messages[{index}]"
    content = message.get("content")
    if content is None and message["role"] == "assistant":
        content = ""
    if isinstance(content, list):
        if not all(isinstance(p, dict) and p.get("type") == "text" for p in content):
            raise BadRequest(
                f"'{where}.content': this model reads text parts only.", param=f"{where}.content"
            )
        content = "".join(str(part.get("text", "")) for part in content)
    if not isinstance(content, str):
        raise BadRequest(
            f"'{where}.content' must be a string or text parts.", param=f"{where}.content"
        )
    role = "system" if message["role"] == "developer" else message["role"]
    return {"role": role, "content": content}


def _refuse_unsupported(endpoint: str, body: dict[str, Any]) -> None:
    """400 for parameters that would change the answer in ways this backend cannot."""
    if body.get("stream"):
        raise BadRequest("Streaming is not supported by this model.", param="stream")
    if body.get("logprobs") not in (None, False):
        raise BadRequest("'logprobs' is not supported by this model.", param="logprobs")
    if body.get("top_logprobs") not in (None, 0):
        raise BadRequest("'top_logprobs' is not supported by this model.", param="top_logprobs")
    for key in ("tools", "functions"):
        if body.get(key):
            raise BadRequest(f"'{key}' (tool calling) is not supported by this model.", param=key)
    if body.get("tool_choice") not in (None, "none", "auto") or body.get("function_call"):
        raise BadRequest("Tool calling is not supported by this model.", param="tool_choice")
    response_format = body.get("response_format")
    if response_format is not None and response_format != {"type": "text"}:
        raise BadRequest(
            "Only response_format {'type': 'text'} is supported by this model.",
            param="response_format",
        )
    if body.get("modalities") not in (None, ["text"]) or body.get("audio") is not None:
        raise BadRequest("This model writes text only.", param="modalities")
    for key in ("prediction", "web_search_options", "suffix"):
        if body.get(key) is not None:
            raise BadRequest(f"'{key}' is not supported by this model.", param=key)


def _sampling(body: dict[str, Any], lm: LanguageModel) -> Sampling:
    """The decoding settings every choice of the request shares (limits and seeds come later)."""
    stop = body_rules.stops(body)
    seed = _integer(body, "seed", -(2**63), 2**64 - 1)
    return Sampling(
        max_new_tokens=1,
        temperature=_number(body, "temperature", 0.0, 2.0, 1.0),
        top_p=_number(body, "top_p", 0.0, 1.0, 1.0),
        seed=seed,
        stop=tuple(s for s in stop if s),
        presence_penalty=_number(body, "presence_penalty", -2.0, 2.0, 0.0),
        frequency_penalty=_number(body, "frequency_penalty", -2.0, 2.0, 0.0),
        logit_bias=_logit_bias(body, len(lm.tokenizer)),
    )


def _choice_seed(seed: int, choice: int) -> int:
    """Choice 0 uses the seed itself; further choices get well-spread streams of their own."""
    return (seed + choice * 0x9E3779B97F4A7C15) % 2**64


def _new_tokens(prompt_tokens: int, max_tokens: int | None, default: int, context: int) -> int:
    """How many tokens a choice may generate; a 400 when the context cannot hold them."""
    room = context - prompt_tokens
    if max_tokens is None and room >= 1:
        return min(default, room)
    if max_tokens is not None and max_tokens <= room:
        return max_tokens
    asked = (
        f"you requested {prompt_tokens + max_tokens} tokens ({prompt_tokens} in the prompt, "
        f"{max_tokens} in the completion)"
        if max_tokens is not None
        else f"your prompt is {prompt_tokens} tokens, which leaves no room for a completion"
    )
    raise BadRequest(
        f"This model's maximum context length is {context} tokens. However, {asked}. "
        "Please reduce the length of the prompt or of the completion.",
        param="messages" if max_tokens is None else "max_tokens",
        code="context_length_exceeded",
    )


def _logit_bias(body: dict[str, Any], vocabulary: int) -> tuple[tuple[int, float], ...]:
    bias = body.get("logit_bias")
    if bias is None:
        return ()
    message = f"'logit_bias' maps token ids in [0, {vocabulary}) to numbers in [-100, 100]."
    if not isinstance(bias, dict):
        raise BadRequest(message, param="logit_bias")
    pairs = []
    for key, value in bias.items():
        token = int(key) if isinstance(key, str) and key.isdigit() else -1
        if not 0 <= token < vocabulary or not _is_number(value) or not -100 <= value <= 100:
            raise BadRequest(message, param="logit_bias")
        pairs.append((token, float(value)))
    return tuple(pairs)
