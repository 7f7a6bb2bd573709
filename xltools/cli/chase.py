"""``xltools chase``: one draft chase e-mail (.eml) per officer with something to do."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from ..cycle.chase import write_chases
from ..workbook.reader import read_book
from .common import PLAN_FOR_OTHER_WORKBOOKS, add_json, add_plan, console, emit_json, load_plan
from .pmo import add_as_of


def register(sub) -> None:
    p = sub.add_parser("chase", help="write a draft chase e-mail (.eml) per officer",
                       description="One .eml per officer with something to fix or send "
                       "(missing return, no update, out of date, unchanged, overdue, no "
                       "explanation for Red/Amber, invalid value, conflicting returns), "
                       "addressed from the plan's officer_emails, with their return attached "
                       "when it is missing. Nothing is sent: open each draft, read it, send it.")
    p.add_argument("master", type=Path, help="the consolidated (and flagged) master (.xlsx)")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="OUTBOX",
                   help="folder for the .eml files")
    p.add_argument("--returns", type=Path, metavar="DIR",
                   help="the folder returns were issued to: a missing return is attached from "
                   "there (default: built afresh from the master)")
    add_as_of(p, "the date flags are judged at")
    add_plan(p, help=PLAN_FOR_OTHER_WORKBOOKS)
    add_json(p)
    p.set_defaults(run=run)


def run(args) -> int:
    master = read_book(args.master, plan=load_plan(args.plan))
    written = write_chases(master, args.output, as_of=args.as_of, returns_dir=args.returns)
    if args.json:
        emit_json({"file": args.master.name, "outbox": str(args.output), "emails": [
            {"officer": c.officer, "email": c.email or None, "file": p.name,
             "missing_return": c.missing_return, "actions": len(c.items)}
            for c, p in written]})
        return 0
    out = console()
    if not written:
        out.print("[green]Nobody to chase: no officer has anything to fix or send.[/green]")
        return 0
    table = Table(title=f"Chase e-mails written to {args.output}", title_justify="left")
    for name in ("Officer", "Address", "Return", "Actions", "File"):
        table.add_column(name)
    for chase, path in written:
        table.add_row(chase.officer, chase.email or "— (add to the plan's officer_emails)",
                      "missing: attached" if chase.missing_return else "received",
                      str(len(chase.items)), path.name)
    out.print(table)
    return 0
