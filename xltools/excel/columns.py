"""Column widths set from a script, in the unit each Excel engine takes.

Widths in xltools are stored widths (characters of the default font with
padding, as openpyxl and the command line write them); ``workbook.widths``
converts them. xlwings passes ``column_width`` through raw: points to
Office.js (xlwings Server), characters to Excel desktop (COM, AppleScript).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import xlwings as xw

from ..workbook.layout import col_letter
from ..workbook.widths import shown_characters, width_points

REMOTE = "remote"  # xlwings Server's engine: the workbook is in Office.js


def engine_width(engine: str, width: float) -> float:
    """A stored width in the unit ``engine``'s ``column_width`` takes."""
    return width_points(width) if engine == REMOTE else shown_characters(width)


def set_widths(sheet: xw.Sheet, widths: Sequence[float] | Mapping[str, float]) -> None:
    """Set column widths (stored units) by position from A, or by column letter."""
    by_letter = widths if isinstance(widths, Mapping) else {
        col_letter(i): w for i, w in enumerate(widths, start=1)}
    engine = sheet.book.app.engine.name
    for letter, width in by_letter.items():
        sheet.range(f"{letter}:{letter}").column_width = engine_width(engine, width)
