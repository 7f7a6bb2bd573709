"""``xltools consolidate``: merge a folder of returns into a new master."""

from __future__ import annotations

from pathlib import Path

from ..cycle.consolidate import consolidate
from ..cycle.intake import return_files
from ..errors import UsageError
from .common import add_json, console, day_arg, emit_json, print_findings
from .history import add_history, record_after
from .progress import progress_bar


def register(sub) -> None:
    p = sub.add_parser("consolidate", help="merge officers' returns into the master",
                       description="Read every return in a folder, validate each row, merge "
                       "the updates into the master by ID, and write a new master with the "
                       "Flags column and the Log sheet filled in. The input master is never "
                       "overwritten.")
    p.add_argument("master", type=Path, help="the master workbook (.xlsx)")
    p.add_argument("returns", type=Path, help="folder holding the returns")
    p.add_argument("-o", "--output", type=Path,
                   help="consolidated master to write (.xlsx; not the master itself); "
                   "required unless --in-place")
    p.add_argument("--in-place", action="store_true",
                   help="write over MASTER itself, after saving a timestamped backup beside it")
    p.add_argument("--as-of", type=day_arg, default=None, metavar="DATE",
                   help="the consolidation date, DD/MM/YYYY or YYYY-MM-DD (default: "
                   "today); 'Last updated' dates after it are flagged")
    p.add_argument("--delegate", action="append", default=[], metavar="DEPUTY=OFFICER",
                   help="let DEPUTY's return update OFFICER's actions this time (a deputy "
                   "covering leave); repeatable. Each such row is merged and reported as "
                   "DELEGATED; without it a row for someone else's action is NOT_OWNER")
    p.add_argument("--adopt-returns", action="store_true",
                   help="accept returns issued from an earlier master of this plan (before "
                   "a re-import made a new plan ID) when their organisation, department, "
                   "title, period and every action ID match; each is reported ADOPTED and "
                   "logged")
    add_history(p, optional_value=True)
    add_json(p)
    p.set_defaults(run=run)



def delegates(pairs: list[str]) -> dict[str, list[str]]:
    """``["Steve Edwards=Jon Hawketts", …]`` → deputy → the officers they cover."""
    out: dict[str, list[str]] = {}
    for pair in pairs:
        deputy, _, officer = (" ".join(p.split()) for p in pair.partition("="))
        if not deputy or not officer:
            raise UsageError(f"--delegate '{pair}': give DEPUTY=OFFICER, e.g. "
                             "\"Steve Edwards=Jon Hawketts\"")
        out.setdefault(deputy, []).append(officer)
    return out


def run(args) -> int:
    if args.output is None and not args.in_place:
        raise UsageError("say where to write the consolidated master: -o OUT.xlsx "
                         "(or --in-place)")
    out = args.master if args.in_place and args.output is None else args.output
    deputies = delegates(args.delegate)
    total = len(return_files(args.returns))
    with progress_bar("Reading returns", enabled=not args.json, total=total) as tick:
        report = consolidate(args.master, args.returns, out, as_of=args.as_of,
                             in_place=args.in_place, progress=tick,
                             delegates=deputies, adopt=args.adopt_returns)
    recorded = None if args.history is None else record_after(args.history, Path(report.output))
    if args.json:
        emit_json(report.to_dict() | ({"history": recorded.to_dict()} if recorded else {}))
        return 0
    print_report(report)
    if recorded:
        console().print(f"History: {recorded.message()} in {recorded.store}")
    return 0


def print_report(report) -> None:
    out = console()
    c = report.counts()
    out.print(f"[bold]{report.master}[/bold] + {c['files']} files → {report.output} "
              f"({report.period}, as of {report.as_of:%d/%m/%Y}) in "
              f"{report.timings.get('total', 0):.2f} s")
    if report.backup:
        out.print(f"Backup of the master before writing: {report.backup}")
    out.print(f"  returns read {c['returns_read']}, merged {c['returns_merged']}; actions "
              f"updated {c['rows_updated']}, unchanged {c['rows_unchanged']}, returned with no "
              f"update {c['rows_no_update']}; savings lines updated {c['savings_updated']}"
              + (f"; risks rescored {c['risks_updated']}" if "risks_updated" in c else ""))
    out.print(f"  invalid rows {c['rows_invalid']} (kept, flagged INVALID), conflicts "
              f"{c['conflicts']}, unknown IDs {c['unknown_ids']}, wrong period "
              f"{c['wrong_period']}, wrong plan {c['wrong_plan']}, not the officer's own "
              f"{c['not_owner']}, unreadable {c['unreadable']}"
              + (f", not returns {c['not_a_return']} (a master or template)"
                 if c["not_a_return"] else "")
              + (f", skipped {c['skipped']} (xltools backups)" if c["skipped"] else "")
              + (f", adopted {c['adopted']} (--adopt-returns)" if c["adopted"] else "")
              + (f", blank {c['blank']} (no update: not counted as returned)"
                 if c["blank"] else ""))
    for warning in report.findings:
        if warning.code == "BLANK_RETURN" and warning.file == report.returns_dir:
            out.print(f"[yellow]  {warning.message}[/yellow]")
    plans = {f.extra_settings.get("issued_from") for f in
             (rf.book for rf in report.files if rf.wrong_plan and rf.book is not None)}
    if c["wrong_plan"] and len(plans) == 1 and None not in plans:
        out.print(f"[yellow]  {c['wrong_plan']} returns were issued from {plans.pop()}, "
                  "another plan than this master's: consolidate them into that master, or "
                  "(if you rebuilt this one on purpose) run again with --adopt-returns"
                  "[/yellow]")
    if report.missing:
        out.print("  missing returns: " + ", ".join(
            f"{officer} ({len(ids)} action{'' if len(ids) == 1 else 's'})"
            for officer, ids in report.missing.items()))
    print_findings(report.findings, "Findings", out)
