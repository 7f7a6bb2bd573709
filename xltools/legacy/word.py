"""Read the tracker table(s) straight out of a Word document (.docx).

Councils keep their improvement plans as Word tables. Read with python-docx
the structure survives that copying to text loses: each cell is one cell
(several officers on separate lines stay separate lines; bullets stay one line
each), merged cells are known, and paragraphs between tables (section headings,
introductions) come in document order. The document becomes the same ``Grid``
as a pasted table, so everything after — headers, repeated headers, section
headings, refs, officers — is the one parser in ``rows.py``:

* a paragraph is a row of one cell;
* a table row is a row of cells by the table's grid columns; a cell merged
  across columns holds its text in its first column and leaves the others
  blank, so later cells stay under their headers;
* a row that is one cell merged across the whole table (a section heading
  inside the table) becomes a row of one cell;
* a cell merged down several rows repeats its text in each (the accountable
  officer of a group of actions is every one's officer);
* tracked changes read as accepted (a revised plan is often sent with them).

Each row's place in the document ("table 2, row 5") is kept for the report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from ..errors import UsageError
from .grid import Grid

BULLET = "• "
_SKIPPED = {qn("w:del"), qn("w:moveFrom"), qn("w:txbxContent"), qn("w:p")}


def read_docx(path: Path) -> Grid:
    """The document's paragraphs and table rows, in order, as one grid."""
    if not path.is_file():
        raise UsageError(f"{path}: file not found")
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several kinds for a damaged package
        raise UsageError(f"{path.name}: not a Word document that can be read "
                         f"({type(exc).__name__}); save it again as .docx") from exc
    rows: list[tuple[int, list[Any]]] = []
    places: dict[int, str] = {}
    tables = 0
    for block in blocks(document.element.body, document):
        if isinstance(block, Paragraph):
            _add(rows, places, [paragraph_text(block)], "paragraph")
        elif isinstance(block, Table):
            tables += 1
            for number, cells in enumerate(table_rows(block), start=1):
                _add(rows, places, cells, f"table {tables}, row {number}")
    if not tables:
        raise UsageError(f"{path.name}: the document has no table — a tracker is read from "
                         "a Word table (one row per action)")
    return Grid(path.name, rows, places=places)


def blocks(parent, owner):
    """Paragraphs and tables in document order, including those wrapped in a
    content control (``w:sdt``), which python-docx's own iteration skips."""
    for child in parent.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, owner)
        elif child.tag == qn("w:tbl"):
            yield Table(child, owner)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from blocks(content, owner)


def _add(rows: list[tuple[int, list[Any]]], places: dict[int, str], cells: list[Any],
         place: str) -> None:
    line = len(rows) + 1
    rows.append((line, cells))
    places[line] = place


def table_rows(table: Table) -> list[list[str]]:
    """Each row's cells by grid column: merged-across cells once, a row merged
    across the whole table as a single cell."""
    out: list[list[str]] = []
    for row in table.rows:
        cells = list(row.cells)
        elements = [c._tc for c in cells]
        if len({id(e) for e in elements}) == 1 and len(cells) > 1:
            out.append([cell_text(cells[0])])
            continue
        values: list[str] = []
        for i, cell in enumerate(cells):
            repeat = i > 0 and elements[i] is elements[i - 1]
            values.append("" if repeat else cell_text(cell))
        out.append(values)
    return out


def cell_text(cell) -> str:
    """A cell's paragraphs as lines; list paragraphs (bullets) marked as such."""
    lines = [paragraph_text(p, bullets=True) for p in cell.paragraphs]
    for nested in cell.tables:  # a table inside a cell: its text, row by row
        lines += [" ".join(c for c in r if c) for r in table_rows(nested)]
    return "\n".join(line for line in lines if line.strip())


def paragraph_text(paragraph: Paragraph, bullets: bool = False) -> str:
    """The paragraph's text (line breaks kept); in a cell, a list paragraph (a
    bullet) starts with "• " so the lines still read as a list."""
    value = accepted_text(paragraph._p).strip()
    if bullets and value and _listed(paragraph):
        return BULLET + value
    return value


def accepted_text(p) -> str:
    """The paragraph as it reads with tracked changes accepted: runs inside
    insertions, fields, smart tags and content controls count (python-docx's own
    ``text`` skips them), deleted runs do not, nor runs of a text box anchored in
    the paragraph (they are paragraphs of their own)."""
    parts = []
    for run in p.iter(qn("w:r")):
        node, keep = run.getparent(), True
        while node is not None and node is not p:
            if node.tag in _SKIPPED:
                keep = False
                break
            node = node.getparent()
        if keep and node is p:
            parts.append(run.text)
    return "".join(parts)


def _listed(paragraph: Paragraph) -> bool:
    """Numbered or bulleted: by its own numbering, or its style's (List Bullet)."""
    ppr = paragraph._p.pPr
    if ppr is not None and ppr.numPr is not None:
        return True
    style = paragraph.style
    while style is not None:
        style_ppr = style.element.pPr
        if style_ppr is not None and style_ppr.numPr is not None:
            return True
        style = style.base_style
    return False
