"""``xltools template``: write the canonical workbook for a plan."""

from __future__ import annotations

from pathlib import Path

from ..plan import Plan
from ..template import write_template
from .common import SAMPLE_PLAN, add_plan, console


def register(sub) -> None:
    p = sub.add_parser("template", help="build the canonical template workbook from a plan",
                       description="Build the canonical workbook (Guidance, Actions, Savings, "
                       "KPIs, Lists) for a plan file.")
    add_plan(p)
    p.add_argument("-o", "--output", type=Path, required=True, help="workbook to write (.xlsx)")
    p.set_defaults(run=run)


def run(args) -> int:
    plan = Plan.load(args.plan or SAMPLE_PLAN)
    out = write_template(plan, args.output)
    console().print(f"Template for '{plan.title}' ({plan.period}) written to {out}")
    return 0
