"""``xltools kpis``: KPI RAG (latest vs target) and trend (vs previous)."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from ..reporting.kpis import apply_kpis, assess_kpis, load_kpi_rows, merge_kpis
from ..workbook.reader import read_book
from .common import (
    PLAN_FOR_OTHER_WORKBOOKS,
    add_json,
    add_plan,
    console,
    emit_json,
    load_plan,
    print_findings,
)
from .pmo import add_output, check_output, write_output


def register(sub) -> None:
    p = sub.add_parser("kpis", help="work out each KPI's RAG and trend",
                       description="RAG from Latest vs Target in the direction of Good is "
                       "(Green when met, Amber within the plan's kpi_tolerance of the target, "
                       "Red otherwise, none without a target) and Trend vs Previous. With -o, "
                       "writes them to the KPIs sheet of a copy of the master.")
    p.add_argument("master", type=Path, help="the master workbook (.xlsx)")
    p.add_argument("--load", type=Path, metavar="KPIS.json",
                   help="add or update KPI rows (matched by Measure) from a JSON file, e.g. "
                   "workbook_templates/sample_kpis.json")
    add_output(p, "RAG and Trend filled in on the KPIs sheet")
    add_plan(p, help=PLAN_FOR_OTHER_WORKBOOKS)
    add_json(p)
    p.set_defaults(run=run)


def run(args) -> int:
    check_output(args.master, args.output)
    book = read_book(args.master, plan=load_plan(args.plan))
    loaded = merge_kpis(book, load_kpi_rows(args.load)) if args.load else None
    report = assess_kpis(book, file=args.master.name)
    written = None
    if args.output:
        apply_kpis(book, report)
        written = write_output(book, args.master, args.output)
    if args.json:
        emit_json({"file": args.master.name, "output": str(written) if written else None,
                   **report.to_dict()})
        return 0
    out = console()
    if loaded:
        out.print(f"Loaded {args.load.name}: {loaded[0]} KPI(s) updated, {loaded[1]} added")
    table = Table(title=f"KPIs ({len(report.rows)}; tolerance {report.tolerance:.0%})",
                  title_justify="left")
    for col in ("Measure", "Latest", "Target", "Good is", "Previous", "RAG", "Trend"):
        table.add_column(col, overflow="fold")
    for k in report.rows:
        table.add_row(str(k["measure"]), *(_fmt(k[c]) for c in
                                           ("latest", "target", "good_is", "previous")),
                      k["rag"] or "—", k["trend"] or "—")
    out.print(table)
    if report.findings:
        print_findings(report.findings, "Problems", out)
    if written:
        out.print(f"KPI RAG and trend written to {written}")
    return 0


def _fmt(value) -> str:
    return "" if value is None else str(value)
