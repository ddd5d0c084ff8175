"""docs/configuration.md against the code: its example loads, and every key has a row.

The page promises every config key and backend option with its default; these tests
make a new option without a row, a stale row, a wrong default or an example the loader
refuses fail here rather than mislead a user.
"""

from __future__ import annotations

import inspect
import re
import tomllib
from dataclasses import MISSING, Field, fields
from pathlib import Path
from typing import Any

import pytest

from batchyard.backends import BACKENDS
from batchyard.backends.base import parse_options
from batchyard.backends.batchapi import BatchAPIOptions
from batchyard.backends.local.chat import TransformersChatOptions
from batchyard.backends.local.embeddings import LocalEmbeddingsOptions
from batchyard.backends.mock import MockOptions
from batchyard.backends.openai import OpenAIOptions
from batchyard.config import (
    EngineSettings,
    Limits,
    ModelConfig,
    MonitorSettings,
    Price,
    ProjectPolicy,
    S3Settings,
    Settings,
    WebhookSettings,
    load_settings,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"

# Backend name -> its options dataclass (backends have no uniform attribute for it).
OPTIONS: dict[str, type[Any]] = {
    "mock": MockOptions,
    "openai": OpenAIOptions,
    "openai-batch": BatchAPIOptions,
    "local-embeddings": LocalEmbeddingsOptions,
    "transformers-chat": TransformersChatOptions,
}

# Heading of the doc's section -> the dataclass whose fields its table lists.
SECTIONS: dict[str, type[Any]] = {
    "`[s3]`": S3Settings,
    "`[limits]`": Limits,
    "`[engine]`": EngineSettings,
    "`[[models]]`": ModelConfig,
    "`[[prices]]`": Price,
    "`[webhooks]`": WebhookSettings,
    "`[monitor]`": MonitorSettings,
    "`[project_defaults]` and `[projects.<name>]`": ProjectPolicy,
    **{f"`{name}`": cls for name, cls in OPTIONS.items()},
}
TOP_LEVEL = "Top-level keys"
NOT_KEYS = {ModelConfig: {"options"}}  # the backend's own keys, documented per backend
_ROW = re.compile(r"^\|\s*`([a-z_0-9]+)`\s*\|(.*)\|\s*$")


def _sections(text: str) -> dict[str, list[str]]:
    """Heading -> its lines, code fences skipped (a `#` there is a TOML comment)."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            current = sections.setdefault(line.lstrip("#").strip(), [])
        elif not fenced:
            current.append(line)
    return sections


def _rows(lines: list[str]) -> dict[str, list[str]]:
    """A section's table rows: first-column key -> the other cells."""
    rows = {}
    for line in lines:
        match = _ROW.match(line)
        if match:
            cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", match.group(2))]
            rows[match.group(1)] = cells
    return rows


def _keys(cls: type[Any]) -> list[Field[Any]]:
    return [f for f in fields(cls) if f.name not in NOT_KEYS.get(cls, set())]


def _toml_blocks(text: str) -> list[str]:
    return re.findall(r"^```toml\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_every_backend_has_its_options_class_here() -> None:
    assert set(OPTIONS) == set(BACKENDS), "add the new backend's options class to OPTIONS"
    for name, options in OPTIONS.items():
        assert inspect.getmodule(options) is inspect.getmodule(BACKENDS[name])


def test_every_example_loads_with_the_real_loader(doc: str, tmp_path: Path) -> None:
    blocks = _toml_blocks(doc)
    assert blocks, "docs/configuration.md has no ```toml example"
    for number, block in enumerate(blocks):
        path = tmp_path / f"example-{number}.toml"
        path.write_text(block, encoding="utf-8")
        settings = load_settings(path)
        for model in settings.models:
            parse_options(OPTIONS[model.backend], model)


def test_the_first_example_sets_every_key(doc: str) -> None:
    """ "A complete example": each section key appears in it, so each is shown loading."""
    raw = tomllib.loads(_toml_blocks(doc)[0])
    assert set(raw) == {f.name for f in fields(Settings)}
    for section in ("s3", "limits", "engine", "webhooks", "monitor", "project_defaults"):
        cls = type(getattr(Settings(), section))
        assert set(raw[section]) == {f.name for f in fields(cls)}, section
    assert set(raw["prices"][0]) == {f.name for f in fields(Price)}
    backends = {table["backend"] for table in raw["models"]}
    assert backends == set(BACKENDS) - {"transformers-chat"}  # it needs a real model folder
    for table in raw["models"]:
        if table["backend"] != "transformers-chat":
            options = {f.name for f in fields(OPTIONS[table["backend"]])}
            generic = {f.name for f in _keys(ModelConfig)}
            # One of base_url / base_urls; call_log writes a file; path must exist.
            optional = {"base_urls", "call_log", "path"}
            assert options - optional <= set(table) - generic, table["name"]


@pytest.mark.parametrize("heading", list(SECTIONS))
def test_every_field_has_one_row_with_its_default(doc: str, heading: str) -> None:
    sections = _sections(doc)
    assert heading in sections, f"no section headed {heading!r}"
    rows = _rows(sections[heading])
    cls = SECTIONS[heading]
    assert set(rows) == {f.name for f in _keys(cls)}, f"rows of {heading} vs {cls.__name__}"
    for field in _keys(cls):
        _check_default(field, rows[field.name][1], f"{heading} {field.name}")


def test_top_level_keys_and_sections_are_all_there(doc: str) -> None:
    """Plain keys (those with a plain default) have rows; the tables have sections."""
    sections = _sections(doc)
    rows = _rows(sections[TOP_LEVEL])
    scalars = [f for f in fields(Settings) if f.default is not MISSING]
    assert set(rows) == {f.name for f in scalars}
    for field in scalars:
        _check_default(field, rows[field.name][1], field.name)
    headings = " ".join(sections)
    for field in fields(Settings):
        if field.default is MISSING:
            assert f"`[{field.name}" in headings or f"`[[{field.name}" in headings, field.name


def _check_default(field: Field[Any], cell: str, where: str) -> None:
    """The default cell: `required`, `unset…` for None, or the default as a TOML literal."""
    if field.default is not MISSING:
        default = field.default
    elif field.default_factory is not MISSING:
        default = field.default_factory()
    else:
        assert cell == "required", f"{where}: has no default, the doc says {cell!r}"
        return
    if default is None:
        assert cell.startswith(("unset", "required")), f"{where}: unset by default, not {cell!r}"
        return
    literal = re.match(r"^`([^`]*)`", cell)
    assert literal, f"{where}: the default cell {cell!r} should start with a `literal`"
    documented = tomllib.loads(f"v = {literal.group(1)}")["v"]
    expected = str(default) if isinstance(default, Path) else default
    assert documented == expected, f"{where}: the doc says {documented!r}, the code {expected!r}"
