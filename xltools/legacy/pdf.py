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

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pdfplumber

from ..errors import UsageError
from .grid import Grid, SourceNote

LINE_TOLERANCE = 3.0  # points: words this close vertically are on one line
# points: a next word that would have fitted by less than 1pt (or missed by under
# 0.25pt) is too close to call from the positions a PDF keeps
CLOSE_CALL = (0.25, 1.0)


@dataclass
class Cell:
    """One table cell read from the page, with what is needed to join it on."""

    text: str
    unsure: list[str] = field(default_factory=list)
    slack: float = 0.0  # room left at the end of its last line
    space: float = 0.0
    first: float = 0.0  # width of its first word

    def wraps_into(self, after: Cell) -> bool:
        """Whether text continued in ``after`` (over a page) wrapped on from this
        cell's last line: the first word would not have fitted there."""
        return after.first + self.space > self.slack

@dataclass
class _Row:
    cells: list[Cell]
    page: int
    top: float
    table: int
    number: int
    single: bool = False  # a line of text outside any table
    spanning: bool = False  # one cell merged across the table (a heading)


def read_pdf(path: Path) -> Grid:
    """The PDF's tables (and the text between them) as one grid, with a REVIEW
    note for every cell whose reading was a guess."""
    if not path.is_file():
        raise UsageError(f"{path}: file not found")
    try:
        with pdfplumber.open(str(path)) as pdf:
            rows = [row for page in pdf.pages for row in _page_rows(page)]
    except UsageError:
        raise
    except Exception as exc:  # pdfminer raises many kinds for a damaged or encrypted file
        raise UsageError(f"{path.name}: not a PDF that can be read ({type(exc).__name__})"
                         ) from exc
    if not any(not r.single for r in rows):
        raise UsageError(f"{path.name}: no table found — a tracker is read from a table with "
                         "ruled cells; a scanned PDF (an image) has no text to read")
    return _grid(path.name, _join_page_breaks(rows))


def _page_rows(page) -> list[_Row]:
    """The page's table rows and outside text lines, top to bottom."""
    tables = page.find_tables()
    words = page.extract_words(use_text_flow=False, keep_blank_chars=False)
    out: list[_Row] = []
    for t_index, table in enumerate(tables, start=1):
        for r_index, row in enumerate(table.rows, start=1):
            cells = [_cell(box, words) if box else Cell("") for box in row.cells]
            spanning = len(row.cells) > 1 and all(box is None for box in row.cells[1:])
            out.append(_Row(cells, page.page_number, row.bbox[1], t_index, r_index,
                            spanning=spanning))
    outside = [w for w in words if not any(_inside(w, t.bbox) for t in tables)]
    for top, line in _lines(outside):
        text = " ".join(w["text"] for w in line)
        out.append(_Row([Cell(text)], page.page_number, top, 0, 0, single=True))
    out.sort(key=lambda r: r.top)
    return out


def _inside(word: dict, box: tuple[float, float, float, float]) -> bool:
    x = (word["x0"] + word["x1"]) / 2
    y = (word["top"] + word["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _lines(words: list[dict]) -> list[tuple[float, list[dict]]]:
    """Words grouped into lines (by their tops), each line left to right."""
    lines: list[tuple[float, list[dict]]] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if lines and abs(word["top"] - lines[-1][0]) <= LINE_TOLERANCE:
            lines[-1][1].append(word)
        else:
            lines.append((word["top"], [word]))
    return [(top, sorted(line, key=lambda w: w["x0"])) for top, line in lines]


def _cell(box: tuple[float, float, float, float], words: list[dict]) -> Cell:
    """The cell's text: lines joined as wrapped text or kept as real breaks."""
    lines = [line for _, line in _lines([w for w in words if _inside(w, box)])]
    if not lines:
        return Cell("")
    pad = max(0.0, min(line[0]["x0"] for line in lines) - box[0])
    right = box[2] - pad  # cell margins are the same on both sides
    space = _space(lines)
    text = _words(lines[0])
    unsure: list[str] = []
    for before, after in zip(lines, lines[1:], strict=False):
        slack = right - before[-1]["x1"]
        need = space + after[0]["x1"] - after[0]["x0"]
        wrapped = need > slack
        if -CLOSE_CALL[0] < slack - need < CLOSE_CALL[1]:
            unsure.append(f"line break before '{_short(_words(after))}' read as "
                          f"{'wrapped text' if wrapped else 'a real line break'}")
        glue = "\n" if not wrapped else ("" if text.endswith("-") else " ")
        text += glue + _words(after)
    return Cell(text, unsure, slack=right - lines[-1][-1]["x1"], space=space,
                first=lines[0][0]["x1"] - lines[0][0]["x0"])


def _words(line: list[dict]) -> str:
    return " ".join(w["text"].replace("\uf0b7", "•") for w in line)


def _space(lines: list[list[dict]]) -> float:
    """The width of a space, measured between the words of the cell's lines (a
    third of the text height when no line has two words)."""
    gaps = sorted(b["x0"] - a["x1"] for line in lines for a, b in zip(line, line[1:],
                                                                          strict=False))
    if gaps:
        return gaps[len(gaps) // 2]
    return (lines[0][0]["bottom"] - lines[0][0]["top"]) / 3


def _short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _join_page_breaks(rows: list[_Row]) -> list[tuple[_Row, list[str]]]:
    """Rows, with a row continued over a page break joined into the one before."""
    out: list[tuple[_Row, list[str]]] = []
    header: list[str] | None = None
    last_table_row: int | None = None  # index in out of the last table row seen
    for row in rows:
        texts = [c.text for c in row.cells]
        if row.single:
            out.append((row, []))
            continue
        if row.number == 1 and header is None:
            header = texts
        if _continues(row, out, last_table_row, texts, header):
            notes = _join(out[last_table_row][0], row)
            out[last_table_row][1].extend(notes)
            continue
        out.append((row, []))
        if texts != header:
            last_table_row = len(out) - 1
    return out


def _continues(row: _Row, out: list[tuple[_Row, list[str]]], last: int | None,
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


def _join(before: _Row, after: _Row) -> list[str]:
    notes = []
    for i, (old, new) in enumerate(zip(before.cells, after.cells, strict=True)):
        if not new.text:
            continue
        if old.text:
            glue = " " if old.wraps_into(new) else "\n"
            old.text = old.text + glue + new.text
            how = "as wrapped text" if glue == " " else "on a new line"
            notes.append(f"column {i + 1}: text continued from page {before.page} to page "
                         f"{after.page}, joined {how}")
        else:
            old.text = new.text
        old.unsure += new.unsure
        old.slack, old.space = new.slack, new.space
    return notes


def _grid(name: str, rows: list[tuple[_Row, list[str]]]) -> Grid:
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
                                        line, column, got=_short(cell.text, 80),
                                        extra={**position, "column": column + 1}))
        for doubt in joined:
            notes.append(SourceNote("REVIEW", f"{where}: {doubt}", line, extra=dict(position)))
    return Grid(name, grid_rows, places=places, notes=notes)
