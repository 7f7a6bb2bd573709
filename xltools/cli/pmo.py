"""Helpers shared by the PMO reporting commands (rollup, flags, kpis)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..errors import UsageError
from ..plan import Plan
from ..reporting.dashboard import dashboard_sheet
from ..reporting.highlight import sheet_names
from ..workbook.book import Book
from ..workbook.files import output_lock
from ..workbook.layout import DASHBOARD
from ..workbook.reader import read_book
from ..workbook.writer import write_book
from .common import day_arg


def add_output(parser, what: str) -> None:
    parser.add_argument("-o", "--output", type=Path,
                        help=f"write a copy of the master with {what} (.xlsx); the input is "
                        "never changed in place")


def add_as_of(parser, what: str) -> None:
    parser.add_argument("--as-of", type=day_arg, metavar="DATE",
                        help=f"{what} (default: today, but no later than the later of the "
                        "period end and the return deadline)")





def add_previous(parser) -> None:
    parser.add_argument("--previous", type=Path, metavar="PREV.xlsx",
                        help="last quarter's master, matched by ID (default: the Previous "
                        "progress / Previous RAG columns of the master)")


def read_previous(path: Path | None, plan: Plan | None = None) -> Book | None:
    """Last quarter's workbook; ``plan`` is used only if it carries no settings."""
    return read_book(path, plan=plan) if path else None


def check_output(source: Path, output: Path | None) -> None:
    """Refuse to overwrite the input in place (a backup is not a substitute for review)."""
    if output is not None and output.resolve() == source.resolve():
        raise UsageError(f"{output}: is the input workbook; write to a new file with -o")


def write_output(book: Book, source: Path, output: Path, *, dashboard: bool = False,
                 previous: Book | None = None, as_of: date | None = None,
                 trend=None) -> Path:
    """Write ``book`` to ``output``, rebuilding the Dashboard when asked or when the
    input had one (so a refreshed Flags or KPIs column never drops it)."""
    check_output(source, output)
    builders = []
    if dashboard or DASHBOARD in sheet_names(source):
        builders.append(dashboard_sheet(previous, as_of, trend))
    with output_lock(output, "write"):
        return write_book(book, output, extra_sheets=builders)
