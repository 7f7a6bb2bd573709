"""Check one workbook (a return, a master or a template) the way consolidation will.

What an officer needs to fix before sending a return, by sheet, row, column
and rule — the same reader and validator consolidation uses, so a return that
passes here will consolidate cleanly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import UsageError, WorkbookError
from ..findings import CATALOGUE, ERROR, Finding, codes_in, count_by_code
from ..plan import split_officers
from ..reporting.flags import empty_progress
from ..workbook.book import Book, blank, cell_ref
from ..workbook.layout import ACTIONS_LAYOUT, RETURN
from ..workbook.reader import WORKBOOK_LIMITS, Limits, read_book
from ..workbook.sandbox import run_capped
from ..workbook.validate import validate_book
from .intake import future_dates, read_alone
from .merge import MergeResult, locked_changes, period_state
from .returns import by_column, read_master

STRUCTURAL = {"MISSING_COLUMN", "UNREADABLE", "DUPLICATE_ID", "MERGED_CELLS"}
# Warnings that still mean consolidation will not take the return as sent.
NOT_READY = {"LOCKED_CHANGED"}


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
    def held_back(self) -> list[Finding]:
        """Warnings consolidation will act on (a locked cell typed over is not merged)."""
        return [f for f in self.findings if f.code in NOT_READY]

    @property
    def ready(self) -> bool:
        """Nothing to fix and nothing left to fill in: the return can go back."""
        return self.ok and not self.to_do and not self.held_back

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


def check_book(book: Book, file: str | None = None, *, as_of: date | None = None
               ) -> CheckReport:
    """Validate an in-memory book (already read) and collect every finding: for a return,
    the rules consolidation applies that need no master (dates, rows that are not the
    officer's own) as well."""
    name = file or Path(book.path or "workbook").name
    from ..savings.rows import year_findings  # Savings years judged as `savings` judges them
    findings = list(book.findings) + validate_book(book, file=name) + year_findings(book, name)
    if book.kind == RETURN:
        findings += future_dates(book, as_of or date.today(), name)
        findings += foreign_rows(book, name)
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


def foreign_rows(book: Book, file: str) -> list[Finding]:
    """Rows whose own officer cell does not name the return's officer (a row copied from
    a colleague's return): consolidation will not merge them (NOT_OWNER)."""
    if not book.officer:
        return []
    try:
        key = by_column(book.extra_settings.get("issued_by") or book.plan.return_by or "lead")
    except UsageError:
        return []
    letters = book.letters(ACTIONS_LAYOUT)
    if key not in letters:
        return []
    out = []
    for row in book.actions:
        named = split_officers(row.get(key))
        if named and book.officer.casefold() not in {n.casefold() for n in named}:
            out.append(Finding(
                "NOT_OWNER", f"action {row.get('id') or row.get('ref')} is "
                f"{' / '.join(named)}'s, not {book.officer}'s: consolidation will not merge "
                "it — send it to its owner, or ask the PMO to allow you as their deputy",
                file=file, sheet=ACTIONS_LAYOUT.name, cell=cell_ref(letters, "id", row),
                action_id=row.get("id"), expected=book.officer, got=" / ".join(named)))
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


def check_workbook(path: str | Path, *, as_of: date | None = None,
                   master: str | Path | None = None,
                   limits: Limits = WORKBOOK_LIMITS) -> CheckReport:
    """Read and validate ``path``. Unreadable files raise WorkbookError. With
    ``master``, a return is checked exactly as consolidating it into that master would:
    plan, period, ownership and locked cells too. ``limits``: RETURN_LIMITS where only a
    return is expected (the server's uploads)."""
    if master is not None:
        return check_against_master(Path(path), Path(master), as_of or date.today())
    book = run_capped(path, read_book, path, limits=limits)  # someone else's file: capped
    return check_book(book, Path(path).name, as_of=as_of)


def check_against_master(path: Path, master_path: Path, as_of: date) -> CheckReport:
    """The return read, checked and collected by consolidation's own code (nothing is
    written): what consolidating it into ``master_path`` would report."""
    from .consolidate import Known, collect  # (consolidate does not import check)

    master = read_master(master_path)
    by_key = by_column(master.plan.return_by or "lead")
    rf = read_alone(path, master.plan, by_key, as_of)  # in a memory-capped worker
    if not rf.readable:
        raise WorkbookError(rf.error, path=str(path), reason=rf.reason)
    findings = list(rf.findings)
    if not rf.refused:
        actions: dict = {}
        findings += collect(Known(master, by_key), rf, actions, {}, MergeResult())
        rows, done = master.actions_by_id(), set(period_state(master).get("ids") or [])
        for action_id, cands in actions.items():
            for cand in cands:
                findings += locked_changes(rows[action_id], cand, action_id in done)
        findings += unfilled(rf.book, rf.name)
    return CheckReport(rf.name, rf.book, findings)
