"""``xltools next-quarter``: next quarter's master from this quarter's consolidated one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..cycle.rollover import next_quarter
from .common import add_json, console, day_arg, emit_json, print_findings
from .history import add_history, record_after


def register(sub) -> None:
    p = sub.add_parser(
        "next-quarter", help="build next quarter's master from a consolidated master",
        description="Advance the period and deadline, move this quarter's updates to "
        "'Previous progress' / 'Previous RAG', clear the update cells, archive Complete "
        "actions, give new actions IDs, carry approved savings changes into the baseline "
        "and move KPI Latest to Previous. The master itself is never changed.")
    p.add_argument("master", type=Path, help="this quarter's consolidated master (.xlsx)")
    p.add_argument("-o", "--output", type=Path, required=True,
                   help="next quarter's workbook to write (.xlsx; not the master)")
    p.add_argument("--deadline", type=day_arg, metavar="DATE",
                   help="return deadline, DD/MM/YYYY or YYYY-MM-DD (default: the same "
                   "number of days after the quarter ends as last quarter's, else 14; a "
                   "weekend moves to the Monday)")
    p.add_argument("--keep-complete", action="store_true",
                   help="keep Complete actions on the Actions sheet instead of archiving them")
    p.add_argument("--to", metavar="PERIOD",
                   help='roll straight to a later quarter, e.g. "Q2 2020/21" (one roll: '
                   "progress moved to Previous and Complete actions archived once)")
    p.add_argument("--carry-problems", action="store_true",
                   help="carry unresolved CONFLICT / INVALID actions into the new quarter "
                   "(both texts kept in Previous progress, flagged CARRIED) instead of "
                   "stopping")
    p.add_argument("--unconsolidated", action="store_true",
                   help="roll on a master no returns were consolidated into this period "
                   "(a quarter with no returns); without it next-quarter stops")
    add_history(p, optional_value=True)
    add_json(p)
    p.set_defaults(run=run)



def run(args) -> int:
    report = next_quarter(args.master, args.output, deadline=args.deadline,
                          keep_complete=args.keep_complete, to=args.to,
                          carry_problems=args.carry_problems,
                          unconsolidated=args.unconsolidated)
    # the quarter just closed is what history keeps (next quarter's master is still blank)
    recorded = None if args.history is None else record_after(args.history, args.master)
    if args.json:
        emit_json(report.to_dict() | ({"history": recorded.to_dict()} if recorded else {}))
        return 0
    out = console()
    deadline = date.fromisoformat(report.deadline)  # JSON keeps ISO; the screen, DD/MM/YYYY
    out.print(f"{report.previous_period} → {report.period}, deadline {deadline:%d/%m/%Y} "
              f"({report.deadline_rule})")
    out.print(f"Actions: {len(report.carried)} carried, {len(report.archived)} archived"
              + (f" ({_named(report, report.archived)})" if report.archived else "")
              + (f", {len(report.new_ids)} new ({_named(report, report.new_ids)})"
                 if report.new_ids else ""))
    if report.timeframes_dropped or report.timeframes_added:
        out.print(f"Timeframe list: dropped {', '.join(report.timeframes_dropped) or 'none'}; "
                  f"added {', '.join(report.timeframes_added) or 'none'}")
    s = report.savings
    out.print(f"Savings: {s.get('rows', 0)} rows, {s.get('approved', 0)} approved changes "
              f"carried into Expected, {s.get('not_carried', 0)} not carried (NOT_CARRIED)")
    out.print(f"KPIs: {report.kpis_moved} Latest values moved to Previous")
    if not report.consolidated:
        out.print(f"[yellow]No returns were consolidated into this master for "
                  f"{report.previous_period}: rolled on as asked (--unconsolidated)[/yellow]")
    if report.problems_carried:
        out.print(f"[yellow]Unresolved problems carried, flagged CARRIED: "
                  f"{_named(report, report.problems_carried)}[/yellow]")
    print_findings(report.findings, "Notes", out)
    if report.structural:
        print_findings(report.structural, "Structural problems in the output", out)
    out.print(f"Written to {report.output}")
    if recorded:
        out.print(f"History: {recorded.message()} in {recorded.store}")
    return 0


def _named(report, ids: list[str]) -> str:
    """Actions by Ref and title, as the PMO sees them on the master (not by ID)."""
    return "; ".join(report.names.get(i, i) for i in ids)
