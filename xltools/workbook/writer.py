"""The one writer: a ``Book`` → a styled, validated, protected .xlsx.

Built on openpyxl's write-only mode (DESIGN.md §7): each sheet's styles,
validation and tables are declared once and rows are streamed in, and each
workbook is written once, atomically. Template, master and return all come out
of ``write_book``; they differ only in ``book.kind`` (which cells are unlocked,
how many spare rows) and in which optional sheets have rows.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from copy import copy
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from . import fastrows, guidance, lists, return_layout, settings, styles
from .book import Book, Row
from .files import replacing, unique_backup
from .layout import (
    ACTIONS_LAYOUT,
    ARCHIVE_LAYOUT,
    GUIDANCE,
    KPIS_LAYOUT,
    LOG_LAYOUT,
    MASTER,
    RETURN,
    RISKS_LAYOUT,
    SAVINGS_LAYOUT,
    TEMPLATE,
    Column,
    SheetLayout,
    col_letter,
    fit_cell_text,
)
from .sheet_setup import print_nothing, protect_and_print

SheetBuilder = Callable[[Workbook, Book], None]
SPARE_ROWS = {TEMPLATE: 60, MASTER: 10}
GUIDANCE_SPARE_COLUMN = 26  # Z: right of the Guidance sheet's two columns, always empty
_FORMULA_START = ("=", "+", "-", "@")


def write_book(
    book: Book,
    path: str | Path,
    *,
    extra_sheets: Sequence[SheetBuilder] = (),
    backup: bool = True,
) -> Path:
    """Write ``book`` to ``path`` atomically; keep a backup of what was there."""
    wb = build_workbook(book, extra_sheets=extra_sheets)
    return save_atomic(wb, Path(path), backup=backup)


def build_workbook(book: Book, *, extra_sheets: Sequence[SheetBuilder] = (),
                   counts: dict[str, int] | None = None) -> Workbook:
    """Assemble every sheet of ``book`` in a write-only openpyxl Workbook.

    ``counts`` overrides how many data rows a sheet is sized for (``stamp``
    sizes a reusable template this way).
    """
    wb = Workbook(write_only=True)
    counts = counts or {}
    guidance.write_guidance(wb, book)
    if book.kind == MASTER:  # the officer's "how to fill in" is not the PMO's print
        print_nothing(wb.worksheets[0], GUIDANCE_SPARE_COLUMN)
    for builder in extra_sheets:
        builder(wb, book)
    reports = [ws.title for ws in wb.worksheets[1:]]
    for layout, rows, freeze in ((ACTIONS_LAYOUT.for_book(book), book.actions, "D2"),
                                 (SAVINGS_LAYOUT, book.savings, "C2"),
                                 (KPIS_LAYOUT, book.kpis, "B2")):
        write_data_sheet(wb, book, layout, rows, freeze=freeze, count=counts.get(layout.name))
    return_layout.write_full_text(wb, book)  # a return's texts too long for their row
    if book.archive:
        write_data_sheet(wb, book, ARCHIVE_LAYOUT.for_book(book), book.archive, freeze="D2",
                         locked=True)
    if book.risks:  # programme plans (issue 27); a tracker's workbook is unchanged
        write_data_sheet(wb, book, RISKS_LAYOUT, book.risks, freeze="C2")
    if book.log or book.kind == MASTER:
        write_data_sheet(wb, book, LOG_LAYOUT, book.log, freeze="A2", locked=True)
    lists.write_lists(wb, book)
    settings.write_settings(wb, book)
    wb.active = wb.sheetnames.index(opening_sheet(book.kind, reports))
    return wb


def opening_sheet(kind: str, reports: Sequence[str]) -> str:
    """The sheet a workbook opens on: a return (and the blank template) on Guidance,
    which officers need first; a master on its first report sheet (the Dashboard, the
    Reconciliation) when it has one, else on Actions."""
    if kind == MASTER:
        return reports[0] if reports else ACTIONS_LAYOUT.name
    return GUIDANCE


def save_atomic(wb: Workbook, path: Path, *, backup: bool = True) -> Path:
    """Save via a temporary file in the same folder, then rename over ``path``.

    A reader never sees half a workbook, and a failed save leaves the old file.
    With ``backup`` an existing file is first copied to a backup of its own
    (``NAME.YYYYmmdd-HHMMSS.bak.xlsx``, never overwriting an earlier one). The new
    file gets the umask's mode, or the mode and group of the file it replaces.
    """
    path = Path(path)
    made = None
    try:
        with replacing(path) as tmp:
            fastrows.save(wb, tmp)
            if backup and path.exists():
                made = unique_backup(path)
    except BaseException:
        if made is not None:  # the old file stays, so its backup is not needed
            made.unlink(missing_ok=True)
        raise
    return path


# -- data sheets ---------------------------------------------------------------


def write_data_sheet(
    wb: Workbook,
    book: Book,
    layout: SheetLayout,
    rows: list[Row],
    *,
    freeze: str,
    locked: bool = False,
    count: int | None = None,
) -> None:
    """One Excel Table of ``layout``'s columns holding ``rows`` (plus spare rows)."""
    ws = wb.create_sheet(layout.name)
    count = count or row_count(book.kind, rows, locked)
    last_row = count + 1
    _set_widths(ws, layout, book.kind)
    ws.freeze_panes = freeze
    protect_and_print(ws, title_rows="1:1", plan=book.plan)  # before rows: streamed in order
    area = data_print_area(layout, book.kind, rows)
    if area:
        ws.print_area = area
    cell_styles = [_ColumnStyle(wb, col, book.kind, locked) for col in layout.columns]
    for look in cell_styles:
        look.number_format = return_layout.number_format(layout, book.kind, look.number_format)
    if book.kind == RETURN and layout is SAVINGS_LAYOUT:
        ws.oddHeader.left.text = "Savings — money in £000"  # the unit, on paper too
        ws.oddHeader.left.size = 10
    _header_height(ws, layout, book.kind)
    ws.append([_header_cell(ws, col.name) for col in layout.columns])
    _append_prototypes(ws, layout, cell_styles)
    formulas = {c.key: change_formula for c in layout.columns if c.kind == "formula"}
    results = {c.key: change_value for c in layout.columns if c.kind == "formula"}
    # hidden columns, and those shown on screen only, set no row's height: rows are
    # sized for what prints (a long Flags cell would make every printed row tall)
    hidden = frozenset(c.key for c in layout.columns
                       if not return_layout.shown(layout, book.kind, c.key)) \
        | layout.screen_only(book.kind)
    widths = return_layout.widths(layout, book.kind)
    fastrows.defer(wb, fastrows.DeferredSheet(layout.name, layout,
                                              return_layout.as_shown(rows, layout, book.kind),
                                              count, formulas, results, hidden, widths,
                                              return_layout.line_widths(layout, book.kind)))
    ref = f"A1:{col_letter(len(layout.columns))}{last_row}"
    table = Table(displayName=layout.table, ref=ref)
    table.tableColumns = [TableColumn(id=i, name=h) for i, h in enumerate(layout.headers, 1)]
    table.autoFilter = AutoFilter(ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
    with warnings.catch_warnings():  # write-only mode warns even when columns are given
        warnings.simplefilter("ignore", UserWarning)
        ws.add_table(table)
    if not locked:
        add_validations(ws, book, layout, last_row)
    add_rag_formatting(ws, book, layout, last_row)


def row_count(kind: str, rows: list[Row], locked: bool = False) -> int:
    """Data rows a sheet is sized for: its rows plus spare input rows (at least one)."""
    return max(1, len(rows) + (0 if locked else SPARE_ROWS.get(kind, 0)))


def _append_prototypes(ws, layout: SheetLayout, looks) -> None:
    """Two styled rows whose style indices ``fastrows`` copies into every real row:
    row 2 plain, row 3 with Excel's quote prefix on text (for text that starts
    like a formula, so editing the cell in Excel keeps it text)."""
    ws.append(_row_cells(ws, layout, {}, 2, looks))
    quoted = _row_cells(ws, layout, {}, 3, looks)
    for cell, column in zip(quoted, layout.columns, strict=True):
        if column.kind == "text":
            cell.quotePrefix = True
    ws.append(quoted)


def data_print_area(layout: SheetLayout, kind: str, rows: list[Row]) -> str | None:
    """A data sheet's print area: an empty cell right of the table to print nothing
    (the internal Log, a sheet with no rows outside the template, and a savings-only
    return's empty Actions); on a master, its printed columns down to its last row —
    its spare rows and screen-only columns stay off the page (a row added in Excel
    prints once xltools next writes the master); else None, to print all it holds."""
    if layout is LOG_LAYOUT or (not rows and kind != TEMPLATE and (
            layout.name != ACTIONS_LAYOUT.name or kind == RETURN)):
        return f"{col_letter(len(layout.columns) + 1)}1"
    if kind == MASTER:
        return f"A1:{col_letter(layout.last_printed(kind))}{len(rows) + 1}"
    return None


def _set_widths(ws, layout: SheetLayout, kind: str) -> None:
    """Column widths, and the columns this kind hides (see ``Column.shown``)."""
    widths = return_layout.widths(layout, kind)
    for index, col in enumerate(layout.columns, start=1):
        dim = ws.column_dimensions[col_letter(index)]
        dim.width = widths[col.key]
        if not return_layout.shown(layout, kind, col.key):
            dim.hidden = True


def _header_height(ws, layout: SheetLayout, kind: str) -> None:
    """Row 1 tall enough for the longest wrapped header of a shown column (bold
    headers take more room than body text, hence the narrower line)."""
    widths = return_layout.widths(layout, kind)
    lines = max((fastrows.text_lines(c.name, max(1, int(widths[c.key] * 1.1)))
                 for c in layout.columns if return_layout.shown(layout, kind, c.key)),
                default=1)
    if lines > 1:
        ws.row_dimensions[1].height = fastrows.row_height(lines)


def _header_cell(ws, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=text)
    cell.font = styles.HEADER_FONT
    cell.fill = styles.HEADER_FILL
    cell.alignment = styles.HEADER_ALIGN
    cell.border = styles.BORDER
    return cell


class _ColumnStyle:
    """The look of one column's cells, decided once per sheet, not per cell."""

    def __init__(self, wb: Workbook, column: Column, kind: str, locked: bool):
        self.editable = kind in column.editable and not locked
        self.fill = styles.INPUT_FILL if self.editable else styles.READONLY_FILL
        self.protection = styles.UNLOCKED if self.editable else styles.LOCKED
        self.number_format = {
            "date": styles.DATE_FORMAT,
            "month": styles.DATE_FORMAT,  # a date shows as one; a month's text as typed
            "number": styles.DATA_NUMBER_FORMAT,
            "formula": styles.DATA_NUMBER_FORMAT,
        }.get(column.kind, "General")

    _style: StyleArray | None = None

    def apply(self, cell: WriteOnlyCell) -> WriteOnlyCell:
        # Registering a style hashes it in openpyxl (slow: it dominated writing a
        # 12,000-row master), so register once per column and copy the indices.
        if self._style is not None:
            cell._style = copy(self._style)
            return cell
        cell.font = styles.BODY_FONT
        cell.fill = self.fill
        cell.protection = self.protection
        cell.border = styles.BORDER
        # a date is a number, right-aligned against the next column's text: centre it;
        # other numbers are right-aligned, a digit's width clear of the next column
        cell.alignment = styles.CENTRE_TOP if self.number_format == styles.DATE_FORMAT \
            else styles.NUMBER_TOP if self.number_format == styles.DATA_NUMBER_FORMAT \
            else styles.WRAP_TOP
        cell.number_format = self.number_format
        self._style = copy(cell._style)
        return cell


def _row_cells(ws, layout: SheetLayout, row: Row, excel_row: int, looks) -> list[WriteOnlyCell]:
    cells = []
    for column, look in zip(layout.columns, looks, strict=True):
        if column.kind == "formula":
            value: Any = change_formula(excel_row)
        else:
            value = row.get(column.key)
        cell = look.apply(WriteOnlyCell(ws, value=_cell_value(value)))
        if isinstance(value, str) and column.kind != "formula":
            cell.data_type = "s"  # never a formula, whatever the text starts with
            if value.startswith(_FORMULA_START):
                cell.quotePrefix = True
        cells.append(cell)
    return cells


def _cell_value(value: Any) -> Any:
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, str):
        return fit_cell_text(value)  # openpyxl would cut it silently
    return value


def change_formula(excel_row: int) -> str:
    """Savings ``Change`` = Revised − Expected; blank while Revised is blank.

    A blank Revised means "no change to the approved figure", so it must not
    show as a change of −Expected; a Revised that is not a number (``tbc``) shows
    NOT_NUMERIC_CHANGE, never a figure (see docs/finance-guide.md).
    """
    exp = SAVINGS_LAYOUT.letter("expected") + str(excel_row)
    rev = SAVINGS_LAYOUT.letter("revised") + str(excel_row)
    return f'=IF({rev}="","",IF(ISNUMBER({rev}),{rev}-N({exp}),"{NOT_NUMERIC_CHANGE}"))'


NOT_NUMERIC_CHANGE = "not a number"


def change_value(row: Row) -> Any:
    """What ``change_formula`` gives for ``row``, stored beside it for readers that
    don't recalculate (Excel's Protected View, calamine, pandas)."""
    revised, expected = row.get("revised"), row.get("expected")
    if revised is None or revised == "":
        return ""
    if not isinstance(revised, (int, float)) or isinstance(revised, bool):
        return NOT_NUMERIC_CHANGE
    return revised - _n(expected)


def _n(value: Any) -> float:
    """Excel's N(): numbers are themselves, anything else is 0."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


# -- validation and formatting -------------------------------------------------


def add_validations(ws, book: Book, layout: SheetLayout, last_row: int) -> None:
    """Dropdowns from named ranges, date and number rules, with plain-English messages."""
    for index, column in enumerate(layout.columns, start=1):
        if book.kind not in column.editable:
            continue
        dv = validation_for(column)
        if dv is None:
            continue
        letter = col_letter(index)
        dv.add(f"{letter}2:{letter}{last_row}")
        ws.data_validations.append(dv)


def validation_for(column: Column) -> DataValidation | None:
    """The Excel data validation rule for one column, or None for free text."""
    if column.choices:
        dv = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"',
                            allow_blank=True)
        dv.error = f"{column.name} must be one of {', '.join(column.choices)}."
    elif column.list_name:
        dv = DataValidation(type="list", formula1=f"={column.list_name}", allow_blank=True)
        dv.errorStyle = "stop" if column.strict_list else "warning"
        dv.error = (
            f"{column.name} must be picked from the list."
            if column.strict_list
            else f"{column.name} is usually picked from the list. Keep your own text?"
        )
    elif column.kind == "month":  # a date or a month's text: a prompt, never a refusal
        dv = DataValidation(allow_blank=True)
    elif column.kind == "date":
        dv = DataValidation(type="date", operator="between", allow_blank=True,
                            formula1="DATE(2000,1,1)", formula2="DATE(2100,12,31)")
        dv.error = f"{column.name} must be a date, e.g. 14/10/2019."
    elif column.kind == "number":
        dv = DataValidation(type="decimal", operator="between", allow_blank=True,
                            formula1="-1000000000", formula2="1000000000")
        dv.error = f"{column.name} must be a number (no £ sign or text)."
    else:
        return None
    dv.errorTitle = f"Check {column.name}"
    dv.showErrorMessage = True
    dv.showInputMessage = bool(column.help)
    dv.promptTitle = column.name[:32]
    dv.prompt = column.help[:255]
    return dv


def add_rag_formatting(ws, book: Book, layout: SheetLayout, last_row: int) -> None:
    """Colour every RAG cell in the scheme's colours (live: changes as people type)."""
    rag_keys = [k for k in ("rag", "previous_rag") if k in layout.keys]
    for key in rag_keys:
        letter = layout.letter(key)
        target = f"{letter}2:{letter}{last_row}"
        for status in book.plan.rag_scheme:
            colour = styles.hex_colour(status.colour)
            name = status.name.replace('"', '""')
            rule = FormulaRule(
                formula=[f'TRIM(${letter}2)="{name}"'],
                fill=PatternFill("solid", fgColor=colour, bgColor=colour),
                font=Font(color=styles.text_colour_for(status.colour), bold=True),
            )
            ws.conditional_formatting.add(target, rule)
