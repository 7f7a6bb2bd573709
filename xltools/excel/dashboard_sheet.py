"""Refresh dashboard inside Excel: the same live Dashboard ``xltools rollup`` writes.

The Dashboard ``xltools rollup`` writes (``reporting.dashboard``) holds COUNTIFS
formulas over the Actions sheet and native charts over them: those are never
stale. What it holds as values — headline movement, the movement and KPI
tables, the Red/Overdue lists, the officer tables, the "as at" line — was
computed when it was written. So the add-in builds that same sheet afresh in
memory and compares:

- the Dashboard is xltools' live one and its formulas sit where the fresh one
  has them (same statuses, sections, flag rows): only the value cells that
  differ are written; formulas and charts are left alone (**kept**);
- otherwise (no Dashboard, or one from an older add-in, or the sections
  changed): the sheet is cleared and the fresh one written — formulas as
  formulas, shares as percentages, the command line's widths — with exactly one
  set of charts (**rebuilt**).

Office.js sends values only, never formulas, so a formula cell is recognised
by position: where the fresh build has a formula.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import xlwings as xw
from openpyxl import Workbook, load_workbook

from ..reporting.dashboard import LIVE_NOTE, build_dashboard, dashboard_widths
from ..reporting.flags import default_as_of
from ..reporting.rollup import Rollup, rollup
from ..workbook.book import Book
from ..workbook.layout import DASHBOARD
from . import bridge
from .columns import set_widths

Grid = list[list[Any]]
BAR, DOUGHNUT = "RAG by section", "Overall RAG"
PERCENT = ("0%", "0.0%")
EMU_PER_POINT = 12700
Placed = tuple[tuple[int, int], tuple[int, int]]  # (row, column), (width, height) in points


def fresh_dashboard(book: Book, summary: Rollup, as_of: date | None = None):
    """The Dashboard ``xltools rollup`` would write for ``book``, as an openpyxl sheet."""
    wb = Workbook(write_only=True)
    build_dashboard(wb, book, summary, as_of or default_as_of(book.plan))
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return load_workbook(buffer)[DASHBOARD]


def is_formula(cell) -> bool:
    return cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")
                                     and cell.data_type != "s")


def formula_cells(ws) -> set[tuple[int, int]]:
    return {(c.row, c.column) for row in ws.iter_rows() for c in row
            if c.value is not None and is_formula(c)}


def _at(grid: Grid, row: int, col: int) -> Any:
    if row - 1 < len(grid) and col - 1 < len(grid[row - 1]):
        value = grid[row - 1][col - 1]
        return "" if value is None else value
    return ""


def is_live(grid: Grid) -> bool:
    """True when the sheet is the live-formula Dashboard xltools writes."""
    return str(_at(grid, 3, 1)).startswith(LIVE_NOTE)


def same_layout(grid: Grid, ws) -> bool:
    """The open sheet's formulas sit where the fresh sheet has them.

    Judged from what Office.js sends (values; an error result such as #N/A
    arrives empty): the labels that place each formula — its row's label in
    column A, its column's heading in the row above — read the same.
    """
    formulas = formula_cells(ws)
    for row, col in formulas:
        for r, c in ((row, 1), (row - 1, col)):
            cell = ws.cell(r, c)
            if (r, c) not in formulas and _text(cell.value) != _text(_at(grid, r, c)):
                return False
    return True


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def stale_cells(grid: Grid, ws) -> list[tuple[int, int, Any]]:
    """(row, column, new value) of each value cell that differs; formulas never listed."""
    formulas = formula_cells(ws)
    rows = max(ws.max_row, len(grid))
    cols = max(ws.max_column, max((len(r) for r in grid), default=0))
    out = []
    for r in range(1, rows + 1):
        for c in range(1, cols + 1):
            if (r, c) in formulas:
                continue
            new = ws.cell(r, c).value if r <= ws.max_row and c <= ws.max_column else None
            new = "" if new is None else new
            if not _equal(new, _at(grid, r, c)):
                out.append((r, c, new))
    return out


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) < 1e-9
    return _text(a) == _text(b) if isinstance(a, str) or isinstance(b, str) else a == b


def write_stale(sheet: xw.Sheet, cells: list[tuple[int, int, Any]]) -> None:
    """One write per run of neighbouring stale cells in a row."""
    runs: list[list[tuple[int, int, Any]]] = []
    for cell in sorted(cells):
        if runs and runs[-1][-1][0] == cell[0] and runs[-1][-1][1] == cell[1] - 1:
            runs[-1].append(cell)
        else:
            runs.append([cell])
    for run in runs:
        row, first = run[0][0], run[0][1]
        sheet.range((row, first), (row, run[-1][1])).value = [
            [bridge.cell_value(v) for _, _, v in run]]


def rebuild(xwbook: xw.Book, ws, summary: Rollup, book: Book) -> xw.Sheet:
    """Clear (or add) the Dashboard and write the fresh one: formulas, formats, widths,
    one bar and one doughnut chart."""
    names = [s.name for s in xwbook.sheets]
    if DASHBOARD in names:
        sheet = xwbook.sheets[DASHBOARD]
        sheet.clear()
        for chart in list(sheet.charts)[::-1]:
            chart.delete()
    else:
        anchor = "Guidance" if "Guidance" in names else names[-1]
        sheet = xwbook.sheets.add(DASHBOARD, after=xwbook.sheets[anchor])
    formulas = formula_cells(ws)
    grid = [[_formula_or_value(ws.cell(r, c), (r, c) in formulas)
             for c in range(1, ws.max_column + 1)] for r in range(1, ws.max_row + 1)]
    sheet.range((1, 1), (ws.max_row, ws.max_column)).formula = grid
    _formats(sheet, ws)
    set_widths(sheet, dashboard_widths(book, len(summary.statuses)))
    _charts(sheet, ws, summary, book.is_programme)
    return sheet


def _formula_or_value(cell, formula: bool) -> Any:
    if cell.value is None:
        return ""
    return str(cell.value) if formula else bridge.cell_value(cell.value)


def _formats(sheet: xw.Sheet, ws) -> None:
    """The command line's look, run by run along each row: percentages, bold, fills
    (status colours, tiles, headers) and font colours; the tiles' merged cells."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.number_format in PERCENT:
                sheet.range((cell.row, cell.column)).number_format = cell.number_format
        for key, apply in ((_bold, _set_bold), (_fill, _set_fill), (_ink, _set_ink)):
            for first, last, value in runs(row, key):
                apply(sheet.range((row[0].row, first), (row[0].row, last)), value)
    for merged in ws.merged_cells.ranges:
        sheet.range(merged.coord).merge()


def runs(row, key) -> list[tuple[int, int, Any]]:
    """(first column, last column, value) of each run of neighbours with the same
    non-empty ``key(cell)``."""
    out: list[tuple[int, int, Any]] = []
    for cell in row:
        value = key(cell)
        if value and out and out[-1][2] == value and out[-1][1] == cell.column - 1:
            out[-1] = (out[-1][0], cell.column, value)
        elif value:
            out.append((cell.column, cell.column, value))
    return out


def _hex(colour) -> str | None:
    rgb = getattr(colour, "rgb", None)
    if not isinstance(rgb, str) or len(rgb) < 6 or colour.type != "rgb":
        return None
    return "#" + rgb[-6:].upper()


def _bold(cell) -> bool:
    return cell.value is not None and bool(cell.font.b)


def _fill(cell) -> str | None:
    return _hex(cell.fill.fgColor) if cell.fill.fill_type == "solid" else None


def _ink(cell) -> str | None:
    colour = _hex(cell.font.color) if cell.value is not None and cell.font.color else None
    return None if colour == "#000000" else colour


def _set_bold(rng: xw.Range, _: Any) -> None:
    rng.font.bold = True


def _set_fill(rng: xw.Range, colour: str) -> None:
    rng.color = colour


def _set_ink(rng: xw.Range, colour: str) -> None:
    rng.font.color = colour


def chart_data_top(ws) -> int | None:
    """The row of the charts' source header ("Section"), under the "Chart data" note."""
    for (cell,) in ws.iter_rows(min_col=1, max_col=1):
        if isinstance(cell.value, str) and cell.value.startswith("Chart data"):
            return cell.row + 1
    return None


def _charts(sheet: xw.Sheet, ws, summary: Rollup, programme: bool = False) -> None:
    """The bar (by section) and the doughnut. A tracker's go right of the section table
    and beside the movement table; a programme plan's, where ``rollup`` puts them (under
    the tiles: its programme table is as wide as the page, so nothing is right of it)."""
    head = chart_data_top(ws)
    if head is None:
        return
    last = 1 + len(summary.statuses)
    sections = len(summary.by_section)
    bar = ((4, column_index_after_gap(summary)), (480, 260))
    doughnut = ((_side_top(ws), 4), (300, 220))
    if programme:
        bar, doughnut = fresh_charts(ws) or (bar, doughnut)
    if sections:
        sheet.charts.add(chart_type="bar_stacked", name=BAR, width=bar[1][0],
                         height=bar[1][1],
                         source=sheet.range((head, 1), (head + sections, last)),
                         anchor=sheet.range(bar[0]))
    total = head + sections + 1
    pie = sheet.charts.add(chart_type="doughnut", name=DOUGHNUT, width=doughnut[1][0],
                           height=doughnut[1][1],
                           source=sheet.range((total, 2), (total, last)),
                           anchor=sheet.range(doughnut[0]))
    pie.set_x_axis_values(sheet.range((head, 2), (head, last)))


def fresh_charts(ws) -> tuple[Placed, Placed] | None:
    """The fresh sheet's bar and doughnut as ``rollup`` placed them: ((row, column),
    (width, height) in points) each."""
    found = {type(chart).__name__: _placed(chart) for chart in getattr(ws, "_charts", [])}
    if "BarChart" in found and "DoughnutChart" in found:
        return found["BarChart"], found["DoughnutChart"]
    return None


def _placed(chart) -> Placed:
    size = chart.anchor.ext  # a one-cell anchor's extent, in EMU (12,700 a point)
    return ((chart.anchor._from.row + 1, chart.anchor._from.col + 1),
            (round(size.width / EMU_PER_POINT), round(size.height / EMU_PER_POINT)))


def column_index_after_gap(summary: Rollup) -> int:
    """First column right of the section table and its gap (where rollup puts the bar)."""
    return len(summary.statuses) + 5


def _side_top(ws) -> int:
    for (cell,) in ws.iter_rows(min_col=1, max_col=1):
        if cell.value == "Change since last quarter":
            return cell.row
    return 4


def refresh(xwbook: xw.Book, book: Book) -> tuple[str, Rollup]:
    """Bring the Dashboard up to date; "kept" (values refreshed) or "rebuilt"."""
    summary = rollup(book)
    ws = fresh_dashboard(book, summary)
    if DASHBOARD in [s.name for s in xwbook.sheets]:
        grid = bridge.sheet_grid(xwbook.sheets[DASHBOARD])
        if is_live(grid) and same_layout(grid, ws):
            write_stale(xwbook.sheets[DASHBOARD], stale_cells(grid, ws))
            return "kept", summary
    rebuild(xwbook, ws, summary, book)
    return "rebuilt", summary
