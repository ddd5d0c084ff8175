"""Turn table rows into Batch API request lines: a prompt template, or an embeddings column.

A template is a system and a user message with `{column}` fields (`{{` for a
literal brace), plus extra body parameters; fields are checked against the
table's columns before the first row is read, so a typo fails at once. Each
row becomes one request line, streamed to the output; its custom_id is a
column's value or `row-<n>`, n being the data row, so results map back to rows.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from batchyard.client.errors import ToolkitError
from batchyard.client.rows import columns, read_rows

ENDPOINT_ALIASES = {
    "chat": "/v1/chat/completions",
    "responses": "/v1/responses",
    "completions": "/v1/completions",
    "embeddings": "/v1/embeddings",
    "moderations": "/v1/moderations",
}
TEXT_ENDPOINTS = ("/v1/chat/completions", "/v1/responses", "/v1/completions")
INPUT_ENDPOINTS = ("/v1/embeddings", "/v1/moderations")


def endpoint_path(name: str) -> str:
    path = ENDPOINT_ALIASES.get(name, name)
    if path not in TEXT_ENDPOINTS + INPUT_ENDPOINTS:
        known = ", ".join(f"{a} ({p})" for a, p in ENDPOINT_ALIASES.items())
        raise ToolkitError(f"prepare cannot build requests for {name!r}; one of: {known}")
    return path


@dataclass
class Piece:
    """A template string parsed once: literal text and the column between each."""

    source: str
    parts: list[tuple[str, str | None]] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str, where: str) -> Piece:
        piece = cls(text)
        try:
            parsed = list(string.Formatter().parse(text))
        except ValueError as exc:
            raise ToolkitError(f"{where}: {exc} (write {{{{ and }}}} for literal braces)") from None
        for literal, name, spec, conversion in parsed:
            if name is not None and (spec or conversion or not name):
                raise ToolkitError(
                    f"{where}: {{{name}{'!' + conversion if conversion else ''}"
                    f"{':' + spec if spec else ''}}} is not a plain {{column}} field"
                )
            piece.parts.append((literal, name))
        return piece

    @property
    def fields(self) -> set[str]:
        return {name for _, name in self.parts if name is not None}

    def render(self, row: dict[str, Any]) -> str:
        out = []
        for literal, name in self.parts:
            out.append(literal)
            if name is not None:
                value = row[name]
                out.append("" if value is None else str(value))
        return "".join(out)


@dataclass
class Template:
    system: Piece | None = None
    user: Piece | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Template:
        """A .toml or .json file (`system`, `user`, a `[params]` table), or plain text (`user`)."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ToolkitError(f"template {path}: {exc.strerror}") from None
        if path.suffix not in (".toml", ".json"):
            return cls(user=Piece.parse(text, str(path)))
        try:
            raw = tomllib.loads(text) if path.suffix == ".toml" else orjson.loads(text)
        except (tomllib.TOMLDecodeError, orjson.JSONDecodeError) as exc:
            raise ToolkitError(f"template {path}: {exc}") from None
        unknown = set(raw) - {"system", "user", "params"}
        if unknown:
            raise ToolkitError(
                f"template {path}: unknown key(s) {', '.join(sorted(unknown))}; "
                "expected system, user, params"
            )
        return cls(
            system=Piece.parse(raw["system"], f"{path} system") if "system" in raw else None,
            user=Piece.parse(raw["user"], f"{path} user") if "user" in raw else None,
            params=dict(raw.get("params", {})),
        )

    @property
    def fields(self) -> set[str]:
        return set().union(*(p.fields for p in (self.system, self.user) if p is not None))


@dataclass
class Recipe:
    """Everything that turns one row into one request line."""

    endpoint: str
    model: str
    template: Template
    input_column: str | None = None
    id_column: str | None = None
    id_prefix: str = "row-"

    def check(self, known: list[str] | None, where: Path) -> None:
        if self.endpoint in INPUT_ENDPOINTS and not (self.input_column or self.template.user):
            raise ToolkitError(f"{self.endpoint} needs --input-column (or a user template)")
        if self.endpoint in TEXT_ENDPOINTS and self.template.user is None:
            raise ToolkitError(f"{self.endpoint} needs a user message: --template or --user")
        if known is None:
            return
        wanted = set(self.template.fields)
        wanted |= {c for c in (self.input_column, self.id_column) if c}
        absent = sorted(wanted - set(known))
        if absent:
            raise ToolkitError(
                f"{where} has no column(s) {', '.join(absent)}; its columns are: {', '.join(known)}"
            )

    def body(self, row: dict[str, Any]) -> dict[str, Any]:
        system = self.template.system.render(row) if self.template.system else None
        user = self.template.user.render(row) if self.template.user else None
        body: dict[str, Any] = {"model": self.model}
        if self.endpoint == "/v1/chat/completions":
            messages = [{"role": "system", "content": system}] if system is not None else []
            body["messages"] = [*messages, {"role": "user", "content": user}]
        elif self.endpoint == "/v1/responses":
            if system is not None:
                body["instructions"] = system
            body["input"] = user
        elif self.endpoint == "/v1/completions":
            body["prompt"] = user if system is None else f"{system}\n\n{user}"
        else:
            value = row[self.input_column] if self.input_column else user
            body["input"] = value if value is None else str(value)
        body.update(self.template.params)
        return body

    def custom_id(self, number: int, row: dict[str, Any]) -> str:
        if self.id_column is None:
            return f"{self.id_prefix}{number}"
        value = row[self.id_column]
        return "" if value is None else str(value)


def requests(data: Path, fmt: str, recipe: Recipe) -> Iterator[tuple[int, bytes]]:
    """(row number, request line) for each row; bad rows raise with their number."""
    recipe.check(columns(data, fmt), data)
    for number, row in read_rows(data, fmt):
        columns_used = (recipe.input_column, recipe.id_column)
        wanted = [*recipe.template.fields, *(c for c in columns_used if c)]
        missing = [c for c in wanted if c not in row]
        if missing:
            raise ToolkitError(f"{data}: row {number} has no field(s) {', '.join(missing)}")
        custom_id = recipe.custom_id(number, row)
        if not custom_id:
            raise ToolkitError(f"{data}: row {number}: the id column {recipe.id_column} is empty")
        body = recipe.body(row)
        if recipe.endpoint in INPUT_ENDPOINTS and not body.get("input"):
            raise ToolkitError(f"{data}: row {number}: the input is empty")
        line = {"custom_id": custom_id, "method": "POST", "url": recipe.endpoint, "body": body}
        yield number, orjson.dumps(line)


def write_requests(data: Path, fmt: str, recipe: Recipe, output: Path) -> int:
    """Stream the request lines to `output` (via a temp file); return how many."""
    count = 0
    tmp = output.with_name(output.name + ".part")
    try:
        with open(tmp, "wb") as out:
            for _, line in requests(data, fmt, recipe):
                out.write(line + b"\n")
                count += 1
        tmp.replace(output)
    finally:
        tmp.unlink(missing_ok=True)
    return count
