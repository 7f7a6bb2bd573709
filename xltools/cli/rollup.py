"""``xltools rollup``: RAG counts, % complete, movement, and the Dashboard."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from ..errors import UsageError
from ..reporting import positions
from ..reporting.highlight import render_pdf
from ..reporting.programme_board import board_dict
from ..reporting.rollup import MOVEMENTS, Rollup, rollup
from ..workbook.reader import read_book
from .common import PLAN_FOR_OTHER_WORKBOOKS, add_json, add_plan, console, emit_json, load_plan
from .history import add_history, trend_from
from .pmo import add_as_of, add_output, add_previous, check_output, read_previous, write_output


def register(sub) -> None:
    p = sub.add_parser("rollup", help="roll up RAG status by section and officer; write the "
                       "Dashboard and highlight report",
                       description="Count and share of each RAG status overall, by section, "
                       "by accountable and by lead officer (joint entries count for each); % "
                       "complete; movement since last quarter. With -o, writes a copy of the "
                       "master with the Dashboard sheet (live formulas and charts).")
    p.add_argument("master", type=Path, help="the consolidated master (.xlsx)")
    add_output(p, "the Dashboard sheet")
    add_previous(p)
    add_as_of(p, "the 'position as at' date on the Dashboard")
    p.add_argument("--pdf", type=Path, metavar="REPORT.pdf",
                   help="also render the Dashboard as a one-page PDF highlight report "
                   "(needs LibreOffice and -o)")
    add_plan(p, help=PLAN_FOR_OTHER_WORKBOOKS)
    add_history(p, optional_value=True, what="add the trend block (RAG by quarter, "
                "worsened, Red for 2+ quarters, slipped) to the Dashboard from")
    add_json(p)
    p.set_defaults(run=run)


def run(args) -> int:
    check_output(args.master, args.output)
    book = read_book(args.master, plan=load_plan(args.plan))
    previous = read_previous(args.previous, book.plan)
    summary = rollup(book, previous)
    trend = None if args.history is None else trend_from(args.history, args.master, book)
    written = pdf = None
    if args.pdf and not args.output:
        raise UsageError("--pdf needs -o OUT.xlsx: the PDF is printed from the Dashboard sheet")
    if args.output:
        written = write_output(book, args.master, args.output, dashboard=True,
                               previous=previous, as_of=args.as_of, trend=trend)
    if args.pdf:
        pdf = render_pdf(written, args.pdf)
    if args.json:
        emit_json({"file": args.master.name, "output": str(written) if written else None,
                   "pdf": str(pdf) if pdf else None, **summary.to_dict()}
                  | ({"trend": trend.to_dict()} if trend else {})
                  | ({"board": board_dict(book, summary.by_section)} if book.is_programme
                     else {}))
        return 0
    show(summary, args.master.name)
    out = console()
    if written:
        out.print(f"Dashboard written to {written}")
    if pdf:
        out.print(f"Highlight report written to {pdf}")
    marked = positions.unconfirmed(book)
    if marked and (written or pdf):
        out.print(f"[yellow]Marked in it as not this quarter's confirmed update: "
                  f"{positions.summary(marked)}[/yellow]")
    return 0


def show(summary: Rollup, name: str) -> None:
    """Overall, by section and movement, as tables."""
    out = console()
    out.print(f"{name}: {summary.total} actions, {summary.period}, "
              f"{summary.pct_complete:.1f}% complete")
    table = Table(title="RAG status by section", title_justify="left")
    table.add_column("Section")
    for status in summary.statuses:
        table.add_column(status, justify="right")
    table.add_column("Total", justify="right")
    rows = {**summary.by_section, "All actions": summary.overall}
    for section, counts in rows.items():
        table.add_row(section, *(str(counts[s]) for s in summary.statuses),
                      str(sum(counts.values())))
    out.print(table)
    moves = summary.movement_totals
    out.print(f"Since last quarter ({summary.movement_source}): "
              + ", ".join(f"{m.replace('_', ' ')} {moves[m]}" for m in MOVEMENTS))
