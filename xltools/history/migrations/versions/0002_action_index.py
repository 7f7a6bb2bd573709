"""Index action points by action ID: `history show --action` and the per-action trend
look an action up across every quarter.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_action_snapshots_action_id", "action_snapshots", ["action_id"])


def downgrade() -> None:
    op.drop_index("ix_action_snapshots_action_id", "action_snapshots")
