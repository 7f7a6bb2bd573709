"""The Reconciliation sheet: the committee's tables, built from live formulas.

Finance has to be able to see how every total is made, so the sheet holds the
figures once — one row per project and year, as committee papers show them
(Year | Expected | Revised | Change, with a Total row) — and every other number
is a formula over those rows: Change is ``=Revised−Expected``, project totals
are ``SUM``, and the summary by year is ``SUMIFS`` over the year and the
"Counted as" column. It opens and recalculates in Excel and LibreOffice.

The workbook written is the baseline master with the returned revisions merged
into its Savings sheet, plus this sheet right after Guidance.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.pagebreak import Break

from ..workbook import styles
from ..workbook.book import Book
from ..workbook.formula_values import SheetFormulas
from ..workbook.layout import SETTINGS, col_letter
from ..workbook.sheet_setup import (
    PAGE_HEIGHT_POINTS,
    PAGE_WIDTH_UNITS,
    print_nothing,
    protect_and_print,
)
from ..workbook.writer import SheetBuilder, build_workbook, save_atomic
from .reconcile import Reconciliation
from .results import EXTENSION, MITIGATION, NEW, RE_PROFILE, WRITE_OFF, ProjectResult, YearResult

RECONCILIATION = "Reconciliation"
PRINTED = "I"  # the committee's columns; Source of revision and Flags are finance's trail
WIDTHS = {"A": 11, "B": 34, "C": 12, "D": 12, "E": 12, "F": 14, "G": 14, "H": 18, "I": 12,
          "J": 56, "K": 40}
PROJECT_HEADERS = ("Ref", "Year", "Expected", "Revised", "Change", "Counted as",
                   "Change type given", "Approved by", "Approved on", "Source of revision",
                   "Flags")
# (label, classification summed, or None for a formula row)
SUMMARY_LINES = (
    ("Re-profiles", RE_PROFILE), ("Write-offs", WRITE_OFF), ("Mitigations", MITIGATION),
    ("Change requests", None), ("Extensions", EXTENSION), ("New savings (not in baseline)", NEW),
    ("Total", None),
)
FIRST_YEAR_COL = 3  # C
OUTSIDE_FILL = PatternFill("solid", fgColor="FCE4D6")
TOTAL_FONT = Font(name="Arial", bold=True, size=10)
WARNING_FONT = Font(name="Arial", bold=True, size=11, color="C00000")
NO_WRAP = Alignment(vertical="top", wrap_text=False)
MONEY_ALIGN = Alignment(horizontal="right", vertical="top", indent=1)
REASON_FONT = Font(name="Arial", italic=True, size=10, color="404040")
ROW_POINTS = 15.0  # the default row height: these rows hold one line each
TITLE_ROWS = 1.6  # row 1 is 24 points


def write_reconciliation_workbook(rec: Reconciliation, out: str | Path) -> Path:
    """The baseline with revisions merged into Savings, plus the Reconciliation sheet.

    Printed, it is the committee's paper: the Reconciliation sheet (summary, programme
    and project tables) only — the officer's Guidance, the (empty) Actions and the
    merged Savings rows, finance's working, stay on screen."""
    wb = build_workbook(rec.merged_book(), extra_sheets=[reconciliation_builder(rec)])
    for ws in wb.worksheets:
        if ws.title not in (RECONCILIATION, SETTINGS):
            print_nothing(ws, 60)  # an empty cell right of everything these sheets hold
    return save_atomic(wb, Path(out))


def reconciliation_builder(rec: Reconciliation) -> SheetBuilder:
    """An ``extra_sheets`` builder for ``write_book``."""

    def build(wb: Workbook, book: Book) -> None:
        write_reconciliation(wb, rec)

    return build


def write_reconciliation(wb: Workbook, rec: Reconciliation) -> None:
    ws = wb.create_sheet(RECONCILIATION)
    for letter, width in WIDTHS.items():
        ws.column_dimensions[letter].width = width
    ws.row_dimensions[1].height = 24  # the title's font is larger than the default row
    protect_and_print(ws, plan=rec.baseline.plan)
    sheet = _Sheet(ws, money_format(rec))
    notes = _outside_notes(rec)
    first = 1 + len(_intro(rec)) + 1 + (2 + len(SUMMARY_LINES)) + 1 + 6 + len(notes) + 2
    last = first + sum(project_rows(p) for p in rec.projects) - 1
    for line in _intro(rec):
        sheet.append(line)
    sheet.append([])
    summary_table(sheet, rec, first, last)
    sheet.append([])
    sheet.keep_together(6 + len(notes))
    programme_table(sheet, rec, first, last, notes)
    sheet.append([])
    sheet.append([None, sheet.text("Projects (£000)", styles.SUBTITLE_FONT)])
    assert sheet.row + 1 == first, (sheet.row, first)  # noqa: S101 - layout arithmetic
    for project in rec.projects:
        sheet.keep_together(project_rows(project) - 1)  # heading, header, years, total
        project_table(sheet, project)
    sheet.keep_together(min(len(rec.findings), 3) + 2)
    flags_table(sheet, rec)
    ws.print_area = f"A1:{PRINTED}{sheet.row}"
    sheet.formulas.store(wb)  # results beside the formulas, for Protected View and readers


def page_points(width_units: float) -> float:
    """Row points one A4 landscape page holds when ``width_units`` of columns are fitted
    to its width (the page scales down, so it holds more), with a margin for error."""
    scale = min(1.0, PAGE_WIDTH_UNITS / width_units)
    return 0.9 * PAGE_HEIGHT_POINTS / scale


# £000 as committee papers print them: negatives in brackets, "–" for nothing; the
# trailing "_)" keeps a bracket's width free, so a figure never touches the next column
ACCOUNTING = '#,##0_);(#,##0);"–"_)'
ACCOUNTING_DECIMAL = '#,##0.0_);(#,##0.0);"–"_)'


def money_format(rec: Reconciliation) -> str:
    """£000 as a committee reads them: 250, not 250.0, and (80), not -80 — one decimal
    only when some figure needs it (12.5 is £12,500 and must not print as 13)."""
    figures = [v for p in rec.projects for y in p.years for v in (y.expected, y.revised)]
    if all(float(v).is_integer() for v in figures):
        return ACCOUNTING
    return ACCOUNTING_DECIMAL


def _intro(rec: Reconciliation) -> list[list[Any]]:
    plan = rec.baseline.plan
    who = plan.organisation + (f", {plan.department}" if plan.department else "")
    returns = ", ".join(rec.return_files) or "none (revisions already in the baseline)"
    years = f"{rec.range_years[0]} to {rec.range_years[-1]}" if rec.range_years else "none"
    title = f"Savings reconciliation — {who}" + ("" if rec.complete else " — INCOMPLETE")
    warning = [] if rec.complete else [[("warning", rec.incomplete_note)]]
    if rec.untouched_note:
        warning.append([("warning", "NOT FILLED IN: every return given is as issued — "
                         "nobody has answered yet")])
    return [
        [("title", title)], *warning,
        [("text", f"Money in £000. Reconciled {date.today():%d %B %Y}. Plan years {years}.")],
        [("text", f"Baseline (MTFS approved profile): {rec.baseline_file}.")],
        *[[("text", line)] for line in _lines(f"Returns: {returns}.")],
        [("text", "Every total is a formula (SUM, SUMIFS) over the project rows, which hold "
                  "the figures used.")],
    ]


INTRO_CHARS = 150  # characters of 10-point text across the printed columns


def _lines(text: str, width: int = INTRO_CHARS) -> list[str]:
    """``text`` in lines that fit across the printed page (rows of unwrapped text)."""
    import textwrap

    return textwrap.wrap(text, width) or [""]


class _Sheet:
    """Appends rows to a write-only sheet, counting them so formulas can point back."""

    def __init__(self, ws, money: str = styles.MONEY_FORMAT):
        self.ws = ws
        self.money_format = money
        self.used = 0.0  # points of the current printed page taken so far
        printed = sum(w for c, w in WIDTHS.items() if c <= PRINTED)
        self.page_points = page_points(printed)
        self.row = 0
        self.formulas = SheetFormulas(ws.title)

    def append(self, cells: list[Any]) -> int:
        out = []
        for cell in cells:
            if isinstance(cell, tuple):
                kind, value = cell
                font = {"title": styles.TITLE_FONT, "warning": WARNING_FONT}.get(
                    kind, styles.BODY_FONT)
                cell = self.text(value, font, wrap=False)
            out.append(cell)
        self.ws.append(out)
        self.row += 1
        self.used += ROW_POINTS * (TITLE_ROWS if self.row == 1 else 1)
        for col, cell in enumerate(out, start=1):
            if cell is not None:
                self.formulas.add(col_letter(col), self.row, cell)
        return self.row

    def keep_together(self, rows: int) -> None:
        """Start a new printed page before a table of ``rows`` rows that would not fit on
        this one, so no table splits with its heading or header alone at a page foot.
        (Neither Excel nor LibreOffice can keep rows together; a page break can.)"""
        if self.used and self.used + rows * ROW_POINTS > self.page_points:
            self.ws.row_breaks.append(Break(id=self.row))
            self.used = 0.0

    def text(self, value: Any, font: Font = styles.BODY_FONT, *, wrap: bool = True,
             fill: PatternFill | None = None) -> WriteOnlyCell | None:
        if value is None or value == "":
            return None
        cell = WriteOnlyCell(self.ws, value=value)
        cell.font = font
        cell.alignment = styles.WRAP_TOP if wrap else NO_WRAP
        if isinstance(value, str):
            cell.data_type = "s"  # text from returns is never a formula
            cell.quotePrefix = value.startswith(("=", "+", "-", "@"))
        if fill is not None:
            cell.fill = fill
        return cell

    def header(self, value: str) -> WriteOnlyCell:
        cell = self.text(value, styles.HEADER_FONT, fill=styles.HEADER_FILL)
        cell.alignment = styles.HEADER_ALIGN
        cell.border = styles.BORDER
        return cell

    def money(self, value: float | str, *, bold: bool = False,
              fill: PatternFill | None = None) -> WriteOnlyCell:
        """A £000 cell: a number, or a formula when ``value`` starts with '='."""
        cell = WriteOnlyCell(self.ws, value=value)
        cell.number_format = self.money_format
        cell.font = TOTAL_FONT if bold else styles.BODY_FONT
        cell.border = styles.BORDER
        cell.alignment = MONEY_ALIGN  # "(150)" never touches the next column's text
        if fill is not None:
            cell.fill = fill
        return cell


def _criterion(text: str) -> str:
    """A SUMIFS criterion matching ``text`` exactly (wildcards escaped, quotes doubled)."""
    escaped = "".join("~" + ch if ch in "*?~" else ch for ch in text)
    return '"' + escaped.replace('"', '""') + '"'


def _year_header(rec: Reconciliation, year: str) -> str:
    return year if year in rec.range_years else f"{year} †"


def summary_table(sheet: _Sheet, rec: Reconciliation, first: int, last: int) -> None:
    """Change by year and kind: SUMIFS over the project rows' Change, Year, Counted as."""
    sheet.append([None, sheet.text("Summary of changes by year (£000)", styles.SUBTITLE_FONT)])
    sheet.append([None, sheet.header("£000")] + [sheet.header(_year_header(rec, y))
                                                 for y in rec.years] + [sheet.header("Total")])
    start = sheet.row + 1
    rows = {label: start + i for i, (label, _) in enumerate(SUMMARY_LINES)}
    rng = f"$E${first}:$E${last}", f"$B${first}:$B${last}", f"$F${first}:$F${last}"
    for label, kind in SUMMARY_LINES:
        bold = kind is None
        cells = []
        for i, year in enumerate(rec.years):
            col = col_letter(FIRST_YEAR_COL + i)
            if kind is not None:
                formula = (f"=SUMIFS({rng[0]},{rng[1]},{_criterion(year)},"
                           f"{rng[2]},{_criterion(kind)})")
            elif label == "Change requests":
                formula = f"=SUM({col}{rows['Re-profiles']}:{col}{rows['Mitigations']})"
            else:
                formula = (f"={col}{rows['Change requests']}+{col}{rows['Extensions']}"
                           f"+{col}{rows['New savings (not in baseline)']}")
            fill = None if year in rec.range_years else OUTSIDE_FILL
            cells.append(sheet.money(formula, bold=bold, fill=fill))
        row = rows[label]
        end = col_letter(FIRST_YEAR_COL + len(rec.years) - 1)
        total = f"=SUM({col_letter(FIRST_YEAR_COL)}{row}:{end}{row})"
        font = TOTAL_FONT if bold else styles.BODY_FONT
        sheet.append([None, sheet.text(label, font)] + cells + [sheet.money(total, bold=True)])


def programme_table(sheet: _Sheet, rec: Reconciliation, first: int, last: int,
                    notes: list[str]) -> None:
    """Expected and Revised by year, and a check row that must be 0."""
    sheet.append([None, sheet.text("Programme by year (£000)", styles.SUBTITLE_FONT)])
    sheet.append([None, sheet.header("£000")] + [sheet.header(_year_header(rec, y))
                                                 for y in rec.years] + [sheet.header("Total")])
    start = sheet.row + 1
    summary_total = start - 4  # the summary's Total row (blank row and two headers between)
    lines = (("Expected (baseline)", "C"), ("Revised", "D"), ("Change (Revised − Expected)", None),
             ("Difference from summary total (should be 0)", None))
    for offset, (label, source) in enumerate(lines):
        cells = []
        for i, year in enumerate(rec.years):
            col = col_letter(FIRST_YEAR_COL + i)
            if source:
                formula = (f"=SUMIFS(${source}${first}:${source}${last},"
                           f"$B${first}:$B${last},{_criterion(year)})")
            elif offset == 2:
                formula = f"={col}{start + 1}-{col}{start}"
            else:
                formula = f"=ROUND({col}{summary_total}-{col}{start + 2},3)"
            cells.append(sheet.money(formula, bold=offset >= 2))
        row = start + offset
        end = col_letter(FIRST_YEAR_COL + len(rec.years) - 1)
        total = f"=SUM({col_letter(FIRST_YEAR_COL)}{row}:{end}{row})"
        sheet.append([None, sheet.text(label)] + cells + [sheet.money(total, bold=True)])
    for note in notes:
        sheet.append([None, sheet.text(note, wrap=False)])


def _outside_notes(rec: Reconciliation) -> list[str]:
    plan_years = (f"{rec.range_years[0]} to {rec.range_years[-1]}" if rec.range_years
                  else "none")
    return [f"† {year} is outside the plan's years ({plan_years}). A committee summary might "
            "fold it into the nearest plan year; it is shown separately here and flagged "
            "YEAR_OUT_OF_RANGE." for year in rec.outside_years]


def project_table(sheet: _Sheet, project: ProjectResult) -> None:
    """Heading, Year | Expected | Revised | Change … rows, and a Total row."""
    kind = project.counted_as
    about = "; ".join(p for p in (project.department, project.lead_officer and
                                  f"lead officer {project.lead_officer}") if p)
    sheet.append([sheet.text(project.ref, styles.BOLD_FONT),
                  sheet.text(f"{project.project} — {kind}", styles.BOLD_FONT, wrap=False)]
                 + [None] * 7 + [sheet.text(about, wrap=False)])
    sheet.append([sheet.header(h) for h in PROJECT_HEADERS])
    top = sheet.row + 1
    for y in project.years:
        year_row(sheet, project, y)
    bottom = sheet.row
    sums = [sheet.money(f"=SUM({c}{top}:{c}{bottom})", bold=True) for c in "CDE"]
    sheet.append([sheet.text(project.ref), sheet.text("Total", TOTAL_FONT)] + sums)
    sheet.append([])


REASON_CHARS = 120  # a reason's line: across columns B to I, unwrapped


def reasons(y: YearResult) -> list[str]:
    """The officer's reason for a year's change (their Comment), in lines that print
    beside the change on the Reconciliation sheet."""
    comment = " ".join(str(y.value("comment") or "").split())
    return _lines(f"Reason given: {comment}", REASON_CHARS) if comment else []


def project_rows(project: ProjectResult) -> int:
    """Rows one project's table takes: heading, header, its years with their reasons,
    total and a blank row."""
    return len(project.years) + sum(len(reasons(y)) for y in project.years) + 4


def year_row(sheet: _Sheet, project: ProjectResult, y: YearResult) -> None:
    row = sheet.row + 1
    fill = None if y.in_range else OUTSIDE_FILL
    approved_on = y.value("approved_on")
    when = sheet.text(approved_on)
    if isinstance(approved_on, date) and when is not None:
        when.number_format = styles.DATE_FORMAT
    flags = ", ".join(y.codes)
    sheet.append([
        sheet.text(project.ref), sheet.text(y.year, fill=fill),
        sheet.money(y.expected), sheet.money(y.revised), sheet.money(f"=D{row}-C{row}"),
        sheet.text(project.classification), sheet.text(y.value("change_type")),
        sheet.text(y.value("approved_by")), when, sheet.text(y.source, wrap=False),
        sheet.text(flags, wrap=False),
    ])
    for line in reasons(y):
        sheet.append([sheet.text(project.ref), sheet.text(line, REASON_FONT, wrap=False)])


def flags_table(sheet: _Sheet, rec: Reconciliation) -> None:
    """Every finding: project, code, message, where (file › sheet!cell), severity."""
    sheet.append([None, sheet.text(f"Flags ({len(rec.findings)})", styles.SUBTITLE_FONT)])
    if not rec.findings:
        sheet.append([None, sheet.text("None: every difference is explained.")])
        return
    sheet.append([sheet.header("Project"), sheet.header("Code"), sheet.header("Message")]
                 + [None] * 6 + [sheet.header("Where"), sheet.header("Severity")])
    for f in rec.findings:
        sheet.append([sheet.text(f.action_id), sheet.text(f.code),
                      sheet.text(f.message, wrap=False)] + [None] * 6
                     + [sheet.text(f.where), sheet.text(f.severity)])
