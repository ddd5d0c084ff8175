"""Pieces: the provider batches of an `openai-batch` model's batches (issue 15).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database made by `create_all` of the same release has the table already.
    if sa.inspect(op.get_bind()).has_table("pieces"):
        return
    op.create_table(
        "pieces",
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("piece", sa.Integer(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("tokens", sa.BigInteger(), nullable=False),
        sa.Column("file_id", sa.String(length=128), nullable=True),
        sa.Column("provider_batch_id", sa.String(length=128), nullable=True),
        sa.Column("provider_status", sa.String(length=32), nullable=True),
        sa.Column("recorded_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("batch_id", "shard", "piece"),
    )
    op.create_index("ix_pieces_model_status", "pieces", ["model", "status"])


def downgrade() -> None:
    op.drop_index("ix_pieces_model_status", table_name="pieces")
    op.drop_table("pieces")
