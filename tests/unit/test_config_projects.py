"""`[project_defaults]` and `[projects.<name>]`: quotas and retention per project."""

from __future__ import annotations

from pathlib import Path

import pytest

from batchyard.config import ConfigError, ProjectPolicy, load_settings


def test_no_tables_means_no_limits() -> None:
    settings = load_settings(None)
    assert settings.policy("anyone") == ProjectPolicy()
    assert settings.engine.sweep_seconds == 60


def test_a_project_overrides_only_what_it_names(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        "[engine]\nsweep_seconds = 5\n"
        "[project_defaults]\nmax_stored_bytes = 1000\nfile_retention_seconds = 3600\n"
        '[projects.acme]\nmax_stored_bytes = 50\n[projects."team.b"]\nmax_active_batches = 2\n'
    )
    settings = load_settings(path)
    assert settings.engine.sweep_seconds == 5
    assert settings.policy("other") == ProjectPolicy(
        max_stored_bytes=1000, file_retention_seconds=3600
    )
    assert settings.policy("acme") == ProjectPolicy(
        max_stored_bytes=50, file_retention_seconds=3600
    )
    assert settings.policy("team.b") == ProjectPolicy(
        max_stored_bytes=1000, max_active_batches=2, file_retention_seconds=3600
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[project_defaults]\nmax_bytes = 1\n", "unknown key"),
        ("[projects.a]\nmax_stored_bytes = 0\n", "positive integer"),
        ("[projects.a]\nmax_active_batches = -1\n", "positive integer"),
        ("[project_defaults]\nmax_enqueued_lines = true\n", "positive integer"),
        ('[project_defaults]\nfile_retention_seconds = "1d"\n', "positive integer"),
        ("projects = 3\n", "must be a table"),
        ("[projects]\na = 1\n", "must be a table"),
    ],
)
def test_mistakes_are_reported(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_settings(path)
