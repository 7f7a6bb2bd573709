"""Programme plans built the way councils lay them out, for the import tests.

A plan is described once (``PlanSpec``: aims, programmes with their SAO, RDL
and Lead Member, key activities with lettered sub-items and Start/End, KPIs by
aim, a risk register) and written three ways from that one description, so a
test can import each and compare field by field with what was written:

* ``write_text``: tab-separated text, as a plan copied out of Word reads;
* ``write_docx``: a Word document as seed 003 is laid out — the aims and the
  programme list, then one plan-on-a-page table per programme (a two-row
  header: Programme N | Purpose and description | SAO / RDL over Lead Member |
  Key Activities | Start | End), a programme split over two tables when it is
  too long ("Programme 5 continued" on a new page), the KPI table and the risk
  table — landscape, ruled, as the seed's PDF is printed;
* the PDF is that document converted by LibreOffice (``conftest.convert``).

``seed_docx`` builds seed 003 itself as Word from its text: each run of
tab-separated lines one table, each programme's table on a new page, the page
numbers the PDF extraction left in the first column dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

PAGE_HEADER = ["Programme {n}", "Purpose and description", "SAO / RDL", "Key Activities",
               "Start", "End"]
WIDTHS = [3.2, 6.0, 3.6, 9.6, 2.4, 2.4]  # cm, landscape A4 with 1.2 cm margins


@dataclass(frozen=True)
class Sub:
    """A lettered sub-item ("a) …") of a key activity, with its own dates."""

    letter: str
    text: str
    start: str = ""
    end: str = ""


@dataclass(frozen=True)
class Activity:
    ref: str
    text: str
    start: str = ""
    end: str = ""
    subs: tuple[Sub, ...] = ()


@dataclass(frozen=True)
class Printed:
    """One printed row of a plan-on-a-page table: its items (activities, or
    sub-items continuing the activity above) and the Start/End runs printed
    beside them — by default the dates the parser should match to them (the
    activities' own, or for one activity with dated sub-items, the sub-items')."""

    items: tuple[Activity | Sub, ...]
    starts: tuple[str, ...] | None = None
    ends: tuple[str, ...] | None = None

    @property
    def lines_up(self) -> bool:
        return self.starts is None and self.ends is None

    def key_activities(self) -> str:
        parts = []
        for item in self.items:
            if isinstance(item, Activity):
                parts.append(f"{item.ref} {item.text}")
                parts += [f"{s.letter}) {s.text}" for s in item.subs]
            else:
                parts.append(f"{item.letter}) {item.text}")
        return " ".join(parts)

    def runs(self) -> tuple[list[str], list[str]]:
        if not self.lines_up:
            return list(self.starts or ()), list(self.ends or ())
        dated = self.items
        only = self.items[0] if len(self.items) == 1 else None
        if isinstance(only, Activity) and only.subs and any(s.start for s in only.subs):
            dated = only.subs
        return [i.start for i in dated if i.start], [i.end for i in dated if i.end]


@dataclass(frozen=True)
class Programme:
    number: int
    name: str
    purpose: str
    aim: int
    sao: str = ""
    rdl: str = ""
    lead_member: str = ""
    rows: tuple[Printed, ...] = ()
    continued_from: int | None = None  # printed rows after this go in a "continued" table

    @property
    def activities(self) -> list[Activity]:
        return [i for r in self.rows for i in r.items if isinstance(i, Activity)]

    def sub_items(self) -> dict[str, tuple[Sub, ...]]:
        """Each activity's sub-items: its own, and those printed on the rows after it."""
        out: dict[str, tuple[Sub, ...]] = {}
        ref = ""
        for item in (i for r in self.rows for i in r.items):
            if isinstance(item, Activity):
                ref = item.ref
                out[ref] = item.subs
            else:
                out[ref] = (*out[ref], item)
        return out


@dataclass(frozen=True)
class Risk:
    number: int
    title: str
    description: str
    mitigation: str


@dataclass
class PlanSpec:
    title: str
    aims: dict[int, str]
    programmes: list[Programme]
    kpis: list[tuple[int, str]]  # (aim number, metric)
    risks: list[Risk]
    intro: list[str] = field(default_factory=list)


# -- text --------------------------------------------------------------------------
def text_rows(spec: PlanSpec) -> list[list[str]]:
    """The plan's rows as cells, in reading order (text and Word share them)."""
    rows: list[list[str]] = [[spec.title], *([line] for line in spec.intro),
                             ["Section 3: Improvement aims and programmes"]]
    for number, title in spec.aims.items():
        rows += [[f"Aim {number}: {title}"], ["Programme", "Description and Purpose"]]
        rows += [[f"{p.number}. {p.name}", p.purpose] for p in spec.programmes
                 if p.aim == number]
    rows.append(["Appendix A1: Priority programme activity summaries (Plans on a page)"])
    for programme in spec.programmes:
        for table in _page_tables(programme):
            rows += table
    rows += [["Appendix A2: Key Performance Indicators"], *kpi_table(spec)]
    rows += [["Appendix A3: Risk and dependency management"], *risk_table(spec)]
    return rows


def write_text(spec: PlanSpec, path: Path) -> Path:
    path.write_text("\n".join("\t".join(cells) for cells in text_rows(spec)) + "\n",
                    encoding="utf-8")
    return path


def _page_tables(programme: Programme) -> list[list[list[str]]]:
    """The programme's plan-on-a-page table(s): header rows and one row per printed
    row; the name, purpose and people in the first rows (as the seed prints them)."""
    cut = programme.continued_from or len(programme.rows)
    parts = [(programme.rows[:cut], ""), (programme.rows[cut:], " continued")]
    tables = []
    side = [[programme.name, programme.purpose, f"SAO: {programme.sao} RDL: {programme.rdl}"
             if programme.rdl else f"SAO: {programme.sao}"],
            ["", "", f"Lead Member: {programme.lead_member}" if programme.lead_member else ""]]
    for rows, more in parts:
        if not rows:
            continue
        header = [PAGE_HEADER[0].format(n=programme.number) + more, *PAGE_HEADER[1:]]
        table = [header, ["", "", "Lead Member", "", "", ""]]
        for i, printed in enumerate(rows):
            left = side[i] if not more and i < len(side) else ["", "", ""]
            starts, ends = printed.runs()
            table.append([*left, printed.key_activities(), " ".join(starts), " ".join(ends)])
        tables.append(table)
    return tables


def kpi_table(spec: PlanSpec) -> list[list[str]]:
    rows, last = [["Aim", "Metric"]], None
    for aim, metric in spec.kpis:
        rows.append([spec.aims[aim] if aim != last else "", metric])
        last = aim
    return rows


def risk_table(spec: PlanSpec) -> list[list[str]]:
    return [["", "Risk Title", "Risk Description", "Mitigation"],
            *([str(r.number), r.title, r.description, r.mitigation] for r in spec.risks)]


# -- Word ----------------------------------------------------------------------------
def write_docx(spec: PlanSpec, path: Path, ruled: bool = True, merged: bool = False,
               repeat_header: bool = False) -> Path:
    """The plan as a council's Word document (see the module docstring); ``ruled``
    False prints its tables without lines; ``merged`` writes each programme's name,
    purpose and people once, in cells merged down beside all its activities (the
    people one a line), as many plans on a page are laid out; ``repeat_header``
    repeats a plan-on-a-page table's two header rows on each page it runs over."""
    document = _document()
    for block in _blocks(text_rows(spec)):
        if len(block) == 1 and len(block[0]) == 1:
            document.add_paragraph(block[0][0])
            continue
        page_table = block[0][0].startswith("Programme ") and "Start" in block[0]
        if page_table:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)  # a plan on a page
        add_table(document, block, ruled)
        if merged and page_table and len(block) > 3 and block[2][0]:
            _merge_left(document.tables[-1], block)
        if repeat_header and page_table:
            for row in document.tables[-1].rows[:2]:
                repeat = OxmlElement("w:tblHeader")
                repeat.set(qn("w:val"), "true")
                row._tr.get_or_add_trPr().append(repeat)
    document.save(str(path))
    return path


def _merge_left(table, rows: list[list[str]]) -> None:
    """Name, purpose and people each one cell merged down the table's body rows."""
    people = [rows[2][2], rows[3][2]]
    for column, lines in enumerate(([rows[2][0]], [rows[2][1]], [p for p in people if p])):
        cell = table.cell(2, column).merge(table.cell(len(rows) - 1, column))
        for paragraph in cell.paragraphs:
            paragraph._p.getparent().remove(paragraph._p)
        for line in lines:
            cell.add_paragraph(line)


def _blocks(rows: list[list[str]]) -> list[list[list[str]]]:
    """Consecutive rows of several cells are one table; a new table starts at each
    header ("Programme N", "Programme", "Aim", the risk table's)."""
    blocks: list[list[list[str]]] = []
    for cells in rows:
        starts = cells[0].startswith("Programme") or cells[:2] in (["Aim", "Metric"],
                                                                   ["", "Risk Title"])
        if len(cells) == 1 or starts or not blocks or len(blocks[-1][-1]) == 1:
            blocks.append([cells])
        else:
            blocks[-1].append(cells)
    return blocks


def _document():
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.2))
    document.styles["Normal"].font.size = Pt(9)
    return document


def add_table(document, rows: list[list[str]], ruled: bool = True) -> None:
    """A ruled table (Table Grid), one cell per value; the widths of a
    plan-on-a-page table when it has six columns."""
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    if ruled:
        table.style = "Table Grid"
    for i, cells in enumerate(rows):
        for j, value in enumerate(cells):
            if value:
                table.cell(i, j).text = value
    if width == len(WIDTHS):
        table.autofit = False
        for row in table.rows:
            for cell, cm in zip(row.cells, WIDTHS, strict=True):
                cell.width = Cm(cm)


# -- seed 003 as Word ------------------------------------------------------------------
PAGE_NUMBER = re.compile(r"^\d{1,2}$")


def seed_docx(seed_text: str, path: Path) -> Path:
    """Seed 003 (text extracted from its PDF) as the Word document it came from:
    tab-separated runs of lines are tables, other lines paragraphs; the KPI
    appendix (its lines scattered by the extraction) one table, a line a row;
    page numbers the extraction left in a first cell dropped; each programme's
    plan-on-a-page table starts a new page."""
    document = _document()
    block: list[list[str]] = []
    in_kpis = in_risks = in_pages = False

    def flush() -> None:
        if block:
            add_table(document, block)
            block.clear()

    for line in seed_text.splitlines():
        if line.startswith("Appendix A2"):
            in_kpis, in_pages = True, False
        elif line.startswith("Appendix A3"):
            flush()
            in_kpis, in_risks = False, True
        cells = line.split("\t") if in_risks else _seed_cells(line)
        if cells is None:
            continue
        in_pages = in_pages or (cells[0].startswith("Programme ") and "Start" in cells)
        if in_pages and "\t" in line:
            cells = _six_columns(cells)
        if "\t" not in line and not in_kpis:
            flush()
            if cells[0]:
                document.add_paragraph(cells[0])
            continue
        if cells[0].startswith("Programme ") and "Start" in cells:
            flush()
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        block.append(cells if "\t" in line else ["", cells[0]])
    flush()
    document.save(str(path))
    return path


def _six_columns(cells: list[str]) -> list[str]:
    """A plan-on-a-page row in its six columns: the extraction moved some key
    activities a column left or right of Key Activities (and their dates with
    them); a council's table has them under the header."""
    cells = [*cells, *[""] * (6 - len(cells))]
    at = next((i for i, c in enumerate(cells) if i >= 2 and ITEM.match(c.strip())), 3)
    if at == 3 or (at > 3 and any(c.strip() for c in cells[3:at])):
        return cells[:6] if not any(c.strip() for c in cells[6:]) else cells
    left = [*cells[:min(at, 3)], *[""] * (3 - min(at, 3))]
    return [*left, *cells[at:at + 3], *[""] * (3 - len(cells[at:at + 3]))]


ITEM = re.compile(r"^(?:\d{1,2}\.\d{1,2}|[a-l]\))")


def _seed_cells(line: str) -> list[str] | None:
    """The line's cells without trailing empties and without a page number in the
    first cell; None for a line that is only a page number."""
    cells = line.split("\t")
    while len(cells) > 1 and not cells[-1].strip():
        cells.pop()
    first = cells[0].strip()
    if PAGE_NUMBER.match(first) and len(cells) == 1 and "\t" in line:
        return None
    if "\t" in line and PAGE_NUMBER.match(first):
        cells[0] = ""
    elif "\t" in line and re.match(r"^\d{1,2} \d{1,2}$", first):  # "5 39": risk 5, page 39
        cells[0] = first.split()[0]
    if not any(c.strip() for c in cells) and "\t" in line:
        return None
    return cells
