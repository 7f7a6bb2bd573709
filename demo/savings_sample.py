"""The demo's savings programme as workbooks: finance's baseline and officers' returns.

``workbook_templates/sample_savings.json`` holds the MTFS approved profile and
the revisions three lead officers send back. This writes what those people
would have in their hands — the baseline master, and one return per lead
officer holding their projects with their revisions typed in — with the same
writer as every other xltools workbook, so ``xltools savings`` then runs on
real files.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from xltools.plan import Plan
from xltools.workbook.book import Book, Row
from xltools.workbook.layout import MASTER, RETURN
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


def officer_return(rows: list[Row], officer: str, revisions: list[dict]) -> list[Row]:
    """The officer's projects (as issued, with Expected) with their revisions typed in."""
    typed = {(r["ref"], r["year"]): r for r in revisions}
    out = []
    for row in rows:
        if row["lead_officer"] != officer:
            continue
        new = dict(row)
        rev = typed.get((row["project_ref"], row["year"]), {})
        for key in ("revised", "change_type", "approved_by", "comment"):
            if key in rev:
                new[key] = rev[key]
        if "approved_on" in rev:
            new["approved_on"] = date.fromisoformat(rev["approved_on"])
        out.append(new)
    return out


def write_sample(sample: Path, plan_file: Path, out: Path) -> tuple[Path, list[Path]]:
    """Write savings_baseline.xlsx and savings_return_<officer>.xlsx into ``out``."""
    plan, rows, returns = load(sample, Plan.load(plan_file))
    baseline = write_book(Book(plan=plan, kind=MASTER, savings=rows),
                          out / "savings_baseline.xlsx", backup=False)
    paths = []
    for ret in returns:
        book = Book(plan=plan, kind=RETURN, officer=ret["officer"],
                    savings=officer_return(rows, ret["officer"], ret["revisions"]))
        name = ret["officer"].lower().replace(" ", "_")
        paths.append(write_book(book, out / "savings_returns" / f"savings_return_{name}.xlsx",
                                backup=False))
    return baseline, paths
