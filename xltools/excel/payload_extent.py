"""How far each sheet of an Office.js call reaches, checked before xlwings builds a Book.

Office.js sends, per sheet, the used range's address and counts and the values
(tests/officejs_payload.py). xlwings believes the address: reading a sheet
whose used range claims ``A1:XFD1048576`` builds a grid of 17 billion cells
from an 11 KB request (5.5 GB, then MemoryError). So the address, the counts
*and* the values actually present are each held to the plan's bounds — the
same as a file's (``workbook.extent``: ``MAX_ROWS`` rows, the layout's columns
plus ``SPARE_COLUMNS``) — and a sheet past them is refused as TOO_LARGE,
naming the sheet and the cell, before anything is allocated.
"""

from __future__ import annotations

import re
from typing import Any

from ..workbook.extent import MAX_ROWS, SPARE_COLUMNS, column_number
from ..workbook.layout import (
    ACTIONS_LAYOUT,
    ARCHIVE_LAYOUT,
    KPIS_LAYOUT,
    LOG_LAYOUT,
    SAVINGS_LAYOUT,
    col_letter,
)
from ..workbook.reader import sheet_width

BAD_BOOK = "The request was not a workbook from the add-in."
_LAST_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


def widest() -> int:
    return max(len(layout.columns) for layout in (ACTIONS_LAYOUT, SAVINGS_LAYOUT, KPIS_LAYOUT,
                                                  ARCHIVE_LAYOUT, LOG_LAYOUT))


def columns_allowed(sheet: str) -> int:
    """The columns a sheet may reach: its layout's and the spare ones (a sheet that is
    not part of the plan: the widest layout's)."""
    try:
        width = sheet_width(sheet)
    except (StopIteration, KeyError):
        width = widest()
    return width + SPARE_COLUMNS


def claimed(sheet: dict[str, Any]) -> tuple[int, int, bool] | None:
    """The (rows, columns) a sheet's payload reaches by its address, its counts or its
    values, whichever is furthest, and whether the address reaches past the values
    (Office.js sends the values of ``A1:<the address's last cell>``, so it never does);
    None if they are not what Office.js sends."""
    rows = cols = 0
    address = sheet.get("used_range_address")
    if address is not None:
        if not isinstance(address, str):
            return None
        last = address.rsplit("!", 1)[-1].rsplit(":", 1)[-1].strip()
        match = _LAST_CELL.fullmatch(last)
        if address.strip() and match is None:
            return None
        if match:
            cols, rows = column_number(match.group(1).upper()), int(match.group(2))
    address_reach = (rows, cols)
    for key, axis in (("used_range_row_count", 0), ("used_range_column_count", 1)):
        count = sheet.get(key, 0)
        if count is None:
            continue
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            return None
        rows, cols = (max(rows, count), cols) if axis == 0 else (rows, max(cols, count))
    values = sheet.get("values", [])
    if values is None:
        return rows, cols, False
    if not isinstance(values, list) or not all(isinstance(row, list) for row in values):
        return None
    held = (len(values), max((len(row) for row in values), default=0))
    past = address_reach[0] > held[0] or address_reach[1] > held[1]
    return max(rows, held[0]), max(cols, held[1]), past


def refusal(book_data: dict[str, Any]) -> str | None:
    """Why this call's workbook must not be built (TOO_LARGE naming the sheet and cell,
    or not a workbook at all); None when every sheet is within bounds."""
    sheets = book_data.get("sheets", [])
    if not isinstance(sheets, list):
        return BAD_BOOK
    for sheet in sheets:
        if not isinstance(sheet, dict) or not isinstance(sheet.get("name", ""), str):
            return BAD_BOOK
        reach = claimed(sheet)
        if reach is None:
            return BAD_BOOK
        name, (rows, cols, past) = sheet.get("name", ""), reach
        allowed = columns_allowed(name)
        if cols > allowed:
            return (f"TOO_LARGE: {name} reaches column {col_letter(cols)} "
                    f"({col_letter(cols)}{max(rows, 1)}), far beyond its columns: delete "
                    f"the columns after {col_letter(allowed)} (or clear those cells) and "
                    "press the button again")
        if rows > MAX_ROWS:
            return (f"TOO_LARGE: {name} reaches row {rows:,} (A{rows}): far more rows than "
                    f"a plan holds; delete the rows after {MAX_ROWS:,} (or clear those "
                    "cells) and press the button again")
        if past:
            return (f"The workbook sent does not match itself: {name}'s used range "
                    f"({sheet.get('used_range_address')}) reaches past the cells sent with "
                    "it. Press the button again.")
    return None
