"""``xltools savings``: reconcile savings returns against the MTFS baseline."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from ..cycle.intake import return_files
from ..savings.published import compare_published, read_published
from ..savings.reconcile import Reconciliation, parse_years_option, reconcile_files
from ..savings.reconciliation_sheet import write_reconciliation_workbook
from ..savings.rows import fmt
from .common import (
    PLAN_FOR_OTHER_WORKBOOKS,
    add_json,
    add_plan,
    console,
    emit_json,
    load_plan,
    print_findings,
    refuse_input_as_output,
)


def register(sub) -> None:
    p = sub.add_parser(
        "savings", help="reconcile savings returns against the baseline (MTFS) profile",
        description="Compare the Savings rows of returns with the baseline workbook: per "
        "project and year Expected, Revised and Change; classify each project's change "
        "(re-profile, write-off, mitigation, extension, new); sum the committee summary by "
        "year; flag every difference that is not explained. Money is £000.")
    p.add_argument("baseline", type=Path, help="the baseline/master workbook (.xlsx)")
    p.add_argument("returns", type=Path, nargs="*", metavar="RETURN",
                   help="returned workbooks (.xlsx), or a folder of them; none = use the "
                   "baseline's own Revised")
    p.add_argument("-o", "--output", type=Path,
                   help="write the baseline with revisions merged plus a Reconciliation sheet")
    p.add_argument("--years", help="summary years, e.g. 2019/20-2022/23 or 2019/20,2020/21 "
                   "(default: the plan's savings years)")
    p.add_argument("--against", type=Path, metavar="SUMMARY",
                   help="the committee's published summary table (.xlsx, .csv or .docx: rows "
                   "Change requests, Extensions, Total; a column per year) to check cell by "
                   "cell; differences are PUBLISHED_MISMATCH, a year folded into the next "
                   "FOLDED_YEAR")
    add_plan(p, help=PLAN_FOR_OTHER_WORKBOOKS)
    add_json(p)
    p.set_defaults(run=run)


def run(args) -> int:
    refuse_input_as_output(args.output, [args.baseline, *args.returns])
    plan = load_plan(args.plan)
    start_month = plan.fy_start_month if plan else 4
    years = parse_years_option(args.years, start_month) if args.years else None
    returns = [f for path in args.returns
               for f in (return_files(path, exclude=(args.baseline,)) if path.is_dir()
                         else [path])]
    rec = reconcile_files(args.baseline, returns, years=years, plan=plan)
    published = None
    if args.against:
        published = read_published(args.against, rec.baseline.plan.fy_start_month)
        rec.findings += compare_published(rec, published)
    written = write_reconciliation_workbook(rec, args.output) if args.output else None
    if args.json:
        data = rec.to_dict()
        data["output"] = str(written) if written else None
        data["against"] = published.file if published else None
        data["against_unit"] = published.unit if published else None
        emit_json(data)
        return 0
    out = console()
    out.print(summary_table(rec))
    out.print(projects_table(rec))
    print_findings(rec.findings, "Flags", out)
    if published:
        differ = [f for f in rec.findings if f.code in ("PUBLISHED_MISMATCH", "FOLDED_YEAR")]
        out.print(f"Against {published.file} ({published.unit_note()}): "
                  + (f"{len(differ)} difference(s), in Flags" if differ
                     else "every figure matches"))
    if written:
        out.print(f"Reconciliation written to {written}")
    if not rec.complete:
        out.print(rec.incomplete_note, style="bold red", markup=False)
    return 0


def summary_table(rec: Reconciliation) -> Table:
    """The committee table, as printed on the terminal."""
    summary = rec.summary
    title = "Summary of changes by year (£000)" + ("" if rec.complete else " — INCOMPLETE")
    table = Table(title=title, title_justify="left")
    table.add_column("")
    for year in rec.years:
        table.add_column(year if year in rec.range_years else f"{year} †", justify="right")
    table.add_column("Total", justify="right")
    labels = (("Re-profiles", "re_profiles"), ("Write-offs", "write_offs"),
              ("Mitigations", "mitigations"), ("Change requests", "change_requests"),
              ("Extensions", "extensions"), ("New savings", "new"), ("Total", "total"))
    for label, key in labels:
        cells = [fmt(summary["by_year"][y][key]) for y in rec.years]
        table.add_row(label, *cells, fmt(summary["grand_total"][key]),
                      style="bold" if key in ("change_requests", "total") else "")
    if rec.outside_years:
        table.caption = f"† outside the plan's years ({', '.join(rec.range_years)})"
    return table


def projects_table(rec: Reconciliation) -> Table:
    table = Table(title=f"Projects ({len(rec.projects)})", title_justify="left")
    for name in ("Ref", "Project", "Counted as", "Expected", "Revised", "Change", "Flags"):
        table.add_column(name, justify="right" if name in ("Expected", "Revised", "Change")
                         else "left", overflow="ellipsis" if name == "Project" else "fold",
                         no_wrap=name in ("Ref", "Project"), max_width=34)
    for p in rec.projects:
        table.add_row(p.ref, p.project, p.counted_as, fmt(p.total("expected")),
                      fmt(p.total("revised")), fmt(p.total("change")), ", ".join(p.codes))
    return table
