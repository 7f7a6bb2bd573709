"""The Guidance sheet: what an officer reads first — who the return is for, the
deadline, how to fill it in and what each RAG status means."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from . import styles
from .book import Book
from .fastrows import row_height, text_lines
from .layout import GUIDANCE, RETURN
from .sheet_setup import protect_and_print, text_cell


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


SAVINGS_INSTRUCTIONS = (
    "Go to the Savings sheet. Each row is one year of a savings project you lead; "
    "'Expected' is the approved (MTFS) target. Money is in £000: type 150 for £150,000.",
    "Type your forecast for each year in 'Revised' as a plain number (no £ sign, commas or "
    "words). Leave it blank if the figure does not change.",
    "For any change, pick a 'Change type' (Re-profile, Write-off, Extension, Mitigation or "
    "New), say who approved it and when, and give the reason in 'Comment'.",
    "Pale yellow cells are yours to fill in; grey cells are locked. Don't add, delete, "
    "rename or reorder columns or sheets — finance's tools read them by name.",
    "Save the file (keep it as .xlsx) and send it back by the deadline.",
)


# A return's steps also say what its own layout shows (return_layout): who shares an
# action, and where a text too long for its row continues.
RETURN_INSTRUCTIONS = (
    INSTRUCTIONS[0] + " If 'Lead officer' names colleagues too, the action is shared: "
    "agree with them who writes the update.",
    *INSTRUCTIONS[1:-2],
    INSTRUCTIONS[-2] + " A grey text ending '[continued on the Full text sheet]' is shown "
    "whole on that sheet.",
    INSTRUCTIONS[-1],
)


# A programme plan's return (issue 27): the RDL also forecasts each activity's end and
# scores the risks they own.
PROGRAMME_RETURN_INSTRUCTIONS = (
    *RETURN_INSTRUCTIONS[:4],
    "Each activity shows its 'Start' and its End (in 'Timeframe'). If it will now finish "
    "at another time, type the month in 'Revised end', e.g. Dec 2024 (or a date).",
    "If the return has a Risks sheet, those are the risks you own: pick each one's "
    "'Likelihood' and 'Impact' as they are now, 1 to 5; the score and RAG are worked out "
    "for you.",
    *RETURN_INSTRUCTIONS[4:],
)


def instructions(book: Book) -> tuple[str, ...]:
    """The steps for this workbook: a savings-only return has no Actions to fill in."""
    if book.kind == RETURN and not book.actions and book.savings:
        return SAVINGS_INSTRUCTIONS
    if book.kind == RETURN and book.is_programme:
        return PROGRAMME_RETURN_INSTRUCTIONS
    return RETURN_INSTRUCTIONS if book.kind == RETURN else INSTRUCTIONS


GUIDANCE_TEXT_WIDTH = 90


def write_guidance(wb: Workbook, book: Book) -> None:
    ws = wb.create_sheet(GUIDANCE)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = GUIDANCE_TEXT_WIDTH
    protect_and_print(ws, plan=book.plan)  # write-only sheets stream in order: settings first
    title = WriteOnlyCell(ws, value=book.plan.title)
    title.font = styles.TITLE_FONT
    rows: list[list] = [[title], []]
    rows += [[text_cell(ws, label, styles.BOLD_FONT), text_cell(ws, text)]
             for label, text in guidance_lines(book)]
    rows += [[], [text_cell(ws, "How to fill in this return", styles.SUBTITLE_FONT)]]
    rows += [[text_cell(ws, f"Step {n}", styles.BOLD_FONT), text_cell(ws, step)]
             for n, step in enumerate(instructions(book), start=1)]
    rag_scheme = [] if instructions(book) is SAVINGS_INSTRUCTIONS else book.plan.rag_scheme
    if rag_scheme:
        rows += [[], [text_cell(ws, "RAG status definitions", styles.SUBTITLE_FONT)]]
    for status in rag_scheme:
        fill = PatternFill("solid", fgColor=styles.hex_colour(status.colour))
        font = Font(name="Arial", bold=True, color=styles.text_colour_for(status.colour))
        rows.append([text_cell(ws, status.name, font, fill), text_cell(ws, status.meaning)])
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
