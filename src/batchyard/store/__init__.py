"""The metadata store's one face: `Store`, on SQLite or PostgreSQL."""

from batchyard.store.store import ShardVerdict, Store

__all__ = ["ShardVerdict", "Store"]
