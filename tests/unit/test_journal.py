"""Journal recovery: torn writes, several owners' segments, first record wins.

On a local folder and on S3 (moto's server, an emulator), where a segment is
many objects.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from batchyard.blobs import BlobStore, LocalBlobStore, keys, open_blob_store
from batchyard.config import S3Settings
from batchyard.engine import journal
from batchyard.engine.retry import RetryPolicy
from batchyard.records import ShardRecord, Usage


@pytest.fixture(params=["local", "s3-emulator"])
def blobs(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "local":
        return LocalBlobStore(tmp_path)
    url = request.getfixturevalue("s3_blob_url")
    endpoint = request.getfixturevalue("s3_emulator")
    return open_blob_store(url, tmp_path, S3Settings(endpoint_url=endpoint))


def shard(epoch: int, index: int = 0) -> ShardRecord:
    return ShardRecord(
        batch_id="batch_x",
        index=index,
        first_line=1,
        last_line=10,
        start=0,
        end=100,
        requests=10,
        epoch=epoch,
    )


def payload(line: int, owner: str) -> bytes:
    return orjson.dumps({"custom_id": f"r{line}", "owner": owner})


def write(
    blobs: BlobStore, record: ShardRecord, lines: list[int], owner: str, ok: bool = True
) -> None:
    segment = journal.open_segment(blobs, record)
    for line in lines:
        segment.write(journal.encode(line, ok, Usage(2, 3, 1, 0), payload(line, owner)))
    segment.close()


def test_recover_counts_each_line_once_across_segments(blobs: BlobStore) -> None:
    write(blobs, shard(1), [1, 2, 3], "first")
    write(blobs, shard(2), [3, 4], "second", ok=False)  # 3 again: the first owner's wins
    write(blobs, shard(1, index=1), [9], "other shard")
    done, progress = journal.recover(blobs, shard(3))
    assert done == {1, 2, 3, 4}
    assert (progress.completed, progress.failed) == (3, 1)
    assert progress.usage == Usage(8, 12, 4, 0)
    owners = [orjson.loads(e.payload)["owner"] for e in journal.entries(blobs, shard(3))]
    assert owners == ["first", "first", "first", "second"]


def test_a_torn_last_record_is_ignored_and_the_line_runs_again(tmp_path: Path) -> None:
    """Only a file can be torn: an S3 object appears whole or not at all."""
    blobs = LocalBlobStore(tmp_path)
    write(blobs, shard(1), [1, 2], "first")
    path = blobs.root / journal.segment_key(shard(1))
    with path.open("ab") as fh:
        fh.write(journal.encode(3, True, Usage(), payload(3, "first"))[:-9])  # crash mid-write
    done, progress = journal.recover(blobs, shard(2))
    assert done == {1, 2} and progress.completed == 2


def test_payload_keeps_spaces_and_is_written_back_verbatim(blobs: BlobStore) -> None:
    body = b'{"custom_id":"a b","text":"x y z"}'
    segment = journal.open_segment(blobs, shard(1))
    segment.write(journal.encode(5, True, Usage(), body))
    segment.close()
    (entry,) = list(journal.entries(blobs, shard(2)))
    assert entry.line == 5 and entry.payload == body


def test_durable_results_end_quietly_when_journals_vanish(blobs: BlobStore) -> None:
    write(blobs, shard(1), [1, 2], "first")
    stream = journal.durable_results(blobs, [shard(1), shard(1, index=1)])
    assert next(stream).startswith(b'{"custom_id":"r1"')
    blobs.delete_prefix(keys.journal_folder("batch_x"))
    assert list(stream) == [payload(2, "first") + b"\n"]  # the open file still reads


def test_retry_honours_retry_after_and_the_deadline() -> None:
    policy = RetryPolicy(max_attempts=3, base_seconds=1, max_seconds=4, deadline_margin_seconds=5)
    assert policy.delay(1, retry_after=2.5) == 2.5
    for attempt in (1, 2, 3, 6):
        assert 0 <= policy.delay(attempt, None) <= min(4, 2 ** (attempt - 1))
    assert policy.should_retry(1, now=0, delay=1, deadline=100)
    assert not policy.should_retry(3, now=0, delay=1, deadline=100)  # out of attempts
    assert not policy.should_retry(1, now=0, delay=96, deadline=100)  # past deadline - margin
