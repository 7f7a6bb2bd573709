"""Workbooks for the Excel add-in tests: a small master and officers' returns.

The master is written by xltools' own writer (as the PMO would have it); a
return is then filled in with openpyxl and saved, as Excel would save an
officer's edits.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook

from xltools.cycle.returns import issue_returns
from xltools.plan import Plan
from xltools.workbook.book import Book
from xltools.workbook.writer import write_book

S1 = "1. Addressing the in-year financial challenges"
S2 = "2. Effective delivery of change programmes"

ACTIONS = [
    dict(id="A-0001", ref="1.1", section=S1, action="Agree a budget recovery plan",
         accountable_officer="Colin Pettigrew", lead_officer="Nigel Stevenson",
         timeframe="Q3 2019/20", previous_progress="Plan drafted", previous_rag="Amber",
         progress_update="Budget recovery plan agreed by CLT", rag="Green",
         last_updated=dt.date(2019, 9, 20), updated_by="Nigel Stevenson"),
    dict(id="A-0002", ref="1.2", section=S1, action="Reduce agency spend",
         accountable_officer="Colin Pettigrew", lead_officer="Lucy Peel",
         timeframe="Quarterly", previous_progress="Spend reviewed", previous_rag="Green",
         progress_update=None, rag="Red", last_updated=None),
    dict(id="A-0003", ref="2.1", section=S2, action="Recruit permanent social workers",
         accountable_officer="Colin Pettigrew", lead_officer="Lucy Peel",
         timeframe="Ongoing", previous_progress="Recruiting", previous_rag="Amber",
         progress_update="recruiting ", rag="Amber", last_updated=dt.date(2019, 3, 1),
         updated_by="Lucy Peel"),
    dict(id="A-0004", ref="2.2", section=S2, action="Launch the new case system",
         accountable_officer="Colin Pettigrew", lead_officer="Nigel Stevenson",
         timeframe="June 2019", previous_progress="Testing", previous_rag="Green",
         progress_update="Live since June", rag="Complete", last_updated=dt.date(2019, 8, 1),
         updated_by="Nigel Stevenson"),
]

SAVINGS = [
    dict(project_ref="CF-01", project="Residential placements", department="Children and Families",
         lead_officer="Lucy Peel", year="2019/20", expected=500.0),
    dict(project_ref="CF-01", project="Residential placements", department="Children and Families",
         lead_officer="Lucy Peel", year="2020/21", expected=300.0),
]

KPIS = [
    dict(measure="Children's social care assessments in 45 days (%)",
         department="Children and Families", latest=80, latest_period="Q2 2019/20", target=85,
         good_is="High", previous=78),
    dict(measure="Agency social workers (FTE)", department="Children and Families", latest=40,
         latest_period="Q2 2019/20", target=42, good_is="Low", previous=45),
]


def write_master(path: Path, plan: Plan) -> Path:
    book = Book(plan=plan, actions=[dict(r) for r in ACTIONS], savings=[dict(r) for r in SAVINGS],
                kpis=[dict(r) for r in KPIS])
    return write_book(book, path)


def write_returns(master: Path, folder: Path) -> dict[str, Path]:
    """Issue the returns; Lucy Peel fills hers in (openpyxl, as Excel saves) and Nigel
    Stevenson confirms a RAG."""
    report = issue_returns(master, folder, workers=1, issued_on=dt.date(2019, 10, 1))
    paths = {r.officer: r.path for r in report.returns}
    wb = load_workbook(paths["Lucy Peel"])
    ws = wb["Actions"]
    header = [c.value for c in ws[1]]
    col = {name: header.index(name) + 1 for name in header if name}
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, col["ID"]).value == "A-0002":
            ws.cell(row, col["Progress update"]).value = "Agency spend down 12% since July"
            ws.cell(row, col["RAG status"]).value = "Amber"
            ws.cell(row, col["Last updated"]).value = dt.datetime(2019, 10, 7)
            ws.cell(row, col["Updated by"]).value = "Lucy Peel"
    sv = wb["Savings"]
    sheader = [c.value for c in sv[1]]
    scol = {name: sheader.index(name) + 1 for name in sheader if name}
    for row in range(2, sv.max_row + 1):
        if sv.cell(row, scol["Year"]).value == "2019/20":
            sv.cell(row, scol["Revised"]).value = 400
            sv.cell(row, scol["Change type"]).value = "Re-profile"
            sv.cell(row, scol["Approved by"]).value = "Nigel Stevenson"
            sv.cell(row, scol["Approved on"]).value = dt.datetime(2019, 9, 30)
        if sv.cell(row, scol["Year"]).value == "2020/21":
            sv.cell(row, scol["Revised"]).value = 400
            sv.cell(row, scol["Change type"]).value = "Re-profile"
            sv.cell(row, scol["Approved by"]).value = "Nigel Stevenson"
            sv.cell(row, scol["Approved on"]).value = dt.datetime(2019, 9, 30)
    wb.save(paths["Lucy Peel"])
    # Nigel Stevenson has nothing new: he confirms A-0001's RAG (the master's: unchanged),
    # so his return is an answer — one sent back untouched would be BLANK_RETURN
    wb = load_workbook(paths["Nigel Stevenson"])
    ws = wb["Actions"]
    header = [c.value for c in ws[1]]
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, header.index("ID") + 1).value == "A-0001":
            ws.cell(row, header.index("RAG status") + 1).value = "Green"
    wb.save(paths["Nigel Stevenson"])
    return paths
