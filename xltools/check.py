"""Check one workbook (a return, a master or a template) the way consolidation will.

What an officer needs to fix before sending a return, by sheet, row, column
and rule — the same reader and validator consolidation uses, so a return that
passes here will consolidate cleanly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .book import Book
from .findings import ERROR, Finding, count_by_code
from .reader import read_book
from .validate import validate_book

STRUCTURAL = {"MISSING_COLUMN", "UNREADABLE", "DUPLICATE_ID", "MERGED_CELLS"}


@dataclass
class CheckReport:
    """The result of checking one workbook."""

    file: str
    book: Book
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def structural(self) -> list[Finding]:
        return [f for f in self.findings if f.code in STRUCTURAL]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.book.kind,
            "officer": self.book.officer,
            "period": self.book.plan.period,
            "actions": len(self.book.actions),
            "ok": self.ok,
            "counts": count_by_code(self.findings),
            "findings": [f.to_dict() for f in self.findings],
        }


def check_book(book: Book, file: str | None = None) -> CheckReport:
    """Validate an in-memory book (already read) and collect every finding."""
    name = file or Path(book.path or "workbook").name
    findings = list(book.findings) + validate_book(book, file=name)
    return CheckReport(name, book, findings)


def check_workbook(path: str | Path) -> CheckReport:
    """Read and validate ``path``. Unreadable files raise WorkbookError."""
    return check_book(read_book(path), Path(path).name)
