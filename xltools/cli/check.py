"""``xltools check``: what needs fixing in a return (or master) before it is sent."""

from __future__ import annotations

from pathlib import Path

from ..cycle.check import check_workbook
from ..workbook.layout import RETURN
from .common import add_json, console, day_arg, emit_json, print_findings


def register(sub) -> None:
    p = sub.add_parser("check", help="check a return or master: every problem by sheet, cell "
                       "and rule",
                       description="Check a workbook against the xltools format: columns, "
                       "dropdown values, dates, numbers, IDs. Lists each problem by sheet, "
                       "cell and rule, and (as NO_UPDATE) each action still to be filled in. "
                       "'Ready to send' means no errors and every action filled in.")
    p.add_argument("workbook", type=Path, help="the return or master to check (.xlsx)")
    p.add_argument("--master", type=Path, metavar="MASTER.xlsx",
                   help="check a return exactly as consolidating it into MASTER would: "
                   "also its plan, period, whose actions it holds and locked cells typed "
                   "over (without it, what can be told from the return alone)")
    p.add_argument("--as-of", type=day_arg, metavar="DATE",
                   help="'Last updated' dates after this are typos (DD/MM/YYYY or "
                   "YYYY-MM-DD; default: today)")
    add_json(p)
    p.set_defaults(run=run)


def run(args) -> int:
    report = check_workbook(args.workbook, as_of=args.as_of, master=args.master)
    if args.json:
        emit_json(report.to_dict())
        return 0
    out = console()
    book = report.book
    who = f" for {book.officer}" if book.officer else ""
    out.print(f"{report.file}: {book.kind}{who}, {book.plan.period}, "
              f"{len(book.actions)} action{'' if len(book.actions) == 1 else 's'}")
    print_findings(report.findings, "Problems", out)
    if not report.ok:
        when = "before sending" if book.kind == RETURN else "(see Flags)"
        out.print(f"[red]{len(report.errors)} problem(s) to fix {when}.[/red]")
    elif report.held_back:
        out.print(f"[red]{len(report.held_back)} locked cell(s) changed: put back what was "
                  "issued, or those changes will not be merged.[/red]")
    elif report.to_do:
        out.print(f"[yellow]No errors, but {len(report.to_do)} action(s) still need an "
                  "update.[/yellow]")
    else:
        out.print("[green]Ready to send.[/green]" if book.kind == RETURN
                  else "[green]No problems found.[/green]")
    return 0
