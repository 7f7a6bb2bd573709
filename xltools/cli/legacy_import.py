"""``xltools import``: turn a legacy tracker (docx/pdf/xlsx/CSV/TSV) into a master workbook."""

from __future__ import annotations

from pathlib import Path

from ..findings import with_references
from ..legacy.columns import load_mapping
from ..legacy.importer import import_legacy, write_import
from ..status import load_mapping_file
from .common import (
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
        "import", help="import a legacy tracker (Word .docx, PDF, xlsx, CSV/TSV) as a master",
        description="Read a legacy action tracker and write an xltools master: headers matched "
        "to the Actions columns, repeated headers and page breaks handled, officers split, "
        "free-text statuses mapped to RAG, a stable ID for every action. Reports every row "
        "merged, skipped, repaired or not placed.")
    p.add_argument("source", type=Path, help="the tracker: .docx, .pdf, .xlsx, .csv or "
                   ".txt/.tsv")
    p.add_argument("-o", "--output", type=Path, required=True, help="master to write (.xlsx)")
    add_plan(p, help="plan file (JSON) whose officers, sections, period and status mapping "
             "the master uses; without it, --period is required and the lists come from "
             "the tracker")
    p.add_argument("--period", help='reporting period, e.g. "Q2 2019/20" (default: the plan\'s)')
    p.add_argument("--mapping", type=Path,
                   help='JSON {"source header": "Actions column"} overriding header matching; '
                   'a column with no header is named by position ("#9" or its letter "I")')
    p.add_argument("--status-mapping", type=Path,
                   help='JSON {"status text": "RAG status"} added to the plan\'s mapping')
    p.add_argument("--force", action="store_true",
                   help="import even when many rows do not look like tracker actions "
                   "(each such row is flagged FORCED in its Flags, and check counts it)")
    add_json(p)
    p.set_defaults(run=run)


def _programme_summary(report, review: int, out) -> None:
    """What a programme plan's import found, beyond its actions (issue 27)."""
    settings = report.book.extra_settings
    out.print(f"A programme plan: {len(settings.get('programmes', []))} programmes under "
              f"{len(settings.get('aims', {}))} aims, {len(report.book.risks)} risks on the "
              f"Risks sheet, {len(report.book.kpis)} KPIs.")
    if review:
        kinds = ["dates that did not line up with their activities", "officers not printed"]
        if str(report.source).lower().endswith(".pdf"):
            kinds.append("text read from the PDF by a guess (check it against the PDF)")
        out.print(f"{review} things to check by hand (REVIEW above): "
                  f"{', '.join(kinds[:-1])}, or {kinds[-1]}.")


def newest_backup(path: Path) -> Path | None:
    """The backup ``write_book`` just made of the file it replaced."""
    found = sorted(path.parent.glob(f"{path.stem}.*.bak{path.suffix}"),
                   key=lambda p: p.stat().st_ctime_ns)  # (copystat keeps mtime)
    return found[-1] if found else None


def run(args) -> int:
    refuse_input_as_output(args.output, [args.source])
    report = import_legacy(
        args.source,
        plan=load_plan(args.plan),
        period=args.period,
        mapping=load_mapping(args.mapping) if args.mapping else None,
        status_mapping=load_mapping_file(args.status_mapping) if args.status_mapping else None,
        force=args.force,
    )
    # actions named by Ref and title, as the master shows them (not by internal ID)
    report.findings = with_references(report.findings, report.book.actions)
    existed = args.output.exists()
    out_path = write_import(report, args.output)
    backup = newest_backup(out_path) if existed else None
    if args.json:
        emit_json({**report.to_dict(), "output": str(out_path),
                   "backup": str(backup) if backup else None})
        return 0
    out = console()
    plan = report.book.plan
    out.print(f"{report.source}: {report.rows_read} rows read → {len(report.book.actions)} "
              f"actions in {len(plan.sections)} sections, {len(plan.officers)} officer entries")
    blank = [f for f in report.findings if f.extra.get("reason") == "blank"]
    shown = [f for f in report.findings if f.extra.get("reason") != "blank"]
    print_findings(shown, "Import report", out)
    skipped = sum(1 for f in report.findings if f.code == "SKIPPED_ROW")  # as --json counts
    if skipped:
        out.print(f"{skipped} rows skipped in all ({len(blank)} of them blank: those are "
                  "listed with --json).")
    review = sum(1 for f in report.findings if f.code == "REVIEW")
    if report.book.extra_settings.get("plan_shape") == "programme":
        _programme_summary(report, review, out)
    elif review:
        out.print(f"{review} cells were read from the PDF by a guess (REVIEW above): check "
                  "them against the PDF before using the master.")
    out.print(f"Master for {plan.period} written to {out_path}")
    if backup:
        out.print(f"The previous {out_path.name} was kept as {backup.name}")
    return 0
