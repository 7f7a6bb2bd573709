"""Roll-up: how the plan is doing, counted the way a committee reads it.

Counts and shares of each RAG value overall, by section, by accountable officer
and by lead officer; % complete; and how each action moved since last quarter.
An action led jointly ("Luke Barrett / Catherine Kelly") counts once for each
officer, so officer totals can add up to more than the number of actions — that
is what "how many actions is each officer leading" means. A blank RAG is counted
as "No status" and a value outside the plan's scheme as "Not in scheme" (the
row is still counted, never dropped).

Movement compares each action's RAG with last quarter's — from the Previous RAG
column the next-quarter step keeps, or from last quarter's workbook matched by
ID — using the ranks of the plan's RAG scheme (Complete 4 … Red 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..plan import Plan, split_officers
from ..workbook.book import Book, blank

NO_STATUS = "No status"
NOT_IN_SCHEME = "Not in scheme"
NO_SECTION = "(No section)"
NO_OFFICER = "(No officer)"
IMPROVED, WORSENED, UNCHANGED, NEW, NOT_REPORTED = (
    "improved", "worsened", "unchanged", "new", "not_reported")
MOVEMENTS = (IMPROVED, WORSENED, UNCHANGED, NEW, NOT_REPORTED)

Counts = dict[str, int]


@dataclass
class Movement:
    """One action's RAG now and last quarter, and which way it moved."""

    action_id: str
    ref: str
    previous: str
    current: str
    change: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.action_id, "ref": self.ref, "previous": self.previous,
                "current": self.current, "change": self.change}


@dataclass
class Rollup:
    """The whole roll-up of one master; ``to_dict`` is the JSON the command prints."""

    period: str
    statuses: list[str]
    overall: Counts
    by_section: dict[str, Counts]
    by_accountable_officer: dict[str, Counts]
    by_lead_officer: dict[str, Counts]
    pct_complete: float
    pct_complete_by_section: dict[str, float]
    movements: list[Movement] = field(default_factory=list)
    movement_source: str = ""

    @property
    def total(self) -> int:
        return sum(self.overall.values())

    @property
    def movement_totals(self) -> Counts:
        totals = dict.fromkeys(MOVEMENTS, 0)
        for m in self.movements:
            totals[m.change] += 1
        return totals

    def to_dict(self) -> dict[str, Any]:
        groups = {"overall": self.overall, "by_section": self.by_section,
                  "by_accountable_officer": self.by_accountable_officer,
                  "by_lead_officer": self.by_lead_officer}
        return {
            "period": self.period,
            "actions": self.total,
            "statuses": self.statuses,
            **groups,
            "shares": {"overall": shares(self.overall),
                       **{k: {g: shares(c) for g, c in v.items()}
                          for k, v in groups.items() if k != "overall"}},
            "pct_complete": self.pct_complete,
            "pct_complete_by_section": self.pct_complete_by_section,
            "movement": {"source": self.movement_source, "totals": self.movement_totals,
                         "actions": [m.to_dict() for m in self.movements]},
        }


def shares(counts: Counts) -> dict[str, float]:
    """Each count as a fraction of the group's total (0 for an empty group), 4 d.p."""
    total = sum(counts.values())
    return {k: round(v / total, 4) if total else 0.0 for k, v in counts.items()}


def status_of(plan: Plan, value: Any) -> str:
    """The scheme's spelling of a RAG cell, ``No status`` or ``Not in scheme``."""
    if blank(value):
        return NO_STATUS
    match = plan.rag(str(value))
    return match.name if match else NOT_IN_SCHEME


def action_frame(book: Book) -> pd.DataFrame:
    """One row per action with its status and officer lists, ready to count."""
    plan = book.plan
    records = [
        {
            "id": str(row.get("id") or ""),
            "ref": "" if blank(row.get("ref")) else str(row.get("ref")),
            "section": NO_SECTION if blank(row.get("section")) else str(row["section"]),
            "accountable": split_officers(row.get("accountable_officer")) or [NO_OFFICER],
            "lead": split_officers(row.get("lead_officer")) or [NO_OFFICER],
            "status": status_of(plan, row.get("rag")),
            "previous": status_of(plan, row.get("previous_rag")),
        }
        for row in book.actions
    ]
    columns = ["id", "ref", "section", "accountable", "lead", "status", "previous"]
    return pd.DataFrame.from_records(records, columns=columns)


def status_order(plan: Plan, frame: pd.DataFrame) -> list[str]:
    """Scheme order, then No status; Not in scheme only when some row has one."""
    order = plan.rag_names + [NO_STATUS]
    if (frame["status"] == NOT_IN_SCHEME).any():
        order.append(NOT_IN_SCHEME)
    return order


def count_by(frame: pd.DataFrame, column: str, statuses: list[str],
             order: list[str] | None = None) -> dict[str, Counts]:
    """RAG counts per value of ``column`` (list columns count once per member)."""
    if frame.empty:
        return {}
    data = frame.explode(column) if isinstance(frame[column].iloc[0], list) else frame
    table = pd.crosstab(data[column], data["status"]).reindex(columns=statuses, fill_value=0)
    groups = list(order or []) + sorted(g for g in table.index if g not in (order or []))
    groups = [g for g in groups if g in table.index]
    return {g: {s: int(table.at[g, s]) for s in statuses} for g in groups}


def rollup(book: Book, previous: Book | None = None) -> Rollup:
    """Roll up ``book``'s actions; ``previous`` is last quarter's workbook, if given."""
    plan = book.plan
    frame = action_frame(book)
    statuses = status_order(plan, frame)
    overall = {s: int((frame["status"] == s).sum()) for s in statuses}
    by_section = count_by(frame, "section", statuses, list(plan.sections))
    return Rollup(
        period=plan.period,
        statuses=statuses,
        overall=overall,
        by_section=by_section,
        by_accountable_officer=count_by(frame, "accountable", statuses),
        by_lead_officer=count_by(frame, "lead", statuses),
        pct_complete=pct_complete(overall, plan),
        pct_complete_by_section={s: pct_complete(c, plan) for s, c in by_section.items()},
        movements=movements(frame, plan, previous),
        movement_source=(f"previous workbook {_name(previous.path)}" if previous
                         else "Previous RAG column"),
    )


def pct_complete(counts: Counts, plan: Plan) -> float:
    """Percentage of all actions (including those with no status) that are complete."""
    total = sum(counts.values())
    done = sum(n for s, n in counts.items() if s in plan.complete_statuses)
    return round(100 * done / total, 1) if total else 0.0


def movements(frame: pd.DataFrame, plan: Plan, previous: Book | None) -> list[Movement]:
    """Each action's change since last quarter, by the scheme's ranks."""
    before = frame.set_index("id")["previous"].to_dict() if previous is None else {
        str(r.get("id")): status_of(plan, r.get("rag")) for r in previous.actions}
    out = []
    for row in frame.itertuples(index=False):
        prev = before.get(row.id, NO_STATUS)
        out.append(Movement(row.id, row.ref, prev, row.status, change(plan, prev, row.status)))
    return out


def change(plan: Plan, previous: str, current: str) -> str:
    """improved / worsened / unchanged by rank; new without a previous status;
    not_reported without a current one."""
    now, then = plan.rag(current), plan.rag(previous)
    if now is None:
        return NOT_REPORTED
    if then is None:
        return NEW
    if now.rank == then.rank:
        return UNCHANGED
    return IMPROVED if now.rank > then.rank else WORSENED


def _name(path: str | None) -> str:
    return (path or "").replace("\\", "/").rsplit("/", 1)[-1]
