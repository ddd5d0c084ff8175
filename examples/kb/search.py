#!/usr/bin/env python3
"""Find the paragraphs nearest to one of them, or to a query vector, in a batch's output.

    python examples/kb/search.py --like kb-00085          # reads requests.output.jsonl
    python examples/kb/search.py vectors.jsonl --vector query.json -k 10

Uses numpy when it is installed and plain Python when it is not.
"""

from __future__ import annotations

import argparse
import array
import base64
import csv
import json
import math
from pathlib import Path
from typing import Any

try:
    import numpy as np
except ImportError:  # pure Python below
    np = None

HERE = Path(__file__).parent


def vector(embedding: list[float] | str) -> list[float]:
    """An embedding as a list, whether written as floats or as base64 float32."""
    if isinstance(embedding, str):
        return array.array("f", base64.b64decode(embedding)).tolist()
    return embedding


def load_vectors(path: Path) -> dict[str, list[float]]:
    """custom_id -> embedding for every successful line of an OpenAI batch output file."""
    vectors = {}
    with path.open(encoding="utf-8") as file:
        for line in file:
            result = json.loads(line)
            response = result.get("response") or {}
            if response.get("status_code") == 200:
                vectors[result["custom_id"]] = vector(response["body"]["data"][0]["embedding"])
    return vectors


def query_vector(path: Path) -> list[float]:
    """A vector from a JSON file: a bare list, an embeddings response, or a batch output line."""
    data: Any = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("response", {}).get("body", data)["data"][0]["embedding"]
    return vector(data)


def nearest(query: list[float], vectors: dict[str, list[float]], k: int) -> list[tuple[float, str]]:
    """The k best (cosine similarity, custom_id) pairs, best first."""
    ids = list(vectors)
    if np is not None:
        matrix = np.asarray([vectors[i] for i in ids], dtype=np.float32)
        q = np.asarray(query, dtype=np.float32)
        scores = (
            matrix @ q / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(q) + 1e-12)
        ).tolist()
    else:
        norm = math.sqrt(sum(x * x for x in query)) or 1.0
        scores = [
            sum(a * b for a, b in zip(query, vectors[i], strict=True))
            / (norm * (math.sqrt(sum(x * x for x in vectors[i])) or 1.0))
            for i in ids
        ]
    return sorted(zip(scores, ids, strict=True), reverse=True)[:k]


def clip(text: str, width: int) -> str:
    """`text` cut to `width` characters, with "..." when something was cut."""
    return text if len(text) <= width else text[:width] + "..."


def main() -> None:
    """Print the nearest paragraphs with their titles and the start of their text."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "output",
        type=Path,
        nargs="?",
        default=HERE / "requests.output.jsonl",
        help="the batch output file (default: requests.output.jsonl)",
    )
    parser.add_argument("--csv", type=Path, default=HERE / "articles.csv")
    parser.add_argument("-k", type=int, default=5, help="how many to show (default 5)")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--like", metavar="ID", help="a custom_id in the output, e.g. kb-00085")
    what.add_argument("--vector", type=Path, metavar="FILE", help="a JSON file with a query vector")
    args = parser.parse_args()
    if not args.output.exists():
        parser.error(f"{args.output} not found; run: batchyard run examples/kb/requests.jsonl")

    vectors = load_vectors(args.output)
    with args.csv.open(encoding="utf-8", newline="") as file:
        rows = {row["id"]: row for row in csv.DictReader(file)}
    if args.like is not None and args.like not in vectors:
        parser.error(f"{args.like} has no embedding in {args.output}")
    query = vectors.pop(args.like) if args.like else query_vector(args.vector)

    if args.like in rows:
        row = rows[args.like]
        print(f"like {args.like}  {clip(row['title'] + ': ' + row['text'], 130)}\n")
    for score, custom_id in nearest(query, vectors, args.k):
        row = rows.get(custom_id, {"title": "?", "section": "?", "text": ""})
        print(f"{score:.3f}  {custom_id}  [{row['section']}] {row['title']}")
        print(f"       {clip(row['text'], 150)}")


if __name__ == "__main__":
    main()
