"""Where state lives, from the file, the flags or the environment, for every role."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from batchyard.cli import cli
from batchyard.cli import serve as _serve  # noqa: F401 - registers the command
from batchyard.cli import worker as _worker  # noqa: F401 - registers the command
from batchyard.config import ConfigError, load_settings


def test_the_file_sets_the_bucket_and_flags_override_it(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        'database_url = "postgresql://db/a"\nblob_url = "s3://bucket/a"\n'
        '[s3]\nendpoint_url = "http://127.0.0.1:9000"\naddressing_style = "path"\n'
    )
    settings = load_settings(config)
    assert settings.blob_url == "s3://bucket/a" and settings.database_url == "postgresql://db/a"
    assert settings.s3.endpoint_url == "http://127.0.0.1:9000"
    assert settings.s3.addressing_style == "path" and settings.s3.part_size_mb == 8
    again = load_settings(config, database_url="postgresql://db/b", blob_url="s3://other/b")
    assert (again.database_url, again.blob_url) == ("postgresql://db/b", "s3://other/b")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('blob_url = "gs://bucket/x"', "s3://bucket/prefix"),
        ('blob_url = "s3:///no-bucket"', "s3://bucket/prefix"),
        ("[s3]\npart_size_mb = 4", "at least 5"),
        ('[s3]\naddressing_style = "dns"', "addressing_style"),
        ('[s3]\nbucket = "x"', "unknown key"),
    ],
)
def test_bad_storage_settings_say_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "c.toml"
    config.write_text(text + "\n")
    with pytest.raises(ConfigError, match=message):
        load_settings(config)


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_both_roles_take_the_database_and_the_bucket(command: str) -> None:
    out = CliRunner().invoke(cli, [command, "--help"]).output
    for flag in ("--database-url", "--blob-url", "--data-dir", "--config"):
        assert flag in out


def test_the_environment_names_the_bucket_and_is_checked() -> None:
    result = CliRunner().invoke(cli, ["worker"], env={"BATCHYARD_BLOB_URL": "ftp://x/y"})
    assert result.exit_code == 2
    assert "blob_url 'ftp://x/y'" in result.output
