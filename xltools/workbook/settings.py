"""The hidden Settings sheet: the plan a workbook carries, written and read here.

Values are JSON so types survive the round trip; a value too long for one cell
continues on the next rows and is joined when read back.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .book import Book, blank
from .issued import ISSUED_KEY, ISSUED_TOKEN, issued_cells, locked_keys
from .layout import ACTIONS_LAYOUT, EXCEL_MAX_TEXT, RETURN, SETTINGS
from .return_layout import as_shown

if TYPE_CHECKING:
    from openpyxl import Workbook

FORMAT_VERSION = "xltools/1"
SCALAR_SETTINGS = (
    "organisation", "title", "department", "period", "fy_start_month", "deadline", "contact",
    "stale_days", "kpi_tolerance", "prefill_rag", "return_by", "protective_marking",
    "plan_id",
)

def settings_values(book: Book) -> dict[str, Any]:
    plan = book.plan
    values: dict[str, Any] = {"format": FORMAT_VERSION, "kind": book.kind, "officer": book.officer}
    values.update({key: getattr(plan, key) for key in SCALAR_SETTINGS})
    values["rag_scheme"] = [r.__dict__ for r in plan.rag_scheme]
    values["status_mapping"] = plan.status_mapping
    if plan.officer_emails and book.kind != RETURN:  # a return goes to one officer
        values["officer_emails"] = plan.officer_emails
    if plan.delegates:
        values["delegates"] = {k: list(v) for k, v in plan.delegates.items()}
    values.update(book.extra_settings)
    if book.kind == RETURN and values.get(ISSUED_KEY) != ISSUED_TOKEN:  # (a Stamp's probe)
        values[ISSUED_KEY] = issued_cells(
            as_shown(book.actions, ACTIONS_LAYOUT.for_book(book), RETURN), locked_keys(book))
    return values


def write_settings(wb: Workbook, book: Book) -> None:
    """Hidden key/value sheet; values are JSON so types survive the round trip."""
    from .sheet_setup import print_nothing, protect_and_print, text_cell  # openpyxl: only to write

    ws = wb.create_sheet(SETTINGS)
    ws.sheet_state = "hidden"
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 80
    protect_and_print(ws)
    print_nothing(ws, 3)  # hidden, and never printed even when unhidden
    for key, part in settings_rows(book):
        ws.append([text_cell(ws, key), text_cell(ws, part)])


def settings_rows(book: Book) -> list[tuple[str, str]]:
    """The Settings sheet's rows, header first: key and JSON value, a value too long
    for one cell continuing on the next rows (the reader joins them)."""
    rows = [("Setting", "Value (JSON)")]
    for key, value in settings_values(book).items():
        text = json.dumps(value, ensure_ascii=False, default=str)
        rows += [(key, part) for part in cell_sized(text)]
    return rows


def cell_sized(text: str, size: int = EXCEL_MAX_TEXT) -> list[str]:
    """``text`` in pieces one cell can hold, each cut away from spaces (cells are read
    back stripped); the reader joins a key's rows. A big master's consolidation state
    (every action ID updated this period) runs to 100,000+ characters."""
    parts = []
    while len(text) > size:
        cut = size
        while cut > 1 and (text[cut - 1].isspace() or text[cut].isspace()):
            cut -= 1
        parts.append(text[:cut])
        text = text[cut:]
    return [*parts, text]


def read_settings(wb, name: str) -> dict[str, Any]:
    """Settings of a calamine-shaped workbook (a file, or the sheets Excel sends),
    keyed by setting, values decoded from JSON (a value that is not JSON kept as is)."""
    raw: dict[str, Any] = {}
    for row in wb.get_sheet_by_name(SETTINGS).to_python(skip_empty_area=False)[1:]:
        if len(row) < 2 or blank(row[0]):
            continue
        key = str(row[0])
        if isinstance(raw.get(key), str) and isinstance(row[1], str):
            raw[key] += row[1]  # a value too long for one cell continues (cell_sized)
        else:
            raw[key] = row[1]
    values: dict[str, Any] = {}
    for key, value in raw.items():
        try:
            values[key] = json.loads(value) if isinstance(value, str) else value
        except json.JSONDecodeError:
            values[key] = value
    return values


def extra_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """Settings that are not the plan's: state a command keeps between runs (e.g. the
    IDs consolidation has updated this period), carried through untouched."""
    known = {"format", "kind", "officer", "rag_scheme", "status_mapping", "officer_emails",
             "delegates", *SCALAR_SETTINGS}
    return {k: v for k, v in settings.items() if k not in known}
