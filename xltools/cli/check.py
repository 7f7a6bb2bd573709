"""``xltools check``: what needs fixing in a return (or master) before it is sent."""

from __future__ import annotations

from pathlib import Path

from ..cycle.check import check_workbook
from .common import add_json, console, day_arg, emit_json, print_findings


def register(sub) -> None:
    p = sub.add_parser("check", help="check a return or master: every problem by sheet, cell "
                       "and rule",
                       description="Check a workbook against the xltools format: columns, "
                       "dropdown values, dates, numbers, IDs. Lists each problem by sheet, "
                       "cell and rule, and (as NO_UPDATE) each action still to be filled in; in a "
                       "return also locked cells typed over since it was issued and updates "
                       "in the wrong column. 'Ready to send' means no errors, no locked cell "
                       "changed and every action filled in.")
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
    colour, sentence = report.verdict()
    out.print(f"[{colour}]{sentence}[/{colour}]")
    return 0
