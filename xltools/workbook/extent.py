"""How far a sheet really reaches, found before the reader builds it.

python-calamine builds each sheet as a dense grid from A1 to its last cell (about
32 bytes a cell) before any row can be read: one stray cell at ``XFD1048576``
asks for ~550 GB and aborts the process, one at ``XFD10000`` costs 6 GB. So the
sheet's XML is streamed through an XML parser first (expat, in 1 MiB chunks) and
every cell placed where calamine will place it — by its ``r`` however it is
quoted or spaced, or, with no ``r``, by counting cells along the row and rows
down the sheet — and the bottom-right corner compared with what the layout can
hold; a sheet far outside it is refused (``TOO_LARGE``, with the cell), never
handed to calamine. The ``<dimension>`` element is not trusted (calamine ignores
it too): only real cells and rows count.

The same parse refuses what no spreadsheet program writes and what would trip a
later XML reader: a DTD (entity declarations, the billion-laughs bomb) and
malformed XML (an undefined entity) are ``XmlRefused``, raised with the line.

Placing every element costs a Python call each (a 12,000-action master has
~480,000 elements: most of its measuring). So the reader first tries
``plain_extent``: the *plain* form every spreadsheet program writes — each cell
``<c r="A1"``, reference first, double-quoted, upper case, no leading zero — read
by byte patterns over the same chunks expat parses (expat still parses the whole
part, with no Python call per element, so a DTD, an undefined entity, a repeated
attribute or any malformed XML is refused exactly as before). It counts every
element the walker would take for a cell, whatever its prefix, and the plain ones,
and declines (None) at the first cell that is not plain, or for any encoding but
UTF-8. When every cell is plain, each cell's place is its own reference (rows
without ``r`` cannot move one) and the result is the walker's, to the cell; a cell
in a comment or CDATA section can only make it say more, and when it says too far
the reader walks the sheet again. Property tests compare it with the walker and
with calamine on generated sheets.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from xml.parsers import expat

from .layout import col_letter

CHUNK = 1 << 20
MAX_ROWS = 200_000  # a 12,000-action master is the largest seen; a return has a few hundred
SPARE_COLUMNS = 32  # columns beyond the layout an officer may add (notes, workings)
# At the limits calamine's grid is 200,000 × ~55 cells × 32 bytes: ~350 MB.

# a cell reference as any reader would take it (calamine fails on longer ones)
_REF = re.compile(r"\s*([A-Za-z]{1,12})([0-9]{1,12})\s*$")
_ROW = re.compile(r"\s*([0-9]{1,12})\s*$")
_ANY_FORMULA = re.compile(rb"<(?:\w+:)?f[ >]")


class XmlRefused(ValueError):
    """A part's XML is one no spreadsheet program writes (a DTD) or is malformed."""


@dataclass(frozen=True)
class Extent:
    """The bottom-right corner of the cells a sheet really holds."""

    rows: int = 0
    cols: int = 0
    far_col_ref: str = ""  # the cell furthest right (when past column Z)
    far_row_ref: str = ""  # a cell on the last row
    formulas: bool = False  # any formula cell: the reader looks for them only then
    cells: int = 0  # cell elements counted


def has_formula(xml: bytes) -> bool:
    """Any formula cell (``<f>``; a validation's ``<formula1>`` is not one)? Plain
    substring tests first: the regex, needed only for namespace-prefixed XML, costs
    more than reading the rest of a return."""
    at = xml.find(b"<f")  # one pass: what follows tells <f>/<f t=…> from <formula1>
    while at >= 0:
        if xml[at + 2:at + 3] in (b">", b" "):
            return True
        at = xml.find(b"<f", at + 2)
    return b":f" in xml and _ANY_FORMULA.search(xml) is not None


def column_number(letters: str) -> int:
    """A → 1, AA → 27, XFD → 16384 (any letters: a hand-made ``AAAAA`` counts too)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


class _Walker:
    """expat's callbacks: where each ``<row>`` and ``<c>`` lands, as calamine places
    them (a row without ``r`` follows the last; a cell without ``r`` follows the last
    cell of its row, or starts the row at column A). Called for every element of a
    sheet (a 12,000-action master has ~700,000), so it does as little as it can."""

    def __init__(self) -> None:
        self.row = 0  # the row being read (1-based; 0 before the first)
        self.col = 0  # the column of the last cell in it
        self.rows = self.cols = self.cells = 0
        self.col_at = self.row_at = (0, 0)  # (column, row) of the furthest cells
        self.formulas = False
        self.numbers: dict[str, int] = {}  # column letters → number, each worked out once

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if ":" in name:
            name = name[name.index(":") + 1:]
        if name == "c":
            self._cell(attrs.get("r"))
        elif name == "row":
            self._row(attrs.get("r"))
        elif name == "f":
            self.formulas = True

    def _row(self, ref: str | None) -> None:
        match = _ROW.match(ref) if ref else None
        number = int(match[1]) if match else 0
        self.row = number if number > 0 else self.row + 1  # empty rows count in the number
        self.col = 0  # (but make the grid no longer: only a cell does)

    def _cell(self, ref: str | None) -> None:
        self.cells += 1
        match = _REF.match(ref) if ref else None
        if match:
            letters, row = match.groups()
            col = self.numbers.get(letters) or self.numbers.setdefault(
                letters, column_number(letters))
            row = int(row)
        else:
            col, row = self.col + 1, max(self.row, 1)
        self.col = col
        if col > self.cols:
            self.cols, self.col_at = col, (col, row)
        if row >= self.rows:  # the cell on the last row that reaches furthest
            self.rows, self.row_at = row, (col, row)

    def extent(self) -> Extent:
        def ref(at: tuple[int, int]) -> str:
            return f"{col_letter(at[0])}{at[1]}" if at[1] else ""

        return Extent(self.rows, max(self.cols, 26), ref(self.col_at) if self.cols > 26 else "",
                      ref(self.row_at), self.formulas, self.cells)


def _refuse_dtd(*_args) -> None:
    raise XmlRefused("it declares a DTD (entities), which no spreadsheet program writes")


def parse_part(zf: zipfile.ZipFile, part: str,
               start: Callable[[str, dict[str, str]], None] | None = None,
               plain: _PlainScan | None = None) -> None:
    """Stream ``part`` through expat in CHUNK-sized pieces (bounded memory), calling
    ``start(name, attributes)`` for each element and handing each piece to ``plain``
    (which ends the parse early once it finds the part is not plain); raise
    ``XmlRefused`` for a DTD or malformed XML."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    if start is not None:
        parser.StartElementHandler = start
    if plain is not None:
        parser.XmlDeclHandler = plain.declared
    try:
        with zf.open(part) as fh:
            while chunk := fh.read(CHUNK):
                if plain is not None:
                    plain.feed(chunk)
                    if not plain.plain:  # the walker parses it all again: stop here
                        return
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise XmlRefused(f"its XML is damaged ({expat.ErrorString(exc.code)}, "
                         f"line {exc.lineno})") from None


def sheet_extent(zf: zipfile.ZipFile, part: str) -> Extent:
    """The extent of the cells in ``part`` and whether it holds a formula — one
    streamed parse for both. Exact for any sheet, cells in order or not, however
    its references are quoted or spaced or left out."""
    walker = _Walker()
    parse_part(zf, part, walker.start)
    return walker.extent()


def plain_extent(zf: zipfile.ZipFile, part: str) -> Extent | None:
    """``part``'s extent read from its plain-form cell references — never less than
    ``sheet_extent``'s, the same but for text a comment or CDATA section hides — with
    expat checking the whole part as ``sheet_extent`` does (``XmlRefused`` alike).
    None when not every cell is plain: then only the walker can say."""
    scan = _PlainScan()
    parse_part(zf, part, plain=scan)
    return scan.extent()


# every unprefixed cell: its reference when plain (first, as spreadsheet programs
# write it; A1 to ZZZ9999999), else empty groups
_CELL = re.compile(rb'<c(?: r="([A-Z]{1,3})([1-9][0-9]{0,6})"|[\s/>])')
_PREFIXED = re.compile(rb":[cf][\s/>]")  # a prefixed cell or formula (or such text)
_FORMULA = re.compile(rb"<f[\s/>]")
_PLAIN_ENCODINGS = (None, "utf-8", "utf8")
MAX_CARRY = 1 << 20  # a tag (or text) left open across pieces longer than this: walker


class _PlainScan:
    """The plain-form scan, fed the same pieces as expat. Each piece is scanned up to
    its last ``<`` (every tag before it is whole: ``<`` cannot appear inside one), the
    rest carried to the next. Patterns see more than the parser (a comment's text too),
    never less: in UTF-8 every ``<`` of a tag is a ``<`` byte. Works on whole pieces at
    C speed — a few pattern passes and list operations, no Python call per cell."""

    def __init__(self) -> None:
        self.plain = True
        self.carry = b""
        self.encoding: str | None = None
        self.rows = self.cols = self.cells = 0
        self.col_ref = self.row_ref = ""
        self.formulas = False

    def declared(self, _version: str | None, encoding: str | None, _standalone: int) -> None:
        self.encoding = encoding.lower() if encoding else None

    def feed(self, chunk: bytes) -> None:
        if not self.plain:
            return
        data = self.carry + chunk
        cut = data.rfind(b"<")
        cut = len(data) if cut < 0 else cut
        self._scan(data, cut)
        self.carry = data[cut:]
        if len(self.carry) > MAX_CARRY or b"\0" in chunk:  # UTF-16 or 32: not these bytes
            self.plain = False

    def _scan(self, data: bytes, end: int) -> None:
        found = _CELL.findall(data, 0, end)
        if _PREFIXED.search(data, 0, end):
            self.plain = False
            return
        if not self.formulas and _FORMULA.search(data, 0, end):
            self.formulas = True
        if not found:
            return
        letters, digits = zip(*found, strict=True)
        if b"" in letters:  # a cell not in the plain form
            self.plain = False
            return
        self.cells += len(found)
        widest = max(set(letters), key=lambda c: (len(c), c))  # A < Z < AA: no zero letter
        col = column_number(widest.decode())
        if col > self.cols:  # the first cell reaching furthest right, as the walker's
            self.cols, self.col_ref = col, (widest + digits[letters.index(widest)]).decode()
        row = max(map(int, digits))
        if row >= self.rows:  # the last cell on the last row, as the walker's
            last, at = str(row).encode(), len(digits) - 1
            while digits[at] != last:  # from the end: in a sheet in order, a row's length
                at -= 1
            self.rows, self.row_ref = row, (letters[at] + digits[at]).decode()

    def extent(self) -> Extent | None:
        """The extent found (None: not plain). What is carried at the end is the root's
        end tag (or a comment after it): no cell, or expat has refused the part."""
        if not self.plain or self.encoding not in _PLAIN_ENCODINGS:
            return None
        return Extent(self.rows, max(self.cols, 26), self.col_ref if self.cols > 26 else "",
                      self.row_ref, self.formulas, self.cells)


def too_large(extent: Extent, width: int, sheet: str) -> str | None:
    """Why a sheet of ``extent`` must not be read when its layout has ``width``
    columns (None when it may), naming the offending cell and what to delete."""
    max_cols = width + SPARE_COLUMNS
    if extent.far_col_ref and extent.cols > max_cols:
        return (f"{sheet} has a cell at {extent.far_col_ref}, far beyond its "
                f"{width} columns: delete the columns after {col_letter(width)} "
                "(or clear that cell) and save again")
    if extent.rows > MAX_ROWS:
        ref = extent.far_row_ref or f"A{extent.rows}"
        return (f"{sheet} has a cell at {ref}, row {extent.rows:,}: far more rows than a "
                f"plan holds; delete the rows after {MAX_ROWS:,} (or clear that cell) and "
                "save again")
    return None
