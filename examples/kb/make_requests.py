#!/usr/bin/env python3
"""Build an OpenAI Batch API request file that embeds every paragraph of the knowledge base.

python examples/kb/make_requests.py                  # articles.csv -> requests.jsonl
python examples/kb/make_requests.py --text notes.txt --limit 100 -o notes.jsonl
"""

import argparse
import csv
import json
from pathlib import Path

HERE = Path(__file__).parent


def from_csv(path: Path) -> list[tuple[str, str]]:
    """(custom_id, input) per CSV row: the row's id, and "title: text"."""
    with path.open(encoding="utf-8", newline="") as file:
        return [(row["id"], f"{row['title']}: {row['text']}") for row in csv.DictReader(file)]


def from_text(path: Path) -> list[tuple[str, str]]:
    """(custom_id, input) per blank-line-separated block of a plain-text file."""
    blocks = path.read_text(encoding="utf-8").replace("\r\n", "\n").split("\n\n")
    paragraphs = [" ".join(block.split()) for block in blocks if block.strip()]
    return [(f"p-{number:05d}", text) for number, text in enumerate(paragraphs, 1)]


def main() -> None:
    """Write one /v1/embeddings request per paragraph."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--csv", type=Path, default=HERE / "articles.csv", help="default: articles.csv"
    )
    parser.add_argument("--text", type=Path, help="plain text, one paragraph per block (not --csv)")
    parser.add_argument("--model", default="all-MiniLM-L6-v2", help="default: %(default)s")
    parser.add_argument(
        "-o", "--output", type=Path, default=HERE / "requests.jsonl", help="default: requests.jsonl"
    )
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N paragraphs")
    args = parser.parse_args()

    paragraphs = from_text(args.text) if args.text else from_csv(args.csv)
    paragraphs = paragraphs[: args.limit] if args.limit is not None else paragraphs
    content = "".join(
        json.dumps(
            {
                "custom_id": custom_id,
                "method": "POST",
                "url": "/v1/embeddings",
                "body": {"model": args.model, "input": text},
            },
            ensure_ascii=False,
        )
        + "\n"
        for custom_id, text in paragraphs
    ).encode("utf-8")
    # The same requests again: leave the file alone, so a rerun resumes the same batch.
    if args.output.exists() and args.output.read_bytes() == content:
        print(f"{args.output} already holds these {len(paragraphs)} requests")
        return
    args.output.write_bytes(content)
    print(f"wrote {len(paragraphs)} requests to {args.output}")


if __name__ == "__main__":
    main()
