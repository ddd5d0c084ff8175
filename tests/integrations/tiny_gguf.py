"""A tiny random Llama written as GGUF with the `gguf` package, for llama.cpp's server.

Nothing is downloaded: the weights are seeded random numbers (2 layers, 64 wide),
the vocabulary is SentencePiece-style (control tokens, 256 byte tokens, a few
words) and the chat template is a plain Jinja one, so `/v1/chat/completions`
works. Its answers are gibberish, but deterministic for a prompt at temperature 0.
Run by the llamacpp env's Python: `python tiny_gguf.py OUT.gguf`.
"""

from __future__ import annotations

import sys

import gguf
import numpy as np

EMBD, LAYERS, HEADS, FF, CONTEXT = 64, 2, 4, 128, 1024
WORDS = ["▁", "▁the", "▁a", "▁batch", "▁yard", "▁of", "▁and", "▁to", "▁is", "▁q", "▁hello"]
TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)


def vocabulary() -> tuple[list[str], list[float], list[int]]:
    T = gguf.TokenType
    tokens = ["<unk>", "<s>", "</s>"]
    types = [T.UNKNOWN, T.CONTROL, T.CONTROL]
    tokens += [f"<0x{b:02X}>" for b in range(256)]
    types += [T.BYTE] * 256
    tokens += WORDS
    types += [T.NORMAL] * len(WORDS)
    scores = [0.0] * (3 + 256) + [-float(i) for i in range(len(WORDS))]
    return tokens, scores, [int(t) for t in types]


def write(path: str, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    tokens, scores, types = vocabulary()
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name("batchyard-tiny-llama")
    writer.add_context_length(CONTEXT)
    writer.add_embedding_length(EMBD)
    writer.add_block_count(LAYERS)
    writer.add_feed_forward_length(FF)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(HEADS)
    writer.add_rope_dimension_count(EMBD // HEADS)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)
    writer.add_add_bos_token(True)
    writer.add_chat_template(TEMPLATE)

    def tensor(name: str, *shape: int) -> None:
        data = rng.standard_normal(shape, dtype=np.float32) * (0.5 if len(shape) > 1 else 0.0)
        writer.add_tensor(name, data + (1.0 if len(shape) == 1 else 0.0))

    vocab = len(tokens)
    tensor("token_embd.weight", vocab, EMBD)
    for i in range(LAYERS):
        tensor(f"blk.{i}.attn_norm.weight", EMBD)
        for part in ("q", "k", "v", "output"):
            tensor(f"blk.{i}.attn_{part}.weight", EMBD, EMBD)
        tensor(f"blk.{i}.ffn_norm.weight", EMBD)
        tensor(f"blk.{i}.ffn_gate.weight", FF, EMBD)
        tensor(f"blk.{i}.ffn_up.weight", FF, EMBD)
        tensor(f"blk.{i}.ffn_down.weight", EMBD, FF)
    tensor("output_norm.weight", EMBD)
    tensor("output.weight", vocab, EMBD)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


if __name__ == "__main__":
    write(sys.argv[1])
