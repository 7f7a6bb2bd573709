"""Read a legacy tracker into a grid of cells, whatever it was saved as.

Sources are what PMOs actually have: a table copied out of Word or a PDF and
saved as tab- or comma-separated text (any of the usual encodings), or an
Excel tracker someone has kept for years. Each becomes a ``Grid``: the rows as
lists of cells, each row with the sheet row / line number it started on, so
the import report can point at it. xlsx is read with python-calamine (fast,
never runs macros) after the same pre-flight checks as returns.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..workbook.layout import col_letter
from ..workbook.reader import open_measured
from .grid import Grid, SourceNote

__all__ = ["Grid", "SourceNote", "read_grid"]

TEXT_SUFFIXES = {".tsv", ".txt", ".csv", ".tab"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


def read_grid(path: str | Path, header_test=None, officers: tuple[str, ...] = ()) -> Grid:
    """The source's rows. For a workbook, the first sheet ``header_test`` accepts
    (a callable taking a list of rows), else the first sheet. ``officers``: names
    a PDF's wrapped lines must not split."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(path, header_test)
    if suffix in TEXT_SUFFIXES or not suffix:
        return read_text(path)
    if suffix == ".docx":
        from .word import read_docx  # python-docx loads only when a document is read
        return read_docx(path)
    if suffix == ".pdf":
        from .pdf import read_pdf
        return read_pdf(path, header_test, officers)
    if suffix == ".doc":
        raise UsageError(f"{path.name}: an old-format Word file; open it in Word and save it "
                         "as .docx, then import that")
    raise UsageError(f"{path.name}: cannot import a '{suffix}' file; use .docx, .pdf, "
                     ".xlsx, .csv or tab-separated .txt/.tsv")


def read_text(path: Path) -> Grid:
    """TSV/CSV text; the delimiter is a tab when the text has tabs, else sniffed."""
    if not path.is_file():
        raise UsageError(f"{path}: file not found")
    raw = path.read_bytes()
    text, encoding = _decode(raw)
    delimiter = _delimiter(text, path.suffix.lower())
    if delimiter != "\t":
        return Grid(path.name, _csv_rows(text, delimiter, path.name), encoding=encoding)
    rows, notes = _tsv_rows(text, path.name)
    return Grid(path.name, rows, encoding=encoding, notes=notes)


def _decode(raw: bytes) -> tuple[str, str]:
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def _delimiter(text: str, suffix: str) -> str:
    if "\t" in text:
        return "\t"
    if suffix in (".tsv", ".tab"):
        return "\t"
    try:
        return csv.Sniffer().sniff(text[:20000], delimiters=",;|").delimiter
    except csv.Error:
        return ","


def _csv_rows(text: str, delimiter: str, name: str) -> list[tuple[int, list[Any]]]:
    """Comma- (or ;/|-) separated text, always read quote-aware: a quoted cell may
    hold the delimiter and line breaks, exactly as Excel saves it. Broken quoting
    stops the import with the line, never a silent naive split."""
    try:
        return _quoted_rows(text, delimiter)
    except csv.Error as exc:
        raise UsageError(f"{name}: {exc.args[0]} (line {exc.args[1]}) — the quotes do not "
                         "pair up; fix the quoting or save the file again from Excel") from exc


def _tsv_rows(text: str, name: str) -> tuple[list[tuple[int, list[Any]]], list[SourceNote]]:
    """Tab-separated text, read quote-aware too. Text pasted from Word is not
    quoted, and a cell that merely starts with a quotation mark can make the
    quote-aware reading swallow following cells. That reading is abandoned for a
    plain split into lines — with a note saying so — only when it is demonstrably
    wrong: a quote left open at the end, a tab inside a quoted cell (Word never
    puts one in a cell) or a quoted cell running over more than 20 lines."""
    try:
        rows = _quoted_rows(text, "\t")
        bad = next(((line, cells) for line, cells in rows
                    if any("\t" in c or c.count("\n") > 20 for c in cells)), None)
        if bad is None:
            return rows, []
        line, reason = bad[0], "a quoted cell swallowed tabs or many lines"
    except csv.Error as exc:
        line, reason = exc.args[1], "a quote is never closed"
    plain = [(n, row.split("\t")) for n, row in enumerate(text.splitlines(), start=1)]
    note = SourceNote("QUOTES_IGNORED", f"{name}: read line by line, ignoring quotation marks, "
                      f"because read with quotes {reason} (from line {line}); text pasted from "
                      "Word is not quoted — check the cells around that line", line,
                      extra={"from_line": line})
    return plain, [note]


def _quoted_rows(text: str, delimiter: str) -> list[tuple[int, list[Any]]]:
    """Rows with the line each starts on; raises csv.Error(message, line)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[Any]]] = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise csv.Error(str(exc), start) from exc
    return rows


def read_xlsx(path: Path, header_test=None) -> Grid:
    """The first sheet with a recognisable header row (or the first sheet).

    A cell merged down over several rows (a Theme or Section written once beside
    its actions) is carried to every row it covers, as a reader sees it; a cell
    merged across (a heading row) stays one cell. A date shown as a month
    ("Dec-20", "December 2020") is kept as that month, not its first day."""
    with open_measured(path) as wb:  # every sheet is read: each measured first
        chosen = None
        for name in wb.sheet_names:
            sheet = wb.get_sheet_by_name(name)
            grid = sheet.to_python(skip_empty_area=False)
            if chosen is None:
                chosen = (name, grid, sheet.merged_cell_ranges or [])
            if header_test is not None and header_test(grid[:40]):
                chosen = (name, grid, sheet.merged_cell_ranges or [])
                break
    name, grid, merges = chosen if chosen else ("", [], [])
    months = _month_cells(path, name) if _has_dates(grid) else set()
    cells = [[_xlsx_value(v, (r, c) in months) for c, v in enumerate(row)]
             for r, row in enumerate(grid)]
    notes = _carry_merges(cells, merges)
    rows = [(n, row) for n, row in enumerate(cells, start=1)]
    return Grid(path.name, rows, sheet=name, notes=notes)


def _carry_merges(cells: list[list[Any]], merges) -> list[SourceNote]:
    """Copy each merged cell's value down the rows its merge covers (first column);
    one note per column saying which merges were carried."""
    carried: dict[int, list[str]] = {}
    for (r0, c0), (r1, _c1) in sorted(merges):
        if r1 <= r0 or r0 >= len(cells) or c0 >= len(cells[r0]):
            continue
        value = cells[r0][c0]
        if value in ("", None):
            continue
        for r in range(r0 + 1, min(r1, len(cells) - 1) + 1):
            row = cells[r]
            if c0 < len(row) and row[c0] in ("", None) and any(v not in ("", None) for v in row):
                row[c0] = value
        carried.setdefault(c0, []).append(f"{col_letter(c0 + 1)}{r0 + 1}:"
                                          f"{col_letter(c0 + 1)}{r1 + 1}")
    return [SourceNote("COLUMN_READ", f"column {col_letter(c + 1)} has cells merged "
                       f"down over several rows ({', '.join(spans)}); each value is read on "
                       "every row its merge covers", None, column=c)
            for c, spans in carried.items()]


def _has_dates(grid: list[list[Any]]) -> bool:
    return any(isinstance(v, (date, datetime)) for row in grid for v in row)


def _month_cells(path: Path, sheet: str) -> set[tuple[int, int]]:
    """(row, column) of date cells whose number format shows no day ("mmm-yy"):
    calamine gives the value, openpyxl (read-only) the format."""
    from openpyxl import load_workbook  # only when the sheet has dates
    out: set[tuple[int, int]] = set()
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[sheet]
        for r, row in enumerate(ws.iter_rows()):
            for cell in row:
                if getattr(cell, "is_date", False) and _month_only(cell.number_format):
                    out.add((r, cell.column - 1))
    finally:
        wb.close()
    return out


def _month_only(number_format: str) -> bool:
    fmt = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", str(number_format or "")).casefold()
    return "m" in fmt and "y" in fmt and "d" not in fmt


def _xlsx_value(value: Any, month: bool = False) -> Any:
    """Cells as an officer typed them: whole numbers without '.0', dates as dates,
    a date formatted as a month as the month ("December 2020")."""
    if month and isinstance(value, (date, datetime)):
        return f"{value:%B %Y}"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value
    if value is None:
        return ""
    return str(value)
