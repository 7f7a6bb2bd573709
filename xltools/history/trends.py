"""Direction of travel and the RAG mix over quarters, for the master being reported.

The master in hand is the newest point (whether or not it has been recorded yet);
the store supplies the quarters before it. Direction compares an action's RAG
with its previous recorded quarter by the plan's RAG ranks: ↑ improved,
↓ worsened, → same, with the number of quarters in a row at this RAG.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..periods import Quarter
from ..workbook.book import Book
from . import query
from .snapshot import cached_due, plan_identity, plan_names
from .store import Store

UP, DOWN, SAME = "↑", "↓", "→"
TREND_QUARTERS = 8


@dataclass(frozen=True)
class Direction:
    arrow: str
    quarters: int  # quarters in a row at this RAG, this one included
    previous_rag: str | None

    @property
    def text(self) -> str:
        word = "qtr" if self.quarters == 1 else "qtrs"
        return f"{self.arrow} {self.quarters} {word}"


@dataclass
class Trend:
    """What the Dashboard's trend block and the paper's Direction column show."""

    quarters: list[tuple[str, Counter]] = field(default_factory=list)
    directions: dict[str, Direction] = field(default_factory=dict)
    worsened: list[dict[str, Any]] = field(default_factory=list)
    red_streak: list[dict[str, Any]] = field(default_factory=list)
    slipped: list[dict[str, Any]] = field(default_factory=list)
    # (measure, department) -> [(period, latest)] over the same quarters, this one last
    kpis: dict[tuple[str, str], list[tuple[str, Any]]] = field(default_factory=dict)

    def direction_texts(self, book: Book) -> dict[str, str]:
        """Action ID → what the Direction column shows: the arrow and quarters at this
        RAG; "New" for an action no earlier recorded quarter has (when there is one)."""
        new = "New" if len(self.quarters) > 1 else ""
        return {r["id"]: self.directions[r["id"]].text if r["id"] in self.directions else new
                for r in book.actions if r.get("id")}

    def to_dict(self) -> dict[str, Any]:
        return {"quarters": [{"period": p, "rag": dict(c)} for p, c in self.quarters],
                "directions": {k: d.text for k, d in self.directions.items()},
                "worsened": self.worsened, "red_for_2_or_more": self.red_streak,
                "slipped": self.slipped,
                "kpis": [{"measure": m, "department": d, "values": dict(points)}
                         for (m, d), points in self.kpis.items()]}


def trend_for(store: Store, book: Book, last: int = TREND_QUARTERS) -> Trend:
    """The trend of ``book``'s plan up to and including ``book``'s own quarter."""
    plan = book.plan
    quarter = Quarter.parse(plan.period, plan.fy_start_month)
    key = quarter.year * 4 + quarter.number
    with store.engine.connect() as conn:
        row = query.find_plan(conn, plan_identity(book), plan_names(book))
        back = query.quarters_back(conn, row.pk, before=key) if row else []
        mix = query.rag_mix(conn, back[: last - 1])
        earlier = _runs(conn, book, back)
        trend = build_trend(book, str(quarter), earlier, mix, last)
        trend.kpis = _kpis(book, str(quarter), query.kpi_series(conn, back[: last - 1]))
        if trend.slipped:  # the timeframes as written, for the few that slipped
            was = query.timeframes(conn, back[0][2], [a["id"] for a in trend.slipped])
            for about in trend.slipped:
                about["was"] = was.get(about["id"]) or about["was"]
    return trend


def _runs(conn, book: Book, back: list[tuple[int, str, int]]) -> dict[str, list]:
    """Each action's recorded points back from the newest, only as far as the trend
    needs: the previous quarter (direction, slipped timeframe) and then while the RAG
    run is unbroken (quarters at this RAG). Reading stops when every action's run has
    ended, so a trend over years of quarters reads a few of them."""
    points: dict[str, list] = {}
    open_runs = {r["id"] for r in book.actions if r.get("id")}
    for key, period, revision_pk in back:
        if not open_runs:
            break
        still = set()  # runs this quarter continues (not in it, or another RAG: ended)
        for action_id, rag, due in query.points_in(conn, revision_pk):
            if action_id not in open_runs:
                continue
            run = points.get(action_id)
            if run is None:
                points[action_id] = [(key, period, rag, due, False)]
                still.add(action_id)
                continue
            run.append((key, period, rag, due, False))
            if _fold(rag) == _fold(run[-2][2]):
                still.add(action_id)
        open_runs = still
    for run in points.values():
        run.reverse()  # oldest first
    return points


def build_trend(book: Book, period: str, earlier: dict[str, list], mix: list,
                last: int = TREND_QUARTERS) -> Trend:
    ranks = {s.name.casefold(): s.rank for s in book.plan.rag_scheme}
    trend = Trend()
    mix_now = Counter((r.get("rag") or "No RAG") for r in book.actions if r.get("id"))
    trend.quarters = [(p, c) for _, p, c in mix][-(last - 1):] + [(period, mix_now)]
    for row in book.actions:
        action_id = row.get("id")
        points = [(p[2], p[3]) for p in earlier.get(action_id, ()) if not p[4]]
        if not action_id or not points:
            continue
        rag = row.get("rag")
        direction = _direction(rag, [r for r, _ in points], ranks)
        trend.directions[action_id] = direction
        about = {"id": action_id, "ref": row.get("ref"), "action": row.get("action"),
                 "rag": rag, "previous_rag": direction.previous_rag}
        if direction.arrow == DOWN:
            trend.worsened.append(about)
        if str(rag or "").casefold() == "red" and direction.quarters >= 2:
            trend.red_streak.append(dict(about, quarters=direction.quarters))
        timeframe = row.get("timeframe")
        was = points[-1][1]
        due = cached_due(timeframe, book.plan.fy_start_month) if timeframe is not None else None
        if was and due and due > was:
            trend.slipped.append(dict(about, was=f"{was:%d/%m/%Y}", now=row.get("timeframe")))
    return trend


def _kpis(book: Book, period: str, recorded: dict) -> dict[tuple[str, str], list]:
    """Each KPI of ``book``: its recorded values, then this quarter's Latest."""
    out = {}
    for row in book.kpis:
        measure = str(row.get("measure") or "").strip()  # as the snapshot keeps it
        if not measure:
            continue
        key = (measure, str(row.get("department") or "").strip())
        points = [(p, v) for _, p, v in recorded.get(key, ())]
        out[key] = [*points, (period, row.get("latest"))]
    return out


def _fold(rag: str | None) -> str:
    return str(rag or "").casefold()


def _direction(rag: str | None, history: list[str | None], ranks: dict[str, int]) -> Direction:
    previous = history[-1]
    now_rank = ranks.get(str(rag or "").casefold())
    was_rank = ranks.get(str(previous or "").casefold())
    if now_rank is None or was_rank is None or now_rank == was_rank:
        arrow = SAME
    else:
        arrow = UP if now_rank > was_rank else DOWN
    streak = 1
    for earlier in reversed(history):
        if str(earlier or "").casefold() != str(rag or "").casefold():
            break
        streak += 1
    return Direction(arrow, streak, previous)
