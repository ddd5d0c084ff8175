"""The models run on this machine: embeddings (sentence-transformers) and chat (transformers).

They share a runtime (device, the extra, offline torch, a once-per-process
model cache) and a batcher that packs every concurrent call's rows into
forward passes. Importing this package never imports torch.
"""

from batchyard.backends.local.chat import TransformersChatBackend
from batchyard.backends.local.embeddings import LocalEmbeddingsBackend

__all__ = ["LocalEmbeddingsBackend", "TransformersChatBackend"]
