"""What every sheet xltools writes shares: protection with input cells unlocked,
A4 landscape print setup, and wrapped text cells for write-only sheets."""

from __future__ import annotations

from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from . import styles


def protect_and_print(ws, *, title_rows: str | None = None, fit_height: bool = False) -> None:
    """Protect structure (input cells are unlocked per cell) and set up printing."""
    prot = ws.protection
    prot.sheet = True
    prot.formatColumns = False  # people may widen columns and rows
    prot.formatRows = False
    prot.autoFilter = False
    prot.sort = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if fit_height else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    if title_rows:
        ws.print_title_rows = title_rows


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
