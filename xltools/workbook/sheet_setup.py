"""What every sheet xltools writes shares: protection with input cells unlocked,
A4 landscape print setup with the plan's page furniture (header, footer, page
numbers, protective marking), and wrapped text cells for write-only sheets.

Printing is part of the format (DESIGN.md §5, point 10): a committee clerk
presses Print, so each sheet says what prints — a data sheet its table at a
readable size, an empty or internal sheet nothing at all.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ..plan import Plan
from . import styles
from .layout import col_letter

# A4 landscape inside MARGINS_INCH at 100 %: column width units across (measured with
# LibreOffice; Excel is within a few per cent) and points down.
PAGE_WIDTH_UNITS = 113
PAGE_HEIGHT_POINTS = (8.27 - 1.2) * 72
FOOTER_SIZE = 10  # scaled with the page: 8 pt on a data sheet printed at 80 %
MARGINS_INCH = {"left": 0.25, "right": 0.25, "top": 0.6, "bottom": 0.6, "header": 0.25,
                "footer": 0.25}


def protect_and_print(ws, *, title_rows: str | None = None, fit_height: bool = False,
                      plan: Plan | None = None) -> None:
    """Protect structure (input cells are unlocked per cell) and set up printing:
    A4 landscape, one page wide, ``title_rows`` repeated on every page and, with
    ``plan``, the plan's header and footer."""
    prot = ws.protection
    prot.sheet = True
    prot.formatColumns = False  # people may widen columns and rows (and unhide them)
    prot.formatRows = False
    prot.autoFilter = False
    prot.sort = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if fit_height else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    for side, inches in MARGINS_INCH.items():
        setattr(ws.page_margins, side, inches)
    if title_rows:
        ws.print_title_rows = title_rows
    if plan is not None:
        page_furniture(ws, plan)


def page_furniture(ws, plan: Plan) -> None:
    """Header and footer of every printed page: the protective marking at the top
    centre and bottom right (where government markings go), the plan title and
    period bottom left, "Page N of M" bottom centre."""
    marking = _escape(plan.protective_marking)
    for part, text in ((ws.oddHeader.center, f"&B{marking}" if marking else ""),
                       (ws.oddFooter.left, _escape(f"{plan.title} · {plan.period}")),
                       (ws.oddFooter.center, "Page &P of &N"),
                       (ws.oddFooter.right, f"&B{marking}" if marking else "")):
        if text:
            part.text = text
            part.size = FOOTER_SIZE
            part.font = "Arial"


def print_nothing(ws, column: int) -> None:
    """Make the sheet print nothing: its print area is one cell that stays empty
    (column ``column`` of row 1, right of everything the sheet holds). Excel and
    LibreOffice then skip the sheet when the whole workbook is printed; hiding
    it would hide it from people too."""
    ws.print_area = f"{col_letter(column)}1"


def _escape(text: str) -> str:
    """Header/footer text with '&' doubled: a single '&' starts a code like &P."""
    return str(text or "").replace("&", "&&")


def text_cell(ws, value: Any, font: Font = styles.BODY_FONT, fill=None) -> WriteOnlyCell:
    """A write-only cell of wrapped, top-aligned text (strings stay strings)."""
    cell = WriteOnlyCell(ws, value=value)
    cell.font = font
    cell.alignment = styles.WRAP_TOP
    if isinstance(value, str):
        cell.data_type = "s"
    if fill is not None:
        cell.fill = fill
    return cell
