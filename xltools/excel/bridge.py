"""The bridge between an open Excel workbook (``xw.Book``) and xltools' ``Book``.

A ribbon script gets the calling workbook from xlwings — over HTTP from
Office.js (xlwings Server's remote book) or over COM/AppleScript on the
desktop. The bridge reads its sheets into the same ``Book`` the file reader
produces, by feeding the sheet grids through the reader's own row, header,
settings and list logic (so a workbook open in Excel reads exactly like the
same workbook on disk), and writes results back as plain values.

Only ``xltools.excel`` imports xlwings; everything here works for both the
remote and the desktop engines because it uses xlwings' public API only.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import xlwings as xw

from ..errors import WorkbookError
from ..workbook.book import Book
from ..workbook.layout import SETTINGS, SheetLayout, col_letter
from ..workbook.reader import book_from_sheets
from .columns import set_widths
from .downloads import Link, link_lines, remember

Grid = list[list[Any]]
RETURNS_ENV, OUTPUT_ENV = "XLTOOLS_RETURNS_DIR", "XLTOOLS_OUTPUT_DIR"
_FORMULA_START = ("=", "+", "-", "@")


class GridSheet:
    """A sheet's values anchored at A1, shaped like the calamine sheet the reader reads."""

    def __init__(self, name: str, grid: Grid):
        self.name = name
        self._grid = grid
        self.merged_cell_ranges: list = []  # Office.js does not send merges

    def to_python(self, skip_empty_area: bool = False) -> Grid:  # noqa: ARG002 - same signature
        return self._grid


class GridWorkbook:
    """Sheet grids by name, shaped like ``CalamineWorkbook`` for the reader's helpers."""

    def __init__(self, grids: dict[str, Grid]):
        self.sheets = {name: GridSheet(name, grid) for name, grid in grids.items()}
        self.sheet_names = list(self.sheets)

    def get_sheet_by_name(self, name: str) -> GridSheet:
        return self.sheets[name]


def sheet_grid(sheet: xw.Sheet) -> Grid:
    """Every value from A1 to the last used cell; empty cells as "" like calamine."""
    last = sheet.used_range.last_cell
    rng = sheet.range((1, 1), (max(1, last.row), max(1, last.column)))
    values = rng.options(ndim=2).value or [[]]
    grid = [[_plain(v) for v in row] for row in values]
    _refuse_broken_text(sheet.name, grid)
    return grid


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_broken_text(name: str, grid: Grid) -> None:
    """Office.js can send half of an emoji (a lone UTF-16 surrogate); no file can hold it."""
    for r, row in enumerate(grid, start=1):
        for c, value in enumerate(row, start=1):
            if isinstance(value, str) and _LONE_SURROGATE.search(value):
                raise WorkbookError(f"{name}!{col_letter(c)}{r}: this cell holds a character "
                                    "that is not valid text (a broken symbol or emoji); "
                                    "retype it and try again", reason="BAD_TEXT")


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0, 0):
        return value.date()
    return value


def book_grids(xwbook: xw.Book, wanted: Sequence[str] | None = None) -> dict[str, Grid]:
    names = [s.name for s in xwbook.sheets]
    return {n: sheet_grid(xwbook.sheets[n]) for n in names if wanted is None or n in wanted}


def read_xwbook(xwbook: xw.Book, sheets: Sequence[str] | None = None) -> Book:
    """The calling workbook as a ``Book``, read by the same rules as ``read_book``.

    ``sheets``: only these (a script's ``include`` list: the others were not sent).
    """
    name = xwbook.name
    wb = GridWorkbook(book_grids(xwbook, sheets))
    if SETTINGS not in wb.sheets:
        raise WorkbookError(f"{name}: no {SETTINGS} sheet — this workbook was not made by "
                            "xltools", path=name, reason="NOT_XLTOOLS")
    return book_from_sheets(wb, name, only=sheets)


# -- writing back ----------------------------------------------------------------


def safe_text(value: Any) -> Any:
    """Text that Excel would take for a formula is written with a text prefix."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def cell_value(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return safe_text(value)


def write_column(xwbook: xw.Book, layout: SheetLayout, book: Book, key: str,
                 rows: list[dict]) -> int:
    """Write ``key`` of each row into its own cell (rows carry ``_row``); one range write.

    Returns how many cells were written. Rows without ``_row`` (not from this
    book) are skipped.
    """
    placed = [r for r in rows if r.get("_row")]
    if not placed:
        return 0
    letter = book.letters(layout).get(key)
    if letter is None:
        raise WorkbookError(f"{book.path}: sheet '{layout.name}' has no "
                            f"'{layout.column(key).name}' column to write to",
                            path=book.path, reason="MISSING_COLUMN")
    first, last = min(r["_row"] for r in placed), max(r["_row"] for r in placed)
    current = xwbook.sheets[layout.name].range(f"{letter}{first}:{letter}{last}")
    values = current.options(ndim=2).value
    by_row = {r["_row"]: r.get(key) for r in placed}
    column = [[cell_value(by_row[n]) if n in by_row else _keep(values[n - first][0])]
              for n in range(first, last + 1)]
    current.value = column
    return len(placed)


def _keep(value: Any) -> Any:
    return "" if value is None else safe_text(value)


def write_sheet(xwbook: xw.Book, name: str, rows: Grid, *, after: str | None = None,
                widths: Sequence[float] = ()) -> xw.Sheet:
    """Replace (or add) a results sheet holding ``rows`` from A1, header row bold.

    ``widths`` are stored widths (as openpyxl writes them), converted per engine.
    """
    names = [s.name for s in xwbook.sheets]
    if name in names:
        sheet = xwbook.sheets[name]
        sheet.clear()
    else:
        anchor = after if after in names else names[-1]
        sheet = xwbook.sheets.add(name, after=xwbook.sheets[anchor])
    if rows:
        width = max(len(r) for r in rows)
        grid = [[cell_value(v) for v in r] + [""] * (width - len(r)) for r in rows]
        sheet.range("A1").value = grid
        sheet.range((1, 1), (1, width)).font.bold = True
        set_widths(sheet, widths)
    return sheet


def alert(xwbook: xw.Book, message: str, title: str = "xltools",
          links: Sequence[Link | None] = (), counts: dict[str, int] | None = None) -> None:
    """Tell the person who pressed the button what happened (Office.js dialog or MsgBox).

    On the remote engine the alert goes into *this* book's actions: xlwings'
    ``App.alert`` appends to ``apps.active.books.active``, the book most recently
    opened by any request, so with scripts running side by side one user would
    get another user's alert. ``links`` (files offered for download) are added
    after the paths are scrubbed, and the task pane's "Last run" shows the same
    (``downloads.remember``), with ``counts`` as a small table.
    """
    if is_remote(xwbook):  # the person is not on the server: no server paths
        text = public_text(message) + link_lines(list(links))
        _book_action(xwbook, "alert", [text, title, "ok", "", ""])
        remember(title, text, [link for link in links if link is not None], counts or {})
    else:
        xwbook.app.alert(message, title=title)


# an absolute path's folders (POSIX or Windows), not preceded by a word (so "2019/20" stays)
_FOLDERS = re.compile(r"(?<![\w.])(?:[A-Za-z]:)?[\\/](?:[\w.\- ]*[\w.\-][\\/])+")


def public_text(message: str) -> str:
    """``message`` without server paths: the configured folders by role, files by name."""
    for env, label in ((RETURNS_ENV, "the returns folder"), (OUTPUT_ENV, "the output folder")):
        folder = os.environ.get(env)
        if not folder:
            continue
        for form in {folder.rstrip("/\\"), str(Path(folder).expanduser().resolve())}:
            if form:
                message = message.replace(form + os.sep, "").replace(form, label)
    return _FOLDERS.sub("", message)


def is_remote(xwbook: xw.Book) -> bool:
    """The workbook came over HTTP from Office.js (xlwings Server), not from a local Excel."""
    return xwbook.app.engine.name == "remote"


def _book_action(xwbook: xw.Book, func: str, args: list) -> None:
    """Queue an Office.js action on the calling book itself (never on ``books.active``)."""
    xwbook.impl.append_json_action(func=func, args=args)


def write_settings(xwbook: xw.Book, book: Book) -> None:
    """Rewrite the hidden Settings sheet (e.g. consolidation's record of updated IDs)."""
    from ..workbook.settings import settings_rows

    sheet = xwbook.sheets[SETTINGS]
    sheet.clear_contents()
    sheet.range("A1").value = [list(row) for row in settings_rows(book)]


def append_rows(xwbook: xw.Book, layout: SheetLayout, book: Book, existing: list[dict],
                new: list[dict]) -> int:
    """Add ``new`` rows under the last row of ``layout``'s sheet, columns by header."""
    if not new:
        return 0
    letters = book.letters(layout)
    first = max([r.get("_row", 1) for r in existing], default=1) + 1
    width = max(_index(letters[k]) for k in letters)
    grid = []
    for row in new:
        line: list[Any] = [""] * width
        for key, letter in letters.items():
            line[_index(letter) - 1] = cell_value(row.get(key)) if row.get(key) is not None \
                else ""
        grid.append(line)
    xwbook.sheets[layout.name].range(f"A{first}").value = grid
    return len(grid)


def _index(letter: str) -> int:
    number = 0
    for ch in letter:
        number = number * 26 + ord(ch) - 64
    return number


def replace_chart(sheet: xw.Sheet, name: str, source: xw.Range, anchor: xw.Range,
                  chart_type: str = "bar_stacked") -> None:
    """A native Excel chart over ``source`` (replacing one of the same name), so it stays
    live when the PMO edits the table."""
    if name in [c.name for c in sheet.charts]:
        sheet.charts[name].delete()
    sheet.charts.add(chart_type=chart_type, source=source, anchor=anchor, name=name,
                     width=480, height=260)


@contextmanager
def unprotected(xwbook: xw.Book, names: Sequence[str]):
    """Lift xltools' sheet protection (no password) around writes to locked cells.

    Office.js: the add-in's ``xltoolsUnprotect``/``xltoolsProtect`` callbacks
    (server_project/static/js/main.js) run in order with the other actions.
    Excel for Windows (desktop add-in): the sheets' COM ``Unprotect``/``Protect``.
    """
    present = [n for n in names if n in [s.name for s in xwbook.sheets]]
    remote = is_remote(xwbook)
    lifted = []
    for name in present:
        if remote:  # on this book, not App.macro's books.active (see ``alert``)
            _book_action(xwbook, "runMacro", ["xltoolsUnprotect", name])
            lifted.append(name)
        elif _com_unprotect(xwbook.sheets[name]):
            lifted.append(name)
    try:
        yield
    finally:
        for name in lifted:
            if remote:
                _book_action(xwbook, "runMacro", ["xltoolsProtect", name])
            else:
                xwbook.sheets[name].api.Protect(
                    DrawingObjects=True, Contents=True, AllowFormattingColumns=True,
                    AllowFormattingRows=True, AllowFiltering=True)


def _com_unprotect(sheet: xw.Sheet) -> bool:
    """Windows COM: lift protection if set; on a Mac the sheet is left as it is (a write
    to a locked cell then fails with Excel's own message)."""
    if sys.platform != "win32" or not sheet.api.ProtectContents:
        return False
    sheet.api.Unprotect()
    return True
