"""Read tracker tables from a PDF committee paper (a text PDF, not a scan).

A published PDF is often all a PMO has. pdfplumber finds each table's cells
from the ruling lines, and the words inside each cell by their positions, so
columns stay columns (plain text extraction interleaves them line by line).
What the PDF has lost, this reader has to guess, and says where:

* **Line breaks.** A PDF cell is lines of words; whether a new line is a real
  break (officers on separate lines, a list) or the text wrapping is decided
  as a layout engine would have: if the next line's first word would have fitted
  at the end of the line before, the break was real (kept as a line break),
  otherwise the text wrapped (joined with a space). When the word would only
  just have fitted, or not, the cell is listed for review.
* **Rows over a page break.** The header row a Word table repeats on each page
  comes through as a repeated header (the parser skips it); the first row of a
  page with an empty first cell (no ref) directly after a table that ran to the
  foot of the page is the rest of that row, and is joined to it cell by cell —
  and listed for review.
* Text between tables (section headings, introductions) becomes rows of one
  cell, in reading order.

Every guess is a ``REVIEW`` note with its page and position; the import must
be checked against the PDF before the master is used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pdfplumber

from ..errors import UsageError
from .grid import Grid, SourceNote
from .pdf_text import HYPHENED, Cell, PdfRow, box_cell, inside, short, text_lines
from .pdf_unruled import unruled_rows
from .pdf_words import VOCABULARY, Vocabulary
from .programme_parse import looks_like_programme_plan, starts_item


def read_pdf(path: Path, header_test=None, officers: tuple[str, ...] = ()) -> Grid:
    """The PDF's tables (and the text between them) as one grid, with a REVIEW
    note for every cell whose reading was a guess. ``officers``: names known to
    be whole (the plan's), as well as those the document spells out."""
    if not path.is_file():
        raise UsageError(f"{path}: file not found")
    try:
        with pdfplumber.open(str(path)) as pdf:
            words = [_words(page) for page in pdf.pages]
            token = VOCABULARY.set(Vocabulary.of(words, officers))
            try:
                rows = [row for page, w in zip(pdf.pages, words, strict=True)
                        for row in _page_rows(page, w, header_test)]
            finally:
                VOCABULARY.reset(token)
    except UsageError:
        raise
    except Exception as exc:  # pdfminer raises many kinds for a damaged or encrypted file
        raise UsageError(f"{path.name}: not a PDF that can be read ({type(exc).__name__})"
                         ) from exc
    if not any(not r.single for r in rows):  # no ruled table, no header found
        raise UsageError(f"{path.name}: no table found — a tracker is read from a table with "
                         "ruled cells (or a header it recognises), a programme plan from "
                         "ruled tables; a scanned PDF (an image) has no text to read")
    return _grid(path.name, _join_page_breaks(rows, _new_row_test(rows)))


def _new_row_test(rows: list[PdfRow]):
    """How a page's first row is told apart from the rest of the row before it.

    A tracker numbers its rows in the first cell, so an empty first cell there
    means a continued row. In a programme plan (issue 27) the first cell of most
    rows is empty (the activity numbers are in the Key Activities cell), so a row
    is only joined to the one before when its text visibly runs on from it (a
    sentence cut at the foot of the page) and it starts no activity or lettered
    sub-item of its own. Rows left apart read as their Word rows do: text before a
    row's first activity goes on with the item above it (``programme_parse``)."""
    texts = [(line, [c.text for c in row.cells]) for line, row in enumerate(rows, start=1)]
    return _own_programme_row if looks_like_programme_plan(texts) else None


def _own_programme_row(before: PdfRow, after: PdfRow) -> bool:
    if starts_item([c.text for c in after.cells]):
        return True
    return not any(old.text and new.text and (old.wraps_into(new) or old.broken_into(new))
                   for old, new in zip(before.cells, after.cells, strict=False))


def _words(page) -> list[dict]:
    return page.extract_words(use_text_flow=False, keep_blank_chars=False)


def _page_rows(page, words: list[dict], header_test) -> list[PdfRow]:
    """The page's table rows and outside text lines, top to bottom."""
    tables = page.find_tables()
    if not tables:  # no ruling lines: columns from the header's positions
        return unruled_rows(page, words, header_test)
    out: list[PdfRow] = []
    for t_index, table in enumerate(tables, start=1):
        above: dict[int, tuple[tuple, Cell]] = {}  # column → its last box and cell
        for r_index, row in enumerate(table.rows, start=1):
            cells = [box_cell(box, words) if box else _merged_down(above, i, row.bbox)
                     for i, box in enumerate(row.cells)]
            above.update({i: (box, cell) for i, (box, cell) in enumerate(
                zip(row.cells, cells, strict=True)) if box})
            spanning = len(row.cells) > 1 and all(box is None for box in row.cells[1:])
            out.append(PdfRow(cells, page.page_number, row.bbox[1], t_index, r_index,
                            spanning=spanning))
    outside = [w for w in words if not any(inside(w, t.bbox) for t in tables)]
    for top, line in text_lines(outside):
        text = " ".join(w["text"] for w in line)
        out.append(PdfRow([Cell(text)], page.page_number, top, 0, 0, single=True))
    out.sort(key=lambda r: r.top)
    return out


def _merged_down(above: dict[int, tuple[tuple, Cell]], column: int, row_box: tuple) -> Cell:
    """A cell with no box of its own: the text of a box above it that reaches down
    over this row (a cell merged down, as a Theme beside its actions), else empty."""
    box, cell = above.get(column, (None, None))
    middle = (row_box[1] + row_box[3]) / 2
    if box is not None and box[1] < middle < box[3]:
        return Cell(cell.text)
    return Cell("")


def _join_page_breaks(rows: list[PdfRow], new_row=None) -> list[tuple[PdfRow, list[str]]]:
    """Rows, with a row continued over a page break joined into the one before;
    ``new_row(before, row)``, when given, says a page's first row starts a row of
    its own although its first cell is empty."""
    out: list[tuple[PdfRow, list[str]]] = []
    header: list[str] | None = None
    last_table_row: int | None = None  # index in out of the last table row seen
    for row in rows:
        texts = [c.text for c in row.cells]
        if row.single:
            out.append((row, []))
            continue
        if row.number == 1 and header is None:
            header = texts
        if _continues(row, out, last_table_row, texts, header) and not (
                new_row is not None and new_row(out[last_table_row][0], row)):
            notes = _join(out[last_table_row][0], row)
            out[last_table_row][1].extend(notes)
            continue
        out.append((row, []))
        if texts != header:
            last_table_row = len(out) - 1
    return out


def _continues(row: PdfRow, out: list[tuple[PdfRow, list[str]]], last: int | None,
               texts: list[str], header: list[str] | None) -> bool:
    """The first body row of a page, with no first cell, after a table that ran
    to the foot of the page before."""
    if last is None or texts == header or texts[0].strip() or not any(t.strip() for t in texts):
        return False
    before = out[last][0]
    if before.page != row.page - 1 or len(before.cells) != len(row.cells):
        return False
    if row.spanning:
        return False  # a heading merged across the table, not a continuation
    between = [r for r, _ in out[last + 1:] if r.single]
    if any(r.page == before.page for r in between):
        return False  # text after the table on its own page: it ended there
    first_rows = [r for r, _ in out[last + 1:] if not r.single and r.page == row.page
                  and [c.text for c in r.cells] != header]
    return not first_rows  # nothing but the repeated header in between


def _join(before: PdfRow, after: PdfRow) -> list[str]:
    """Join a row's rest (over a page break) into it, cell by cell; one doubt for
    the row, naming how each column was joined."""
    how: dict[str, list[int]] = {}
    for i, (old, new) in enumerate(zip(before.cells, after.cells, strict=True)):
        if not new.text:
            continue
        if old.text:
            glue = " " if old.wraps_into(new) else "\n"
            if glue == " " and (old.broken_into(new) or HYPHENED.search(old.text)):
                glue = ""
            old.text = old.text + glue + new.text
            way = {" ": "as wrapped text", "\n": "on a new line", "": "as one word"}[glue]
            how.setdefault(way, []).append(i + 1)
        else:
            old.text = new.text
        old.unsure += new.unsure
        old.slack, old.space, old.last_line = new.slack, new.space, new.last_line
    if not how:
        return []
    ways = "; ".join(f"column{'s' if len(cols) > 1 else ''} "
                     f"{', '.join(map(str, cols))} {way}" for way, cols in how.items())
    return [f"text continued from page {before.page} to page {after.page}, joined: {ways}"]


def _grid(name: str, rows: list[tuple[PdfRow, list[str]]]) -> Grid:
    grid_rows: list[tuple[int, list[Any]]] = []
    notes: list[SourceNote] = []
    places: dict[int, str] = {}
    for line, (row, joined) in enumerate(rows, start=1):
        grid_rows.append((line, [c.text for c in row.cells]))
        where = (f"page {row.page}" if row.single else
                 f"page {row.page}, table {row.table}, row {row.number}")
        places[line] = where
        position = {"page": row.page, "y": round(row.top, 1)}
        for column, cell in enumerate(row.cells):
            for doubt in cell.unsure:
                notes.append(SourceNote("REVIEW", f"{where}, column {column + 1}: {doubt}",
                                        line, column, got=short(cell.text, 80),
                                        extra={**position, "column": column + 1}))
        if row.unruled and row.number == 1:
            notes.append(SourceNote("REVIEW", f"page {row.page}: a table without ruling lines, "
                                    "read by the positions of its header's columns — check "
                                    "this page's rows and cells", line, extra=dict(position)))
        for doubt in joined:
            notes.append(SourceNote("REVIEW", f"{where}: {doubt}", line, extra=dict(position)))
    return Grid(name, grid_rows, places=places, notes=notes)
