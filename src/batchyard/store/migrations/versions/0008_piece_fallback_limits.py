"""Pieces: the fallback model's usage on a shard, and the enqueued-token limit learned from
an upstream's `token_limit_exceeded` (issue 15).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database made by `create_all` of the same release may have them already.
    inspector = sa.inspect(op.get_bind())
    have = {c["name"] for c in inspector.get_columns("pieces")}
    if "usage" not in have:
        with op.batch_alter_table("pieces") as table:
            table.add_column(sa.Column("usage", sa.JSON(), nullable=True))
    if not inspector.has_table("piece_limits"):
        op.create_table(
            "piece_limits",
            sa.Column("model", sa.String(length=255), nullable=False),
            sa.Column("enqueued_tokens", sa.BigInteger(), nullable=False),
            sa.Column("learned_at", sa.Float(), nullable=False),
            sa.PrimaryKeyConstraint("model"),
        )


def downgrade() -> None:
    op.drop_table("piece_limits")
    with op.batch_alter_table("pieces") as table:
        table.drop_column("usage")
