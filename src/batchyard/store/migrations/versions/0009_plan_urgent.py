"""The monitor's plan may run a batch ahead of fair share: `plan_urgent` (issue 16).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database made by `create_all` of the same release may have the column already.
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("batch_progress")}
    if "plan_urgent" in have:
        return
    with op.batch_alter_table("batch_progress") as table:
        table.add_column(
            sa.Column("plan_urgent", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("batch_progress") as table:
        table.drop_column("plan_urgent")
