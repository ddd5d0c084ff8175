"""A tiny randomly initialised Llama with a word-level tokenizer and a chat template.

Built in a temp folder from nothing (no downloads), for the `transformers-chat`
tests: every word is one token, so decoded text is the words joined by spaces
and a stop string taken from one output is easy to reason about.
"""

from __future__ import annotations

from pathlib import Path

SENTENCES = [
    "the quick brown fox jumps over the lazy dog",
    "a cat sits on the mat and sleeps all day long",
    "batch jobs run all night on one small machine",
    "hello world from a tiny model that knows few words",
    "red green blue yellow purple orange black white",
    "one two three four five six seven eight nine ten",
    "rivers flow to the sea under grey winter skies",
    "please write a short poem about the moon and stars",
]
CHAT_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|> {{ m['content'] }} "
    "{{ eos_token }} {% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}"
)
SPECIAL = ["<pad>", "<unk>", "<s>", "</s>", "<|system|>", "<|user|>", "<|assistant|>", "<|tool|>"]
CONTEXT = 128


def build_tiny_causal_lm(
    folder: Path,
    *,
    chat_template: str | None = CHAT_TEMPLATE,
    architecture: str = "llama",
    hidden: int = 32,
    layers: int = 2,
) -> Path:
    """Save a tokenizer and a small Llama or GPT-2 (seeded weights) into `folder`.

    The default 2 layers of width 32 suit tests; bench/transformers_chat.py asks
    for a model big enough for the forward pass, not Python, to dominate.
    """
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import (
        GPT2Config,
        GPT2LMHeadModel,
        LlamaConfig,
        LlamaForCausalLM,
        PreTrainedTokenizerFast,
    )

    words = Tokenizer(models.WordLevel(unk_token="<unk>"))
    words.pre_tokenizer = pre_tokenizers.Whitespace()
    words.decoder = decoders.WordPiece(prefix="##")  # joins the words with spaces
    words.train_from_iterator(SENTENCES, trainers.WordLevelTrainer(special_tokens=SPECIAL))
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=words,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
        chat_template=chat_template,
    )
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    special = {
        "bos_token_id": tokenizer.bos_token_id,
        "eos_token_id": tokenizer.eos_token_id,
        "pad_token_id": tokenizer.pad_token_id,
    }
    # A wide initializer gives logits far from uniform, so outputs differ by prompt.
    if architecture == "gpt2":
        gpt2 = GPT2Config(
            vocab_size=len(tokenizer),
            n_embd=hidden,
            n_layer=layers,
            n_head=4,
            n_positions=CONTEXT,
            initializer_range=0.5,
            **special,
        )
        GPT2LMHeadModel(gpt2).save_pretrained(folder)
        return folder
    llama = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        intermediate_size=2 * hidden,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=CONTEXT,
        initializer_range=0.5,
        **special,
    )
    LlamaForCausalLM(llama).save_pretrained(folder)
    return folder
