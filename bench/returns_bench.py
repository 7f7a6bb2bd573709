"""Benchmark the returns hot paths (DESIGN.md §7): issue and consolidate N returns.

    .venv/bin/python bench/returns_bench.py [--returns 300] [--actions 40] [--baselines]

Generates a master with N officers × M actions, issues N returns, fills every return
(an update, a RAG, a date on each action), then times consolidation against the
baselines in the same run: python-calamine reading the returns alone, calamine read +
xlsxwriter write, and pandas + openpyxl read/concat/write. Prints seconds and ratios.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd
import python_calamine as calamine
import xlsxwriter

from xltools.cycle.consolidate import consolidate
from xltools.cycle.returns import issue_returns, plan_returns, write_returns
from xltools.plan import Plan
from xltools.workbook.book import Book
from xltools.workbook.layout import MASTER
from xltools.workbook.writer import write_book

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "returns_bench"  # its own folder: bench.py uses out/
PLAN = ROOT / "workbook_templates" / "sample_plan.json"


def make_master(n_officers: int, n_actions: int, path: Path) -> Path:
    base = Plan.load(PLAN)
    officers = tuple(f"Officer {i:03d}" for i in range(n_officers))
    plan = base.with_changes(officers=officers)
    rows = []
    for o, officer in enumerate(officers):
        for a in range(n_actions):
            rows.append({
                "id": f"A-{o * n_actions + a:05d}", "ref": f"{o + 1}.{a + 1}",
                "section": plan.sections[a % len(plan.sections)],
                "action": "Regularly review the need for agency staffing through the Agency "
                          "Challenge Panel.", "accountable_officer": officers[0],
                "lead_officer": officer, "aim": "Reduce agency spend.",
                "timeframe": "Q3 2019/20", "success_measure": "Caseloads within limits.",
                "progress_update": "Quarterly reviews in place.", "rag": "Green",
                "last_updated": date(2019, 6, 20), "updated_by": officer,
            })
    return write_book(Book(plan=plan, kind=MASTER, actions=rows), path)


def fill_returns(master: Path, folder: Path) -> None:
    """Every officer answers every action (written with our writer: fast to generate)."""
    from xltools.workbook.reader import read_book

    jobs, _ = plan_returns(read_book(master), folder, "lead")
    for book, _path in jobs:
        for i, row in enumerate(book.actions):
            row.update(progress_update=f"Q2 update {i}: panel met, three posts released.",
                       rag=("Green", "Amber", "Red")[i % 3], last_updated=date(2019, 10, 3),
                       updated_by=book.officer)
    write_returns(jobs)


def timed(label: str, fn, results: dict) -> object:
    start = time.perf_counter()
    value = fn()
    results[label] = time.perf_counter() - start
    print(f"  {label:<44} {results[label]:7.2f} s", flush=True)
    return value


def calamine_read(folder: Path) -> list:
    out = []
    for path in sorted(folder.glob("*.xlsx")):
        with calamine.CalamineWorkbook.from_path(str(path)) as wb:
            out.append(wb.get_sheet_by_name("Actions").to_python())
    return out


def calamine_xlsxwriter(folder: Path, out: Path) -> None:
    grids = calamine_read(folder)
    wb = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    ws = wb.add_worksheet("Actions")
    r = 0
    for grid in grids:
        for row in grid[1 if r else 0:]:
            ws.write_row(r, 0, row)
            r += 1
    wb.close()


def pandas_openpyxl(folder: Path, out: Path) -> None:
    frames = [pd.read_excel(p, sheet_name="Actions", engine="openpyxl")
              for p in sorted(folder.glob("*.xlsx"))]
    pd.concat(frames).to_excel(out, sheet_name="Actions", index=False, engine="openpyxl")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--returns", type=int, default=300)
    ap.add_argument("--actions", type=int, default=40)
    ap.add_argument("--baselines", action="store_true", help="also run the slow baselines")
    ap.add_argument("--profile", action="store_true", help="cProfile the consolidation")
    args = ap.parse_args(argv)
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    n, m = args.returns, args.actions
    print(f"{n} returns × {m} actions ({n * m} actions in the master)")
    res: dict[str, float] = {}
    master = timed("generate master (write_book)", lambda: make_master(n, m, OUT / "m.xlsx"),
                   res)
    timed("issue returns, 1 process", lambda: issue_returns(master, OUT / "issued1",
                                                            workers=1), res)
    timed("issue returns, 2 processes", lambda: issue_returns(master, OUT / "issued2",
                                                              workers=2), res)
    timed("fill every return (setup, not timed below)",
          lambda: fill_returns(master, OUT / "returns"), res)
    run = lambda: consolidate(master, OUT / "returns", OUT / "consolidated.xlsx",  # noqa: E731
                              as_of=date(2019, 10, 21))
    timed("xltools consolidate, 1 process (for comparison)",
          lambda: consolidate(master, OUT / "returns", OUT / "consolidated1.xlsx",
                              as_of=date(2019, 10, 21), workers=1), res)
    if args.profile:
        cProfile.runctx("run()", globals(), {"run": run}, str(OUT / "consolidate.prof"))
        pstats.Stats(str(OUT / "consolidate.prof")).sort_stats("cumulative").print_stats(30)
    report = timed("xltools consolidate (validated, merged, formatted)", run, res)
    print("    breakdown: " + ", ".join(f"{k} {v:.2f} s" for k, v in report.timings.items()))
    print(f"    updated {len(report.merge.updated)} actions from {len(report.files)} files")
    timed("baseline: python-calamine read alone", lambda: calamine_read(OUT / "returns"), res)
    timed("baseline: calamine read + xlsxwriter write",
          lambda: calamine_xlsxwriter(OUT / "returns", OUT / "b1.xlsx"), res)
    if args.baselines:
        timed("baseline: pandas + openpyxl read/concat/write",
              lambda: pandas_openpyxl(OUT / "returns", OUT / "b2.xlsx"), res)
    ours = res["xltools consolidate (validated, merged, formatted)"]
    print("ratios (baseline ÷ xltools consolidate; >1 means we are faster):")
    for label, seconds in res.items():
        if label.startswith("baseline"):
            print(f"  {label:<44} {seconds / ours:6.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
