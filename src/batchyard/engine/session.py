"""The journal and lease of one claimed shard, shared by the shard runner and the piece runner.

Both recover what the journal already holds, append final answers to a new
segment, checkpoint (fsync, then progress plus a fresh lease, which says
whether the batch is stopping or the shard was taken over), and at the end
mark the shard done or hand it back. Keeping that in one place keeps the
exactly-once rule (durable before acknowledged) in one place.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

from batchyard.blobs import BlobStore, Journal
from batchyard.config import EngineSettings
from batchyard.engine import journal
from batchyard.records import ShardClaim, ShardProgress, Usage
from batchyard.store import ShardVerdict, Store


class ShardSession:
    """A shard's journal segment and its progress, from recovery to done or released."""

    def __init__(
        self, claim: ShardClaim, store: Store, blobs: BlobStore, settings: EngineSettings
    ) -> None:
        self.shard = claim.shard
        self.store, self.blobs, self.settings = store, blobs, settings
        self.progress = ShardProgress()
        self.lost = False  # another worker owns the shard: write nothing more
        self._journal: Journal | None = None

    async def open(self) -> set[int]:
        """The line numbers the journal already holds; then a new segment to append to."""
        done, self.progress = await asyncio.to_thread(journal.recover, self.blobs, self.shard)
        self._journal = await asyncio.to_thread(journal.open_segment, self.blobs, self.shard)
        return done

    def write(self, number: int, ok: bool, usage: Usage, payload: bytes) -> None:
        """Append one final answer (durable at the next sync or checkpoint)."""
        assert self._journal is not None
        self._journal.write(journal.encode(number, ok, usage, payload))
        if ok:
            self.progress.completed += 1
        else:
            self.progress.failed += 1
        self.progress.usage.add(usage)

    async def sync(self) -> None:
        assert self._journal is not None
        await asyncio.to_thread(self._journal.sync)

    def _snapshot(self) -> ShardProgress:
        return replace(self.progress, usage=replace(self.progress.usage))

    async def checkpoint(self, *, done: bool = False) -> ShardVerdict:
        """Sync the journal, then record progress and renew the lease (LOST sets `lost`)."""
        snapshot = self._snapshot()
        await self.sync()
        verdict = await asyncio.to_thread(
            self.store.checkpoint_shard,
            self.shard,
            snapshot,
            time.time(),
            self.settings.lease_seconds,
            done=done,
        )
        if verdict is ShardVerdict.LOST:
            self.lost = True
        return verdict

    async def close(self, *, finished: bool) -> None:
        """Make everything durable, then mark the shard done (`finished`) or hand it back."""
        assert self._journal is not None
        try:
            if not self.lost:
                if finished:
                    await self.checkpoint(done=True)
                else:
                    await self.sync()
                    await asyncio.to_thread(self.store.release_shard, self.shard, self._snapshot())
        finally:
            await asyncio.to_thread(self._journal.close)
