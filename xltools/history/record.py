"""Recording a master: one transaction per record, safe to run twice and in parallel.

The same content twice records nothing; changed content for a period already
recorded is that period's next revision (both kept, the newest counts). Every
write happens in one transaction, so a failure records nothing. Two recorders at
once collide on a unique constraint (or, in SQLite, wait for the write lock);
the loser's transaction is rolled back and run again from the start, where it
finds the winner's rows.
"""

from __future__ import annotations

import getpass
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError

from ..errors import HistoryError
from ..workbook.book import Book
from ..workbook.layout import MASTER
from ..workbook.reader import read_book
from . import schema as t
from .query import NAMED, find_plan
from .snapshot import Snapshot, file_sha256
from .store import Store

ATTEMPTS = 10


@dataclass
class Recorded:
    """What one ``record`` did: ``status`` is new, revision or unchanged."""

    plan_id: str
    title: str
    period: str
    revision: int
    status: str
    actions: int
    kpis: int
    savings: int
    events_added: int
    source: str
    store: str

    def message(self) -> str:
        where = f"{self.title} ({self.plan_id}), {self.period}"
        if self.status == "unchanged":
            return (f"{self.source}: already recorded as {where} revision {self.revision}; "
                    "nothing new recorded")
        what = (f"{self.actions} actions, {self.kpis} KPIs, {self.savings} savings lines, "
                f"{self.events_added} new Log events")
        if self.status == "revision":
            return (f"{self.source}: {where} was already recorded from different content; "
                    f"recorded as revision {self.revision} ({what})")
        return f"{self.source}: recorded {where} ({what})"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def recorder() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown user"


def record_master(store: Store, master: Path, *, by: str | None = None) -> Recorded:
    """Read ``master`` and record it (see ``record_book``)."""
    master = Path(master)
    book = read_book(master)
    if book.kind != MASTER:  # an officer's return or the blank template is not a quarter
        raise HistoryError(f"{master.name} is a {book.kind}, not a master: record the "
                           "consolidated master")
    return record_book(store, book, source=master.name, source_sha256=file_sha256(master),
                       by=by)


def record_book(store: Store, book: Book, *, source: str, source_sha256: str | None = None,
                by: str | None = None) -> Recorded:
    """Record ``book`` in one transaction, retried when another recorder won a race.
    ``source_sha256``: the file's hash; a book that came from no file (the add-in's open
    workbook) is known by its content's hash."""
    snap = Snapshot.from_book(book)
    by = by or recorder()
    source_sha256 = source_sha256 or snap.content_sha256
    for attempt in range(ATTEMPTS):
        try:
            with store.engine.begin() as conn:
                result = _record(conn, snap, source, source_sha256, by)
            result.store = store.name
            return result
        except IntegrityError as exc:
            if not _collision(exc):  # a real refusal (a check, a trigger): no retry
                raise store.failure(exc, "record into") from None
        except OperationalError as exc:
            if not _retryable(exc):
                raise store.failure(exc, "record into") from None
        except DBAPIError as exc:
            if not _retryable(exc):
                raise store.failure(exc, "record into") from None
        except SQLAlchemyError as exc:
            raise store.failure(exc, "record into") from None
        time.sleep(0.05 * (attempt + 1))
    raise HistoryError(f"{source}: the history store {store.name} stayed busy with other recorders "
                       f"through {ATTEMPTS} tries; nothing was recorded — run it again")


def _collision(exc: IntegrityError) -> bool:
    """A unique constraint: another recorder inserted the same plan, period, revision or
    event first; the retry finds its rows."""
    code = getattr(exc.orig, "sqlstate", None)
    return code == "23505" or "UNIQUE constraint failed" in str(exc.orig)


def _retryable(exc: DBAPIError) -> bool:
    """Lock and serialization conflicts are worth another try; anything else is not."""
    text = str(getattr(exc, "orig", exc)).lower()
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return "locked" in text or "busy" in text or code in ("40001", "40P01")


def _record(conn: Connection, snap: Snapshot, source: str, sha: str, by: str) -> Recorded:
    plan_pk = _plan(conn, snap)
    period_pk = _period(conn, plan_pk, snap)
    last = conn.execute(
        select(t.revisions.c.revision, t.revisions.c.content_sha256)
        .where(t.revisions.c.period_pk == period_pk)
        .order_by(t.revisions.c.revision.desc()).limit(1)).first()
    base = dict(plan_id=snap.plan_id, title=snap.title, period=snap.period, source=source,
                store="")
    if last is not None and last.content_sha256 == snap.content_sha256:
        return Recorded(**base, revision=last.revision, status="unchanged", actions=0, kpis=0,
                        savings=0, events_added=0)
    number = 1 if last is None else last.revision + 1
    revision_pk = conn.execute(insert(t.revisions).values(
        period_pk=period_pk, revision=number, source_name=source, source_sha256=sha,
        content_sha256=snap.content_sha256, recorded_by=by,
        recorded_at=datetime.now(UTC), actions=len(snap.actions),
    ).returning(t.revisions.c.id)).scalar_one()
    actions = _new_actions(conn, plan_pk, snap)
    for table, rows in ((t.actions, actions), (t.kpis, snap.kpis), (t.savings, snap.savings)):
        if rows:
            conn.execute(insert(table), [dict(r, revision_pk=revision_pk) for r in rows])
    added = _events(conn, plan_pk, revision_pk, snap)
    return Recorded(**base, revision=number, status="new" if number == 1 else "revision",
                    actions=len(actions), kpis=len(snap.kpis), savings=len(snap.savings),
                    events_added=added)


def _plan(conn: Connection, snap: Snapshot) -> int:
    """The plan's row: found by ID, or by its names across the minting of a plan ID
    (``query.find_plan``; an ID-less plan row then takes the ID), or new."""
    names = dict(organisation=snap.organisation, department=snap.department, title=snap.title)
    found = find_plan(conn, snap.plan_id, (snap.organisation, snap.department, snap.title))
    if found is None:
        return conn.execute(insert(t.plans).values(plan_id=snap.plan_id, **names)
                            .returning(t.plans.c.id)).scalar_one()
    if found.plan_id.startswith(NAMED) and not snap.plan_id.startswith(NAMED):
        names["plan_id"] = snap.plan_id
    conn.execute(update(t.plans).where(t.plans.c.id == found.pk).values(**names))
    return found.pk


def _period(conn: Connection, plan_pk: int, snap: Snapshot) -> int:
    p = t.periods
    pk = conn.execute(select(p.c.id).where(p.c.plan_pk == plan_pk,
                                           p.c.period == snap.period)).scalar()
    if pk is None:
        pk = conn.execute(insert(p).values(plan_pk=plan_pk, period=snap.period,
                                           sort_key=snap.sort_key)
                          .returning(p.c.id)).scalar_one()
    return pk


def _new_actions(conn: Connection, plan_pk: int, snap: Snapshot) -> list[dict[str, Any]]:
    """The snapshot's actions, less archived ones an earlier quarter already recorded as
    archived: the Archive sheet keeps them for ever, the trend needs them once."""
    a, r, p = t.actions, t.revisions, t.periods
    earlier = set(conn.execute(
        select(a.c.action_id).distinct()
        .join(r, r.c.id == a.c.revision_pk).join(p, p.c.id == r.c.period_pk)
        .where(p.c.plan_pk == plan_pk, p.c.sort_key < snap.sort_key, a.c.archived)).scalars())
    return [row for row in snap.actions if not (row["archived"] and row["action_id"] in earlier)]


def _events(conn: Connection, plan_pk: int, revision_pk: int, snap: Snapshot) -> int:
    """The Log rows the store has not seen for this plan (the Log carries over)."""
    e = t.events
    known = set(conn.execute(select(e.c.event_key).where(e.c.plan_pk == plan_pk)).scalars())
    fresh, keys = [], set()
    for event in snap.events:
        if event["event_key"] not in known and event["event_key"] not in keys:
            keys.add(event["event_key"])
            fresh.append(dict(event, plan_pk=plan_pk, revision_pk=revision_pk))
    if fresh:
        conn.execute(insert(e), fresh)
    return len(fresh)


def count_revisions(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(t.revisions)).scalar_one()
