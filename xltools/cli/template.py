"""``xltools template``: write the canonical workbook for a plan."""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from ..plan import Plan
from ..workbook.template import write_template
from .common import SAMPLE_PLAN, add_plan, console


def register(sub) -> None:
    p = sub.add_parser("template", help="build the blank template workbook from a plan file",
                       description="Build the canonical workbook (Guidance, Actions, Savings, "
                       "KPIs, Lists) for a plan file.")
    add_plan(p, help="plan file (JSON): organisation, period, officers, sections, RAG "
             "scheme… (default, in a clone of the repository only: "
             "workbook_templates/sample_plan.json)")
    p.add_argument("-o", "--output", type=Path, required=True, help="workbook to write (.xlsx)")
    p.set_defaults(run=run)


def run(args) -> int:
    if args.plan is None and not SAMPLE_PLAN.exists():
        raise UsageError("no plan given: pass --plan PLAN.json (the sample plan is only in a "
                         "clone of the repository)")
    plan = Plan.load(args.plan or SAMPLE_PLAN)
    out = write_template(plan, args.output)
    console().print(f"Template for '{plan.title}' ({plan.period}) written to {out}")
    return 0
