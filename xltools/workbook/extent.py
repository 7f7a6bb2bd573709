"""How far a sheet really reaches, found before the reader builds it.

python-calamine builds each sheet as a dense grid from A1 to its last cell (about
32 bytes a cell) before any row can be read: one stray cell at ``XFD1048576``
asks for ~550 GB and aborts the process, one at ``XFD10000`` costs 6 GB. So the
sheet's XML is streamed first and its largest cell reference compared with what
the layout can hold; a sheet far outside it is refused (``TOO_LARGE``, with the
cell), never handed to calamine. The ``<dimension>`` element is not trusted
(calamine ignores it too): only real cells count.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

from .layout import col_letter

CHUNK = 1 << 20
OVERLAP = 64  # longer than any ' r="XFD1048576"'
MAX_ROWS = 200_000  # a 12,000-action master is the largest seen; a return has a few hundred
SPARE_COLUMNS = 32  # columns beyond the layout an officer may add (notes, workings)
# At the limits calamine's grid is 200,000 × ~55 cells × 32 bytes: ~350 MB.

# A cell's reference, ``r="AB12"`` (a row's ``r`` is digits only, so never matches). The
# pattern starts with the literal ``r="`` so the scan runs at memchr speed, and one pass
# collects both what is far right and what is far down: only columns past Z (letters,
# row) and rows past 99,999 in column A–Z (far row) match — 25 MB of a 12,000-action
# master in ~0.05 s.
_FAR_REF = re.compile(rb'r="(?:([A-Z]{2,3})([0-9]{1,7})|[A-Z]([0-9]{6,7}))"')
_ANY_REF = re.compile(rb'r="([A-Z]{1,3})([0-9]{1,7})"')
_ANY_FORMULA = re.compile(rb"<(?:\w+:)?f[ >]")


@dataclass(frozen=True)
class Extent:
    """The bottom-right corner of the cells a sheet really holds."""

    rows: int = 0
    cols: int = 0
    far_col_ref: str = ""  # the cell furthest right (when past column Z)
    far_row_ref: str = ""  # a cell on the last row
    formulas: bool = False  # any formula cell: the reader looks for them only then


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
    """A → 1, AA → 27, XFD → 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def sheet_extent(zf: zipfile.ZipFile, part: str) -> Extent:
    """The extent of the cells in ``part``, streamed in 1 MiB chunks (bounded memory),
    and whether it holds a formula — one pass over the XML for both.

    Exact for any sheet a spreadsheet program writes (cells in order, so the last
    one is on the last row); for a hand-made one with cells out of order, any row
    past 99,999 is still found, and that is all the limits need."""
    rows, row_ref, cols, col_ref, formulas = 0, "", 0, "", False
    tail = last = b""
    with zf.open(part) as fh:
        while chunk := fh.read(CHUNK):
            data = tail + chunk
            tail = data[-OVERLAP:]
            far_row = 0
            for letters, digits, far in _FAR_REF.findall(data):
                if letters:
                    n = column_number(letters.decode())
                    if n > cols:
                        cols, col_ref = n, (letters + digits).decode()
                    far = digits if len(digits) >= 6 else b""
                if far and int(far) > far_row:
                    far_row = int(far)
            if far_row > rows:
                rows, row_ref = far_row, _ref_on_row(data, far_row)
            last = _last_ref(data) or last
            formulas = formulas or has_formula(data)
    match = _ANY_REF.match(last)
    if match and int(match.group(2)) > rows:
        rows, row_ref = int(match.group(2)), (match.group(1) + match.group(2)).decode()
    return Extent(rows, max(cols, 26), col_ref, row_ref, formulas)


def _last_ref(data: bytes, tries: int = 100) -> bytes:
    """The last cell reference in ``data`` (skipping ``xmlns:r="…"`` and the like)."""
    at = len(data)
    for _ in range(tries):
        at = data.rfind(b'r="', 0, at)
        if at < 0:
            break
        if _ANY_REF.match(data, at):
            return data[at:at + 16]
    return b""


def _ref_on_row(data: bytes, row: int) -> str:
    match = re.search(rb'r="([A-Z]{1,3}%d)"' % row, data)
    return match.group(1).decode() if match else f"A{row}"


def too_large(extent: Extent, width: int, sheet: str) -> str | None:
    """Why a sheet of ``extent`` must not be read when its layout has ``width``
    columns (None when it may), naming the offending cell and what to delete."""
    max_cols = width + SPARE_COLUMNS
    if extent.far_col_ref and extent.cols > max_cols:
        return (f"{sheet} has a cell at {extent.far_col_ref}, far beyond its "
                f"{width} columns: delete the columns after {col_letter(max_cols)} "
                "(or clear that cell) and save again")
    if extent.rows > MAX_ROWS:
        ref = extent.far_row_ref or f"A{extent.rows}"
        return (f"{sheet} has a cell at {ref}, row {extent.rows:,}: far more rows than a "
                f"plan holds; delete the rows after {MAX_ROWS:,} (or clear that cell) and "
                "save again")
    return None
