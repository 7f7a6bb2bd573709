"""Word trackers built the way councils build them, for the import tests.

``write_docx`` lays actions out as a council's Word tracker: an introduction,
a landscape table whose header row repeats on every page, section headings as
rows merged across the table (and one as a paragraph between two tables, the
second table starting with the header again), one cell per column, several
officers on separate lines, and optionally bullets and "NEW ACTION" labels.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

HEADERS = ["", "Improvement Action", "CLT Accountable Officer", "Lead Officer",
           "What we hope to achieve", "Timeframe", "Success Measure", "Progress",
           "Links to other plans and strategies"]
KEYS = ["ref", "action", "accountable_officer", "lead_officer", "aim", "timeframe",
        "success_measure", "progress_update", "links"]
OFFICER_KEYS = ("accountable_officer", "lead_officer")


def write_docx(path: Path, actions: list[dict], *, split_at: str | None = None,
               new_labels: tuple[str, ...] = (), bullets: dict[str, list[str]] | None = None,
               headers: list[str] | None = None, keys: list[str] | None = None,
               borders: bool = True, widths: list[float] | None = None,
               font: float = 7) -> Path:
    """``actions`` as dicts of Actions keys, with ``section``; ``split_at`` the
    section that starts a second table (its heading a paragraph before it);
    ``widths`` each column's width in cm (narrow ones wrap names and break long
    words at the cell edge, as committee papers do)."""
    headers, keys = headers or HEADERS, keys or KEYS
    document = docx.Document()
    _landscape(document)
    style = document.styles["Normal"]
    style.font.size = Pt(font)
    document.add_paragraph("Children and Families Department improvement plan")
    document.add_paragraph("The plan should be read in conjunction with the highlight reports.")
    table = _new_table(document, headers, borders)
    section = None
    for action in actions:
        if action["section"] != section:
            section = action["section"]
            if section == split_at:
                document.add_paragraph(section)
                table = _new_table(document, headers, borders)
            else:
                _heading_row(table, section)
        _action_row(table, action, keys, action["ref"] in new_labels,
                    (bullets or {}).get(action["ref"]))
    document.add_paragraph("Page 1 of 1")
    if widths:
        _set_widths(document, widths)
    document.save(str(path))
    return path


def _set_widths(document, widths: list[float]) -> None:
    """Fixed column widths (the grid and every unmerged cell), autofit off."""
    for table in document.tables:
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)
        for row in table.rows:
            cells = row.cells
            if len({id(c._tc) for c in cells}) == len(cells):
                for cell, width in zip(cells, widths, strict=True):
                    cell.width = Cm(width)


def _landscape(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.2))


def _new_table(document, headers: list[str], borders: bool = True):
    table = document.add_table(rows=1, cols=len(headers))
    if borders:
        table.style = "Table Grid"
    row = table.rows[0]
    for cell, name in zip(row.cells, headers, strict=True):
        cell.text = name
    tr_pr = row._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # repeat as header row at the top of each page
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    return table


def _heading_row(table, section: str) -> None:
    cells = table.add_row().cells
    merged = cells[0].merge(cells[-1])
    merged.text = section


def _action_row(table, action: dict, keys: list[str], new: bool,
                bullets: list[str] | None) -> None:
    cells = table.add_row().cells
    for cell, key in zip(cells, keys, strict=True):
        value = action.get(key) or ""
        if key in OFFICER_KEYS:
            lines = [n.strip() for n in value.split(" / ") if n.strip()]
        else:
            lines = str(value).split("\n") if value else []
        if key == "ref" and new:
            lines = [*lines, "NEW ACTION"]
        _fill(cell, lines)
        if key == "progress_update" and bullets:
            for item in bullets:
                cell.add_paragraph(item, style="List Bullet")


def _fill(cell, lines: list[str]) -> None:
    """One paragraph per line (a real line break in Word, unlike copied text)."""
    first = cell.paragraphs[0]
    for i, line in enumerate(lines):
        paragraph = first if i == 0 else cell.add_paragraph()
        paragraph.add_run(line)
