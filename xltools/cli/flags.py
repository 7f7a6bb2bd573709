"""``xltools flags``: stale, missing and overdue updates to chase."""

from __future__ import annotations

from pathlib import Path

from ..reporting.flags import apply_flags, flag_book
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
from .pmo import add_as_of, add_output, add_previous, check_output, read_previous, write_output


def register(sub) -> None:
    p = sub.add_parser("flags", help="flag missing, stale, unchanged, overdue and unexplained "
                       "updates",
                       description="Flag NO_UPDATE, OUT_OF_DATE, UNCHANGED, OVERDUE, "
                       "NO_NARRATIVE and NO_DUE_DATE for every action, and NOT_STARTED and "
                       "SLIPPED for a programme plan's activities (keeping INVALID, "
                       "CONFLICT and MISSING_RETURN from consolidation). With -o, writes them "
                       "to the Flags column of a copy of the master.")
    p.add_argument("master", type=Path, help="the consolidated master (.xlsx)")
    add_as_of(p, "judge overdue and out-of-date updates as at this date")
    add_previous(p)
    add_output(p, "the Flags column filled in")
    add_plan(p, help=PLAN_FOR_OTHER_WORKBOOKS)
    add_json(p)
    p.set_defaults(run=run)


def run(args) -> int:
    check_output(args.master, args.output)
    book = read_book(args.master, plan=load_plan(args.plan))
    report = flag_book(book, as_of=args.as_of, previous=read_previous(args.previous, book.plan),
                       file=args.master.name)
    written = None
    if args.output:
        apply_flags(book, report)
        written = write_output(book, args.master, args.output, as_of=report.as_of)
    if args.json:
        emit_json({"file": args.master.name, "output": str(written) if written else None,
                   **report.to_dict()})
        return 0
    out = console()
    out.print(f"{args.master.name}: {len(book.actions)} actions, {book.plan.period}, "
              f"as at {report.as_of.isoformat()}")
    print_findings(report.findings, "Flags", out)
    if written:
        out.print(f"Flags written to the Flags column of {written}")
    return 0
