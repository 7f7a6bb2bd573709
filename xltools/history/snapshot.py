"""What one master holds that the store keeps, as plain rows ready to insert.

Pure: a ``Book`` in, dicts out, plus a content hash over all of them — the same
content read from a re-saved file (new zip timestamps) hashes the same, so
recording it again records nothing new.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..periods import Quarter
from ..timeframes import due_date
from ..workbook.book import Book, Row

ACTION_FIELDS = {  # store column -> master column key
    "action_id": "id", "ref": "ref", "section": "section", "title": "action",
    "accountable_officer": "accountable_officer", "lead_officer": "lead_officer",
    "timeframe": "timeframe", "rag": "rag", "previous_rag": "previous_rag",
    "progress": "progress_update", "last_updated": "last_updated",
    "updated_by": "updated_by", "flags": "flags",
}
KPI_FIELDS = ("measure", "department", "latest", "latest_period", "target", "good_is",
              "previous", "rag", "trend")
SAVINGS_FIELDS = ("project_ref", "project", "department", "lead_officer", "year", "expected",
                  "revised", "change", "change_type", "approved_by", "approved_on", "comment")
EVENT_FIELDS = ("when", "file", "sha256", "officer", "period", "accepted", "rejected", "notes")
RAG_LENGTH = 100  # a longer "RAG" is no RAG (flagged INVALID in the master): cut
_NUMBERS = {"latest", "target", "previous", "expected", "revised", "change"}
_INTEGERS = {"accepted", "rejected"}


@dataclass
class Snapshot:
    """One master's content in the store's terms."""

    plan_id: str
    organisation: str
    department: str
    title: str
    period: str
    sort_key: int
    actions: list[dict[str, Any]]
    kpis: list[dict[str, Any]]
    savings: list[dict[str, Any]]
    events: list[dict[str, Any]]
    content_sha256: str

    @classmethod
    def from_book(cls, book: Book) -> Snapshot:
        plan = book.plan
        quarter = Quarter.parse(plan.period, plan.fy_start_month)
        start = plan.fy_start_month
        acts = [_action(r, False, start) for r in book.actions if r.get("id")]
        seen = {a["action_id"] for a in acts}
        acts += [_action(r, True, start) for r in book.archive
                 if r.get("id") and r["id"] not in seen]
        kpis = [dict(_pick(r, KPI_FIELDS), row_no=n) for n, r in enumerate(book.kpis, 1)
                if r.get("measure")]
        savings = [dict(_pick(r, SAVINGS_FIELDS), row_no=n)
                   for n, r in enumerate(book.savings, 1) if r.get("project_ref")]
        events = [_event(r) for r in book.log]
        snap = cls(plan_identity(book), *plan_names(book), str(quarter),
                   quarter.year * 4 + quarter.number, acts, kpis, savings, events, "")
        snap.content_sha256 = _digest([snap.plan_id, snap.period, acts, kpis, savings, events])
        return snap


NAMED = "named:"  # as query.NAMED: a plan recorded from a master without a plan ID


def plan_names(book: Book) -> tuple[str, str, str]:
    """(organisation, department, title) as the store keeps them."""
    plan = book.plan
    return (_text(plan.organisation) or "", _text(plan.department) or "",
            _text(plan.title) or "")


def plan_identity(book: Book) -> str:
    """The plan's own ID; a workbook from before plan IDs is known by its names."""
    plan = book.plan
    if plan.plan_id:
        return plan.plan_id
    names = "|".join((plan.organisation, plan.department, plan.title))
    return NAMED + hashlib.sha256(names.encode("utf-8")).hexdigest()[:16]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_TEXT_FIELDS = tuple((name, key) for name, key in ACTION_FIELDS.items()
                     if name != "last_updated")


def _action(row: Row, archived: bool, fy_start_month: int) -> dict[str, Any]:
    """One action's snapshot. Every action of a 12,000-action master passes here, so
    the texts take a fast path and a timeframe's due date is worked out once per text
    (a plan has a few dozen distinct timeframes)."""
    out = {}
    for name, key in _TEXT_FIELDS:
        value = row.get(key)
        if type(value) is str:
            value = value.strip() or None
        elif value is not None:
            value = _text(value)
        out[name] = value
    out["last_updated"] = _day(row.get("last_updated"))
    out["archived"] = archived
    timeframe = row.get("timeframe")
    out["due"] = cached_due(timeframe, fy_start_month) if timeframe is not None else None
    if out["rag"] and len(out["rag"]) > RAG_LENGTH:  # not a RAG; kept short for the index
        out["rag"] = out["rag"][: RAG_LENGTH - 1] + "…"
    return out


@lru_cache(maxsize=4096)
def cached_due(timeframe: Any, fy_start_month: int) -> date | None:
    return due_date(timeframe, fy_start_month)


def _pick(row: Row, fields: tuple[str, ...]) -> dict[str, Any]:
    out = {name: _value(row.get(name), name) for name in fields}
    if "approved_on" in out:
        out["approved_on"] = _day(row.get("approved_on"))
    return out


def _event(row: Row) -> dict[str, Any]:
    out = {name: _value(row.get(name), name) for name in EVENT_FIELDS}
    out["event_key"] = _digest(out)
    return out


def _value(value: Any, name: str) -> Any:
    if name in _NUMBERS:
        return _number(value)
    if name in _INTEGERS:
        number = _number(value)
        return None if number is None else int(number)
    return _text(value)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        return None


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def _digest(data: Any) -> str:
    blob = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()
