"""The metadata tables, declared once for SQLite and PostgreSQL alike.

`seq` gives every file and batch a total order that survives equal
`created_at` seconds, so pagination cursors never skip or repeat an object.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

files = Table(
    "files",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(64), nullable=False, unique=True),
    Column("project", String(128), nullable=False),
    Column("purpose", String(32), nullable=False),
    Column("filename", Text, nullable=False),
    Column("bytes", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger),
    Column("status", String(16), nullable=False),
    Column("blob_key", Text, nullable=False),
    # Deleted files keep a tombstone row so a pagination cursor naming one still works.
    Column("deleted_at", BigInteger),
    Index("ix_files_project_seq", "project", "seq"),
)

batches = Table(
    "batches",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(64), nullable=False, unique=True),
    Column("project", String(128), nullable=False),
    Column("endpoint", String(64), nullable=False),
    Column("input_file_id", String(64), nullable=False),
    Column("completion_window", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("model", Text),
    Column("errors", JSON),
    Column("metadata", JSON),
    Column("output_expires_after", Integer),
    Column("output_file_id", String(64)),
    Column("error_file_id", String(64)),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("in_progress_at", BigInteger),
    Column("finalizing_at", BigInteger),
    Column("completed_at", BigInteger),
    Column("failed_at", BigInteger),
    Column("expired_at", BigInteger),
    Column("cancelling_at", BigInteger),
    Column("cancelled_at", BigInteger),
    Column("total", Integer, nullable=False, default=0),
    Column("completed", Integer, nullable=False, default=0),
    Column("failed", Integer, nullable=False, default=0),
    Column("input_tokens", BigInteger, nullable=False, default=0),
    Column("output_tokens", BigInteger, nullable=False, default=0),
    Column("cached_tokens", BigInteger, nullable=False, default=0),
    Column("reasoning_tokens", BigInteger, nullable=False, default=0),
    Column("stop_reason", String(16)),
    # Who validates or finalizes the batch now, and until when (lease).
    Column("lease_owner", String(64)),
    Column("lease_expires_at", Float),
    Index("ix_batches_project_seq", "project", "seq"),
    Index("ix_batches_status", "status"),
)

shards = Table(
    "shards",
    metadata,
    Column("batch_id", String(64), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("first_line", Integer, nullable=False),
    Column("last_line", Integer, nullable=False),
    Column("start", BigInteger, nullable=False),
    Column("end", BigInteger, nullable=False),
    Column("requests", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("owner", String(64)),
    Column("epoch", Integer, nullable=False, default=0),
    Column("lease_expires_at", Float),
    Column("completed", Integer, nullable=False, default=0),
    Column("failed", Integer, nullable=False, default=0),
    Column("input_tokens", BigInteger, nullable=False, default=0),
    Column("output_tokens", BigInteger, nullable=False, default=0),
    Column("cached_tokens", BigInteger, nullable=False, default=0),
    Column("reasoning_tokens", BigInteger, nullable=False, default=0),
    Index("ix_shards_status", "status"),
)
