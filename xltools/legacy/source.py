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
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..workbook.reader import open_workbook

TEXT_SUFFIXES = {".tsv", ".txt", ".csv", ".tab"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


@dataclass
class Grid:
    """Rows of cells from one source (one sheet of a workbook)."""

    file: str
    rows: list[tuple[int, list[Any]]]
    sheet: str | None = None
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)


def read_grid(path: str | Path, header_test=None) -> Grid:
    """The source's rows. For a workbook, the first sheet ``header_test`` accepts
    (a callable taking a list of rows), else the first sheet."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(path, header_test)
    if suffix in TEXT_SUFFIXES or not suffix:
        return read_text(path)
    raise UsageError(f"{path.name}: cannot import a '{suffix}' file; save it as .xlsx, "
                     ".csv or tab-separated .txt/.tsv")


def read_text(path: Path) -> Grid:
    """TSV/CSV text; the delimiter is a tab when the text has tabs, else sniffed."""
    if not path.is_file():
        raise UsageError(f"{path}: file not found")
    raw = path.read_bytes()
    text, encoding = _decode(raw)
    delimiter = _delimiter(text, path.suffix.lower())
    rows = _split_rows(text, delimiter)
    return Grid(path.name, rows, encoding=encoding)


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


def _split_rows(text: str, delimiter: str) -> list[tuple[int, list[Any]]]:
    """Rows with their starting line. Quoted cells (as Excel saves them) may span
    lines; text copied from Word is often not quoted at all, so if quoting would
    swallow a delimiter into a cell the plain line split is used instead."""
    quoted = _csv_rows(text, delimiter)
    if quoted is not None:
        return quoted
    return [(n, line.split(delimiter)) for n, line in enumerate(text.splitlines(), start=1)]


def _csv_rows(text: str, delimiter: str) -> list[tuple[int, list[Any]]] | None:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[Any]]] = []
    start = 1
    try:
        for cells in reader:
            if any(delimiter in c or c.count("\n") > 20 for c in cells):
                return None
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error:
        return None
    return rows


def read_xlsx(path: Path, header_test=None) -> Grid:
    """The first sheet with a recognisable header row (or the first sheet)."""
    with open_workbook(path) as wb:
        chosen = None
        for name in wb.sheet_names:
            grid = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            if chosen is None:
                chosen = (name, grid)
            if header_test is not None and header_test(grid[:40]):
                chosen = (name, grid)
                break
    name, grid = chosen if chosen else ("", [])
    rows = [(n, [_xlsx_value(v) for v in row]) for n, row in enumerate(grid, start=1)]
    return Grid(path.name, rows, sheet=name)


def _xlsx_value(value: Any) -> Any:
    """Cells as an officer typed them: whole numbers without '.0', dates as dates."""
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
