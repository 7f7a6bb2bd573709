"""``xltools revise``: apply a revised version of the plan to a master."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from ..errors import UsageError
from ..findings import INFO
from ..legacy.columns import load_mapping
from ..legacy.revise import RevisionReport, carried_findings, revise
from .common import add_json, console, emit_json, print_findings


def register(sub) -> None:
    p = sub.add_parser(
        "revise", help="apply a revised plan (docx, pdf, xlsx, csv) to a master",
        description="Match the revised plan's actions to the master's (by an ID column, "
        "a Was/old-ref column, else by action text, each match scored), keep matched "
        "actions' IDs, progress and history while taking the revision's refs, sections, "
        "officers and text; move "
        "actions the revision dropped to the Archive as Withdrawn; give new actions new "
        "IDs; log every change. The master itself is never changed.")
    p.add_argument("master", type=Path, help="the current master (.xlsx)")
    p.add_argument("revised", type=Path,
                   help="the revised plan: .docx, .pdf, .xlsx, .csv or .txt/.tsv")
    p.add_argument("-o", "--output", type=Path,
                   help="revised master to write (.xlsx; not the master)")
    p.add_argument("--dry-run", action="store_true",
                   help="print the match table and write nothing")
    p.add_argument("--mapping", type=Path,
                   help='JSON {"source header": "Actions column"} for the revised plan')
    p.add_argument("--force", action="store_true",
                   help="read the revised plan even when many rows do not look like tracker "
                   "actions (as import --force: they are flagged)")
    add_json(p)
    p.set_defaults(run=run)


def run(args) -> int:
    if not args.dry_run and args.output is None:
        raise UsageError("give -o NEW.xlsx for the revised master, or --dry-run to only "
                         "see the matches")
    report = revise(args.master, args.revised, None if args.dry_run else args.output,
                    mapping=load_mapping(args.mapping) if args.mapping else None,
                    force=args.force)
    if args.json:
        emit_json(report.to_dict())
        return 0
    out = console()
    out.print(match_table(report))
    matched = sum(1 for m in report.matches if m.master is not None)
    out.print(f"{matched} matched, {len(report.matches) - matched} new, "
              f"{len(report.withdrawn)} withdrawn, {len(report.changes)} changes")
    carried = [f for f in carried_findings(report.imported)
               if f.severity != INFO or f.code == "COLUMN_READ"]
    print_findings(carried, f"Reading {report.revised}", out)
    if carried:
        out.print(f"{len(carried)} findings from reading {report.revised} (above, and in the "
                  "Log): check those cells against the revised plan.")
    print_findings([f for f in report.findings if f.code == "WITHDRAWN"], "Withdrawn", out)
    if report.output:
        out.print(f"Revised master written to {report.output} (every change is in its Log)")
    else:
        out.print("Dry run: nothing written.")
    return 0


def match_table(report: RevisionReport) -> Table:
    """One line per revised action: its ID, old and new ref, how it was matched."""
    table = Table(title=f"{report.revised} → {report.master}")
    for name in ("ID", "Was", "Ref", "Match", "Score", "Action"):
        table.add_column(name)
    for m in report.matches:
        action_id = m.master.get("id") if m.master else (m.new_id or "(new)")
        table.add_row(str(action_id), str((m.master or {}).get("ref") or ""),
                      str(m.revised.get("ref") or ""), m.how,
                      f"{m.score:.2f}" if m.master else "", _short(m.revised.get("action")))
    return table


def _short(value, limit: int = 60) -> str:
    value = " ".join(str(value or "").split())
    return value if len(value) <= limit else value[: limit - 1] + "…"
