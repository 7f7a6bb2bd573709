"""``xltools paper`` on a programme master: the plan on a page and the risk register.

A programme plan's board reads two papers: the plan on a page (its activities,
under aims and programmes) and the risk register. Both come from one command so
they always describe the same master; the risk register is written beside the
paper, named after it (``board.docx`` → ``board_risks.docx``), or where
``--risks`` says.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from ..reporting.paper import paper_pdf
from ..reporting.plan_on_a_page import write_plan_paper
from ..reporting.positions import counts
from ..reporting.risk_paper import NOT_SCORED, write_risk_paper
from .common import console, emit_json


def risks_path(args) -> Path:
    """Where the risk register goes: ``--risks``, else beside the paper."""
    out = args.risks or args.output.with_name(f"{args.output.stem}_risks.docx")
    if out.suffix.lower() != ".docx":
        raise UsageError(f"{out}: the risk register is a Word document; name it .docx")
    if out.resolve() in (args.output.resolve(), args.master.resolve()):
        raise UsageError(f"{out}: the risk register needs a file of its own")
    return out


def run_programme(args, book, directions: dict[str, str] | None, print_unconfirmed) -> int:
    """Write both papers (and their PDFs with --pdf), then say what they hold."""
    if args.columns:
        raise UsageError("--columns chooses the tracker paper's columns; a programme plan's "
                         "plan on a page has fixed ones (Ref, Key activity, Start, End, "
                         "Revised end, RAG, Latest progress)")
    risks_out = risks_path(args)
    written, paper = write_plan_paper(book, args.output, exceptions=args.exceptions,
                                      as_of=args.as_of, directions=directions)
    risks_written, register = write_risk_paper(book, risks_out)
    pdfs = [paper_pdf(f, f.with_suffix(".pdf")) for f in (written, risks_written)
            ] if args.pdf else [None, None]
    unscored = len(register.unscored)
    if args.json:
        emit_json({"file": args.master.name, "output": str(written),
                   "pdf": str(pdfs[0]) if pdfs[0] else None, "actions": paper.count,
                   "aims": len(paper.aims), "programmes": paper.programmes,
                   "not_confirmed": counts(paper.selected.marked),
                   "risks_output": str(risks_written),
                   "risks_pdf": str(pdfs[1]) if pdfs[1] else None,
                   "risks": len(register.risks), "risks_not_scored": unscored,
                   "risk_order": [r.get("id") for r in register.risks]})
        return 0
    out = console()
    what = "Exception report (plan on a page)" if args.exceptions else "Plan on a page"
    out.print(f"{what} written to {written}: {paper.count} key activities in "
              f"{len(paper.programmes)} programmes under {len(paper.aims)} aims")
    print_unconfirmed(out, paper.selected)
    out.print(f"Risk register written to {risks_written}: {len(register.risks)} risks, "
              "highest score first"
              + (f"; [yellow]{unscored} of them {NOT_SCORED.lower()}[/yellow] (listed last)"
                 if unscored else ""))
    for pdf in filter(None, pdfs):
        out.print(f"PDF written to {pdf}")
    return 0
