"""Reproducible benchmark of the hot paths: issuing and consolidating returns.

    .venv/bin/python bench/bench.py [--returns 300] [--actions 40]

Generates a plan with one officer per return and a master of
returns × actions actions, issues the returns with xltools, fills them in as
officers would (updates, RAG, dates — including some invalid values), then
times, in the same run on the same files:

* xltools consolidate — read, validate, merge, write a fully formatted master;
* baseline A: pandas + openpyxl — read every return, concat, write (no validation);
* baseline B: python-calamine read + xlsxwriter write;
* baseline C: python-calamine read alone;
* xltools issue (template built once, rows streamed) vs baseline D: openpyxl
  load the template, fill, save — per return, timed on a sample and scaled.

Prints seconds and ratios and writes bench/out/results.json. Not a test: no
assertion on time, ever.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from rich.console import Console
from rich.table import Table

from xltools.cycle.consolidate import consolidate
from xltools.cycle.returns import issue_returns
from xltools.plan import Plan
from xltools.workbook.book import Book
from xltools.workbook.layout import MASTER
from xltools.workbook.reader import read_book
from xltools.workbook.stamp import Stamp
from xltools.workbook.template import write_template
from xltools.workbook.writer import write_book

OUT = Path(__file__).resolve().parent / "out"
RAGS = ("Green", "Green", "Amber", "Red", "Complete", "Not started")


def make_plan(n_officers: int) -> Plan:
    officers = tuple(f"Officer {i:03d}" for i in range(n_officers))
    return Plan(organisation="Bench Council", title="Benchmark plan", period="Q2 2019/20",
                officers=officers, sections=("1. Finance", "2. Change", "3. Practice"),
                deadline="2019-10-14")


def make_master(plan: Plan, actions_each: int, path: Path) -> Path:
    rows = []
    for o, officer in enumerate(plan.officers):
        for a in range(actions_each):
            n = o * actions_each + a + 1
            rows.append({
                "id": f"A-{n:05d}", "ref": f"{a % 3 + 1}.{a + 1}",
                "section": plan.sections[a % 3], "action": f"Improvement action {n}: " * 3,
                "accountable_officer": officer, "lead_officer": officer,
                "aim": "What we hope to achieve, in a sentence or two. " * 2,
                "timeframe": "Quarterly", "success_measure": "A measurable outcome. " * 2,
                "progress_update": f"Last quarter's progress on action {n}.", "rag": "Green",
            })
    return write_book(Book(plan=plan, kind=MASTER, actions=rows), path)


def fill_returns(folder: Path) -> int:
    """Officers' updates, written the fast way (the bench times consolidation, not this)."""
    files = sorted(folder.glob("*.xlsx"))
    stamp = None
    for i, path in enumerate(files):
        book = read_book(path)
        stamp = stamp or Stamp(book)
        for j, row in enumerate(book.actions):
            row["progress_update"] = f"Update {i}-{j}: work continues; see highlight report."
            row["rag"] = RAGS[(i + j) % len(RAGS)] if (i + j) % 97 else "Purple"  # some invalid
            row["last_updated"] = date(2019, 9, 20) if (i + j) % 89 else "20th Sept"
            row["updated_by"] = book.officer
        stamp.write(book, path)
    return len(files)


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def baseline_pandas_openpyxl(files: list[Path], out: Path) -> int:
    frames = [pd.read_excel(f, sheet_name="Actions", engine="openpyxl") for f in files]
    df = pd.concat(frames, ignore_index=True)
    df.to_excel(out, sheet_name="Actions", index=False, engine="openpyxl")
    return len(df)


def baseline_calamine_xlsxwriter(files: list[Path], out: Path) -> int:
    frames = [pd.read_excel(f, sheet_name="Actions", engine="calamine") for f in files]
    df = pd.concat(frames, ignore_index=True)
    df.to_excel(out, sheet_name="Actions", index=False, engine="xlsxwriter")
    return len(df)


def baseline_calamine_read(files: list[Path]) -> int:
    from python_calamine import CalamineWorkbook

    rows = 0
    for f in files:
        with CalamineWorkbook.from_path(str(f)) as wb:
            rows += len(wb.get_sheet_by_name("Actions").to_python()) - 1
    return rows


def baseline_issue_openpyxl(template: Path, master: Book, out: Path, sample: int) -> float:
    """Per-return cost of the obvious approach: load the styled template, fill, save."""
    out.mkdir(parents=True, exist_ok=True)
    by_officer: dict[str, list] = {}
    for row in master.actions:
        by_officer.setdefault(row["lead_officer"], []).append(row)
    officers = list(by_officer)[:sample]
    start = time.perf_counter()
    for officer in officers:
        wb = load_workbook(template)
        ws = wb["Actions"]
        for r, row in enumerate(by_officer[officer], start=2):
            for c, key in enumerate(("id", "ref", "section", "action", "accountable_officer",
                                     "lead_officer"), start=1):
                ws.cell(r, c, row.get(key))
        wb.save(out / f"{officer}.xlsx")
    return (time.perf_counter() - start) / max(1, len(officers))


def run(n_returns: int, n_actions: int, sample: int) -> dict:
    work = OUT / f"{n_returns}x{n_actions}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    plan = make_plan(n_returns)
    master_path = make_master(plan, n_actions, work / "master.xlsx")
    template = write_template(plan, work / "template.xlsx")
    t_issue, issued = timed(issue_returns, master_path, work / "returns")
    fill_returns(work / "returns")
    files = sorted((work / "returns").glob("*.xlsx"))
    t_cons, report = timed(consolidate, master_path, work / "returns", work / "consolidated.xlsx",
                           as_of=date(2019, 10, 1))
    t_a, _ = timed(baseline_pandas_openpyxl, files, work / "baseline_a.xlsx")
    t_b, _ = timed(baseline_calamine_xlsxwriter, files, work / "baseline_b.xlsx")
    t_c, _ = timed(baseline_calamine_read, files)
    per_return = baseline_issue_openpyxl(template, read_book(master_path), work / "baseline_d",
                                         sample)
    return {
        "returns": len(files), "actions_each": n_actions, "rows": n_returns * n_actions,
        "issue_s": t_issue, "issue_baseline_openpyxl_s": per_return * n_returns,
        "consolidate_s": t_cons, "pandas_openpyxl_s": t_a, "calamine_xlsxwriter_s": t_b,
        "calamine_read_s": t_c, "consolidate_timings": report.timings,
        "rows_updated": report.counts()["rows_updated"],
        "findings": report.to_dict().get("finding_counts"), "returns_issued": len(issued.returns),
    }


def show(result: dict, console: Console) -> None:
    table = Table(title=f"{result['returns']} returns × {result['actions_each']} actions "
                  f"({platform.python_implementation()} {platform.python_version()}, "
                  f"{platform.machine()})", title_justify="left")
    for col in ("operation", "seconds", "ratio to xltools"):
        table.add_column(col, justify="right" if col != "operation" else "left")
    cons = result["consolidate_s"]
    rows = [
        ("xltools consolidate (validate, merge, formatted master)", cons),
        ("baseline A: pandas + openpyxl read/concat/write", result["pandas_openpyxl_s"]),
        ("baseline B: calamine read + xlsxwriter write", result["calamine_xlsxwriter_s"]),
        ("baseline C: calamine read alone", result["calamine_read_s"]),
    ]
    for name, secs in rows:
        table.add_row(name, f"{secs:.2f}", f"{secs / cons:.2f}×")
    issue = result["issue_s"]
    table.add_row("xltools issue (template once, rows streamed)", f"{issue:.2f}", "1.00×")
    base = result["issue_baseline_openpyxl_s"]
    table.add_row("baseline D: openpyxl load template/fill/save (scaled)", f"{base:.2f}",
                  f"{base / issue:.2f}×")
    console.print(table)
    console.print(f"consolidate phases: {result['consolidate_timings']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--returns", type=int, default=300)
    parser.add_argument("--actions", type=int, default=40)
    parser.add_argument("--sample", type=int, default=20,
                        help="returns timed for the slow issuing baseline, then scaled")
    args = parser.parse_args(argv)
    console = Console()
    result = run(args.returns, args.actions, args.sample)
    show(result, console)
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
