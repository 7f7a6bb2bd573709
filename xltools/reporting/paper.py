"""The committee tracker paper: the master as the Word table councils publish.

The committee never sees the workbook, it sees a paper: one table per section
of the plan (Ref, Improvement action, officers, what we hope to achieve,
timeframe, success measure, progress, previous and current status), RAG cells
shaded in the scheme's colours, header rows repeated on every page, A4
landscape, the plan title, period and protective marking in the header and
"Page N of M" in the footer. It is a real Word document (python-docx), so a
clerk can edit it before it goes out; ``paper_pdf`` converts it with
LibreOffice.

The *exception report* keeps only what a committee that reports by exception
asks about: Red and Amber actions, overdue ones, and those whose position is not
this quarter's confirmed update, with their narrative and the reason each is listed.

A row whose position is not this quarter's confirmed update (an invalid entry,
returns that disagree, no return, last quarter's position carried forward: see
``positions``) is marked — a symbol by its Ref, a bold line atop its progress —
and the key under the title says what each symbol means and how many there are.
A row never splits across pages.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ..errors import UsageError
from ..plan import Plan
from ..timeframes import DATED, read_timeframe
from ..workbook import styles
from ..workbook.book import Book, Row, blank
from ..workbook.files import replacing
from ..workbook.layout import ACTIONS_LAYOUT
from .flags import default_as_of, flag_book
from .highlight import convert_to_pdf, find_soffice
from .positions import CONFLICT, INVALID, KINDS, NO_RETURN, Kind, invalid_detail, unconfirmed

# Column key -> (heading on the paper, relative width). The seeds' columns, in order.
PAPER_COLUMNS: dict[str, tuple[str, float]] = {
    "ref": ("Ref", 1.4),
    "action": ("Improvement action", 4.2),
    "accountable_officer": ("Accountable officer", 2.4),
    "lead_officer": ("Lead officer", 2.4),
    "aim": ("What we hope to achieve", 3.4),
    "timeframe": ("Timeframe", 2.2),
    "success_measure": ("Success measure", 3.4),
    "progress_update": ("Progress", 4.9),
    "previous_rag": ("Previous status", 1.9),
    "rag": ("Current status", 1.9),
}
DEFAULT_COLUMNS = tuple(PAPER_COLUMNS)
EXCEPTION_COLUMNS = ("ref", "action", "lead_officer", "timeframe", "progress_update",
                     "previous_rag", "rag", "reason")
OTHER_COLUMNS: dict[str, tuple[str, float]] = {"reason": ("Why it is listed", 2.6),
                                               "direction": ("Direction", 2.2)}
RAG_KEYS = ("rag", "previous_rag")
NO_SECTION = "Other actions"
PAGE_WIDTH_CM = 29.7
MARGIN_CM = 1.5
TABLE_FONT = Pt(8.5)
FONT = "Arial"


@dataclass
class Paper:
    """What the paper holds: its sections' actions, in order, and how many in all."""

    sections: dict[str, list[Row]] = field(default_factory=dict)
    reasons: dict[int, str] = field(default_factory=dict)  # id(row) -> why it is listed
    marked: dict[int, Kind] = field(default_factory=dict)  # id(row) -> not confirmed: why
    directions: dict[str, str] = field(default_factory=dict)  # action ID -> "↑ 2 qtrs"

    @property
    def count(self) -> int:
        return sum(len(rows) for rows in self.sections.values())


def column_keys(names: list[str] | None) -> tuple[str, ...]:
    """Column keys from the headings a user names (the paper's or the workbook's),
    e.g. ``["Ref", "Improvement action", "RAG status"]``; None gives the default."""
    if not names:
        return DEFAULT_COLUMNS
    known: dict[str, str] = {}
    for key, (heading, _) in {**PAPER_COLUMNS, **OTHER_COLUMNS}.items():
        known[heading.casefold()] = key
    for column in ACTIONS_LAYOUT.columns:
        known.setdefault(column.name.casefold(), column.key)
        known.setdefault(column.key.casefold(), column.key)
    keys = []
    for name in names:
        key = known.get(" ".join(name.split()).casefold())
        if key is None:
            choices = ", ".join(h for h, _ in PAPER_COLUMNS.values())
            raise UsageError(f"--columns: no column '{name}' (choose from {choices}, or any "
                             "Actions sheet header)")
        keys.append(key)
    return tuple(keys)


def select(book: Book, *, exceptions: bool = False, as_of: date | None = None) -> Paper:
    """The actions of ``book`` grouped by section in the plan's order; with
    ``exceptions`` only Red, Amber, overdue and unconfirmed ones, each with its reason."""
    marked = unconfirmed(book)
    paper = Paper()
    overdue = _overdue(book, as_of) if exceptions else set()
    order = {name: i for i, name in enumerate(book.plan.sections)}
    for row in book.actions:
        if blank(row.get("id")) and blank(row.get("action")):
            continue
        if id(row) in marked:
            paper.marked[id(row)] = marked[id(row)]
        if exceptions:
            reason = _reason(book.plan, row, overdue, marked.get(id(row)))
            if not reason:
                continue
            paper.reasons[id(row)] = reason
        section = _text(row.get("section")) or NO_SECTION
        paper.sections.setdefault(section, []).append(row)
    paper.sections = dict(sorted(paper.sections.items(),
                                 key=lambda kv: order.get(kv[0], len(order))))
    return paper


def _overdue(book: Book, as_of: date | None) -> set[str]:
    """IDs of the overdue actions, as the flags judge them as at ``as_of`` (computed
    now: an OVERDUE line left in the Flags column by an earlier run may be stale)."""
    report = flag_book(book, as_of=as_of or default_as_of(book.plan))
    return {f.action_id for f in report.findings if f.code == "OVERDUE" and f.action_id}


def _reason(plan: Plan, row: Row, overdue: set[str], kind: Kind | None = None) -> str:
    status = plan.rag(str(row.get("rag") or ""))
    parts = [f"{kind.marker} {kind.label}"] if kind else []
    parts += [status.name] if status and status.name in ("Red", "Amber") else []
    if _text(row.get("id")) in overdue:
        frame = read_timeframe(row.get("timeframe"), plan.fy_start_month)
        due = f" (due {frame.due.day} {frame.due:%B %Y})" if frame.kind == DATED else ""
        parts.append(f"Overdue{due}")
    return "; ".join(parts)


def write_paper(book: Book, out: str | Path, *, columns: tuple[str, ...] = DEFAULT_COLUMNS,
                exceptions: bool = False, as_of: date | None = None,
                directions: dict[str, str] | None = None) -> tuple[Path, Paper]:
    """Write the tracker paper (or the exception report) of ``book`` to ``out`` (.docx),
    atomically. Returns the path and what it holds. ``directions`` (action ID → "↑ 2
    qtrs", from the history store) adds a Direction column after the current status."""
    if exceptions and columns == DEFAULT_COLUMNS:
        columns = EXCEPTION_COLUMNS
    if directions is not None and "direction" not in columns:
        at = columns.index("rag") + 1 if "rag" in columns else len(columns)
        columns = (*columns[:at], "direction", *columns[at:])
    paper = select(book, exceptions=exceptions, as_of=as_of)
    paper.directions = directions or {}
    doc = Document()
    _page_setup(doc, book.plan)
    _title(doc, book, paper, exceptions, as_of or default_as_of(book.plan))
    for section, rows in paper.sections.items():
        heading = doc.add_heading(section, level=2)
        heading.paragraph_format.keep_with_next = True
        _table(doc, book.plan, columns, rows, paper)
    if not paper.sections:
        doc.add_paragraph("No actions are Red, Amber, overdue or unconfirmed." if exceptions
                          else "The plan has no actions.")
    return _save(doc, Path(out)), paper


def _page_setup(doc, plan: Plan) -> None:
    """A4 landscape; title, period and marking in the header; Page N of M below."""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(PAGE_WIDTH_CM), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(MARGIN_CM))
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10)
    marking = plan.protective_marking
    head = section.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if marking:
        head.add_run(marking).bold = True
    title = section.header.add_paragraph(f"{plan.title} · {plan.period}")
    title.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    foot.add_run("Page ")
    _field(foot, "PAGE")
    foot.add_run(" of ")
    _field(foot, "NUMPAGES")
    if marking:
        foot.add_run(f"   ·   {marking}").bold = True
    for para in (head, title, foot):
        for run in para.runs:
            run.font.size = Pt(8)


def _field(paragraph, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in when they lay
    the document out."""
    run = paragraph.add_run()
    begin, text, end = (OxmlElement("w:fldChar"), OxmlElement("w:instrText"),
                        OxmlElement("w:fldChar"))
    begin.set(qn("w:fldCharType"), "begin")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {code} "
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(text)
    run._r.append(end)


def _title(doc, book: Book, paper: Paper, exceptions: bool, as_of: date) -> None:
    plan = book.plan
    kind = "exception report" if exceptions else "progress tracker"
    doc.add_heading(f"{plan.title}: {kind}", level=1)
    org = plan.organisation + (f", {plan.department}" if plan.department else "")
    q = plan.quarter
    intro = (f"{org}. {q} ({q.start.day} {q.start:%B %Y} to {q.end.day} {q.end:%B %Y}); "
             f"position as at {as_of.day} {as_of:%B %Y}. ")
    if exceptions:
        intro += (f"{paper.count} of {len(book.actions)} actions are Red, Amber, overdue or "
                  "not confirmed this quarter; only those are listed.")
    else:
        intro += f"{paper.count} actions in {len(paper.sections)} sections."
    doc.add_paragraph(intro)
    _status_key(doc, plan)
    _marker_key(doc, paper)


def _status_key(doc, plan: Plan) -> None:
    """The key to the RAG statuses: each shaded as in the table, with its meaning."""
    key = doc.add_paragraph("Status: ")
    for status in plan.rag_scheme:
        run = key.add_run(f" {status.name} ")
        run.bold = True
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor.from_string(styles.text_colour_for(status.colour))
        _shade_run(run, status.colour)
        key.add_run(f" {status.meaning}  ").font.size = Pt(8)


def _marker_key(doc, paper: Paper) -> None:
    """The footnote to the markers: what each means and how many rows carry it."""
    if not paper.marked:
        return
    found = [k for k in KINDS.values() if k in paper.marked.values()]
    note = doc.add_paragraph()
    note.add_run("Marked rows are not this quarter's confirmed update: ").bold = True
    for kind in found:
        n = sum(1 for k in paper.marked.values() if k is kind)
        note.add_run(f"{kind.marker} {kind.label} ({n})").bold = True
        note.add_run(f": {kind.note}. ")
    for run in note.runs:
        run.font.size = Pt(9)


def _table(doc, plan: Plan, columns: tuple[str, ...], rows: list[Row], paper: Paper,
           headings: dict[str, tuple[str, float]] | None = None):
    """One section's table; ``headings`` (key → heading, relative width) overrides the
    tracker's, as the plan-on-a-page paper does. Returns the python-docx table."""
    headings = {**PAPER_COLUMNS, **OTHER_COLUMNS, **(headings or {})}
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = _widths(columns, headings)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid (LibreOffice lays out by it), and each cell (Word)
    for cell, key, width in zip(table.rows[0].cells, columns, widths, strict=True):
        cell.width = width
        heading = headings[key][0] if key in headings else ACTIONS_LAYOUT.column(key).name
        _cell_text(cell, heading, bold=True, colour="FFFFFF")
        _shade(cell, "#" + styles.HEADER_FILL.fgColor.rgb[-6:])
        for para in cell.paragraphs:  # the header row stays with the first action
            para.paragraph_format.keep_with_next = True
    _repeat_header(table.rows[0])
    for row in rows:
        added = table.add_row()
        _cant_split(added)
        kind = paper.marked.get(id(row))
        for cell, key, width in zip(added.cells, columns, widths, strict=True):
            cell.width = width
            value = paper.reasons.get(id(row), "") if key == "reason" else (
                paper.directions.get(row.get("id"), "") if key == "direction" else row.get(key))
            status = plan.rag(str(value or "")) if key in RAG_KEYS else None
            if kind is not None and key in ("ref", "rag", "progress_update"):
                _marked_cell(cell, key, value, kind, status, row)
            elif status is not None:
                _status_cell(cell, status)
            else:
                _cell_text(cell, _shown(value))
    return table


def _status_cell(cell, status) -> None:
    _cell_text(cell, status.name, bold=True, colour=styles.text_colour_for(status.colour))
    _shade(cell, status.colour)


def _marked_cell(cell, key: str, value: Any, kind: Kind, status, row: Row) -> None:
    """A cell of a row whose position is not this quarter's confirmed update: the Ref
    carries the marker; the progress opens with a bold line saying so; the current
    status is not shown as confirmed (an invalid one as given, in grey)."""
    if key == "ref":
        _cell_text(cell, f"{_shown(value)}\u00a0{kind.marker}", bold=True)  # one line
    elif key == "progress_update":
        detail = invalid_detail(row) if kind.key == INVALID else ""
        _cell_text(cell, f"{kind.marker} {kind.label}" + (f": {detail}" if detail else ""),
                   bold=True)
        if _shown(value):
            cell.add_paragraph()
            _append_text(cell, _shown(value))
    elif kind.key == INVALID and not blank(value) and status is None:
        _cell_text(cell, f"{_shown(value)}\u00a0{kind.marker}", bold=True, colour="595959")
        _shade(cell, "#E7E6E6")
    elif kind.key in (CONFLICT, NO_RETURN) or status is None:
        _cell_text(cell, f"{kind.label}\u00a0{kind.marker}", bold=True, colour="595959")
        _shade(cell, "#E7E6E6")
    else:
        _status_cell(cell, status)
        cell.paragraphs[0].add_run(f"\u00a0{kind.marker}").font.size = TABLE_FONT


def _append_text(cell, text: str) -> None:
    """Add ``text`` to the cell's last paragraph (and lines after), in the table font."""
    for i, line in enumerate(text.split("\n")):
        para = cell.paragraphs[-1] if i == 0 else cell.add_paragraph()
        para.paragraph_format.space_after = Pt(0)
        para.add_run(line).font.size = TABLE_FONT


def _cant_split(row) -> None:
    """Keep a row on one page: a row's last line alone atop the next page reads as
    a different action (Word and LibreOffice honour ``w:cantSplit``)."""
    element = OxmlElement("w:cantSplit")
    element.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(element)


def _widths(columns: tuple[str, ...],
            headings: dict[str, tuple[str, float]] | None = None) -> list[Cm]:
    headings = headings or {**PAPER_COLUMNS, **OTHER_COLUMNS}
    weights = [headings.get(k, ("", 2.5))[1] for k in columns]
    usable = PAGE_WIDTH_CM - 2 * MARGIN_CM
    return [Cm(usable * w / sum(weights)) for w in weights]


def _cell_text(cell, text: str, *, bold: bool = False, colour: str | None = None) -> None:
    """Replace the cell's text, one paragraph per line, in the table font."""
    lines = str(text).split("\n") if text else [""]
    first = cell.paragraphs[0]
    for i, line in enumerate(lines):
        para = first if i == 0 else cell.add_paragraph()
        para.paragraph_format.space_after = Pt(0)
        run = para.add_run(line)
        run.font.size = TABLE_FONT
        run.bold = bold
        if colour:
            run.font.color.rgb = RGBColor.from_string(colour)


def _shading(colour: str):
    """A ``w:shd`` element filling with ``colour``, as Word's Table › Shading sets it."""
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), styles.hex_colour(colour))
    return shd


def _shade(cell, colour: str) -> None:
    cell._tc.get_or_add_tcPr().append(_shading(colour))


def _shade_run(run, colour: str) -> None:
    run._r.get_or_add_rPr().append(_shading(colour))


def _repeat_header(row) -> None:
    """Mark the row as a header row: Word and LibreOffice repeat it on every page,
    and it never stands alone at the foot of a page."""
    tr_pr = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):  # the schema's order
        element = OxmlElement(tag)
        element.set(qn("w:val"), "true")
        tr_pr.append(element)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _text(value: Any) -> str:
    return "" if blank(value) else " ".join(str(value).split())


def _save(doc, out: Path) -> Path:
    """Save via a temporary file beside ``out``, then rename: never half a paper."""
    with replacing(out, ".docx.tmp") as tmp:
        doc.save(tmp)
    return out


def paper_pdf(docx: str | Path, pdf: str | Path, *, timeout: int = 180) -> Path:
    """Convert the paper to PDF with LibreOffice (Writer) headless."""
    docx, pdf = Path(docx), Path(pdf)
    find_soffice()
    with tempfile.TemporaryDirectory(prefix="xltools-paper-") as tmp:
        source = Path(tmp) / f"{pdf.stem}.docx"
        shutil.copy2(docx, source)
        return convert_to_pdf(source, pdf, export="pdf:writer_pdf_Export", timeout=timeout,
                              missing_hint=" (is LibreOffice Writer installed? apt-get "
                              "install libreoffice-writer-nogui)")
