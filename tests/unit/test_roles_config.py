"""Where state lives, from the file, the flags or the environment, for every role."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from batchyard.cli import cli
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
    assert "Usage:" not in result.output  # the file or environment is wrong, not the command


@pytest.mark.parametrize(
    ("command", "model", "message"),
    [
        ("serve", 'backend = "mock"\nlatency_msec = 5', "unknown option(s) latency_msec"),
        (
            "worker",
            'backend = "openai"\nbase_url = "http://127.0.0.1:1/v1"\napi_key_env = "NOT_SET_HERE"',
            "NOT_SET_HERE (api_key_env) is not set",
        ),
        ("run", 'backend = "openai"\nbase_url = "http://127.0.0.1:1/v1"\nrpm = -1', "rpm"),
    ],
)
def test_every_process_refuses_a_bad_model_at_startup(
    tmp_path: Path, command: str, model: str, message: str
) -> None:
    """Not with the first batch line that names the model: the process does not start.
    A real process, with a timeout: one that started anyway would serve forever."""
    config = tmp_path / "c.toml"
    config.write_text(f'[[models]]\nname = "m"\n{model}\n')
    lines = tmp_path / "in.jsonl"
    lines.write_text(
        '{"custom_id": "a", "method": "POST", "url": "/v1/chat/completions",'
        ' "body": {"model": "m", "messages": []}}\n'
    )
    args = [command, "--config", str(config), "--data-dir", str(tmp_path / "data")]
    if command == "run":
        args.append(str(lines))
    env = {k: v for k, v in os.environ.items() if k != "NOT_SET_HERE"}
    done = subprocess.run(
        [sys.executable, "-m", "batchyard", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 2, done.stderr
    assert "model 'm'" in done.stderr and message in done.stderr
    assert not (tmp_path / "in.output.jsonl").exists()
