"""``xltools paper``: the committee tracker paper (Word), or the exception report."""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from ..reporting.paper import column_keys, paper_pdf, write_paper
from ..reporting.positions import KINDS, counts
from ..workbook.reader import read_book
from .common import PLAN_FOR_OTHER_WORKBOOKS, add_json, add_plan, console, emit_json, load_plan
from .history import add_history, trend_from
from .pmo import add_as_of
from .programme_paper import run_programme


def register(sub) -> None:
    p = sub.add_parser("paper", help="write the committee tracker paper (.docx, optionally PDF)",
                       description="The master as the Word table a committee paper carries: "
                       "one table per section, RAG cells shaded in the scheme's colours, header "
                       "rows repeated, A4 landscape with the plan title, period, protective "
                       "marking and page numbers. A real Word document the clerk can edit. On a "
                       "programme plan's master: the plan on a page instead (under each aim, one "
                       "table per programme with its purpose, SAO, RDL and Lead Member, and its "
                       "activities' Start, End, Revised end, RAG and progress) and, beside it, "
                       "the risk register paper (highest score first, unscored last).")
    p.add_argument("master", type=Path, help="the consolidated master (.xlsx)")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="PAPER.docx",
                   help="the Word document to write")
    p.add_argument("--pdf", action="store_true",
                   help="also convert it to PDF beside it (needs LibreOffice Writer)")
    p.add_argument("--exceptions", action="store_true",
                   help="an exception report: only Red, Amber, overdue and unconfirmed "
                   "actions (invalid, in conflict, no return, carried forward), with why each "
                   "is listed")
    p.add_argument("--columns", metavar="'Ref,Improvement action,…'",
                   help="the columns, by heading, comma-separated (default: the seeds' "
                   "columns: Ref, Improvement action, Accountable officer, Lead officer, What "
                   "we hope to achieve, Timeframe, Success measure, Progress, Previous status, "
                   "Current status)")
    p.add_argument("--risks", type=Path, metavar="RISKS.docx",
                   help="programme plans: where to write the risk register paper (default: "
                   "beside the paper, PAPER_risks.docx)")
    add_as_of(p, "the 'position as at' date, and what is overdue")
    add_history(p, optional_value=True, what="add a Direction column (↑ improved, ↓ worsened, "
                "→ same, with the quarters at this RAG) from")
    add_plan(p, help=PLAN_FOR_OTHER_WORKBOOKS)
    add_json(p)
    p.set_defaults(run=run)


def run(args) -> int:
    if args.output.suffix.lower() != ".docx":
        raise UsageError(f"{args.output}: the paper is a Word document; name it .docx")
    if args.output.resolve() == args.master.resolve():
        raise UsageError(f"{args.output}: is the input workbook")
    columns = column_keys([c for c in args.columns.split(",") if c.strip()]
                          if args.columns else None)
    book = read_book(args.master, plan=load_plan(args.plan))
    kwargs = {"columns": columns} if args.columns else {}
    if args.history is not None:
        kwargs["directions"] = trend_from(args.history, args.master, book).direction_texts(book)
    if book.is_programme:
        return run_programme(args, book, kwargs.get("directions"), _print_unconfirmed)
    if args.risks:
        raise UsageError("--risks: this master is not a programme plan; it has no risk register")
    written, paper = write_paper(book, args.output, exceptions=args.exceptions,
                                 as_of=args.as_of, **kwargs)
    pdf = paper_pdf(written, written.with_suffix(".pdf")) if args.pdf else None
    if args.json:
        emit_json({"file": args.master.name, "output": str(written),
                   "pdf": str(pdf) if pdf else None, "actions": paper.count,
                   "sections": {name: len(rows) for name, rows in paper.sections.items()},
                   "not_confirmed": counts(paper.marked)})
        return 0
    what = "Exception report" if args.exceptions else "Tracker paper"
    out = console()
    out.print(f"{what} written to {written}: {paper.count} actions in "
              f"{len(paper.sections)} sections")
    _print_unconfirmed(out, paper)
    if pdf:
        out.print(f"PDF written to {pdf}")
    return 0


def _print_unconfirmed(out, paper) -> None:
    """What the PMO must know before the paper goes out: how many of its rows are not
    this quarter's confirmed update, of each kind (each marked in the paper)."""
    found = counts(paper.marked)
    if not found:
        out.print("Every action's position is this quarter's confirmed update.")
        return
    out.print(f"[yellow]{sum(found.values())} actions are marked as not this quarter's "
              "confirmed update:[/yellow]")
    for key, n in found.items():
        kind = KINDS[key]
        out.print(f"  {kind.marker} {kind.label}: {n}")
