"""Stream data rows straight into a sheet's XML: the writer's hot path.

openpyxl builds everything that makes a workbook a template — styles,
validation, conditional formats, tables, protection, print setup — but pushing
every cell of a 12,000-row master through its object model is slow (about
20,000 cells a second here). So the writer lets openpyxl write each data sheet
with its header and two *prototype* rows (one plain, one with Excel's "quote
prefix" for text that looks like a formula), reads the style indices openpyxl
chose for those prototypes, and then replaces the prototypes with every real
row, generated as XML text in one pass. Validation ranges and table refs are
already sized for the real row count, so nothing else in the sheet changes.

Cells are written as inline strings, numbers, dates (as serial numbers with the
column's date style) or, for the Savings ``Change`` column, formulas; text is
never written as a formula, whatever it starts with.
"""

from __future__ import annotations

import io
import queue
import re
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any

from .layout import EXCEL_MAX_TEXT, SheetLayout, col_letter, fit_cell_text
from .package import sheet_targets

PROTOTYPE_ROWS = (2, 3)  # row 2: plain styles; row 3: quote-prefixed text styles
_EPOCH = datetime(1899, 12, 30)
_EPOCH_DAY = _EPOCH.date()
# Escape XML's specials and drop characters XML 1.0 forbids, in one pass.
# characters XML 1.0 cannot hold at all (Excel refuses the file): dropped
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@")
_ATTR_S = re.compile(r'\ss="(\d+)"')
_CELL = re.compile(r'<c r="([A-Z]+)(\d+)"([^>]*?)/?>')
_ROW = re.compile(r'<row r="(\d+)"[^>]*?(?:/>|>.*?</row>)', re.S)


@dataclass
class DeferredSheet:
    """Rows to stream into one sheet after openpyxl has saved the workbook."""

    title: str
    layout: SheetLayout
    rows: list[dict[str, Any]]
    count: int  # data rows to write (real rows plus blank spare rows)
    formulas: dict[str, Any]  # column key -> function(excel_row) -> formula text
    cached: dict[str, Any] = field(default_factory=dict)  # column key -> function(row) -> value
    hidden: frozenset[str] = frozenset()  # column keys hidden: they set no row's height
    widths: dict[str, float] = field(default_factory=dict)  # key -> width, if not the layout's


def defer(wb, sheet: DeferredSheet) -> None:
    """Remember ``sheet``'s rows on the workbook until it is saved."""
    if not hasattr(wb, "_xltools_deferred"):
        wb._xltools_deferred = []
    wb._xltools_deferred.append(sheet)


class ExcelError(str):
    """A formula result that is an Excel error value, such as ``#N/A``."""


NA = ExcelError("#N/A")


def cache_values(wb, title: str, values: dict[str, Any]) -> None:
    """Remember the results of formulas in sheet ``title`` (A1 ref -> value).

    openpyxl writes formulas without results, and Excel shows no result until
    it recalculates — which it doesn't in Protected View (every emailed
    workbook) and which calamine and pandas never do. Where xltools knows what
    a formula gives, it stores the result beside it, as Excel itself does.
    """
    if not hasattr(wb, "_xltools_cached"):
        wb._xltools_cached = {}
    wb._xltools_cached.setdefault(title, {}).update(values)


def save(wb, target) -> None:
    """Save ``wb`` to ``target`` (path or file), streaming in any deferred rows
    and storing any cached formula results.

    A data sheet is written into the zip a few hundred rows at a time, never held
    whole: a 12,000-row master's Actions XML is ~40 MB of text with long progress
    updates, and building it as one string (then encoding it) used to cost five
    copies of it — most of a consolidation's peak memory."""
    deferred = {d.title: d for d in getattr(wb, "_xltools_deferred", [])}
    cached: dict[str, dict[str, Any]] = getattr(wb, "_xltools_cached", {})
    if not deferred and not cached:
        wb.save(target)
        return
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as src:
        titles = {sheet_part(src, t): t for t in {*deferred, *cached}}
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
            for info in src.infolist():
                data = src.read(info.filename)
                title = titles.get(info.filename)
                if title is None:
                    dst.writestr(info.filename, data)
                    continue
                xml = data.decode("utf-8")
                pieces = fill_parts(xml, deferred[title]) if title in deferred else [xml]
                results = cached.get(title)
                chunks = ((with_results(piece, results) if results else piece).encode()
                          for piece in pieces)
                big = title in deferred and deferred[title].count > ROWS_PER_PIECE
                with dst.open(info.filename, "w") as out:
                    (write_behind if big else write_all)(out, chunks)


def write_all(out, chunks: Iterator[bytes]) -> None:
    for chunk in chunks:
        out.write(chunk)


def write_behind(out, chunks: Iterator[bytes]) -> None:
    """Write ``chunks`` to ``out`` from a second thread while this one makes the next.

    Writing into the zip is mostly deflating (about a third of writing a 12,000-row
    master), and zlib lets go of the GIL while it works: so a sheet's rows are
    compressed on another core as they are made, instead of after each piece. At
    most ``_BEHIND`` chunks wait, so memory stays bounded; an error writing stops
    the rows and is raised here."""
    waiting: queue.Queue[bytes | None] = queue.Queue(maxsize=_BEHIND)
    failed: list[BaseException] = []
    writer = threading.Thread(target=_drain, args=(out, waiting, failed), daemon=True)
    writer.start()
    try:
        for chunk in chunks:
            if failed:
                break
            waiting.put(chunk)
    finally:
        waiting.put(None)
        writer.join()
    if failed:
        raise failed[0]


_BEHIND = 2  # chunks made but not yet written


def _drain(out, waiting: queue.Queue, failed: list[BaseException]) -> None:
    """``write_behind``'s writer: write each chunk until told to stop (None); after an
    error, keep taking chunks unwritten so the maker is never left waiting."""
    while (chunk := waiting.get()) is not None:
        if failed:
            continue
        try:
            out.write(chunk)
        except BaseException as error:  # noqa: BLE001 - handed to the caller's thread
            failed.append(error)


_FORMULA_CELL = re.compile(
    r'<c r="([A-Z]+[0-9]+)"([^>]*)><f>(.*?)</f>(?:<v>[^<]*</v>|<v\s*/>)?</c>', re.S)


def xml_text(text: str) -> str:
    """``text`` escaped for an XML element, characters XML cannot hold dropped.

    Paragraph-long progress texts make this the writer's hottest line: a few
    ``in`` tests and ``replace`` calls run in C over the whole string, about ten
    times faster than ``str.translate`` with a table (a dict lookup per character).
    A printable text holds no character XML forbids (they are all control
    characters or non-characters), and ``isprintable`` scans twice as fast as the
    regex, which is left for texts with line breaks or tabs.
    """
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if not text.isprintable() and _XML_ILLEGAL.search(text):
        text = _XML_ILLEGAL.sub("", text)
    return text


def with_results(xml: str, values: dict[str, Any]) -> str:
    """Put each known result after its formula (``<f>…</f><v>…</v>``)."""
    def put(match: re.Match) -> str:
        ref, attrs, formula = match.groups()
        if ref not in values:
            return match.group(0)
        return formula_xml(ref, re.sub(r'\st="[^"]*"', "", attrs), formula, values[ref])

    return _FORMULA_CELL.sub(put, xml)


def formula_xml(ref: str, attrs: str, formula: str, value: Any) -> str:
    """A formula cell with its result; ``formula`` is already XML-escaped."""
    if value is None:
        return f'<c r="{ref}"{attrs}><f>{formula}</f></c>'
    if isinstance(value, ExcelError):
        kind, text = ' t="e"', str(value)
    elif isinstance(value, bool):
        kind, text = ' t="b"', str(int(value))
    elif isinstance(value, (int, float)):
        kind, text = "", repr(value)
    else:
        kind, text = ' t="str"', xml_text(str(value))
    return f'<c r="{ref}"{attrs}{kind}><f>{formula}</f><v>{text}</v></c>'


def sheet_part(zf: zipfile.ZipFile, title: str) -> str:
    """The zip member holding the sheet called ``title``."""
    return sheet_targets(zf)[title]


ROWS_PER_PIECE = 256  # rows of XML joined before they are written: bounded memory


def fill_parts(xml: str, sheet: DeferredSheet) -> Iterator[str]:
    """The prototype rows of ``xml`` replaced with every row of ``sheet``, in pieces of
    whole rows (or the parts around them), so a caller never holds all of it."""
    return frame_parts(sheet_frame(xml, sheet), sheet)


@dataclass(frozen=True)
class SheetFrame:
    """A data sheet's XML around its rows — everything but the rows — and the styles
    and column pieces every row is made from. It depends on the sheet's template and
    its row count only, so ``Stamp`` keeps one per count and reuses it for every
    return of that size."""

    head: str  # up to and including the header row
    tail: str  # from </sheetData>: validation, formatting, tables, print setup
    plain: list[str]
    quoted: list[str]
    columns: list[_Slot]


def sheet_frame(xml: str, sheet: DeferredSheet) -> SheetFrame:
    """The frame of ``xml`` (a data sheet as openpyxl wrote it, with its prototype rows)
    sized for ``sheet.count`` rows."""
    plain, quoted = prototype_styles(xml, len(sheet.layout.columns))
    start = xml.index("<sheetData>") + len("<sheetData>") if "<sheetData>" in xml else None
    if start is None:
        raise ValueError(f"sheet {sheet.title} has no sheetData to fill")
    end = xml.index("</sheetData>")
    body = xml[start:end]
    kept = [m.group(0) for m in _ROW.finditer(body) if int(m.group(1)) not in PROTOTYPE_ROWS]
    last = col_letter(len(sheet.layout.columns)) + str(sheet.count + 1)
    head = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:{last}"/>',
                  xml[:start], count=1)
    # the header row: the only row that is not a prototype
    return SheetFrame(head + "".join(kept), xml[end:], plain, quoted,
                      slots(sheet, plain, quoted))


def frame_parts(frame: SheetFrame, sheet: DeferredSheet) -> Iterator[str]:
    """``sheet``'s rows in ``frame``, in pieces of ROWS_PER_PIECE rows."""
    yield frame.head
    for first in range(0, sheet.count, ROWS_PER_PIECE):
        yield "".join(row_xml(sheet, i, frame.plain, frame.quoted, frame.columns)
                      for i in range(first, min(first + ROWS_PER_PIECE, sheet.count)))
    yield frame.tail


def prototype_styles(xml: str, width: int) -> tuple[list[str], list[str]]:
    """Style index of each column in the plain and quote-prefixed prototype rows."""
    styles: dict[int, dict[str, str]] = {r: {} for r in PROTOTYPE_ROWS}
    for letters, row, attrs in _CELL.findall(xml):
        if int(row) in styles:
            match = _ATTR_S.search(attrs)
            styles[int(row)][letters] = match.group(1) if match else "0"
    letters = [col_letter(i) for i in range(1, width + 1)]
    plain = [styles[2].get(c, "0") for c in letters]
    quoted = [styles[3].get(c, p) for c, p in zip(letters, plain, strict=True)]
    return plain, quoted


@dataclass(frozen=True)
class _Slot:
    """Everything about one column that every row needs, worked out once per sheet —
    down to the fixed text around each cell's row number and value, so a cell costs
    one format of a few pieces (a 12,000-row master has 200,000 of them)."""

    key: str
    letter: str
    style: str
    quoted_style: str
    formula: Any  # function(excel_row) -> formula text, or None
    per_line: int  # characters of wrapped text per line (0: hidden, sets no height)
    result: Any = None  # function(row) -> the formula's value, or None
    opening: str = ""  # '<c r="A' : the row number follows
    empty: str = ""  # the rest of an empty cell
    text: str = ""  # the rest of an inline string's cell, up to its text
    quoted_text: str = ""  # the same, with the quote-prefixed style
    number: str = ""  # the rest of a number's cell, up to its value


_TEXT_CELL = '" s="{}" t="inlineStr"><is><t xml:space="preserve">'


def slots(sheet: DeferredSheet, plain: list[str], quoted: list[str]) -> list[_Slot]:
    return [
        _Slot(col.key, col_letter(pos + 1), plain[pos], quoted[pos],
              sheet.formulas.get(col.key),
              0 if col.key in sheet.hidden else max(1, int(sheet.widths.get(col.key, col.width)
                                                          * CHARS_PER_WIDTH)),
              sheet.cached.get(col.key), f'<c r="{col_letter(pos + 1)}',
              f'" s="{plain[pos]}"/>', _TEXT_CELL.format(plain[pos]),
              _TEXT_CELL.format(quoted[pos]), f'" s="{plain[pos]}"><v>')
        for pos, col in enumerate(sheet.layout.columns)
    ]


def row_xml(sheet: DeferredSheet, index: int, plain: list[str], quoted: list[str],
            columns: list[_Slot] | None = None) -> str:
    """One ``<row>``: the sheet's row ``index`` (or a blank, styled spare row).

    Empty cells and plain texts — nearly every cell — are written here from the
    slot's fixed pieces; anything else goes through ``cell_xml``."""
    excel_row = index + 2
    number = str(excel_row)
    row = sheet.rows[index] if index < len(sheet.rows) else {}
    cells = []
    lines = 1
    for slot in columns or slots(sheet, plain, quoted):
        if slot.formula is not None:
            cells.append(_formula_cell(slot, excel_row, row))
            continue
        value = row.get(slot.key)
        if value is None:
            cells.append(f"{slot.opening}{number}{slot.empty}")
            continue
        kind = type(value)
        if kind is str and value and len(value) <= EXCEL_MAX_TEXT:
            text = xml_text(value)
            head = slot.quoted_text if text.startswith(_FORMULA_START) else slot.text
            cells.append(f"{slot.opening}{number}{head}{text}</t></is></c>")
        elif kind is date:  # a date (not a datetime): its day number, as ``cell_xml`` writes it
            cells.append(f"{slot.opening}{number}{slot.number}{(value - _EPOCH_DAY).days}"
                         "</v></c>")
            continue
        else:
            cells.append(cell_xml(f"{slot.letter}{number}", value, slot.style,
                                  slot.quoted_style))
            if not isinstance(value, str):
                continue
        if slot.per_line and (len(value) > slot.per_line or "\n" in value):
            wrapped = text_lines(value, slot.per_line)
            if wrapped > lines:
                lines = wrapped
    if lines > 1:
        return f'<row r="{number}" ht="{row_height(lines)}">{"".join(cells)}</row>'
    return f'<row r="{number}">{"".join(cells)}</row>'


def _formula_cell(slot: _Slot, excel_row: int, row: dict[str, Any]) -> str:
    """A formula column's cell, with its result when it is known."""
    formula = xml_text(slot.formula(excel_row).lstrip("="))
    value = slot.result(row) if slot.result and row else None
    return formula_xml(f"{slot.letter}{excel_row}", f' s="{slot.style}"', formula, value)


LINE_POINTS = 12.75  # one line of 10-point Arial
MAX_POINTS = 409  # Excel's largest row height
CHARS_PER_WIDTH = 1.35  # characters of 10-point Arial per unit of column width


def text_lines(text: str, per_line: int) -> int:
    """Lines ``text`` wraps to in a column holding ``per_line`` characters (a text of
    one paragraph, the usual progress update, without splitting it)."""
    if isinstance(text, str) and "\n" not in text:
        return max(1, -(-len(text) // per_line))
    return sum(max(1, -(-len(part) // per_line)) for part in str(text).split("\n"))


@lru_cache(maxsize=512)  # a few dozen heights over 12,000 rows
def row_height(lines: int) -> float:
    """Points for ``lines`` lines of wrapped text.

    Excel fits wrapped rows when it edits them, but neither it nor LibreOffice
    re-measures rows when opening a file, so without a height a return would
    print with its progress text cut off. An estimate from text length and
    column width is close enough to read.
    """
    return min(MAX_POINTS, round(lines * LINE_POINTS + 3, 2))


def cell_xml(ref: str, value: Any, style: str, quoted_style: str) -> str:
    """One ``<c>`` element. Text is an inline string, never a formula."""
    if value is None or value == "":
        return f'<c r="{ref}" s="{style}"/>'
    if type(value) is not str:  # noqa: E721 - exact check first: text is most cells
        if isinstance(value, bool):
            return f'<c r="{ref}" s="{style}" t="b"><v>{int(value)}</v></c>'
        if isinstance(value, (int, float)):
            return f'<c r="{ref}" s="{style}"><v>{value!r}</v></c>'
        if isinstance(value, (date, datetime)):
            return f'<c r="{ref}" s="{style}"><v>{excel_serial(value)!r}</v></c>'
        if isinstance(value, (list, tuple)):
            value = "; ".join(str(v) for v in value)
        value = str(value)
    if len(value) > EXCEL_MAX_TEXT:  # a file Excel would call damaged
        value = fit_cell_text(value)
    text = xml_text(value)
    s = quoted_style if text.startswith(_FORMULA_START) else style
    return (f'<c r="{ref}" s="{s}" t="inlineStr"><is><t xml:space="preserve">'
            f"{text}</t></is></c>")


def excel_serial(value: date | datetime) -> float | int:
    """Excel's day number (1900 date system) for a date or datetime."""
    if isinstance(value, datetime):
        delta = value - _EPOCH
        return delta.days + delta.seconds / 86400
    if isinstance(value, date):
        return (value - _EPOCH.date()).days
    if isinstance(value, time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    raise TypeError(value)
