"""Reading the store: plans, each period's newest revision, action series, RAG mix.

Every question is asked of the newest revision of each period (an earlier
revision is kept for the record, not counted), ordered by the quarter itself.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, false, func, select
from sqlalchemy.engine import Connection

from ..errors import HistoryError
from . import schema as t

NAMED = "named:"  # the ID prefix of a plan recorded from a master without a plan ID


@dataclass(frozen=True)
class PlanRow:
    pk: int
    plan_id: str
    organisation: str
    department: str
    title: str


def plans(conn: Connection) -> list[PlanRow]:
    rows = conn.execute(select(t.plans).order_by(t.plans.c.id)).all()
    return [PlanRow(r.id, r.plan_id, r.organisation, r.department, r.title) for r in rows]


def pick_plan(conn: Connection, plan_id: str | None, name: str) -> PlanRow:
    """The plan asked for, or the only one; several and none named is a usage error."""
    known = plans(conn)
    if plan_id:
        for row in known:
            if row.plan_id == plan_id:
                return row
        raise HistoryError(f"no plan {plan_id} in the history store {name}")
    if not known:
        raise HistoryError(f"the history store {name} holds no recorded quarters yet; record "
                           "a master with `xltools history record MASTER`")
    if len(known) > 1:
        listed = ", ".join(f"{p.plan_id} ({p.title})" for p in known)
        raise HistoryError(f"the history store {name} holds several plans; name one with --plan: "
                           f"{listed}")
    return known[0]


def find_plan(conn: Connection, plan_id: str, names: tuple[str, str, str] | None = None,
              ) -> PlanRow | None:
    """The store's plan for ``plan_id``. A master from before plan IDs is known by its
    ``names`` (organisation, department, title; ID ``named:…``) and a later master of
    the same plan carries an ID: either finds the other's plan when it is the only one
    with those names, so one plan's quarters are never split in two."""
    known = plans(conn)
    found = next((p for p in known if p.plan_id == plan_id), None)
    if found or names is None:
        return found
    same = [p for p in known if (p.organisation, p.department, p.title) == names]
    if plan_id.startswith(NAMED):
        ided = [p for p in same if not p.plan_id.startswith(NAMED)]
        return ided[0] if len(ided) == 1 else None
    unnamed = [p for p in same if p.plan_id.startswith(NAMED)]
    return unnamed[0] if len(unnamed) == 1 and len(same) == 1 else None


def newest_revisions(plan_pk: int):
    """Subquery: (period, sort_key, revision_pk) for the newest revision of each period."""
    r, p = t.revisions, t.periods
    newest = (select(r.c.period_pk, func.max(r.c.revision).label("revision"))
              .group_by(r.c.period_pk).subquery())
    return (select(p.c.period, p.c.sort_key, r.c.id.label("revision_pk"),
                   r.c.revision, r.c.source_name, r.c.recorded_by, r.c.recorded_at)
            .join(r, r.c.period_pk == p.c.id)
            .join(newest, and_(newest.c.period_pk == r.c.period_pk,
                               newest.c.revision == r.c.revision))
            .where(p.c.plan_pk == plan_pk).subquery())


def recorded_periods(conn: Connection, plan_pk: int) -> list[dict[str, Any]]:
    q = newest_revisions(plan_pk)
    counts = (select(t.revisions.c.period_pk, func.count().label("n"))
              .group_by(t.revisions.c.period_pk).subquery())
    rows = conn.execute(select(q, counts.c.n).join(
        t.revisions, t.revisions.c.id == q.c.revision_pk).join(
        counts, counts.c.period_pk == t.revisions.c.period_pk).order_by(q.c.sort_key)).all()
    return [{"period": r.period, "revision": r.revision, "revisions": r.n,
             "source": r.source_name, "recorded_by": r.recorded_by,
             "recorded_at": r.recorded_at} for r in rows]


def action_rows(conn: Connection, plan_pk: int, *, action: str | None = None,
                section: str | None = None, before: int | None = None) -> list[dict[str, Any]]:
    """Every recorded point of the plan's actions, oldest quarter first. ``action``
    matches an ID or any ref the action has had; ``section`` any section it was in;
    ``before``: only quarters whose sort key is lower."""
    q, a = newest_revisions(plan_pk), t.actions
    stmt = (select(q.c.period, q.c.sort_key, a)
            .join(a, a.c.revision_pk == q.c.revision_pk)
            .order_by(q.c.sort_key, a.c.id))
    if before is not None:
        stmt = stmt.where(q.c.sort_key < before)
    if action:
        stmt = stmt.where(a.c.action_id.in_(_action_ids(conn, plan_pk, action)))
    if section:
        ids = (select(a.c.action_id).join(q, a.c.revision_pk == q.c.revision_pk)
               .where(a.c.section.ilike(f"%{section}%")))
        stmt = stmt.where(a.c.action_id.in_(ids))
    return [dict(r._mapping) for r in conn.execute(stmt)]


def _action_ids(conn: Connection, plan_pk: int, action: str) -> list[str]:
    """An ID, else the action(s) holding ref ``action`` in the latest quarter any did: a
    revision renumbers, and "1.1" means today's 1.1, whatever it was called before."""
    q, a = newest_revisions(plan_pk), t.actions
    rows = conn.execute(select(a.c.action_id, a.c.ref, a.c.archived, q.c.sort_key)
                        .join(q, a.c.revision_pk == q.c.revision_pk)
                        .where((a.c.action_id == action) | (a.c.ref == action))).all()
    by_id = [r.action_id for r in rows if r.action_id == action]
    if by_id:
        return by_id[:1]
    live = [r for r in rows if not r.archived] or rows  # a withdrawn action keeps its ref
    latest = max((r.sort_key for r in live), default=None)
    return sorted({r.action_id for r in live if r.sort_key == latest})


def series(conn: Connection, plan_pk: int, before: int | None = None,
           ) -> dict[str, list[tuple[int, str, str | None, str | None, bool]]]:
    """Action ID → [(sort_key, period, rag, timeframe, archived)], oldest first: the one
    query behind every trend (three columns a point, not whole rows)."""
    q, a = newest_revisions(plan_pk), t.actions
    stmt = (select(a.c.action_id, q.c.sort_key, q.c.period, a.c.rag, a.c.timeframe,
                   a.c.archived)
            .join(a, a.c.revision_pk == q.c.revision_pk).order_by(q.c.sort_key))
    if before is not None:
        stmt = stmt.where(q.c.sort_key < before)
    out: dict[str, list] = {}
    for row in conn.execute(stmt):
        out.setdefault(row.action_id, []).append(
            (row.sort_key, row.period, row.rag, row.timeframe, bool(row.archived)))
    return out


def quarters_back(conn: Connection, plan_pk: int, before: int | None = None,
                  ) -> list[tuple[int, str, int]]:
    """[(sort_key, period, revision_pk)] of the newest revision of each recorded quarter
    before ``before``, newest first: the trend walks back from here."""
    q = newest_revisions(plan_pk)
    stmt = select(q.c.sort_key, q.c.period, q.c.revision_pk).order_by(q.c.sort_key.desc())
    if before is not None:
        stmt = stmt.where(q.c.sort_key < before)
    return [tuple(r) for r in conn.execute(stmt)]


def points_in(conn: Connection, revision_pk: int) -> list[tuple[str, str | None, Any]]:
    """(action ID, RAG, due date) of every Actions-sheet action in one revision, read
    from the covering index ``ix_action_points``, never the wide rows."""
    a = t.actions
    stmt = (select(a.c.action_id, a.c.rag, a.c.due)
            .where(a.c.revision_pk == revision_pk, a.c.archived == false()))
    return conn.execute(stmt).all()


def timeframes(conn: Connection, revision_pk: int, ids: list[str]) -> dict[str, str | None]:
    """Action ID → timeframe as written, for a few actions of one revision."""
    a = t.actions
    stmt = select(a.c.action_id, a.c.timeframe).where(a.c.revision_pk == revision_pk,
                                                      a.c.action_id.in_(ids))
    return dict(tuple(r) for r in conn.execute(stmt))


def rag_mix(conn: Connection, revisions: list[tuple[int, str, int]],
            ) -> list[tuple[int, str, Counter]]:
    """[(sort_key, period, Counter of RAG)] for the given quarters (``quarters_back``
    rows), oldest first, Actions sheet only: one GROUP BY over those revisions."""
    if not revisions:
        return []
    a = t.actions
    keys = {pk: (key, period) for key, period, pk in revisions}
    stmt = (select(a.c.revision_pk, a.c.rag, func.count().label("n"))
            .where(a.c.revision_pk.in_(list(keys)), a.c.archived == false())
            .group_by(a.c.revision_pk, a.c.rag))
    out = {pk: Counter() for pk in keys}
    for row in conn.execute(stmt):
        out[row.revision_pk][row.rag or "No RAG"] += row.n
    return sorted((keys[pk][0], keys[pk][1], counts) for pk, counts in out.items())


def table_rows(conn: Connection, plan_pk: int, table) -> list[dict[str, Any]]:
    """Every row of ``table`` (KPIs or savings) for each period's newest revision."""
    q = newest_revisions(plan_pk)
    stmt = (select(q.c.period, table).join(table, table.c.revision_pk == q.c.revision_pk)
            .order_by(q.c.sort_key, table.c.row_no))
    return [dict(r._mapping) for r in conn.execute(stmt)]


def event_rows(conn: Connection, plan_pk: int) -> list[dict[str, Any]]:
    e = t.events
    stmt = select(e).where(e.c.plan_pk == plan_pk).order_by(e.c.id)
    return [dict(r._mapping) for r in conn.execute(stmt)]


def kpi_series(conn: Connection, revisions: list[tuple[int, str, int]],
               ) -> dict[tuple[str, str], list[tuple[int, str, float | None]]]:
    """(measure, department) → [(sort_key, period, latest)], oldest first, for the given
    quarters (``quarters_back`` rows): each KPI's recorded values."""
    if not revisions:
        return {}
    k = t.kpis
    keys = {pk: (key, period) for key, period, pk in revisions}
    stmt = select(k.c.revision_pk, k.c.measure, k.c.department, k.c.latest).where(
        k.c.revision_pk.in_(list(keys)))
    out: dict[tuple[str, str], list] = {}
    for row in conn.execute(stmt):
        key, period = keys[row.revision_pk]
        out.setdefault((row.measure, row.department or ""), []).append(
            (key, period, row.latest))
    return {name: sorted(points) for name, points in out.items()}
