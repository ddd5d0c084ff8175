"""The metadata store's one face: `Store`, on SQLite or PostgreSQL."""

from batchyard.store.shards import ShardVerdict
from batchyard.store.store import Store

__all__ = ["ShardVerdict", "Store"]
