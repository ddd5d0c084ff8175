"""A piece shard's lines: sizes and estimates kept, bytes read again from the blob."""

from __future__ import annotations

from pathlib import Path

import orjson

from batchyard.backends.pacing.tokens import TokenEstimator
from batchyard.blobs import LocalBlobStore
from batchyard.endpoints import CHAT
from batchyard.engine.piece_lines import ShardLines
from batchyard.records import ShardRecord


def test_lines_are_read_back_from_the_blob_and_closed_once(tmp_path: Path) -> None:
    rows = [
        orjson.dumps(
            {
                "custom_id": f"c{i}",
                "body": {"model": "m", "messages": [{"role": "user", "content": "x" * i}]},
            }
        )
        for i in range(5)
    ]
    data = b"\n".join(rows[:2]) + b"\n\n" + b"\n".join(rows[2:]) + b"\n"  # line 4 is blank
    blobs = LocalBlobStore(tmp_path)
    with blobs.writer("in") as fh:
        fh.write(b"header-ignored\n" + data)
    start = len(b"header-ignored\n")
    shard = ShardRecord("b", 0, 2, 7, start, start + len(data), 5)
    lines = ShardLines(blobs, "in", shard, CHAT)
    estimator = TokenEstimator("m")
    lines.load(estimator, done={5})
    assert lines.open_numbers() == [2, 3, 6, 7] and lines.left == 4
    assert lines.size(2) == len(rows[0]) + 1
    assert lines.tokens(7) == estimator.estimate(CHAT, orjson.loads(rows[4])["body"]).total
    assert lines.custom_ids({2, 7}) == {"c0": 2, "c4": 7}
    assert [raw for _, raw in lines.raw({3, 6})] == [rows[1], rows[3]]
    assert [(n, r.custom_id) for n, r in lines.requests({6})] == [(6, "c3")]
    assert lines.close(3) and not lines.close(3) and not lines.close(4)
    assert not lines.is_open(99) and lines.left == 3
