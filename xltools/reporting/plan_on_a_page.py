"""The plan-on-a-page paper: a programme plan as its oversight board reads it.

A programme plan (seed 003) is published as "plans on a page": under each aim,
one table per programme, headed by the programme, its purpose and the people
held to account for it (Senior Accountable Officer, Responsible Delivery Lead,
Lead Member), listing its key activities with their Start and End. The board's
paper keeps that layout and adds this quarter's position: the RDL's revised end,
the RAG and the latest progress. ``xltools paper`` writes it instead of the
tracker paper when the master is a programme plan (``Book.is_programme``).

It is the tracker paper's document with a different grouping: the same page
(A4 landscape, marking, title and period, "Page N of M"), the same RAG shading,
the same markers and key for rows whose position is not this quarter's confirmed
update, the same exception filter; so it is built from ``paper``'s pieces, and
grouped by ``programmes.by_aim`` as the Dashboard and highlight report are. The
programme's heading row repeats, with the column headings, on every page its
table runs to, so a continued table still says whose it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from docx import Document
from docx.shared import Pt

from ..workbook.book import Book, Row
from . import paper as tracker
from .flags import default_as_of, flag_book
from .programmes import Programme, by_aim

# Column key -> (heading, relative width). End is the Timeframe column: on a programme
# plan it holds the End as printed ("Oct 2024 (and ongoing)"); Start and Revised end
# are the programme-plan columns (absent on an older master: shown blank).
PLAN_COLUMNS: dict[str, tuple[str, float]] = {
    "ref": ("Ref", 1.2),
    "action": ("Key activity", 9.0),
    "start": ("Start", 2.0),
    "timeframe": ("End", 2.2),
    "revised_end": ("Revised end", 2.0),
    "rag": ("RAG", 1.8),
    "progress_update": ("Latest progress", 6.0),
}
NOT_RECORDED = "not recorded"
LATE_CODES = {"SLIPPED": "Slipped", "NOT_STARTED": "Not started"}  # issue 27's flags
_LATE_WORDS = re.compile(r"((?:Revised end|Start) .*?(?:later than [^;]*|has passed with no "
                         r"update))(?:;| \(|$)")
HEADING_FILL = "#DDEBF7"


@dataclass
class PlanPaper:
    """What the plan-on-a-page paper holds: per aim, its programmes and the activities
    listed for each (all of them, or only the exceptions), plus the rows' markers."""

    aims: list[tuple[str, str, list[tuple[Programme, list[Row]]]]] = field(
        default_factory=list)
    selected: tracker.Paper = field(default_factory=tracker.Paper)

    @property
    def count(self) -> int:
        return sum(len(rows) for _, _, progs in self.aims for _, rows in progs)

    @property
    def programmes(self) -> dict[str, int]:
        """Programme name → activities listed, in paper order."""
        return {_title(p): len(rows) for _, _, progs in self.aims for p, rows in progs}


def select_plan(book: Book, *, exceptions: bool = False,
                as_of: date | None = None) -> PlanPaper:
    """The activities of ``book`` under their aims and programmes, in plan order;
    with ``exceptions`` only Red, Amber, overdue and unconfirmed ones (the tracker
    paper's rule), and only the programmes that have such."""
    selected = tracker.select(book, exceptions=exceptions, as_of=as_of)
    listed = {id(row) for rows in selected.sections.values() for row in rows}
    if exceptions:
        listed |= _add_slipped(book, selected, as_of)
    out = PlanPaper(selected=selected)
    for aim, aim_title, progs in by_aim(book):
        kept = [(p, [r for r in p.activities if id(r) in listed]) for p in progs]
        kept = [(p, rows) for p, rows in kept if rows or not exceptions]
        if kept:
            out.aims.append((aim, aim_title, kept))
    return out


def _add_slipped(book: Book, selected: tracker.Paper, as_of: date | None) -> set[int]:
    """A programme board also asks about activities that slipped (Revised end later
    than End) or have not started: add them to the exception report, with the flag's
    words as the reason (judged now, as OVERDUE is, not read from a stale Flags cell).
    Returns the rows it listed."""
    report = flag_book(book, as_of=as_of or default_as_of(book.plan))
    why: dict[str, list[str]] = {}
    for finding in report.findings:
        if finding.code in LATE_CODES and finding.action_id:
            why.setdefault(finding.action_id, []).append(_late_reason(finding))
    added = set()
    for row in book.actions:
        reasons = why.get(str(row.get("id") or ""))
        if reasons:
            earlier = selected.reasons.get(id(row))
            selected.reasons[id(row)] = "; ".join([earlier, *reasons] if earlier else reasons)
            added.add(id(row))
    return added


def _late_reason(finding) -> str:
    """The board's words for a SLIPPED / NOT_STARTED finding: "Slipped: Revised end Dec
    2024 is 2 months later than End Oct 2024" (the flag's ask of the officer left off)."""
    said = _LATE_WORDS.search(finding.message)
    label = LATE_CODES[finding.code]
    return f"{label}: {said.group(1)}" if said else label


def columns_for(exceptions: bool, directions: dict[str, str] | None) -> tuple[str, ...]:
    """The paper's columns: the plan-on-a-page's, then why a row is listed (exception
    report) and its direction of travel (with history), as the tracker paper adds them."""
    columns = tuple(PLAN_COLUMNS)
    if directions is not None:
        at = columns.index("rag") + 1
        columns = (*columns[:at], "direction", *columns[at:])
    return (*columns, "reason") if exceptions else columns


def write_plan_paper(book: Book, out: str | Path, *, exceptions: bool = False,
                     as_of: date | None = None,
                     directions: dict[str, str] | None = None) -> tuple[Path, PlanPaper]:
    """Write the plan-on-a-page paper of programme master ``book`` to ``out`` (.docx),
    atomically. Returns the path and what it holds."""
    as_of = as_of or default_as_of(book.plan)
    paper = select_plan(book, exceptions=exceptions, as_of=as_of)
    paper.selected.directions = directions or {}
    columns = columns_for(exceptions, directions)
    doc = Document()
    tracker._page_setup(doc, book.plan)
    _title_block(doc, book, paper, exceptions, as_of)
    for aim, aim_title, progs in paper.aims:
        heading = doc.add_heading(_aim_heading(aim, aim_title), level=2)
        heading.paragraph_format.keep_with_next = True
        for programme, rows in progs:
            _programme_table(doc, book, programme, rows, columns, paper.selected)
    if not paper.aims:
        doc.add_paragraph("No activities are Red, Amber, overdue, slipped, not started or "
                          "unconfirmed."
                          if exceptions else "The plan has no programmes.")
    return tracker._save(doc, Path(out)), paper


def _title_block(doc, book: Book, paper: PlanPaper, exceptions: bool, as_of: date) -> None:
    plan = book.plan
    doc.add_heading(f"{plan.title}: {'exception report' if exceptions else 'plan on a page'}",
                    level=1)
    q = plan.quarter
    org = plan.organisation + (f", {plan.department}" if plan.department else "")
    n_progs = sum(len(progs) for _, _, progs in paper.aims)
    intro = (f"{org}. {q} ({q.start.day} {q.start:%B %Y} to {q.end.day} {q.end:%B %Y}); "
             f"position as at {as_of.day} {as_of:%B %Y}. ")
    if exceptions:
        intro += (f"{paper.count} of {len(book.actions)} key activities are Red, Amber, "
                  "overdue, slipped, not started or not confirmed this quarter; only those "
                  "are listed.")
    else:
        intro += (f"{paper.count} key activities in {n_progs} programmes under "
                  f"{len(paper.aims)} aims. End is the end as planned; Revised end is the "
                  "Responsible Delivery Lead's forecast.")
    doc.add_paragraph(intro)
    tracker._status_key(doc, plan)
    tracker._marker_key(doc, paper.selected)


def _programme_table(doc, book: Book, programme: Programme, rows: list[Row],
                     columns: tuple[str, ...], selected: tracker.Paper) -> None:
    """The programme's table: a heading row (programme, purpose, SAO / RDL / Lead
    Member) above the column headings, both repeated on every page, then its
    activities, each row kept on one page."""
    table = tracker._table(doc, book.plan, columns, rows, selected, headings=PLAN_COLUMNS)
    head = table.add_row()
    table.rows[0]._tr.addprevious(head._tr)  # move it to the top
    cell = head.cells[0].merge(head.cells[-1])
    tracker._cell_text(cell, _title(programme), bold=True)
    if programme.purpose:
        cell.add_paragraph()
        tracker._append_text(cell, f"Purpose: {programme.purpose}")
    cell.add_paragraph()
    tracker._append_text(cell, _people(programme))
    tracker._shade(cell, HEADING_FILL)
    for para in cell.paragraphs:
        para.paragraph_format.keep_with_next = True
    tracker._repeat_header(head)
    if not rows:
        empty = table.add_row()
        tracker._cell_text(empty.cells[0].merge(empty.cells[-1]), "No key activities recorded.")
    doc.add_paragraph().paragraph_format.space_after = Pt(2)  # tables never touch


def _title(programme: Programme) -> str:
    number = f"{programme.number}. " if programme.number else ""
    name = programme.name if not programme.name.startswith(number) else programme.name[
        len(number):]
    return f"Programme {number}{name}" if number else name


def _people(programme: Programme) -> str:
    """Who is held to account; a role not printed in the plan says so, never blank."""
    return "   ·   ".join(f"{role}: {name or NOT_RECORDED}" for role, name in (
        ("SAO", programme.sao), ("RDL", programme.rdl), ("Lead Member", programme.lead_member)))


def _aim_heading(aim: str, title: str) -> str:
    if not aim:
        return "Programmes under no aim"
    return f"Aim {aim}: {title}" if title else f"Aim {aim}"
