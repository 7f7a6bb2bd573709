"""An invented but realistic Children and Families savings programme, as real files.

The baseline is written by our writer; return A (Laurence Jones) by our writer as
an issued return; return B (Steve Edwards) by xlsxwriter, an independent writer,
the way Excel saves a return someone has worked on: columns reordered, Change
cells as formulas with cached values (one stale, as tools that do not calculate
leave them), one Change typed over, a pasted "tbc" and "£1,200", a duplicate
row, an unapproved extension and a wrong Change type.

Programme (Expected, £000) and what the returns ask for:

- CF-01 re-profile by acceleration: 80 of 2021/22's target delivered in 2019/20.
- CF-02 write-off with a prior-year (2018/19) line outside the plan's years.
- CF-03 mitigation: 2020/21's 200 is undeliverable, 50 replacement savings found
  in 2019/20 (the later year goes negative).
- CF-04, CF-05, CF-06 extensions (CF-04 and CF-06 add a year the baseline lacks).
- CF-07 unchanged (with non-numeric Revised pasted in), CF-08 not returned,
  CF-09 a new project not in the baseline.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from xltools.plan import Plan
from xltools.workbook.book import Book
from xltools.workbook.layout import MASTER, RETURN, SAVINGS_LAYOUT
from xltools.workbook.writer import write_book

YEARS = ("2019/20", "2020/21", "2021/22", "2022/23")
DEPT = "Children and Families"
APPROVER = "Colin Pettigrew"
PROJECTS = {
    "CF-01": ("Children's centres: integrated 0-19 service", "Laurence Jones"),
    "CF-02": ("Residential placements: step-down to foster care", "Laurence Jones"),
    "CF-03": ("Home to school transport: independent travel training", "Laurence Jones"),
    "CF-04": ("Fostering: in-house carer recruitment", "Steve Edwards"),
    "CF-05": ("Early help: single front door", "Steve Edwards"),
    "CF-06": ("Short breaks: recommissioning", "Steve Edwards"),
    "CF-07": ("Youth service: remodelled centres", "Steve Edwards"),
    "CF-08": ("Business support: shared service", "Marion Clay"),
}
BASELINE = (  # (ref, year, expected) in sheet order: rows 2..21
    ("CF-01", "2019/20", 100), ("CF-01", "2020/21", 150), ("CF-01", "2021/22", 250),
    ("CF-02", "2018/19", 120), ("CF-02", "2019/20", 200), ("CF-02", "2020/21", 100),
    ("CF-03", "2019/20", 300), ("CF-03", "2020/21", 200),
    ("CF-04", "2019/20", 100), ("CF-04", "2020/21", 100),
    ("CF-05", "2019/20", 80), ("CF-05", "2020/21", 80), ("CF-05", "2021/22", 80),
    ("CF-06", "2020/21", 50), ("CF-06", "2021/22", 50),
    ("CF-07", "2019/20", 60), ("CF-07", "2020/21", 60), ("CF-07", "2021/22", 60),
    ("CF-08", "2019/20", 40), ("CF-08", "2020/21", 40),
)
ON = date(2019, 9, 20)


def savings_plan(plan: Plan) -> Plan:
    return plan.with_changes(savings_years=YEARS)


def row(ref: str, year: str, expected=None, revised=None, kind=None, by=None, on=None,
        comment=None, project=None) -> dict:
    name, lead = PROJECTS.get(ref, (project, "Laurence Jones"))
    return {"project_ref": ref, "project": name, "department": DEPT, "lead_officer": lead,
            "year": year, "expected": expected, "revised": revised, "change_type": kind,
            "approved_by": by, "approved_on": on, "comment": comment}


def write_baseline(plan: Plan, folder: Path) -> Path:
    rows = [row(ref, year, expected) for ref, year, expected in BASELINE]
    return write_book(Book(plan=savings_plan(plan), kind=MASTER, savings=rows),
                      folder / "baseline.xlsx")


RETURN_A = [  # our writer: rows 2..11, default column letters (Year is E)
    row("CF-01", "2019/20", 100, 180, "Re-profile", APPROVER, ON,
        "Bring forward 80 of the 2021/22 saving: two centres merged early."),
    row("CF-01", "2020/21", 150),  # Revised left blank: no change
    row("CF-01", "2021/22", 250, 170, "Re-profile", APPROVER, ON),
    row("CF-01", "Total", 500, 510),  # typed total: Revised should be 500
    row("CF-02", "2018/19", 120, 0, "Write-off", APPROVER, ON, "Prior-year target not met."),
    row("CF-02", "2019/20", 200, 150, "Write-off", APPROVER, ON),
    row("CF-02", "2020/21", 100, 100),
    row("CF-03", "2019/20", 300, 350, "Mitigation", APPROVER, ON,
        "Route re-tendering replaces part of the travel-training saving."),
    row("CF-03", "2020/21", 200, 0, "Write-off", APPROVER, ON),
    row("CF-09", "2020/21", None, 30, "New", APPROVER, ON, project="Edge of care: family "
        "group conferencing"),
]


def write_return_a(plan: Plan, folder: Path) -> Path:
    book = Book(plan=savings_plan(plan), kind=RETURN, officer="Laurence Jones",
                savings=RETURN_A)
    return write_book(book, folder / "return_a.xlsx")


# xlsxwriter return: Year moved to column B. Each entry: (ref, year, expected, revised,
# change cell, type, approved by, approved on). Change cell: ("f", cached) = the formula
# =G-F with that cached value (None = xlsxwriter's default 0, a stale cache); a number =
# typed over the formula; None = empty.
RETURN_B = [
    ("CF-04", "2019/20", 100, 100, ("f", 0), None, None, None),          # row 2
    ("CF-04", "2020/21", 100, 160, ("f", None), "Extension", APPROVER, ON),  # stale cache
    ("CF-04", "2021/22", None, 50, ("f", 50), "Re-profile", APPROVER, ON),  # wrong type
    ("CF-05", "2019/20", 80, 100, 25, "Extension", APPROVER, ON),       # typed over: 25 ≠ 20
    ("CF-05", "2020/21", 80, 80, ("f", 0), None, None, None),
    ("CF-05", "2020/21", 80, 90, ("f", 10), None, None, None),          # duplicate row 7
    ("CF-05", "2021/22", 80, None, None, None, None, None),
    ("CF-06", "2020/21", 50, 50, ("f", 0), None, None, None),
    ("CF-06", "2021/22", 50, 75, ("f", 25), "Extension", None, None),   # row 10: no approval
    ("CF-06", "2022/23", None, 40, ("f", 40), "Extension", None, None),
    ("CF-07", "2019-20", 60, 60, ("f", 0), None, None, None),           # year spelt 2019-20
    ("CF-07", "2020/21", 60, "tbc", ("f", 0), None, None, None),        # row 13
    ("CF-07", "2021/22", 60, "£1,200", ("f", 0), None, None, None),     # row 14
]
B_ORDER = ("project_ref", "year", "project", "department", "lead_officer", "expected",
           "revised", "change", "change_type", "approved_by", "approved_on", "comment")


def write_return_b(folder: Path) -> Path:
    """A return saved by another tool: no Settings sheet, columns in another order."""
    path = folder / "return_b.xlsx"
    wb = xlsxwriter.Workbook(path)
    money = wb.add_format({"num_format": "#,##0.0"})
    dates = wb.add_format({"num_format": "dd/mm/yyyy"})
    actions = wb.add_worksheet("Actions")
    from xltools.workbook.layout import ACTIONS_LAYOUT, TRACKER

    actions.write_row(0, 0, ACTIONS_LAYOUT.for_shape(TRACKER).headers)
    ws = wb.add_worksheet("Savings")
    ws.write_row(0, 0, [SAVINGS_LAYOUT.column(k).name for k in B_ORDER])
    for i, (ref, year, exp, rev, chg, kind, by, on) in enumerate(RETURN_B, start=1):
        name, lead = PROJECTS[ref]
        ws.write_row(i, 0, [ref, year, name, DEPT, lead])
        for col, value in ((5, exp), (6, rev)):
            if value is not None:
                ws.write(i, col, value, money)
        if isinstance(chg, tuple):
            formula = f"=G{i + 1}-F{i + 1}"
            if chg[1] is None:
                ws.write_formula(i, 7, formula, money)
            else:
                ws.write_formula(i, 7, formula, money, chg[1])
        elif chg is not None:
            ws.write_number(i, 7, chg, money)
        if kind:
            ws.write(i, 8, kind)
        if by:
            ws.write(i, 9, by)
        if on:
            ws.write_datetime(i, 10, datetime(on.year, on.month, on.day), dates)
    wb.close()
    return path


def write_programme(plan: Plan, folder: Path) -> tuple[Path, list[Path]]:
    folder.mkdir(parents=True, exist_ok=True)
    return write_baseline(plan, folder), [write_return_a(plan, folder), write_return_b(folder)]


# -- hand-computed expectations ------------------------------------------------------

EXPECTED_FLAGS = {
    ("return_a.xlsx", "G5", "TOTAL_MISMATCH"),
    ("return_a.xlsx", "E6", "YEAR_OUT_OF_RANGE"),
    ("return_a.xlsx", "A11", "NOT_IN_BASELINE"),
    ("return_b.xlsx", "I4", "TYPE_MISMATCH"),
    ("return_b.xlsx", "H5", "CHANGE_MISMATCH"),
    ("return_b.xlsx", "A7", "DUPLICATE_ROW"),
    ("return_b.xlsx", "J10", "NO_APPROVAL"),
    ("return_b.xlsx", "G13", "NOT_NUMERIC"),
    ("return_b.xlsx", "G14", "NOT_NUMERIC"),
    ("baseline.xlsx", "A20", "NOT_RETURNED"),
}

CLASSIFICATION = {
    "CF-01": ("Re-profile", "acceleration"), "CF-02": ("Write-off", ""),
    "CF-03": ("Mitigation", ""), "CF-04": ("Extension", ""), "CF-05": ("Extension", ""),
    "CF-06": ("Extension", ""), "CF-07": ("No change", ""), "CF-08": ("No change", ""),
    "CF-09": ("New", ""),
}

# Changes by project and year (Revised − Expected):
#   CF-01 +80 (19/20), -80 (21/22)        CF-02 -120 (18/19), -50 (19/20)
#   CF-03 +50 (19/20), -200 (20/21)       CF-04 +60 (20/21), +50 (21/22)
#   CF-05 +20 (19/20)                     CF-06 +25 (21/22), +40 (22/23)
#   CF-09 +30 (20/21)
SUMMARY_YEARS = ("2018/19", "2019/20", "2020/21", "2021/22", "2022/23")
SUMMARY = {  # row → values by SUMMARY_YEARS, then the grand total
    "re_profiles":     (0, 80, 0, -80, 0, 0),
    "write_offs":      (-120, -50, 0, 0, 0, -170),
    "mitigations":     (0, 50, -200, 0, 0, -150),
    "change_requests": (-120, 80, -200, -80, 0, -320),
    "extensions":      (0, 20, 60, 75, 40, 195),
    "new":             (0, 0, 30, 0, 0, 30),
    "total":           (-120, 100, -110, -5, 40, -95),
    # Expected: 18/19 CF-02 120; 19/20 100+200+300+100+80+60+40; 20/21
    # 150+100+200+100+80+50+60+40; 21/22 250+80+50+60; 22/23 nothing.
    "expected":        (120, 880, 780, 440, 0, 2220),
    "revised":         (0, 980, 670, 435, 40, 2125),
}
