"""The monitor's plan for each running batch: its forecast end, and why it is at risk (issue 16).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A database made by `create_all` of the same release may have the columns already.
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("batch_progress")}
    with op.batch_alter_table("batch_progress") as table:
        if "plan_eta" not in have:
            table.add_column(sa.Column("plan_eta", sa.Float(), nullable=True))
        if "at_risk_reason" not in have:
            table.add_column(sa.Column("at_risk_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("batch_progress") as table:
        table.drop_column("at_risk_reason")
        table.drop_column("plan_eta")
