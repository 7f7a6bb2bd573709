"""Index action points: by action ID (`history show --action` looks an action up across
every quarter), and (revision, archived, action, RAG, due) with a due-date column, so
the Dashboard's trend reads a quarter's points from the index alone.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("action_snapshots", sa.Column("due", sa.Date))
    op.create_index("ix_action_snapshots_action_id", "action_snapshots", ["action_id"])
    op.create_index("ix_action_points", "action_snapshots",
                    ["revision_pk", "archived", "action_id", "rag", "due"])


def downgrade() -> None:
    op.drop_index("ix_action_points", "action_snapshots")
    op.drop_index("ix_action_snapshots_action_id", "action_snapshots")
    op.drop_column("action_snapshots", "due")
