"""The sheets around the data: Guidance, Lists and the hidden Settings sheet.

Guidance is what an officer reads first; Lists feeds every dropdown through
named ranges; Settings carries the plan so a workbook needs no plan file.
"""

from __future__ import annotations

import json
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName

from . import styles
from .book import Book
from .fastrows import row_height, text_lines
from .layout import (
    CHANGE_TYPES,
    EXCEL_MAX_TEXT,
    GOOD_IS,
    GUIDANCE,
    LIST_HEADERS,
    LISTS,
    RETURN,
    SETTINGS,
    col_letter,
)

FORMAT_VERSION = "xltools/1"
SCALAR_SETTINGS = (
    "organisation", "title", "department", "period", "fy_start_month", "deadline", "contact",
    "stale_days", "kpi_tolerance", "prefill_rag", "return_by",
)


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


def _text(ws, value: Any, font: Font = styles.BODY_FONT, fill=None) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    cell.font = font
    cell.alignment = styles.WRAP_TOP
    if isinstance(value, str):
        cell.data_type = "s"
    if fill is not None:
        cell.fill = fill
    return cell


def guidance_lines(book: Book) -> list[tuple[str, str]]:
    """(label, text) pairs shown at the top of the Guidance sheet."""
    plan = book.plan
    quarter = plan.quarter
    lines = [
        ("Organisation", plan.organisation + (f" — {plan.department}" if plan.department else "")),
        ("Reporting period", f"{quarter} ({quarter.start:%d %B %Y} to {quarter.end:%d %B %Y})"),
        ("Return deadline", f"{plan.deadline_date:%A %d %B %Y}" if plan.deadline else "—"),
        ("Contact", plan.contact or "—"),
    ]
    if book.kind == RETURN and book.officer:
        lines.insert(1, ("This return is for", book.officer))
    return lines


INSTRUCTIONS = (
    "Go to the Actions sheet. Each row is one action you lead.",
    "Type what has happened this quarter in 'Progress update'. Last quarter's update is "
    "shown in 'Previous progress' for reference: please write a new one.",
    "Pick a 'RAG status' from the dropdown (definitions below). If you pick Red or Amber, "
    "explain why and what will bring it back on track.",
    "Put today's date in 'Last updated' (a real date, e.g. 14/10/2019) and your name in "
    "'Updated by'.",
    "If the return has a Savings sheet, enter your forecast in 'Revised' (£000) and pick "
    "a 'Change type' for any change; say who approved it and when.",
    "Pale yellow cells are yours to fill in; grey cells are locked. Don't add, delete, "
    "rename or reorder columns or sheets — the PMO's tools read them by name.",
    "Save the file (keep it as .xlsx) and send it back by the deadline.",
)


GUIDANCE_TEXT_WIDTH = 90


def write_guidance(wb: Workbook, book: Book) -> None:
    ws = wb.create_sheet(GUIDANCE)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = GUIDANCE_TEXT_WIDTH
    protect_and_print(ws)  # write-only sheets stream in order: settings first
    title = WriteOnlyCell(ws, value=book.plan.title)
    title.font = styles.TITLE_FONT
    rows: list[list] = [[title], []]
    rows += [[_text(ws, label, styles.BOLD_FONT), _text(ws, text)]
             for label, text in guidance_lines(book)]
    rows += [[], [_text(ws, "How to fill in this return", styles.SUBTITLE_FONT)]]
    rows += [[_text(ws, f"Step {n}", styles.BOLD_FONT), _text(ws, step)]
             for n, step in enumerate(INSTRUCTIONS, start=1)]
    rows += [[], [_text(ws, "RAG status definitions", styles.SUBTITLE_FONT)]]
    for status in book.plan.rag_scheme:
        fill = PatternFill("solid", fgColor=styles.hex_colour(status.colour))
        font = Font(name="Arial", bold=True, color=styles.text_colour_for(status.colour))
        rows.append([_text(ws, status.name, font, fill), _text(ws, status.meaning)])
    for number, row in enumerate(rows, start=1):
        _fit_height(ws, number, row)
        ws.append(row)


def _fit_height(ws, number: int, row: list) -> None:
    """Tall enough for column B's wrapped text: no client re-measures rows on opening."""
    text = row[1].value if len(row) > 1 and row[1] is not None else None
    if isinstance(text, str):
        per_line = int(GUIDANCE_TEXT_WIDTH * 1.25)
        lines = text_lines(text, per_line)
        if lines > 1:
            ws.row_dimensions[number].height = row_height(lines)


def list_columns(book: Book) -> dict[str, list[str]]:
    """Named range → its values, in the order they appear in Lists."""
    plan = book.plan
    return {
        "OfficerList": list(plan.officers),
        "RAGList": plan.rag_names,
        "TimeframeList": plan.timeframe_list(),
        "SectionList": list(plan.sections),
        "DepartmentList": list(plan.departments),
        "ChangeTypeList": list(CHANGE_TYPES),
        "GoodIsList": list(GOOD_IS),
        "YearList": plan.savings_year_list(),
    }


def write_lists(wb: Workbook, book: Book) -> None:
    """One column per named range, plus the RAG colours and meanings beside RAGList."""
    ws = wb.create_sheet(LISTS)
    columns = list_columns(book)
    headers = [LIST_HEADERS[name] for name in columns] + ["RAG colour", "RAG meaning"]
    rag = book.plan.rag_scheme
    extra = [[r.colour for r in rag], [r.meaning for r in rag]]
    values = list(columns.values()) + extra
    depth = max(len(v) for v in values)
    for index in range(1, len(headers) + 1):
        ws.column_dimensions[col_letter(index)].width = 26 if index == len(headers) else 20
    protect_and_print(ws, title_rows="1:1")
    ws.append([_text(ws, h, styles.HEADER_FONT, styles.HEADER_FILL) for h in headers])
    for i in range(depth):
        ws.append([_text(ws, v[i]) if i < len(v) else None for v in values])
    for index, (name, items) in enumerate(columns.items(), start=1):
        letter = col_letter(index)
        end = max(2, len(items) + 1)  # an empty list still needs a valid range
        wb.defined_names[name] = DefinedName(name, attr_text=f"{LISTS}!${letter}$2:${letter}${end}")


def settings_values(book: Book) -> dict[str, Any]:
    plan = book.plan
    values: dict[str, Any] = {"format": FORMAT_VERSION, "kind": book.kind, "officer": book.officer}
    values.update({key: getattr(plan, key) for key in SCALAR_SETTINGS})
    values["rag_scheme"] = [r.__dict__ for r in plan.rag_scheme]
    values["status_mapping"] = plan.status_mapping
    values.update(book.extra_settings)
    return values


def write_settings(wb: Workbook, book: Book) -> None:
    """Hidden key/value sheet; values are JSON so types survive the round trip."""
    ws = wb.create_sheet(SETTINGS)
    ws.sheet_state = "hidden"
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 80
    protect_and_print(ws)
    for key, part in settings_rows(book):
        ws.append([_text(ws, key), _text(ws, part)])


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
