"""Runs one claimed shard of an `openai-batch` model as provider batches ("pieces").

The shard's unfinished lines are cut into pieces of at most `max_lines_per_batch`
lines and `max_bytes_per_batch` bytes, and no more are enqueued than
`enqueued_tokens` allows (estimated by the pacer's tokenizer). Each piece is
recorded in the store before its upload, and marked `creating` before its
create call; after a crash the next owner looks a piece up upstream (its file
by filename, its batch by metadata) before it makes anything again. Results are
journaled in the shard's journal exactly as the shard runner journals answers,
so the finalizer merges them unchanged. Lines a piece did not finish (expired,
failed, cancelled upstream) go into a new piece while the window allows.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import orjson

from batchyard.backends.batchapi import TERMINAL, OpenAIBatchBackend, UpstreamError
from batchyard.backends.pacing.tokens import TokenEstimator
from batchyard.blobs import BlobStore, Journal
from batchyard.config import EngineSettings
from batchyard.engine import journal
from batchyard.engine.lines import error_line, shard_lines, usage_of
from batchyard.records import ShardClaim, ShardProgress, Usage
from batchyard.store import ShardVerdict, Store
from batchyard.store.pieces import PieceRecord

log = logging.getLogger("batchyard.engine")

BATCH_KEY, PIECE_KEY = "batchyard_batch", "batchyard_piece"


def piece_name(piece: PieceRecord) -> str:
    return f"batchyard-{piece.batch_id}-{piece.shard:06d}-{piece.piece:04d}.jsonl"


def piece_metadata(piece: PieceRecord) -> dict[str, str]:
    return {BATCH_KEY: piece.batch_id, PIECE_KEY: f"{piece.shard}.{piece.piece}"}


class PieceRunner:
    """One shard of an `openai-batch` model, through as many pieces as it takes."""

    def __init__(
        self,
        claim: ShardClaim,
        *,
        backend: OpenAIBatchBackend,
        store: Store,
        blobs: BlobStore,
        settings: EngineSettings,
        max_attempts: int,
    ) -> None:
        self.claim, self.shard = claim, claim.shard
        self.backend, self.options = backend, backend.options
        self.store, self.blobs, self.settings = store, blobs, settings
        self.max_attempts = max_attempts
        self.estimator = TokenEstimator(claim.model)
        self.progress = ShardProgress()
        self.stopping = False  # the batch stops: cancel upstream, keep what finished
        self.halted = False  # this process stops: hand the shard back, upstream untouched
        self.lost = False
        self._journal: Journal | None = None
        self._done: set[int] = set()
        self._raw: dict[int, bytes] = {}  # unfinished lines: number -> raw request line
        self._numbers: dict[str, int] = {}  # custom_id -> line number
        self._tokens: dict[int, int] = {}
        self._unsure: set[int] = set()  # pieces whose last step may have happened upstream
        self._cancelled: set[int] = set()

    def halt(self) -> None:
        self.halted = True

    async def run(self) -> None:
        self._done, self.progress = await asyncio.to_thread(journal.recover, self.blobs, self.shard)
        await asyncio.to_thread(self._read_lines)
        pieces = await asyncio.to_thread(
            self.store.pieces.of_shard, self.shard.batch_id, self.shard.index
        )
        # Pieces found in the store were left by an earlier owner: look before making.
        self._unsure = {p.piece for p in pieces if p.live}
        self._journal = await asyncio.to_thread(journal.open_segment, self.blobs, self.shard)
        try:
            await self._loop(pieces)
        finally:
            await self._close()

    def _read_lines(self) -> None:
        for number, raw in shard_lines(self.blobs, self.claim.input_blob_key, self.shard):
            item = orjson.loads(raw)
            self._numbers[item["custom_id"]] = number
            if number not in self._done:
                self._raw[number] = raw
                estimate = self.estimator.estimate(self.claim.endpoint, item["body"])
                self._tokens[number] = estimate.total

    async def _loop(self, pieces: list[PieceRecord]) -> None:
        while not self.lost and not self.halted:
            live = [p for p in pieces if p.live]
            if self.stopping:
                for piece in live:
                    await self._stop(piece)
            elif time.time() < self.claim.expires_at:
                await self._submit_new(pieces, live)
            for piece in [p for p in pieces if p.live]:
                await self._advance(piece)
            self._give_up_exhausted(pieces)
            if not any(p.live for p in pieces) and (self.stopping or not self._raw):
                return
            await self._checkpoint()
            if self.lost:
                return
            await asyncio.sleep(min(self.options.poll_seconds, self.settings.lease_seconds / 3))

    # -- making pieces ---------------------------------------------------------

    async def _submit_new(self, pieces: list[PieceRecord], live: list[PieceRecord]) -> None:
        covered = {n for p in live for n in p.lines}
        pending = [n for n in sorted(self._raw) if n not in covered]
        limit = self.options.enqueued_tokens
        while pending:
            lines: list[int] = []
            size, tokens = 0, 0
            for number in pending:
                raw = len(self._raw[number]) + 1
                cost = self._tokens[number]
                if lines and (
                    len(lines) >= self.options.max_lines_per_batch
                    or size + raw > self.options.max_bytes_per_batch
                    or (limit is not None and tokens + cost > limit)
                ):
                    break
                lines.append(number)
                size, tokens = size + raw, tokens + cost
            async with self.backend.enqueue_lock:
                if limit is not None:
                    enqueued = await asyncio.to_thread(
                        self.store.pieces.enqueued_tokens, self.claim.model
                    )
                    if enqueued + tokens > limit:
                        return  # wait for pieces to finish upstream
                piece = PieceRecord(
                    batch_id=self.shard.batch_id,
                    shard=self.shard.index,
                    piece=max((p.piece for p in pieces), default=0) + 1,
                    model=self.claim.model,
                    status="recorded",
                    lines=lines,
                    tokens=tokens,
                    recorded_at=time.time(),
                )
                await asyncio.to_thread(self.store.pieces.record, piece)
            pieces.append(piece)
            pending = pending[len(lines) :]

    async def _advance(self, piece: PieceRecord) -> None:
        """One step of a live piece: upload, create, or poll (and collect once it ends)."""
        try:
            if piece.status == "recorded":
                await self._upload(piece)
            if piece.status in ("uploaded", "creating"):
                await self._create(piece)
            if piece.status == "created":
                await self._poll(piece)
        except UpstreamError as exc:
            if exc.status_code in (0, 408) or exc.status_code >= 500:
                self._unsure.add(piece.piece)  # the call may have got there
            log.warning(
                "piece %s/%d.%d: %s; will retry",
                piece.batch_id,
                piece.shard,
                piece.piece,
                exc,
            )

    async def _upload(self, piece: PieceRecord) -> None:
        name = piece_name(piece)
        file_id = await self.backend.find_file(name) if piece.piece in self._unsure else None
        if file_id is None:
            path = await asyncio.to_thread(self._write_piece, piece)
            try:
                file_id = await self.backend.upload(name, path)
            finally:
                path.unlink(missing_ok=True)
        await asyncio.to_thread(self.store.pieces.update, piece, status="uploaded", file_id=file_id)
        self._unsure.discard(piece.piece)

    def _write_piece(self, piece: PieceRecord) -> Path:
        with tempfile.NamedTemporaryFile("wb", suffix=".jsonl", delete=False) as fh:
            for number in piece.lines:
                fh.write(self._raw[number] + b"\n")
        return Path(fh.name)

    async def _create(self, piece: PieceRecord) -> None:
        assert piece.file_id is not None
        metadata = piece_metadata(piece)
        found = None
        if piece.status == "creating" or piece.piece in self._unsure:
            found = await self.backend.find_batch(metadata)
        if found is None:
            await asyncio.to_thread(self.store.pieces.update, piece, status="creating")
            found = await self.backend.create(piece.file_id, self.claim.endpoint, metadata)
        await asyncio.to_thread(
            self.store.pieces.update,
            piece,
            status="created",
            provider_batch_id=found["id"],
            provider_status=found["status"],
        )
        self._unsure.discard(piece.piece)

    async def _poll(self, piece: PieceRecord) -> None:
        assert piece.provider_batch_id is not None
        batch = await self.backend.retrieve(piece.provider_batch_id)
        status = batch["status"]
        if status not in TERMINAL:
            if status != piece.provider_status:
                await asyncio.to_thread(self.store.pieces.update, piece, provider_status=status)
            return
        for key in ("output_file_id", "error_file_id"):
            if batch.get(key):
                async for raw in self.backend.lines(batch[key]):
                    self._collect(raw)
        assert self._journal is not None
        await asyncio.to_thread(self._journal.sync)
        await asyncio.to_thread(
            self.store.pieces.update, piece, status="finished", provider_status=status
        )

    def _collect(self, raw: bytes) -> None:
        """Journal one upstream result line, unless it never ran there or is known."""
        record = orjson.loads(raw)
        number = self._numbers.get(record.get("custom_id"))
        response = record.get("response")
        if number is None or number in self._done or not isinstance(response, dict):
            return  # not ours, already journaled, or not run upstream (expired, cancelled)
        code = int(response.get("status_code") or 0)
        body = response.get("body")
        body = body if isinstance(body, dict) else {}
        ok = 200 <= code < 300
        self._write(number, ok, usage_of(body) if ok else Usage(), orjson.dumps(record))

    def _write(self, number: int, ok: bool, usage: Usage, payload: bytes) -> None:
        assert self._journal is not None
        self._journal.write(journal.encode(number, ok, usage, payload))
        self._done.add(number)
        self._raw.pop(number, None)
        if ok:
            self.progress.completed += 1
        else:
            self.progress.failed += 1
        self.progress.usage.add(usage)

    def _give_up_exhausted(self, pieces: list[PieceRecord]) -> None:
        """A line that `max_attempts` ended pieces left unfinished ends as an error."""
        tries: dict[int, int] = {}
        for piece in pieces:
            if not piece.live:
                for number in piece.lines:
                    tries[number] = tries.get(number, 0) + 1
        for number, count in tries.items():
            if count >= self.max_attempts and number in self._raw:
                custom_id = orjson.loads(self._raw[number])["custom_id"]
                message = f"The provider's batches did not run this request in {count} tries."
                payload = error_line(custom_id, "provider_error", message)
                self._write(number, False, Usage(), payload)

    # -- stopping --------------------------------------------------------------

    async def _stop(self, piece: PieceRecord) -> None:
        """Cancel a running piece upstream (its finished lines are still collected); a piece
        not yet created is abandoned, after making sure no create got there."""
        try:
            if piece.status == "created" and piece.piece not in self._cancelled:
                assert piece.provider_batch_id is not None
                await self.backend.cancel(piece.provider_batch_id)
                self._cancelled.add(piece.piece)
            elif piece.status in ("recorded", "uploaded", "creating"):
                found = None
                if piece.status == "creating" or piece.piece in self._unsure:
                    found = await self.backend.find_batch(piece_metadata(piece))
                if found is None:
                    await asyncio.to_thread(self.store.pieces.update, piece, status="abandoned")
                else:
                    await asyncio.to_thread(
                        self.store.pieces.update,
                        piece,
                        status="created",
                        provider_batch_id=found["id"],
                        provider_status=found["status"],
                    )
        except UpstreamError as exc:
            log.warning("piece %s/%d.%d: cancel: %s", piece.batch_id, piece.shard, piece.piece, exc)

    # -- checkpoints -----------------------------------------------------------

    async def _checkpoint(self, *, done: bool = False) -> None:
        assert self._journal is not None
        snapshot = replace(self.progress, usage=replace(self.progress.usage))
        await asyncio.to_thread(self._journal.sync)
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
        elif verdict is ShardVerdict.STOP:
            self.stopping = True

    async def _close(self) -> None:
        assert self._journal is not None
        try:
            if not self.lost:
                if not self._raw:
                    await self._checkpoint(done=True)
                else:
                    await asyncio.to_thread(self._journal.sync)
                    snapshot = replace(self.progress, usage=replace(self.progress.usage))
                    await asyncio.to_thread(self.store.release_shard, self.shard, snapshot)
        finally:
            await asyncio.to_thread(self._journal.close)
