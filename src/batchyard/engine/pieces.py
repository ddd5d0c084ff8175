"""Runs one claimed shard of an `openai-batch` model as provider batches ("pieces").

The shard's unfinished lines are cut into pieces of at most `max_lines_per_batch`
lines and `max_bytes_per_batch` bytes, and no more are enqueued than
`enqueued_tokens` allows (estimated by the pacer's tokenizer). Each piece is
recorded in the store before its upload, and marked `creating` before its
create call; after a crash the next owner looks a piece up upstream (its file
by filename, its batch by metadata) before it makes anything again. Results are
journaled in the shard's journal exactly as the shard runner journals answers,
so the finalizer merges them unchanged. Lines a piece did not finish (expired,
failed, cancelled upstream) go into a new piece while the window allows. A piece
the upstream refuses for its enqueued-token limit teaches the store that limit
and waits for room. Near the deadline, a `fallback` model runs what is left.

Just past the size guide on purpose: one piece's life (record, upload, create, poll,
merge, resubmit) reads best in one place; its line bookkeeping is in piece_lines and
the stragglers' model in fallback.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from batchyard.backends import Result
from batchyard.backends.batchapi import TERMINAL, OpenAIBatchBackend, UpstreamError
from batchyard.backends.pacing.tokens import TokenEstimator
from batchyard.blobs import BlobStore
from batchyard.config import EngineSettings
from batchyard.engine.fallback import Fallback
from batchyard.engine.lines import Line, error_line, result_line, usage_of
from batchyard.engine.piece_lines import ShardLines
from batchyard.engine.session import ShardSession
from batchyard.records import ShardClaim, Usage
from batchyard.store import ShardVerdict, Store
from batchyard.store.pieces import PieceRecord

log = logging.getLogger("batchyard.engine")

BATCH_KEY, PIECE_KEY = "batchyard_batch", "batchyard_piece"
# What a provider batch failed with when the upstream's enqueued limit had no room for it:
# OpenAI's code, and batchyard's own (its enqueued quota counted in lines) as an upstream.
LIMIT_CODES = frozenset({"token_limit_exceeded", "enqueued_line_limit_exceeded"})


def refused_for_limit(batch: dict[str, Any]) -> bool:
    errors = (batch.get("errors") or {}).get("data") or []
    return any(isinstance(e, dict) and e.get("code") in LIMIT_CODES for e in errors)


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
        fallback: Fallback | None = None,
    ) -> None:
        self.claim, self.shard = claim, claim.shard
        self.backend, self.options = backend, backend.options
        self.store, self.blobs, self.settings = store, blobs, settings
        self.max_attempts = max_attempts
        self.estimator = TokenEstimator(claim.model)
        self.session = ShardSession(claim, store, blobs, settings)
        self.stopping = False  # the batch stops: cancel upstream, keep what finished
        self.halted = False  # this process stops: hand the shard back, upstream untouched
        self.fallback = fallback
        self._fallback_task: asyncio.Task[None] | None = None
        self._fallback_lines: list[int] = []  # the lines the fallback model ran
        self._fallback_usage = Usage()
        self._fallback_recorded = 0
        self.lines = ShardLines(blobs, claim.input_blob_key, claim.shard, claim.endpoint)
        self._unsure: set[int] = set()  # pieces whose last step may have happened upstream
        self._cancelled: set[int] = set()

    @property
    def lost(self) -> bool:
        return self.session.lost

    def halt(self) -> None:
        self.halted = True

    async def run(self) -> None:
        done = await self.session.open()
        try:
            await asyncio.to_thread(self.lines.load, self.estimator, done)
            del done
            log.info(
                "piece shard %s/%d: %d lines open",
                self.shard.batch_id,
                self.shard.index,
                self.lines.left,
            )
            if self.fallback is not None:  # an earlier owner's fallback lines still count
                self._fallback_lines, self._fallback_usage = await asyncio.to_thread(
                    self.store.pieces.fallback_of, self.shard.batch_id, self.shard.index
                )
                self._fallback_recorded = len(self._fallback_lines)
            pieces = await asyncio.to_thread(
                self.store.pieces.of_shard, self.shard.batch_id, self.shard.index
            )
            # Pieces found in the store were left by an earlier owner: look before making.
            self._unsure = {p.piece for p in pieces if p.live}
            await self._loop(pieces)
        finally:
            if self._fallback_task is not None:
                self._fallback_task.cancel()
                try:
                    await self._fallback_task
                except asyncio.CancelledError:
                    pass
                except Exception:
                    log.exception("fallback of %s/%d failed", self.shard.batch_id, self.shard.index)
            await self.session.close(finished=not self.lines.left)
            await self._record_fallback()

    async def _loop(self, pieces: list[PieceRecord]) -> None:
        while not self.lost and not self.halted:
            live = [p for p in pieces if p.live]
            if self.stopping or self._handed_over():
                for piece in live:
                    await self._stop(piece)
            elif self._deadline_near():
                self._hand_over()
                continue
            elif time.time() < self.claim.expires_at:
                await self._submit_new(pieces, live)
            for piece in [p for p in pieces if p.live]:
                await self._advance(piece)
            await self._give_up_exhausted(pieces)
            if not self.lines.left:
                await self._drop_moot(pieces)
            busy = self._fallback_task is not None and not self._fallback_task.done()
            over = self.stopping or not self.lines.left
            if over and not busy and not any(p.live for p in pieces):
                return
            if await self.session.checkpoint() is ShardVerdict.STOP:
                self.stopping = True
                if self._fallback_task is not None:
                    self._fallback_task.cancel()
            await self._record_fallback()
            if self.lost:
                return
            await asyncio.sleep(min(self.options.poll_seconds, self.settings.lease_seconds / 3))

    # -- stragglers ------------------------------------------------------------

    def _deadline_near(self) -> bool:
        """Lines are out and less than `fallback_seconds` of the batch's window is left."""
        if self.fallback is None or not self.lines.left or not self.options.fallback_seconds:
            return False
        return time.time() >= self.claim.expires_at - self.options.fallback_seconds

    def _handed_over(self) -> bool:
        return self._fallback_task is not None

    def _hand_over(self) -> None:
        """Every line still out goes to the fallback model now; the pieces are cancelled
        upstream (a line one of them finishes first lands from there, once)."""
        assert self.fallback is not None
        lines = self.lines.requests(set(self.lines.open_numbers()))
        log.info(
            "batch %s shard %d: %d lines to fallback model %s before the deadline",
            self.shard.batch_id,
            self.shard.index,
            len(lines),
            self.fallback.name,
        )
        self._fallback_task = asyncio.create_task(self.fallback.run(lines, self._land))

    def _land(self, item: Line, result: Result) -> None:
        number, request = item
        if self.lost or not self.lines.is_open(number):
            return  # a piece got there first
        usage = usage_of(result.body) if result.ok else Usage()
        self._write(number, result.ok, usage, result_line(request.custom_id, result))
        self._fallback_lines.append(number)
        self._fallback_usage.add(usage)

    async def _record_fallback(self) -> None:
        """Record (after the journal sync that made them durable) what the fallback ran."""
        if len(self._fallback_lines) == self._fallback_recorded or self.lost:
            return
        lines = list(self._fallback_lines)
        await asyncio.to_thread(
            self.store.pieces.record_fallback,
            self.shard.batch_id,
            self.shard.index,
            self.claim.model,
            lines,
            self._fallback_usage,
            time.time(),
        )
        self._fallback_recorded = len(lines)

    async def _drop_moot(self, pieces: list[PieceRecord]) -> None:
        """Every line has landed: a piece still cancelling upstream holds nothing we need."""
        for piece in pieces:
            if piece.status == "created" and piece.piece in self._cancelled:
                await asyncio.to_thread(
                    self.store.pieces.update, piece, status="finished", provider_status="cancelling"
                )

    # -- making pieces ---------------------------------------------------------

    async def _submit_new(self, pieces: list[PieceRecord], live: list[PieceRecord]) -> None:
        covered = {n for p in live for n in p.lines}
        pending = [n for n in self.lines.open_numbers() if n not in covered]
        if not pending:
            return
        if self.options.relearn_seconds:  # the upstream may have raised its limit since
            await asyncio.to_thread(
                self.store.pieces.forget_limit,
                self.claim.model,
                time.time() - self.options.relearn_seconds,
            )
        learned = await asyncio.to_thread(self.store.pieces.learned_limits)
        known = [v for v in (self.options.enqueued_tokens, learned.get(self.claim.model)) if v]
        limit = min(known) if known else None
        while pending:
            lines: list[int] = []
            size, tokens = 0, 0
            for number in pending:
                raw = self.lines.size(number)
                cost = self.lines.tokens(number)
                if lines and (
                    len(lines) >= self.options.max_lines_per_batch
                    or size + raw > self.options.max_bytes_per_batch
                    or (limit is not None and tokens + cost > limit)
                ):
                    break
                lines.append(number)
                size, tokens = size + raw, tokens + cost
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
            # The budget is checked and taken in the store's transaction: across workers.
            if not await asyncio.to_thread(
                self.store.pieces.reserve, piece, self.options.enqueued_tokens
            ):
                return  # wait for pieces to finish upstream
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
            for _, raw in self.lines.raw(set(piece.lines)):
                fh.write(raw + b"\n")
        return Path(fh.name)

    async def _create(self, piece: PieceRecord) -> None:
        assert piece.file_id is not None
        found = await self._look_up(piece)
        if found is None:
            await asyncio.to_thread(self.store.pieces.update, piece, status="creating")
            metadata = piece_metadata(piece)
            found = await self.backend.create(piece.file_id, self.claim.endpoint, metadata)
        await self._adopt(piece, found)
        self._unsure.discard(piece.piece)

    async def _look_up(self, piece: PieceRecord) -> dict[str, Any] | None:
        """The upstream batch a create of this piece may have made (None: none was tried)."""
        if piece.status == "creating" or piece.piece in self._unsure:
            return await self.backend.find_batch(piece_metadata(piece))
        return None

    async def _adopt(self, piece: PieceRecord, batch: dict[str, Any]) -> None:
        await asyncio.to_thread(
            self.store.pieces.update,
            piece,
            status="created",
            provider_batch_id=batch["id"],
            provider_status=batch["status"],
        )

    async def _poll(self, piece: PieceRecord) -> None:
        assert piece.provider_batch_id is not None
        batch = await self.backend.retrieve(piece.provider_batch_id)
        status = batch["status"]
        if status not in TERMINAL:
            if status != piece.provider_status:
                await asyncio.to_thread(self.store.pieces.update, piece, provider_status=status)
            return
        if status == "failed" and refused_for_limit(batch) and not batch.get("output_file_id"):
            # Not a try of its lines: they wait for room under the limit it taught us.
            limit = await asyncio.to_thread(self.store.pieces.learn_limit, piece, time.time())
            log.warning(
                "piece %s/%d.%d: refused for the upstream's enqueued limit; now %d tokens",
                piece.batch_id,
                piece.shard,
                piece.piece,
                limit,
            )
            return
        numbers = await asyncio.to_thread(self.lines.custom_ids, set(piece.lines))
        for key in ("output_file_id", "error_file_id"):
            if batch.get(key):
                async for raw in self.backend.lines(batch[key]):
                    self._collect(raw, numbers)
        await self.session.sync()
        await asyncio.to_thread(
            self.store.pieces.update, piece, status="finished", provider_status=status
        )

    def _collect(self, raw: bytes, numbers: dict[str, int]) -> None:
        """Journal one upstream result line, unless it never ran there or is known."""
        record = orjson.loads(raw)
        number = numbers.get(record.get("custom_id"))
        response = record.get("response")
        if number is None or not self.lines.is_open(number) or not isinstance(response, dict):
            return  # not ours, already journaled, or not run upstream (expired, cancelled)
        code = int(response.get("status_code") or 0)
        body = response.get("body")
        body = body if isinstance(body, dict) else {}
        ok = 200 <= code < 300
        self._write(number, ok, usage_of(body) if ok else Usage(), orjson.dumps(record))

    def _write(self, number: int, ok: bool, usage: Usage, payload: bytes) -> None:
        if self.lines.close(number):
            self.session.write(number, ok, usage, payload)

    async def _give_up_exhausted(self, pieces: list[PieceRecord]) -> None:
        """A line that `max_attempts` ended pieces left unfinished ends as an error."""
        tries: dict[int, int] = {}
        for piece in pieces:
            if not piece.live and piece.status != "refused":
                for number in piece.lines:
                    tries[number] = tries.get(number, 0) + 1
        out = {n for n, count in tries.items() if count >= self.max_attempts}
        out = {n for n in out if self.lines.is_open(n)}
        if not out:
            return
        for custom_id, number in (await asyncio.to_thread(self.lines.custom_ids, out)).items():
            count = tries[number]
            message = f"The provider's batches did not run this request in {count} tries."
            self._write(number, False, Usage(), error_line(custom_id, "provider_error", message))

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
                found = await self._look_up(piece)
                if found is None:
                    await asyncio.to_thread(self.store.pieces.update, piece, status="abandoned")
                else:
                    await self._adopt(piece, found)
        except UpstreamError as exc:
            log.warning("piece %s/%d.%d: cancel: %s", piece.batch_id, piece.shard, piece.piece, exc)
