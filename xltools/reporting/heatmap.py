"""A programme plan's risks as the board reads them: the 5×5 heat map and the top risks.

Each risk on the Risks sheet lands in exactly one place: the cell of its
likelihood × impact, or — when either is blank or outside 1–5 — the "not yet
scored" list, never dropped. A risk's place comes from its likelihood and impact
as they stand (rescored here with ``workbook.risks.score_risk``), not from the
Score column, so a score typed over by hand cannot put it in the wrong cell.
Cells are coloured by the plan's thresholds (``workbook.risks.thresholds``),
the same line the Risks sheet's RAG uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..workbook.book import Book, Row
from ..workbook.risks import (
    rag_for,
    register_order,
    score_risk,
    score_value,
    thresholds,
    whole_number,
)

SIDE = 5  # likelihood and impact run 1–5
TOP_LIMIT = 10  # risks in the top-risks table on the printed page


@dataclass
class Risk:
    """One risk as the board sees it (``score`` None: not yet scored)."""

    id: str
    title: str
    owner: str
    programme: str
    likelihood: int | None
    impact: int | None
    score: int | None
    rag: str | None
    previous: int | None
    direction: str | None


@dataclass
class HeatMap:
    """Scored risks by (likelihood, impact); the unscored listed; the plan's limits."""

    limits: dict[str, int]
    cells: dict[tuple[int, int], list[Risk]] = field(default_factory=dict)
    unscored: list[Risk] = field(default_factory=list)

    @property
    def scored(self) -> list[Risk]:
        return [r for found in self.cells.values() for r in found]

    def ids(self, likelihood: int, impact: int) -> list[str]:
        return [r.id for r in self.cells.get((likelihood, impact), [])]

    def rag(self, likelihood: int, impact: int) -> str | None:
        """The colour a cell takes by the plan's thresholds."""
        return rag_for(likelihood * impact, self.limits)

    def band(self, rag: str) -> tuple[int, int] | None:
        """The lowest and highest score on the map that take ``rag`` (None: no cell)."""
        scores = [s for s in range(1, SIDE * SIDE + 1) if rag_for(s, self.limits) == rag]
        return (scores[0], scores[-1]) if scores else None

    def top(self, limit: int = TOP_LIMIT) -> list[Risk]:
        """The scored risks, highest score first; a rising risk before a steady one of
        the same score (it is the one to ask about), then in register order."""
        order = {"Rising": 0, "Same": 1, None: 2, "Falling": 3}
        ranked = sorted(enumerate(self.scored),
                        key=lambda p: (-(p[1].score or 0), order.get(p[1].direction, 2), p[0]))
        return [r for _, r in ranked][:limit]


def heat_map(book: Book) -> HeatMap:
    """Every risk of ``book`` placed once: in its cell, or in the unscored list."""
    limits = thresholds(book)
    found = HeatMap(limits)
    for row in book.risks:
        risk = board_risk(row, limits)
        if risk.score is None:
            found.unscored.append(risk)
        else:
            found.cells.setdefault((risk.likelihood, risk.impact), []).append(risk)
    for risks in found.cells.values():  # register order within a cell
        risks.sort(key=lambda r: register_order(r.id))
    return found


def board_risk(row: Row, limits: dict[str, int]) -> Risk:
    """``row`` rescored from its likelihood and impact (``score_risk``, on a copy: the
    board never changes the register)."""
    copy = score_risk({k: v for k, v in row.items() if not k.startswith("_")}, limits)
    score = copy["score"]
    ident = _text(row.get("id")) or f"(row {row.get('_row', '?')})"
    return Risk(id=ident, title=_text(row.get("title")), owner=_text(row.get("owner")),
                programme=_text(row.get("programme")),
                likelihood=score_value(row.get("likelihood")) if score else None,
                impact=score_value(row.get("impact")) if score else None,
                score=score, rag=copy["rag"], previous=whole_number(row.get("previous_score")),
                direction=copy["direction"])


def _text(value) -> str:
    return " ".join(str(value or "").split())

