"""The first history schema: plans, periods, revisions and what each revision holds.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _pk() -> sa.Column:
    return sa.Column("id", sa.Integer, primary_key=True)


def _revision_fk() -> sa.Column:
    return sa.Column("revision_pk", sa.Integer, sa.ForeignKey("revisions.id"), nullable=False,
                     index=True)


def upgrade() -> None:
    op.create_table(
        "plans", _pk(),
        sa.Column("plan_id", sa.String(200), nullable=False, unique=True),
        sa.Column("organisation", sa.Text, nullable=False),
        sa.Column("department", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False))
    op.create_table(
        "periods", _pk(),
        sa.Column("plan_pk", sa.Integer, sa.ForeignKey("plans.id"), nullable=False),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("sort_key", sa.Integer, nullable=False),
        sa.UniqueConstraint("plan_pk", "period", name="uq_periods_plan_period"))
    op.create_table(
        "revisions", _pk(),
        sa.Column("period_pk", sa.Integer, sa.ForeignKey("periods.id"), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("source_name", sa.Text, nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("recorded_by", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actions", sa.Integer, nullable=False),
        sa.UniqueConstraint("period_pk", "revision", name="uq_revisions_period_revision"))
    op.create_table(
        "action_snapshots", _pk(), _revision_fk(),
        sa.Column("action_id", sa.Text, nullable=False),
        *(sa.Column(name, sa.Text) for name in (
            "ref", "section", "title", "accountable_officer", "lead_officer", "timeframe")),
        sa.Column("rag", sa.Text),
        sa.Column("previous_rag", sa.Text),
        sa.Column("progress", sa.Text),
        sa.Column("last_updated", sa.Date),
        sa.Column("updated_by", sa.Text),
        sa.Column("flags", sa.Text),
        sa.Column("archived", sa.Boolean, nullable=False),
        sa.UniqueConstraint("revision_pk", "action_id", name="uq_actions_revision_action"))
    op.create_table(
        "kpi_values", _pk(), _revision_fk(),
        sa.Column("row_no", sa.Integer, nullable=False),
        sa.Column("measure", sa.Text, nullable=False),
        sa.Column("department", sa.Text),
        sa.Column("latest", sa.Float),
        sa.Column("latest_period", sa.Text),
        sa.Column("target", sa.Float),
        sa.Column("good_is", sa.Text),
        sa.Column("previous", sa.Float),
        sa.Column("rag", sa.Text),
        sa.Column("trend", sa.Text),
        sa.UniqueConstraint("revision_pk", "row_no", name="uq_kpis_revision_row"))
    op.create_table(
        "savings_lines", _pk(), _revision_fk(),
        sa.Column("row_no", sa.Integer, nullable=False),
        sa.Column("project_ref", sa.Text, nullable=False),
        *(sa.Column(name, sa.Text) for name in ("project", "department", "lead_officer")),
        sa.Column("year", sa.Text),
        *(sa.Column(name, sa.Float) for name in ("expected", "revised", "change")),
        sa.Column("change_type", sa.Text),
        sa.Column("approved_by", sa.Text),
        sa.Column("approved_on", sa.Date),
        sa.Column("comment", sa.Text),
        sa.UniqueConstraint("revision_pk", "row_no", name="uq_savings_revision_row"))
    op.create_table(
        "events", _pk(),
        sa.Column("plan_pk", sa.Integer, sa.ForeignKey("plans.id"), nullable=False),
        sa.Column("event_key", sa.String(64), nullable=False),
        sa.Column("revision_pk", sa.Integer, sa.ForeignKey("revisions.id"), nullable=False),
        *(sa.Column(name, sa.Text) for name in ("when", "file")),
        sa.Column("sha256", sa.Text),
        sa.Column("officer", sa.Text),
        sa.Column("period", sa.Text),
        sa.Column("accepted", sa.Integer),
        sa.Column("rejected", sa.Integer),
        sa.Column("notes", sa.Text),
        sa.UniqueConstraint("plan_pk", "event_key", name="uq_events_plan_key"))


def downgrade() -> None:
    for table in ("events", "savings_lines", "kpi_values", "action_snapshots", "revisions",
                  "periods", "plans"):
        op.drop_table(table)
