"""Excel column widths: the one place that converts between their units.

A column width is stored in a file (and set with openpyxl) as a number of
characters of the workbook's default font *including* cell padding. Excel
turns that into pixels (ECMA-376 Part 1, §18.3.1.13)::

    pixels = Truncate(((256 * width + Truncate(128 / MDW)) / 256) * MDW)

where MDW is the maximum digit width of the Normal style's font in pixels
(7 for Calibri 11, the Normal style of every workbook xltools writes) and a
pixel is ¾ of a point at 96 dpi. The two ways a script can set a width take
other units: xlwings Server (Office.js ``format.columnWidth``) takes
**points**; Excel desktop (COM ``ColumnWidth``, AppleScript ``column width``)
takes the **characters shown** in Excel's width box — the pixels less the
5-pixel padding, divided by MDW. Every width in xltools is written in the
file unit (what openpyxl and the command line's Dashboard use) and converted
here, so a column set by the add-in is as wide as the same column in a file.
"""

from __future__ import annotations

import math

MAX_DIGIT_WIDTH = 7  # pixels: Calibri 11 at 96 dpi (Excel's default Normal font)
PADDING = 5  # pixels of cell margin Excel adds to a width typed in characters
POINTS_PER_PIXEL = 0.75  # 72 points per inch, 96 pixels per inch
MAX_WIDTH = 255  # Excel's widest column, in characters


def _checked(width: float) -> float:
    if isinstance(width, bool) or not isinstance(width, (int, float)) or math.isnan(width):
        raise ValueError(f"column width must be a number of characters, got {width!r}")
    if not 0 <= width <= MAX_WIDTH:
        raise ValueError(f"column width must be 0-{MAX_WIDTH} characters, got {width}")
    return float(width)


def width_pixels(width: float, mdw: int = MAX_DIGIT_WIDTH) -> int:
    """A stored width (openpyxl's ``column_dimensions[..].width``) in screen pixels."""
    width = _checked(width)
    return math.trunc(((256 * width + math.trunc(128 / mdw)) / 256) * mdw)


def width_points(width: float, mdw: int = MAX_DIGIT_WIDTH) -> float:
    """A stored width in points: what Office.js (xlwings Server) is given."""
    return width_pixels(width, mdw) * POINTS_PER_PIXEL


def shown_characters(width: float, mdw: int = MAX_DIGIT_WIDTH) -> float:
    """A stored width as Excel's width box shows it (COM ``ColumnWidth``), 2 decimals."""
    return round(max(0, width_pixels(width, mdw) - PADDING) / mdw, 2)
