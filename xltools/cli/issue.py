"""``xltools issue``: one return per officer from the master."""

from __future__ import annotations

from pathlib import Path

from ..cycle.returns import BY_COLUMNS, issue_returns
from .common import add_json, console, emit_json, print_findings
from .progress import progress_bar


def register(sub) -> None:
    p = sub.add_parser("issue", help="write one return per officer from the master",
                       description="Write one return per officer into a folder: only their "
                       "actions, last quarter's progress and RAG shown read-only, the update "
                       "fields empty. An action with two officers goes to both. Savings rows go to "
                       "their project's lead officer, whether or not they lead an action.")
    p.add_argument("master", type=Path, help="the master workbook (.xlsx)")
    p.add_argument("-o", "--output", type=Path, required=True,
                   help="folder to write the returns into (created if missing)")
    p.add_argument("--by", choices=sorted(BY_COLUMNS), default=None,
                   help="who gets each action: its lead or its accountable officer "
                   "(default: the plan's return_by setting, normally lead)")
    p.add_argument("--savings", action="store_true",
                   help="finance: issue savings returns only — one per project lead officer, "
                   "their projects' rows for every year, Expected filled, Revised empty "
                   "(works from a finance-only savings baseline)")
    p.add_argument("--replace", action="store_true",
                   help="the folder already holds returns: move them into a "
                   "replaced-<date-time>/ sub-folder first (without it, issue stops)")
    p.add_argument("--workers", type=int, default=None,
                   help="processes to write with (default: up to 2)")
    add_json(p)
    p.set_defaults(run=run)


def run(args) -> int:
    with progress_bar("Issuing returns", enabled=not args.json) as tick:
        report = issue_returns(args.master, args.output, by=args.by, workers=args.workers,
                               progress=tick, savings_only=args.savings,
                               replace=args.replace)
    if args.json:
        emit_json(report.to_dict())
        return 0
    out = console()
    actions = sum(len(r.actions) for r in report.returns)
    what = "savings returns" if args.savings else "returns"
    how = "by project lead officer" if args.savings else \
        f"by {report.by} officer, {actions} action rows"
    out.print(f"{len(report.returns)} {what} for {report.period} ({how}) written to "
              f"{report.out_dir} in {report.seconds:.1f} s")
    if report.replaced:
        out.print(f"The earlier returns were moved into {report.replaced}")
    for issued in report.returns:
        parts = [] if args.savings else [_count(len(issued.actions), "action")]
        parts += [_count(issued.savings, "savings row")] if issued.savings else []
        parts += [_count(len(issued.risks), "risk")] if issued.risks else []  # programme plans
        out.print(f"  {issued.path.name}: {', '.join(parts)}")
    if report.findings:
        print_findings(report.findings, "Check the master", out)
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
