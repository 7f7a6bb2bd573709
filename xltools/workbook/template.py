"""Build the canonical workbook from a plan (DESIGN.md §5.1).

The template is a Book with no rows: every later workbook — master, return,
next quarter — is the same format with rows in it, written by the same writer.
"""

from __future__ import annotations

from pathlib import Path

from ..plan import Plan
from .book import Book
from .layout import TEMPLATE
from .writer import write_book

DEFAULT_TEMPLATE_NAME = "xltools_template.xlsx"


def template_book(plan: Plan) -> Book:
    """An empty workbook for ``plan``: spare input rows, all lists and settings, and
    the plan's identity (minted here when the plan file has none)."""
    return Book(plan=plan.with_plan_id(), kind=TEMPLATE)


def write_template(plan: Plan, out: str | Path) -> Path:
    """Write the canonical template for ``plan`` to ``out``."""
    return write_book(template_book(plan), out)
