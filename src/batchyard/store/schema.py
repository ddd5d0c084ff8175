"""The metadata tables, declared once for SQLite and PostgreSQL alike.

`seq` gives every file and batch a total order that survives equal
`created_at` seconds, so pagination cursors never skip or repeat an object.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
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

# -- notifications: webhook endpoints, events, the delivery outbox, progress samples --

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(64), nullable=False, unique=True),
    Column("project", String(128), nullable=False),
    Column("name", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("event_types", JSON, nullable=False),
    # Kept in clear: signing needs the key itself. `previous_secret` still signs too
    # until `previous_secret_until`, after a rotation that asked to keep it a day.
    Column("secret", Text, nullable=False),
    Column("previous_secret", Text),
    Column("previous_secret_until", BigInteger),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("deleted_at", BigInteger),
    Index("ix_webhook_endpoints_project_seq", "project", "seq"),
)

# One row per terminal transition, written in the transition's own transaction.
events = Table(
    "events",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("project", String(128), nullable=False),
    Column("type", String(64), nullable=False),
    Column("batch_id", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("payload", Text, nullable=False),  # the exact bytes every delivery sends
    UniqueConstraint("batch_id", "type", name="uq_events_batch_type"),
)

# The outbox: one row per event and subscribed endpoint, until delivered or given up.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", String(64), primary_key=True),  # the `webhook-id` header, on every try
    Column("event_id", String(64), nullable=False),
    Column("endpoint_id", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),  # pending | delivered | abandoned
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Float, nullable=False),
    Column("claim", String(128)),  # `<worker id>/<token>` while a try runs; guards the verdict
    Column("last_status_code", Integer),  # 0: no HTTP answer
    Column("last_error", String(64)),  # a kind (timeout, connect, http_500), never a body
    Column("delivered_at", BigInteger),
    UniqueConstraint("event_id", "endpoint_id", name="uq_webhook_deliveries_event_endpoint"),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
)

# Two progress marks per running batch, for a rate measured over a sliding window.
batch_progress = Table(
    "batch_progress",
    metadata,
    Column("batch_id", String(64), primary_key=True),
    Column("since_at", Float, nullable=False),
    Column("since_finished", Integer, nullable=False),
    Column("mark_at", Float, nullable=False),
    Column("mark_finished", Integer, nullable=False),
    # The monitor's plan (engine/feasibility.py): when the batch should end in the claim's
    # order at the model's measured throughput, and, if after `expires_at`, why. The claim
    # puts batches with a reason behind those without. `plan_urgent`: it would miss its
    # window on its project's share, and running it ahead of the shares makes no other
    # batch late, so the claim runs it first.
    Column("plan_eta", Float),
    Column("at_risk_reason", Text),
    Column("plan_urgent", Boolean, nullable=False, server_default=false()),
)

# -- issue 7: API keys and retention -------------------------------------------

# A project is a name that keys and objects carry; it has no row of its own.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("project", String(128), nullable=False),
    # Hex SHA-256 of the whole key; the key itself is never stored.
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("redacted", String(32), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("last_used_at", BigInteger),
    Column("revoked_at", BigInteger),
)

# Dashboard sign-ins (issue 17): kept here, not in one process, so a session made by one
# `serve` works on every other behind the same load balancer and outlives a restart.
dashboard_sessions = Table(
    "dashboard_sessions",
    metadata,
    # Hex SHA-256 of the cookie's random token; the token itself is never stored.
    Column("token_hash", String(64), primary_key=True),
    Column("project", String(128), nullable=False),
    Column("key_id", String(64)),  # None: the open, loopback-only server (no key yet)
    Column("csrf", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", Float, nullable=False),
    Index("ix_dashboard_sessions_key_id", "key_id"),
    Index("ix_dashboard_sessions_expires_at", "expires_at"),
)

# What each engine's pacers know of their `openai` upstreams (issue 17), written every
# few seconds by the process that paces, so the dashboard of any `serve` shows every
# worker's. One row per worker and model; a row not refreshed for a while is a dead worker.
pacer_states = Table(
    "pacer_states",
    metadata,
    Column("owner", String(64), primary_key=True),  # the engine's worker id
    Column("model", String(128), primary_key=True),
    Column("updated_at", Float, nullable=False),
    Column("state", Text, nullable=False),  # JSON: per base URL limits and health, 429s
)

# The retention sweeper looks files up by expiry.
Index("ix_files_expires_at", files.c.expires_at)

# -- issue 15: pieces of a batch sent to an upstream Batch API ------------------

# One row per provider batch, written before the upload and the create that make it.
pieces = Table(
    "pieces",
    metadata,
    Column("batch_id", String(64), primary_key=True),
    Column("shard", Integer, primary_key=True),
    Column("piece", Integer, primary_key=True),
    Column("model", Text, nullable=False),
    # recorded -> uploaded -> creating -> created -> finished | abandoned
    Column("status", String(16), nullable=False),
    Column("lines", JSON, nullable=False),  # the input line numbers it carries
    Column("tokens", BigInteger, nullable=False, default=0),  # estimated, while enqueued
    Column("file_id", String(128)),
    Column("provider_batch_id", String(128)),
    Column("provider_status", String(32)),
    Column("recorded_at", Float, nullable=False),
    # The tokens the `fallback` model used on the lines it ran (piece 0 of a shard).
    Column("usage", JSON),
    Index("ix_pieces_model_status", "model", "status"),
)

# The enqueued-token limit an upstream showed when it refused a piece with
# `token_limit_exceeded`: lower than the configured one, it is the one in force.
piece_limits = Table(
    "piece_limits",
    metadata,
    Column("model", String(255), primary_key=True),
    Column("enqueued_tokens", BigInteger, nullable=False),
    Column("learned_at", Float, nullable=False),
)
