"""Batched generation with a Hugging Face causal LM: the decoding loop of `transformers-chat`.

`model.generate` takes one temperature, one top_p and one random stream per
call. Here every row carries its own settings and its own seeded generator,
so greedy and sampled requests share forward passes and a seeded request
gives the same text whatever else is in its batch. Rows are left padded;
finished rows leave the batch (and its KV cache) so the rest run faster.

Forward passes go through a `PriorityGate`: a generation for an interactive
call takes the next pass, and batch generations wait while one is running.
Only this module imports torch, and only inside functions.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Sampling:
    """How one row is decoded: OpenAI's request parameters, checked and resolved."""

    max_new_tokens: int
    temperature: float = 1.0  # 0: greedy
    top_p: float = 1.0
    seed: int | None = None
    stop: tuple[str, ...] = ()
    presence_penalty: float = 0.0
    frequency_penalty: float = 0.0
    logit_bias: tuple[tuple[int, float], ...] = ()

    @property
    def greedy(self) -> bool:
        return self.temperature == 0.0


@dataclass(slots=True)
class Completion:
    """What one row produced: its text, the tokens it generated, and why it ended."""

    text: str
    tokens: int
    finish_reason: str  # "stop" (EOS or a stop string) or "length"


@dataclass(frozen=True, slots=True)
class LanguageModel:
    """A loaded model, its tokenizer, and the facts requests are checked against."""

    model: Any  # transformers.PreTrainedModel
    tokenizer: Any  # transformers.PreTrainedTokenizerBase
    device: Any  # torch.device
    context_length: int
    eos_ids: frozenset[int]
    pad_id: int
    forward_inputs: frozenset[str]  # the model's forward() parameters (they differ by version)
    gate: PriorityGate = field(default_factory=lambda: PriorityGate())


class PriorityGate:
    """Serialises forward passes on one model; interactive generations go first.

    A batch generation takes a pass only while no interactive generation is in
    progress, so a caller who is waiting gets the model after at most one batch
    pass and then keeps it until done.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._busy = False
        self._interactive = 0

    @contextmanager
    def generation(self, interactive: bool) -> Iterator[None]:
        """Held for a whole generation; an interactive one holds batch work back."""
        if not interactive:
            yield
            return
        with self._condition:
            self._interactive += 1
        try:
            yield
        finally:
            with self._condition:
                self._interactive -= 1
                self._condition.notify_all()

    @contextmanager
    def forward_pass(self, interactive: bool) -> Iterator[None]:
        with self._condition:
            while self._busy or (not interactive and self._interactive):
                self._condition.wait()
            self._busy = True
        try:
            yield
        finally:
            with self._condition:
                self._busy = False
                self._condition.notify_all()


class GenerationStopped(Exception):
    """The caller gave up on a generation (a stopping run): nothing of it is kept."""


def generate(
    lm: LanguageModel,
    prompts: Sequence[list[int]],
    samplings: Sequence[Sampling],
    *,
    interactive: bool = False,
    stop: threading.Event | None = None,
) -> list[Completion]:
    """Complete every prompt (token ids) in one batch; runs in a worker thread.

    Once `stop` is set, it raises `GenerationStopped` before its next token, so a
    stopping run waits for one forward pass, not for a whole group's tokens.
    """
    import torch

    with lm.gate.generation(interactive), torch.inference_mode():
        return _Batch(lm, prompts, samplings, interactive, stop).run()


class _Batch:
    """The state of one batched decode: which rows are live, their tokens, caches and RNGs."""

    def __init__(
        self,
        lm: LanguageModel,
        prompts: Sequence[list[int]],
        samplings: Sequence[Sampling],
        interactive: bool,
        stop: threading.Event | None,
    ) -> None:
        import torch

        self.lm, self.samplings, self.interactive = lm, list(samplings), interactive
        self.stop = stop
        size, width = len(prompts), max(len(p) for p in prompts)
        ids = torch.full((size, width), lm.pad_id, dtype=torch.long)
        mask = torch.zeros((size, width), dtype=torch.long)
        for row, prompt in enumerate(prompts):
            ids[row, width - len(prompt) :] = torch.tensor(prompt, dtype=torch.long)
            mask[row, width - len(prompt) :] = 1
        self.input_ids, self.mask = ids.to(lm.device), mask.to(lm.device)
        self.live = list(range(size))  # original row of each row still in the batch
        self.generated: list[list[int]] = [[] for _ in prompts]
        self.done: list[Completion | None] = [None] * size
        self.generators = [_generator(s, lm.device) for s in samplings]
        self.penalised = any(s.presence_penalty or s.frequency_penalty for s in samplings)
        self.biases = self._bias_rows() if any(s.logit_bias for s in samplings) else None
        self.counts = (
            torch.zeros((size, self._vocab()), device=lm.device) if self.penalised else None
        )

    def run(self) -> list[Completion]:
        past = None
        for _ in range(max(s.max_new_tokens for s in self.samplings)):
            if self.stop is not None and self.stop.is_set():
                raise GenerationStopped
            positions = (self.mask.cumsum(-1) - 1).clamp(min=0)
            if past is not None:
                positions = positions[:, -1:]
            with self.lm.gate.forward_pass(self.interactive):
                out = self.lm.model(
                    input_ids=self.input_ids,
                    attention_mask=self.mask,
                    position_ids=positions,
                    use_cache=True,
                    **self._extra_inputs(past),
                )
            past = out.cache if hasattr(out, "cache") else out.past_key_values
            tokens = self._choose(out.logits[:, -1, :].float())
            keep = [index for index, token in enumerate(tokens) if self._advance(index, token)]
            if not keep:
                break
            self._next_step(tokens, keep, past)
        return [item or self._finish(row, "length") for row, item in enumerate(self.done)]

    def _extra_inputs(self, past: Any) -> dict[str, Any]:
        """The KV cache under the name this transformers version uses; last-position logits only."""
        names = self.lm.forward_inputs
        extra: dict[str, Any] = {"logits_to_keep": 1} if "logits_to_keep" in names else {}
        if past is not None:
            extra["cache" if "cache" in names else "past_key_values"] = past
        return extra

    def _choose(self, logits: Any) -> list[int]:
        """One token per live row: argmax for greedy rows, a seeded draw for the others."""
        import torch

        if self.biases is not None:
            logits = logits + self.biases[self.live]
        if self.counts is not None:
            counts = self.counts[self.live]
            frequency = torch.tensor(
                [self.samplings[r].frequency_penalty for r in self.live], device=logits.device
            )
            presence = torch.tensor(
                [self.samplings[r].presence_penalty for r in self.live], device=logits.device
            )
            logits = logits - counts * frequency[:, None] - (counts > 0) * presence[:, None]
        chosen = logits.argmax(-1)
        for index, row in enumerate(self.live):
            sampling = self.samplings[row]
            if not sampling.greedy:
                chosen[index] = _sample(logits[index], sampling, self.generators[row])
        result: list[int] = chosen.tolist()
        return result

    def _advance(self, index: int, token: int) -> bool:
        """Record a live row's new token; False once the row is finished."""
        row = self.live[index]
        sampling = self.samplings[row]
        generated = self.generated[row]
        generated.append(token)
        if self.counts is not None:
            self.counts[row, token] += 1
        if token in self.lm.eos_ids:
            self.done[row] = self._finish(row, "stop", drop_last=True)
            return False
        if sampling.stop:
            text = self.lm.tokenizer.decode(generated, skip_special_tokens=True)
            cut = min((text.find(s) for s in sampling.stop if s in text), default=-1)
            if cut >= 0:
                self.done[row] = Completion(text[:cut], len(generated), "stop")
                return False
        if len(generated) >= sampling.max_new_tokens:
            self.done[row] = self._finish(row, "length")
            return False
        return True

    def _finish(self, row: int, reason: str, *, drop_last: bool = False) -> Completion:
        generated = self.generated[row]
        kept = generated[:-1] if drop_last else generated
        text = self.lm.tokenizer.decode(kept, skip_special_tokens=True)
        return Completion(text, len(generated), reason)

    def _next_step(self, tokens: list[int], keep: list[int], past: Any) -> None:
        """Feed the new tokens back; drop finished rows from the batch and its cache."""
        import torch

        device = self.lm.device
        if len(keep) < len(self.live):
            past.batch_select_indices(torch.tensor(keep, device=device))
            self.mask = self.mask[keep]
            self.live = [self.live[index] for index in keep]
        self.input_ids = torch.tensor([[tokens[index]] for index in keep], device=device)
        self.mask = torch.cat(
            [self.mask, torch.ones((len(keep), 1), dtype=self.mask.dtype, device=device)], dim=1
        )

    def _vocab(self) -> int:
        return int(self.lm.model.get_output_embeddings().weight.shape[0])

    def _bias_rows(self) -> Any:
        import torch

        biases = torch.zeros((len(self.samplings), self._vocab()), device=self.lm.device)
        for row, sampling in enumerate(self.samplings):
            for token, bias in sampling.logit_bias:
                biases[row, token] = bias
        return biases


def _generator(sampling: Sampling, device: Any) -> Any:
    """A private random stream per sampled row: the same seed draws the same tokens."""
    if sampling.greedy:
        return None
    import torch

    generator = torch.Generator(device=device)
    seed = sampling.seed if sampling.seed is not None else secrets.randbits(63)
    generator.manual_seed(seed % 2**64)
    return generator


def _sample(logits: Any, sampling: Sampling, generator: Any) -> Any:
    """Draw one token from softmax(logits / temperature), restricted to the top_p nucleus."""
    import torch

    probs = torch.softmax(logits / sampling.temperature, dim=-1)
    if sampling.top_p < 1.0:
        sorted_probs, order = torch.sort(probs, descending=True)
        outside = sorted_probs.cumsum(-1) - sorted_probs >= sampling.top_p  # mass ranked above
        outside[0] = False  # the most likely token always stays, even for top_p = 0
        sorted_probs[outside] = 0.0
        probs = torch.zeros_like(probs).scatter_(0, order, sorted_probs)
    return torch.multinomial(probs, 1, generator=generator)[0]
