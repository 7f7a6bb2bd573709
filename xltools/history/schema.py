"""The store's tables (SQLAlchemy Core). Alembic's first revision creates exactly
these; a change here needs a new revision in ``migrations/versions``.

Unique constraints carry the concurrency rules: one row per plan, per plan and
period, per period and revision number, per revision and action, and per plan and
Log event. Two recorders racing for the same row collide on one of them, and the
loser's whole transaction is retried (``record.record_book``).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

plans = Table(
    "plans", metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", String(200), nullable=False, unique=True),
    Column("organisation", Text, nullable=False, default=""),
    Column("department", Text, nullable=False, default=""),
    Column("title", Text, nullable=False, default=""),
)

periods = Table(
    "periods", metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_pk", Integer, ForeignKey("plans.id"), nullable=False),
    Column("period", Text, nullable=False),
    Column("sort_key", Integer, nullable=False),  # year * 4 + quarter: ordering
    UniqueConstraint("plan_pk", "period", name="uq_periods_plan_period"),
)

revisions = Table(
    "revisions", metadata,
    Column("id", Integer, primary_key=True),
    Column("period_pk", Integer, ForeignKey("periods.id"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("source_name", Text, nullable=False),
    Column("source_sha256", String(64), nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("recorded_by", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("actions", Integer, nullable=False),
    UniqueConstraint("period_pk", "revision", name="uq_revisions_period_revision"),
)

actions = Table(
    "action_snapshots", metadata,
    Column("id", Integer, primary_key=True),
    Column("revision_pk", Integer, ForeignKey("revisions.id"), nullable=False, index=True),
    Column("action_id", Text, nullable=False, index=True),
    Column("ref", Text),
    Column("section", Text),
    Column("title", Text),
    Column("accountable_officer", Text),
    Column("lead_officer", Text),
    Column("timeframe", Text),
    Column("rag", Text),  # at most RAG_LENGTH characters: it is in ix_action_points
    Column("previous_rag", Text),
    Column("due", Date),  # the timeframe's due date (timeframes.due_date): slipped or not
    Column("progress", Text),
    Column("last_updated", Date),
    Column("updated_by", Text),
    Column("flags", Text),
    Column("archived", Boolean, nullable=False, default=False),
    UniqueConstraint("revision_pk", "action_id", name="uq_actions_revision_action"),
    # the trend reads (action, RAG, due) of one quarter from this index alone, never the
    # wide rows with their paragraphs of text
    Index("ix_action_points", "revision_pk", "archived", "action_id", "rag", "due"),
)

kpis = Table(
    "kpi_values", metadata,
    Column("id", Integer, primary_key=True),
    Column("revision_pk", Integer, ForeignKey("revisions.id"), nullable=False, index=True),
    Column("row_no", Integer, nullable=False),
    Column("measure", Text, nullable=False),
    Column("department", Text),
    Column("latest", Float),
    Column("latest_period", Text),
    Column("target", Float),
    Column("good_is", Text),
    Column("previous", Float),
    Column("rag", Text),
    Column("trend", Text),
    UniqueConstraint("revision_pk", "row_no", name="uq_kpis_revision_row"),
)

savings = Table(
    "savings_lines", metadata,
    Column("id", Integer, primary_key=True),
    Column("revision_pk", Integer, ForeignKey("revisions.id"), nullable=False, index=True),
    Column("row_no", Integer, nullable=False),
    Column("project_ref", Text, nullable=False),
    Column("project", Text),
    Column("department", Text),
    Column("lead_officer", Text),
    Column("year", Text),
    Column("expected", Float),
    Column("revised", Float),
    Column("change", Float),
    Column("change_type", Text),
    Column("approved_by", Text),
    Column("approved_on", Date),
    Column("comment", Text),
    UniqueConstraint("revision_pk", "row_no", name="uq_savings_revision_row"),
)

events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_pk", Integer, ForeignKey("plans.id"), nullable=False),
    Column("event_key", String(64), nullable=False),  # sha-256 of the Log row: dedupe
    Column("revision_pk", Integer, ForeignKey("revisions.id"), nullable=False),
    Column("when", Text),
    Column("file", Text),
    Column("sha256", Text),  # as the Log sheet holds it
    Column("officer", Text),
    Column("period", Text),
    Column("accepted", Integer),
    Column("rejected", Integer),
    Column("notes", Text),
    UniqueConstraint("plan_pk", "event_key", name="uq_events_plan_key"),
)
