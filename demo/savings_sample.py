"""The demo's savings programme as workbooks: finance's baseline and officers' returns.

``workbook_templates/sample_savings.json`` holds the MTFS approved profile and
the revisions three of its four lead officers send back. This runs the cycle
as finance does — the baseline master, savings returns issued from it to every
project lead, and the three answered returns with the revisions typed in —
with the same code as ``xltools issue --savings``, so ``xltools savings`` then
runs on real files.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from xltools.cycle.returns import issue_returns
from xltools.plan import Plan
from xltools.workbook.book import Book, Row
from xltools.workbook.layout import MASTER
from xltools.workbook.reader import read_book
from xltools.workbook.writer import write_book


def load(sample: Path, plan: Plan) -> tuple[Plan, list[Row], list[dict]]:
    data = json.loads(sample.read_text(encoding="utf-8"))
    plan = plan.with_changes(savings_years=tuple(data["savings_years"]))
    rows = [
        {"project_ref": p["ref"], "project": p["project"], "department": data["department"],
         "lead_officer": p["lead_officer"], "year": year, "expected": expected}
        for p in data["projects"]
        for year, expected in p["expected"].items()
    ]
    return plan, rows, data["returns"]


def type_revisions(book: Book, revisions: list[dict]) -> Book:
    """An issued savings return with the officer's revisions typed into its rows."""
    typed = {(r["ref"], r["year"]): r for r in revisions}
    for row in book.savings:
        rev = typed.get((row["project_ref"], row["year"]), {})
        for key in ("revised", "change_type", "approved_by", "comment"):
            if key in rev:
                row[key] = rev[key]
        if "approved_on" in rev:
            row["approved_on"] = date.fromisoformat(rev["approved_on"])
    return book


def write_sample(sample: Path, plan_file: Path, out: Path) -> tuple[Path, list[Path]]:
    """The savings cycle on files: finance writes savings_baseline.xlsx and issues one
    savings return per project lead into savings_issued/ (``xltools issue --savings``);
    the officers who answer type their revisions and send them back into
    savings_returns/. Returns the baseline and the returns sent back."""
    plan, rows, returns = load(sample, Plan.load(plan_file))
    baseline = write_book(Book(plan=plan, kind=MASTER, savings=rows),
                          out / "savings_baseline.xlsx", backup=False)
    issued = issue_returns(baseline, out / "savings_issued", savings_only=True)
    by_officer = {r.officer: r.path for r in issued.returns}
    paths = []
    for ret in returns:
        path = by_officer[ret["officer"]]
        book = type_revisions(read_book(path), ret["revisions"])
        paths.append(write_book(book, out / "savings_returns" / path.name, backup=False))
    return baseline, paths
