"""Write many workbooks of one plan fast: build the styled template once, then
stamp each one out by streaming its rows in (DESIGN.md §7).

Issuing returns writes hundreds of workbooks that differ only in their rows
and the officer's name. Building each with openpyxl costs ~50 ms of styles,
validation and zip work that is identical every time. A ``Stamp`` pays that
once: it builds the workbook with every data sheet sized for a sentinel row
count and a placeholder officer, keeps the package's parts in memory, and for
each book only rewrites the data sheets (rows, and the sentinel in validation,
formatting and table ranges), the officer's name on Guidance and Settings, and
zips the result. The output is the same workbook ``write_book`` makes — a test
compares them part by part.

A book the stamp can't reproduce exactly (other plan, kind or settings; Archive
or Log rows) is handed to ``write_book`` instead, so callers never need to care.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from openpyxl.utils.cell import absolute_coordinate, quote_sheetname

from . import fastrows
from .book import Book
from .files import replacing
from .guidance import instructions
from .issued import ISSUED_KEY, ISSUED_TOKEN, issued_cells, locked_keys
from .layout import DATA_LAYOUTS, RETURN, SheetLayout
from .package import sheet_targets
from .return_layout import book_widths, continued
from .writer import build_workbook, data_print_area, row_count, write_book

MAX_SIZED = 256  # sizes remembered: a plan's returns come in a few dozen sizes
SENTINEL_COUNT = 987651  # data rows; the sentinel last row is one more
SENTINEL_ROW = str(SENTINEL_COUNT + 1)
OFFICER_TOKEN = "@@XLTOOLS-OFFICER@@"
_SENTINEL_REF = re.compile(rf"(?<=[A-Z$]){SENTINEL_ROW}(?!\d)")
_DATA_SHEETS = frozenset(layout.name for layout in DATA_LAYOUTS)  # (a shape's layout too)
_TABLE_NAME = re.compile(r'displayName="([^"]+)"')
_SHEET_NAME = re.compile(r'<sheet\b[^>]*\bname="([^"]*)"')


class Stamp:
    """A reusable, pre-built workbook for books of one plan, kind and settings."""

    def __init__(self, prototype: Book):
        self.prototype = prototype
        probe = Book(plan=prototype.plan, kind=prototype.kind, officer=OFFICER_TOKEN,
                     extra_settings={**prototype.extra_settings, ISSUED_KEY: ISSUED_TOKEN})
        counts = {layout.name: SENTINEL_COUNT for layout in DATA_LAYOUTS}
        wb = build_workbook(probe, counts=counts)
        self._deferred = {d.title: d for d in getattr(wb, "_xltools_deferred", [])}
        buffer = io.BytesIO()
        wb.save(buffer)  # prototypes kept: rows are streamed in per book
        with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as zf:
            self._parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
            self._sheet_parts = {v: k for k, v in sheet_targets(zf).items()}
        self._tables = self._table_parts()
        # what a return's size decides (a sheet's frame, a table's range, the print
        # areas), worked out once per size: most returns are alike in size
        self._sized: dict[tuple, Any] = {}

    def _table_parts(self) -> dict[str, SheetLayout]:
        by_table = {layout.table: layout for layout in DATA_LAYOUTS}
        found = {}
        for name, data in self._parts.items():
            if name.startswith("xl/tables/"):
                match = _TABLE_NAME.search(data.decode("utf-8"))
                if match and match.group(1) in by_table:
                    found[name] = by_table[match.group(1)]
        return found

    def fits(self, book: Book) -> bool:
        """True when ``book`` differs from the prototype only in rows and officer."""
        proto = self.prototype
        return (book.plan == proto.plan and book.kind == proto.kind
                and book.extra_settings == proto.extra_settings
                and not book.archive and not book.log and not book.risks
                and (book.kind != RETURN or bool(book.officer))
                and not (book.kind == RETURN and continued(book.actions, book_widths(book)))
                and instructions(book) is instructions(proto_probe(proto)))

    def write(self, book: Book, path: str | Path) -> Path:
        """Write ``book`` to ``path`` (atomically, like ``write_book``)."""
        if not self.fits(book):
            return write_book(book, path)
        path = Path(path)
        with replacing(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED,
                                                     compresslevel=1) as zf:
            for name, data in self._parts.items():
                zf.writestr(name, self._part(name, data, book))
        return path

    def _part(self, name: str, data: bytes, book: Book) -> bytes:
        title = self._sheet_parts.get(name)
        if title in self._deferred:
            return self._data_sheet(data, self._deferred[title], book).encode()
        if name in self._tables:
            last = str(self._count(book, self._tables[name]) + 1)
            return self._once((name, last), lambda: _SENTINEL_REF.sub(
                last, data.decode("utf-8")).encode())
        if name == "xl/workbook.xml":
            shape = tuple(bool(_rows(book, layout)) for layout in DATA_LAYOUTS)
            return self._once((name, shape), lambda: _print_areas(
                data.decode("utf-8"), book).encode())
        if title is not None and OFFICER_TOKEN.encode() in data:
            xml = _put_officer(data.decode("utf-8"), book.officer)
            return _put_issued(xml, book).encode()
        return data

    def _once(self, key: tuple, make: Callable[[], Any]) -> Any:
        """``make()``, kept under ``key`` (a part and the size it depends on)."""
        if key not in self._sized:
            if len(self._sized) > MAX_SIZED:
                self._sized.clear()
            self._sized[key] = make()
        return self._sized[key]

    def _count(self, book: Book, layout: SheetLayout) -> int:
        return row_count(book.kind, _rows(book, layout))

    def _data_sheet(self, data: bytes, deferred: fastrows.DeferredSheet, book: Book) -> str:
        """Size the sheet for ``book`` (the sentinel) and stream its rows in. Sheets sized
        by the prototype itself (a master's Log) keep the prototype's count."""
        layout = deferred.layout
        count = self._count(book, layout) if layout.name in _DATA_SHEETS else deferred.count
        sheet = replace(deferred, rows=_rows(book, layout), count=count)
        frame = self._once((deferred.title, count), lambda: fastrows.sheet_frame(
            _SENTINEL_REF.sub(str(count + 1), data.decode("utf-8")), sheet))
        return "".join(fastrows.frame_parts(frame, sheet))


def proto_probe(book: Book) -> Book:
    """What the stamp's own workbook was built from: no rows (its Guidance says so)."""
    return Book(plan=book.plan, kind=book.kind, extra_settings=book.extra_settings)


def _rows(book: Book, layout: SheetLayout) -> list:
    return {"Actions": book.actions, "Savings": book.savings, "KPIs": book.kpis}.get(
        layout.name, [])


def _print_areas(xml: str, book: Book) -> str:
    """``xl/workbook.xml`` with each data sheet's print area as ``write_book`` sets it
    for ``book``: none (print it all), or one empty cell (a sheet with no rows prints
    nothing)."""
    names = _SHEET_NAME.findall(xml)
    for layout in DATA_LAYOUTS:
        if layout.name not in names:
            continue
        index = names.index(layout.name)
        area = data_print_area(layout.for_book(book), book.kind, _rows(book, layout))
        xml = re.sub(rf'<definedName name="_xlnm.Print_Area" localSheetId="{index}">[^<]*'
                     r"</definedName>", "", xml)
        if area:
            text = escape(f"{quote_sheetname(layout.name)}!{absolute_coordinate(area)}")
            element = f'<definedName name="_xlnm.Print_Area" localSheetId="{index}">{text}' \
                      "</definedName>"
            xml = xml.replace("</definedNames>", element + "</definedNames>", 1)
    return xml


def _put_issued(xml: str, book: Book) -> str:
    """Settings with the return's own fingerprint of its locked cells (``issued``)
    where the prototype has the token."""
    if ISSUED_TOKEN not in xml:
        return xml
    text = json.dumps(issued_cells(book.actions, locked_keys(book))
                      if book.kind == RETURN else None)
    return xml.replace(f"&quot;{ISSUED_TOKEN}&quot;", escape(text, {'"': "&quot;"})).replace(
        f'"{ISSUED_TOKEN}"', escape(text))


def _put_officer(xml: str, officer: str) -> str:
    """Put the officer's name where the token is: JSON-escaped inside Settings' JSON
    strings, plain everywhere else; XML-escaped in both."""
    as_json = json.dumps(officer, ensure_ascii=False)[1:-1]
    xml = xml.replace(f'"{OFFICER_TOKEN}"', '"' + escape(as_json) + '"')
    xml = xml.replace(f"&quot;{OFFICER_TOKEN}&quot;", "&quot;" + escape(as_json) + "&quot;")
    return xml.replace(OFFICER_TOKEN, escape(officer))

