"""Check one workbook (a return, a master or a template) the way consolidation will.

What an officer needs to fix before sending a return, by sheet, row, column
and rule — the same reader and validator consolidation uses, so a return that
passes here will consolidate cleanly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..findings import CATALOGUE, ERROR, Finding, codes_in, count_by_code
from ..reporting.flags import empty_progress
from ..workbook.book import Book, blank, cell_ref
from ..workbook.layout import ACTIONS_LAYOUT, RETURN
from ..workbook.reader import read_book
from ..workbook.validate import validate_book

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

    @property
    def to_do(self) -> list[Finding]:
        """Actions the officer has not filled in yet (a return's NO_UPDATE notes)."""
        return [f for f in self.findings if f.code == "NO_UPDATE"]

    @property
    def ready(self) -> bool:
        """Nothing to fix and nothing left to fill in: the return can go back."""
        return self.ok and not self.to_do

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.book.kind,
            "officer": self.book.officer,
            "period": self.book.plan.period,
            "actions": len(self.book.actions),
            "ok": self.ok,
            "ready": self.ready,
            "counts": count_by_code(self.findings),
            "findings": [f.to_dict() for f in self.findings],
        }


def check_book(book: Book, file: str | None = None) -> CheckReport:
    """Validate an in-memory book (already read) and collect every finding."""
    name = file or Path(book.path or "workbook").name
    findings = list(book.findings) + validate_book(book, file=name)
    if book.kind == RETURN:
        findings += unfilled(book, name)
    else:
        findings += flagged(book, name)
    return CheckReport(name, book, findings)


def flagged(book: Book, file: str) -> list[Finding]:
    """A master's Flags lines that are errors (an unresolved CONFLICT, an INVALID value, a
    problem CARRIED from last quarter): the PMO still has them to resolve, so the master
    is not "No problems" — each at its real Flags cell."""
    letter = book.letters(ACTIONS_LAYOUT).get("flags")
    if letter is None:
        return []
    out = []
    for row in book.actions:
        for line in str(row.get("flags") or "").splitlines():
            code = next(iter(codes_in(line)), None)
            if code and CATALOGUE[code].severity == ERROR:
                out.append(Finding(code, line.split(":", 1)[1].strip(), file=file,
                                   sheet=ACTIONS_LAYOUT.name, cell=f"{letter}{row['_row']}",
                                   action_id=row.get("id"), column="Flags"))
    return out


_UNFILLED = {"progress_update": "progress update", "rag": "RAG status"}


def unfilled(book: Book, file: str) -> list[Finding]:
    """In a return: each action still without a progress update (blank, or a placeholder
    such as 'n/a' — what ``xltools flags`` calls NO_UPDATE) or a RAG status.

    Not errors — the file is valid — but "Check my return" must not say "ready"
    while the officer still has rows to write."""
    letters = book.letters(ACTIONS_LAYOUT)
    out = []
    for row in book.actions:
        missing = [key for key, empty in (("progress_update", empty_progress), ("rag", blank))
                   if key in letters and empty(row.get(key))]  # (a lost column: MISSING_COLUMN)
        if missing:
            names = " and no ".join(_UNFILLED[k] for k in missing)
            out.append(Finding("NO_UPDATE", f"action {row.get('ref') or row.get('id')} has no "
                               f"{names} yet", file=file, sheet=ACTIONS_LAYOUT.name,
                               cell=cell_ref(letters, missing[0], row),
                               action_id=row.get("id"), column=missing[0]))
    return out


def check_workbook(path: str | Path) -> CheckReport:
    """Read and validate ``path``. Unreadable files raise WorkbookError."""
    return check_book(read_book(path), Path(path).name)
