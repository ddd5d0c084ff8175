"""Each engine's pacer state, for the dashboard's queue page (issue 17).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database made by `create_all` of the same release may have the table already.
    if "pacer_states" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "pacer_states",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=128), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("owner", "model"),
    )


def downgrade() -> None:
    op.drop_table("pacer_states")
