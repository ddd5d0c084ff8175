"""The manifest file: atomic rewrites, clear errors, and the resume search's cut-off."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from batchyard.client.manifest import Manifest, ManifestError, Part, is_manifest, load
from batchyard.client.submit import _recent


def test_a_manifest_round_trips_and_leaves_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "job.batchyard.json"
    manifest = Manifest(path, "job_1", "/v1/embeddings", "24h", 10, 1000, 2, "http://x/v1")
    manifest.parts.append(Part("part-0001", "parts/part-0001.jsonl", 3, 300, state="creating"))
    manifest.save()
    manifest.parts[0].batch_id = "batch_1"
    manifest.save()
    assert [p.name for p in tmp_path.iterdir()] == ["job.batchyard.json"]
    again = load(path)
    assert again.parts[0].batch_id == "batch_1" and again.parts[0].state == "creating"
    assert again.work_dir == tmp_path / "job.batchyard" and is_manifest(path)


def test_foreign_or_damaged_files_are_refused_with_the_reason(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}')
    with pytest.raises(ManifestError, match="is not a batchyard manifest"):
        load(other)
    other.write_text("{")
    with pytest.raises(ManifestError, match="is not valid JSON"):
        load(other)
    with pytest.raises(ManifestError, match="no manifest at"):
        load(tmp_path / "absent.json")


def test_the_resume_search_stops_at_old_items_only_in_a_newest_first_list() -> None:
    def items(*ages: int) -> list[SimpleNamespace]:
        return [SimpleNamespace(created_at=10_000 - a) for a in ages]

    since = 10_000.0
    newest_first = items(0, 100, 3000, 4000, 5000)
    assert len(list(_recent(newest_first, since))) == 3
    oldest_first = items(5000, 4000, 100, 0)
    assert len(list(_recent(oldest_first, since))) == 4
