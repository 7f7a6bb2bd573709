"""The risk register paper: a programme plan's risks as its oversight board reviews them.

One table, highest score first, so the board starts with what most threatens the
plan: ID, the risk (title, description, the programme it threatens), owner,
likelihood, impact, score, RAG (by the plan's thresholds, shaded in the plan's
colours), previous score, direction and mitigation. A risk not yet scored (no
likelihood or impact, or one outside 1–5) is listed last, saying so, never
dropped: an unscored risk is one the board must ask about.

Scores are worked out again here from likelihood and impact (``score_risk``), so
the paper agrees with its own figures even when someone typed in the master by
hand; the master itself is not changed. Same page as the tracker paper.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from docx import Document

from ..workbook.book import Book, Row, blank
from ..workbook.risks import register_order, score_risk, thresholds
from . import paper as tracker

# Column key -> (heading, relative width)
RISK_PAPER_COLUMNS: dict[str, tuple[str, float]] = {
    "id": ("ID", 1.0),
    "title": ("Risk", 6.6),
    "owner": ("Owner", 2.4),
    "likelihood": ("Likelihood", 1.9),
    "impact": ("Impact", 1.5),
    "score": ("Score", 1.4),
    "rag": ("RAG", 1.6),
    "previous_score": ("Previous score", 1.7),
    "direction": ("Direction", 1.9),
    "mitigation": ("Mitigation", 6.6),
}
NOT_SCORED = "Not yet scored"
NO_OWNER = "No owner"
ARROWS = {"Rising": "↑ Rising", "Falling": "↓ Falling", "Same": "→ Same"}
GREY = "#E7E6E6"


@dataclass
class RiskPaper:
    """The risks in paper order (scored, highest first; then unscored, in ID order)."""

    risks: list[Row] = field(default_factory=list)

    @property
    def unscored(self) -> list[Row]:
        return [r for r in self.risks if r.get("score") is None]

    def by_rag(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for risk in self.risks:
            counts[risk.get("rag") or NOT_SCORED] = counts.get(risk.get("rag") or NOT_SCORED,
                                                               0) + 1
        return counts


def scored(book: Book) -> list[Row]:
    """Copies of the book's risks, scored from their likelihood and impact by the plan's
    thresholds, sorted for the board: highest score first, unscored last."""
    limits = thresholds(book)
    out = []
    for row in book.risks:
        if all(blank(row.get(k)) for k in ("id", "title")):
            continue
        risk = {k: v for k, v in row.items() if not k.startswith("_")}
        out.append(score_risk(risk, limits))
    return sorted(out, key=lambda r: (r.get("score") is None, -(r.get("score") or 0),
                                      register_order(r.get("id"))))


def write_risk_paper(book: Book, out: str | Path) -> tuple[Path, RiskPaper]:
    """Write the risk register paper of ``book`` to ``out`` (.docx), atomically."""
    paper = RiskPaper(scored(book))
    doc = Document()
    tracker._page_setup(doc, book.plan)
    doc.add_heading(f"{book.plan.title}: risk register", level=1)
    doc.add_paragraph(_intro(book, paper))
    if paper.risks:
        _risk_table(doc, book, paper.risks)
    else:
        doc.add_paragraph("The plan records no risks (its Risks sheet is empty or absent).")
    return tracker._save(doc, Path(out)), paper


def _intro(book: Book, paper: RiskPaper) -> str:
    limits = thresholds(book)
    counts = paper.by_rag()
    parts = [f"{n} {name}" for name in ("Red", "Amber", "Green", NOT_SCORED)
             if (n := counts.get(name))]
    q = book.plan.quarter
    return (f"{book.plan.organisation}. {q}. {len(paper.risks)} risks"
            + (f" ({', '.join(parts).replace(NOT_SCORED, NOT_SCORED.lower())})"
               if parts else "")
            + ", highest score first; risks not yet scored are listed last. Score = "
            f"likelihood × impact (each 1–5); Red from {limits['Red']}, Amber from "
            f"{limits['Amber']}, else Green. Direction compares the score with the "
            "previous one.")


def _risk_table(doc, book: Book, risks: list[Row]) -> None:
    columns = tuple(RISK_PAPER_COLUMNS)
    widths = tracker._widths(columns, RISK_PAPER_COLUMNS)
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for cell, key, width in zip(table.rows[0].cells, columns, widths, strict=True):
        cell.width = width
        tracker._cell_text(cell, RISK_PAPER_COLUMNS[key][0], bold=True, colour="FFFFFF")
        tracker._shade(cell, "#" + tracker.styles.HEADER_FILL.fgColor.rgb[-6:])
        for para in cell.paragraphs:
            para.paragraph_format.keep_with_next = True
    tracker._repeat_header(table.rows[0])
    for risk in risks:
        added = table.add_row()
        tracker._cant_split(added)
        for cell, key, width in zip(added.cells, columns, widths, strict=True):
            cell.width = width
            _risk_cell(cell, key, risk, book)


def _risk_cell(cell, key: str, risk: Row, book: Book) -> None:
    value = risk.get(key)
    if key == "title":
        tracker._cell_text(cell, tracker._shown(value), bold=True)
        for extra in (risk.get("description"),
                      f"Programme: {risk['programme']}" if risk.get("programme") else None):
            if not blank(extra):
                cell.add_paragraph()
                tracker._append_text(cell, tracker._shown(extra))
    elif (key == "score" and value is None) or (key == "owner" and blank(value)):
        tracker._cell_text(cell, NOT_SCORED if key == "score" else NO_OWNER, bold=True,
                           colour="595959")
        tracker._shade(cell, GREY)
    elif key == "rag" and value is not None and book.plan.rag(str(value)) is not None:
        tracker._status_cell(cell, book.plan.rag(str(value)))
    elif key == "direction":
        tracker._cell_text(cell, ARROWS.get(str(value), tracker._shown(value)))
    else:
        tracker._cell_text(cell, tracker._shown(value))
