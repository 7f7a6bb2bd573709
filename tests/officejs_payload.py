"""The JSON body Office.js sends to xlwings Server, built from a real .xlsx file.

This mirrors xlwings Server 1.20's task-pane client (static/js/custom-scripts/
index.js ``getBookData`` and named-items.js ``readNamedItems``): per sheet the
values of ``A1:<last used cell>`` with empty cells as ``""`` and date-formatted
numbers as ISO strings (``convertDateValues``), plus every defined name. The
workbook is read with openpyxl — independent of xltools' calamine reader — so
the tests see the book the way Excel would hand it over. Formula cells carry
their cached value (a file never opened in Excel has none, so they arrive
empty, as the Savings ``Change`` formula's blank result would).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

XLWINGS_VERSION = "0.37.8"


def _json_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00.000Z"
    if isinstance(value, dt.time):
        return value.isoformat()
    return value


def sheet_payload(ws) -> dict[str, Any]:
    """One worksheet as ``getBookData`` describes it."""
    rows = [[_json_value(v) for v in row] for row in ws.iter_rows(values_only=True)]
    rows = _trim(rows)
    height = len(rows) or 1
    width = max((len(r) for r in rows), default=1) or 1
    rows = [r + [""] * (width - len(r)) for r in rows] or [[""]]
    address = f"$A$1:${get_column_letter(width)}${height}"
    return {
        "name": ws.title,
        "visibility": "Visible" if ws.sheet_state == "visible" else "Hidden",
        "show_gridlines": True,
        "print_area": None,
        "notes": [],
        "notes_supported": True,
        "used_range_address": address,
        "used_range_row_count": height,
        "used_range_column_count": width,
        "values": rows,
        "pictures": [],
        "shapes": [],
        "charts": charts_payload(ws),
        "tables": [],
        "pivot_tables": [],
    }


def charts_payload(ws) -> list[dict[str, Any]]:
    """The sheet's charts as ``loadChartAndPivotMetadata`` lists them (openpyxl reads a
    file's charts; Excel names unnamed ones "Chart 1", "Chart 2"…)."""
    return [{"name": f"Chart {i}", "chart_type": type(chart).__name__, "left": 0, "top": 0,
             "width": 480, "height": 260}
            for i, chart in enumerate(getattr(ws, "_charts", []), start=1)]


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    """Drop trailing empty rows and columns (Excel's values-only used range)."""
    while rows and all(v == "" for v in rows[-1]):
        rows.pop()
    width = 0
    for row in rows:
        for i, v in enumerate(row, start=1):
            if v != "":
                width = max(width, i)
    return [row[:width] for row in rows]


def names_payload(wb) -> list[dict[str, Any]]:
    sheet_index = {ws.title: i for i, ws in enumerate(wb.worksheets)}
    out = []
    for name, dn in wb.defined_names.items():
        sheet, _, address = dn.attr_text.partition("!")
        out.append({
            "name": name,
            "refers_to": f"={dn.attr_text}",
            "type": "Range",
            "sheet_index": sheet_index.get(sheet.strip("'")),
            "address": address,
            "scope_sheet_name": None,
            "scope_sheet_index": None,
            "book_scope": True,
        })
    return out


def left_out(sheet: dict[str, Any]) -> dict[str, Any]:
    """A sheet the script left out (``include``/``exclude``) as ``getBookData`` sends it:
    named, no values, no used range, no charts or tables."""
    return {**sheet, "used_range_address": None, "used_range_row_count": 0,
            "used_range_column_count": 0, "values": [[]], "pictures": [], "shapes": [],
            "charts": [], "tables": [], "pivot_tables": []}


def narrowed(payload: dict, include: str = "", exclude: str = "") -> dict:
    """``payload`` as sent for a script declaring ``include`` or ``exclude`` (the
    comma-separated lists the client reads from ``custom-scripts-meta.json``)."""
    wanted = [s.strip() for s in include.split(",") if s.strip()]
    dropped = [s.strip() for s in exclude.split(",") if s.strip()]
    return {**payload, "sheets": [
        left_out(sheet) if sheet["name"] in dropped or (wanted and sheet["name"] not in wanted)
        else sheet for sheet in payload["sheets"]]}


def book_payload(path: Path, active: str = "Actions", args: list | None = None,
                 include: str = "", exclude: str = "") -> dict:
    """The request body for ``POST /xlwings/custom-scripts-call/<script>``; ``include``
    and ``exclude`` are a script's comma-separated sheet lists, as the client gets them
    from ``custom-scripts-meta.json``."""
    wb = load_workbook(path, data_only=True)  # Office.js sends calculated values
    sheets = [sheet_payload(ws) for ws in wb.worksheets]
    names = [ws.title for ws in wb.worksheets]
    payload = {
        "client": "Office.js",
        "version": XLWINGS_VERSION,
        "book": {
            "name": Path(path).name,
            "active_sheet_index": names.index(active) if active in names else 0,
            "selection": "A1",
            "calculation": "Automatic",
        },
        "sheets": sheets,
        "names": names_payload(wb),
    }
    if args is not None:
        payload["args"] = args
    return narrowed(payload, include, exclude)


def function_payload(func_name: str, args: list, address: str = "Sheet1!B2") -> dict:
    """The request body custom-functions-code.js posts for one cell's call.

    Each argument is a 2-D array (Excel passes ranges and scalars alike as
    matrices); a missing optional argument is ``[[null]]``.
    """
    return {
        "client": "Office.js",
        "func_name": func_name,
        "args": args,
        "caller_address": f"[Book1.xlsx]{address}",
        "session_id": "test-session",
        "culture_info_name": "en-GB",
        "date_format": "dd/mm/yyyy",
        "version": XLWINGS_VERSION,
        "runtime": "1.4",
    }
