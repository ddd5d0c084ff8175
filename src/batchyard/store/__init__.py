"""The metadata store's one face: `Store`, on SQLite or PostgreSQL."""

from batchyard.store.scheduling import ClaimOrder
from batchyard.store.shards import ShardVerdict
from batchyard.store.store import Store

__all__ = ["ClaimOrder", "ShardVerdict", "Store"]
