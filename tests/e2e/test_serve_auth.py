"""Safe defaults of `batchyard serve`, and the `batchyard keys` commands, as a user runs them."""

from __future__ import annotations

from pathlib import Path

import openai
import pytest
from click.testing import CliRunner, Result
from tests.e2e.conftest import ServerFactory

from batchyard.cli import cli
from batchyard.testing import write_config

MOCK = [{"name": "batchyard-mock", "backend": "mock"}]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Path:
    return write_config(tmp_path / "keys.toml", database_url=database_url, models=MOCK)


def test_loopback_without_keys_is_open_and_says_so(make_server: ServerFactory) -> None:
    server = make_server()
    assert server.client("anything").files.list().data == []
    log = server.log.read_text()
    assert "no API keys exist: serving without authentication, to this machine only" in log


def test_other_addresses_need_a_key_or_the_flag(make_server: ServerFactory, config: Path) -> None:
    refused = invoke("serve", "--host", "0.0.0.0", "--config", str(config))
    assert refused.exit_code == 2
    assert "refusing to listen on 0.0.0.0 with no API keys" in refused.output
    assert "--insecure-no-auth" in refused.output

    insecure = make_server(args=["--host", "0.0.0.0", "--insecure-no-auth"])
    assert insecure.client("anything").files.list().data == []
    assert "--insecure-no-auth was given: anyone who can reach" in insecure.log.read_text()
    insecure.stop()

    created = invoke("keys", "create", "--project", "ops", "--config", str(config))
    assert created.exit_code == 0, created.output
    key = created.stdout.strip()
    keyed = make_server(args=["--host", "0.0.0.0"])
    with pytest.raises(openai.AuthenticationError):
        keyed.client("anything").files.list()
    assert keyed.client(key).files.list().data == []
    assert "no API keys exist" not in keyed.log.read_text()


def test_keys_create_list_revoke(config: Path) -> None:
    created = invoke("keys", "create", "--project", "acme", "--config", str(config))
    assert created.exit_code == 0, created.output
    key = created.stdout.strip()
    assert key.startswith("sk-by-") and len(created.stdout.splitlines()) == 1
    assert "shown only once" in created.stderr
    invoke("keys", "create", "--project", "zeta", "--config", str(config))

    listing = invoke("keys", "list", "--config", str(config))
    assert listing.exit_code == 0
    header, *rows = listing.stdout.splitlines()
    assert header.split() == ["id", "project", "key", "created", "last_used", "revoked"]
    assert len(rows) == 2 and key not in listing.stdout and key[6:-4] not in listing.stdout
    acme = next(r for r in rows if " acme " in r)
    assert f"sk-by-…{key[-4:]}" in acme
    key_id = acme.split()[0]

    revoked = invoke("keys", "revoke", key_id, "--config", str(config))
    assert revoked.exit_code == 0 and key_id in revoked.output
    only = invoke("keys", "list", "--project", "acme", "--config", str(config)).stdout
    assert len(only.splitlines()) == 2
    assert len(only.splitlines()[1].split()) == 6  # revoked now: every column filled
    assert only.splitlines()[1].split()[5].endswith("Z")
    assert invoke("keys", "revoke", "key_nope", "--config", str(config)).exit_code == 1


def test_keys_reject_bad_project_names(config: Path) -> None:
    bad = invoke("keys", "create", "--project", "../etc", "--config", str(config))
    assert bad.exit_code == 2 and "invalid project name" in bad.output
