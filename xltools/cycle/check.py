"""Check one workbook (a return, a master or a template) the way consolidation will.

What an officer needs to fix before sending a return, by sheet, row, column
and rule — the same reader and validator consolidation uses, so a return that
passes here will consolidate cleanly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import UsageError, WorkbookError
from ..findings import CATALOGUE, ERROR, Finding, codes_in, count_by_code, row_reference
from ..plan import split_officers
from ..reporting.flags import empty_progress
from ..workbook.book import Book, Row, blank, cell_ref
from ..workbook.issued import ISSUED_KEY, changed_keys, locked_keys
from ..workbook.layout import ACTIONS_LAYOUT, RETURN, RISKS_LAYOUT, SAVINGS_LAYOUT
from ..workbook.reader import WORKBOOK_LIMITS, Limits, read_book
from ..workbook.sandbox import run_capped
from ..workbook.validate import DATE_TEXT, validate_book
from .intake import future_dates, read_alone
from .merge import MergeResult, locked_changes, period_state
from .returns import by_column, read_master

STRUCTURAL = {"MISSING_COLUMN", "UNREADABLE", "DUPLICATE_ID", "MERGED_CELLS"}
# Warnings that still mean consolidation will not take the return as sent.
NOT_READY = {"LOCKED_CHANGED"}
# Findings about cells finance or the PMO set, which a return locks: nothing the
# officer can act on, so never shown as theirs (finance sees them when reconciling).
NOT_THE_OFFICERS = {"YEAR_OUT_OF_RANGE"}
ACTION_LIMIT = 40  # characters of an action's title beside each problem


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
    def untouched(self) -> bool:
        """A return nobody has filled in: every action still without an update or RAG,
        and no savings figure, type, approval or comment typed."""
        if self.book.kind != RETURN:
            return False
        empty = {f.action_id for f in self.to_do if f.extra.get("untouched")}
        actions = {r.get("id") for r in self.book.actions}
        answered = any(not blank(r.get(k)) for r in self.book.savings
                       for k in ("revised", "change_type", "approved_by", "comment"))
        return actions <= empty and not answered

    @property
    def ready(self) -> bool:
        """Nothing to fix and nothing left to fill in: the return can go back."""
        return self.ok and not self.to_do and not self.held_back and not self.untouched

    def verdict(self) -> tuple[str, str]:
        """(colour, sentence): the one-line answer, every count that is not zero."""
        parts = []
        if self.errors:
            parts.append(f"{len(self.errors)} problem(s) to fix")
        if self.held_back:
            parts.append(f"{len(self.held_back)} locked cell(s) changed — put back what was "
                         "issued, or those changes will not be merged")
        if self.untouched:
            what = "no action has a progress update or RAG status yet" if self.book.actions \
                else "no Revised figure, Change type or comment typed yet (a blank Revised " \
                "means no change: if nothing changes, say so in Comment)"
            return "yellow" if not parts else "red", "; ".join(
                [*parts, f"Not filled in yet: {what}."])
        if self.to_do:
            parts.append(f"{len(self.to_do)} action(s) still need an update")
        if parts:
            when = " before sending" if self.book.kind == RETURN else " (see Flags)"
            return ("red" if self.errors or self.held_back else "yellow",
                    "; ".join(parts) + f"{when}.")
        return "green", "Ready to send." if self.book.kind == RETURN else "No problems found."

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.book.kind,
            "officer": self.book.officer,
            "period": self.book.plan.period,
            "actions": len(self.book.actions),
            "ok": self.ok,
            "ready": self.ready,
            "not_filled_in": self.untouched,
            "verdict": self.verdict()[1],
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
        findings = [f for f in findings if not finance_set(book, f)]
        findings += future_dates(book, as_of or date.today(), name)
        findings += foreign_rows(book, name)
        findings += foreign_risks(book, name)
        findings += locked_edits(book, name)
        findings += wrong_column(book, name)
        findings += date_notes(book, name)
        findings += unfilled(book, name)
    else:
        findings += flagged(book, name)
    return CheckReport(name, book, with_refs(findings, book.actions))


def finance_set(book: Book, finding: Finding) -> bool:
    """A finding about a savings row as finance issued it (it has an Expected figure,
    which the return locks): the officer can't change its year, so it is not theirs.
    A row the officer added (no Expected) keeps it."""
    if finding.code not in NOT_THE_OFFICERS or finding.sheet != SAVINGS_LAYOUT.name:
        return False
    number = "".join(ch for ch in finding.cell or "" if ch.isdigit())
    row = next((r for r in book.savings if str(r.get("_row")) == number), None)
    return row is not None and not blank(row.get("expected"))


def locked_edits(book: Book, file: str) -> list[Finding]:
    """Locked cells typed over since the return was issued (its Settings keep what
    each held): consolidation will not merge them (LOCKED_CHANGED). An update typed
    into Previous progress is said to be one."""
    issued = book.extra_settings.get(ISSUED_KEY)
    if not isinstance(issued, dict):
        return []  # a return from before xltools kept this: --master tells
    letters = book.letters(ACTIONS_LAYOUT)
    out = []
    for row in book.actions:
        prints = issued.get(str(row.get("id")))
        for key in changed_keys(row, prints, locked_keys(book)) \
                if isinstance(prints, str) else []:
            if key not in letters:
                continue
            name = ACTIONS_LAYOUT.column(key).name
            if key == "previous_progress" and blank(row.get("progress_update")):
                text = ("was changed: looks like your update went in the Previous progress "
                        "column — type it in Progress update instead, and put back last "
                        "quarter's text (or copy it from the file you were sent)")
            else:
                text = ("was changed, but it is locked: put back what was issued (or copy it "
                        "from the file you were sent) — consolidation keeps the plan's "
                        "value, and tell the PMO if it needs changing")
            out.append(Finding("LOCKED_CHANGED", f"{name} {text}", file=file,
                               sheet=ACTIONS_LAYOUT.name, cell=cell_ref(letters, key, row),
                               action_id=row.get("id"), column=name, got=row.get(key)))
    return out


def wrong_column(book: Book, file: str) -> list[Finding]:
    """A progress update typed into Updated by (a sentence where a name goes), with
    Progress update left empty: it would be merged as the updater's name."""
    letters = book.letters(ACTIONS_LAYOUT)
    out = []
    for row in book.actions:
        value = row.get("updated_by")
        if isinstance(value, str) and looks_like_update(value) and \
                blank(row.get("progress_update")):
            out.append(Finding(
                "WRONG_COLUMN", "Updated by holds what looks like your progress update: "
                "move it to Progress update and put your name in Updated by", file=file,
                sheet=ACTIONS_LAYOUT.name, cell=cell_ref(letters, "updated_by", row),
                action_id=row.get("id"), column="Updated by", got=value))
    return out


def date_notes(book: Book, file: str) -> list[Finding]:
    """A date typed as text that names one day (the validator read it as that day): said,
    so the officer knows what xltools took it to mean — never that it is wrong."""
    letters = book.letters(ACTIONS_LAYOUT)
    out = []
    for row in book.actions:
        for key, typed in (row.get(DATE_TEXT) or {}).items():
            name = ACTIONS_LAYOUT.column(key).name
            out.append(Finding(
                "DATE_TEXT", f"{name} '{typed}' is stored as text; read as "
                f"{row[key]:%d %B %Y} (day/month/year) — fine to send", file=file,
                sheet=ACTIONS_LAYOUT.name, cell=cell_ref(letters, key, row),
                action_id=row.get("id"), column=name, got=typed, expected=row[key]))
    return out


def looks_like_update(text: str) -> bool:
    """A sentence rather than a name (or two): many words, or a sentence's stop."""
    words = text.split()
    return len(words) > 6 or len(text) > 60 or (len(words) > 3 and "." in text.rstrip("."))


def with_refs(findings: list[Finding], rows: list[Row]) -> list[Finding]:
    """Findings naming actions by Ref (the message) and Ref + title (``action``, shown in
    the Action column and on the Check sheet), not by the internal ID a return hides."""
    by_id = {str(r.get("id")): r for r in rows if not blank(r.get("id"))}
    out = []
    for f in findings:
        row = by_id.get(str(f.action_id)) if f.action_id else None
        if row is None:
            out.append(f)
            continue
        ref = row.get("ref")
        message = f.message.replace(str(f.action_id), str(ref)) if not blank(ref) \
            else f.message
        out.append(replace(f, message=message, action=row_reference(row, ACTION_LIMIT)))
    return out


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
                "NOT_OWNER", f"{row_reference(row)} is "
                f"{' / '.join(named)}'s, not {book.officer}'s: consolidation will not merge "
                "it — send it to its owner, or ask the PMO to allow you as their deputy",
                file=file, sheet=ACTIONS_LAYOUT.name, cell=cell_ref(letters, "ref", row),
                action_id=row.get("id"), expected=book.officer, got=" / ".join(named)))
    return out


def foreign_risks(book: Book, file: str) -> list[Finding]:
    """A programme return's risks whose Owner is not the return's officer (copied from a
    colleague's return): consolidation will not merge their scores (NOT_OWNER)."""
    if not book.officer or not book.is_programme:
        return []
    letters = book.letters(RISKS_LAYOUT)
    out = []
    for row in book.risks:
        named = split_officers(row.get("owner"))
        if book.officer.casefold() not in {n.casefold() for n in named}:
            owner = " / ".join(named) or "no one"
            out.append(Finding(
                "NOT_OWNER", f"risk {row.get('id') or '?'} is owned by {owner}, not "
                f"{book.officer}: consolidation will not merge its score — send it to its "
                "owner", file=file, sheet=RISKS_LAYOUT.name, cell=cell_ref(letters, "id", row),
                action_id=None if blank(row.get("id")) else str(row["id"]),
                expected=book.officer, got=owner))
    return out


_UNFILLED = {"progress_update": "progress update", "rag": "RAG status"}


def unfilled(book: Book, file: str) -> list[Finding]:
    """In a return: each action still without a progress update (blank, or a placeholder
    such as 'n/a' — what ``xltools flags`` calls NO_UPDATE) or a RAG status.

    Not errors — the file is valid — but "Check my return" must not say "ready"
    while the officer still has rows to write."""
    letters = book.letters(ACTIONS_LAYOUT)
    out = []
    checked = [(key, empty) for key, empty in (("progress_update", empty_progress),
                                               ("rag", blank))
               if key in letters]  # (a lost column: MISSING_COLUMN)
    for row in book.actions:
        missing = [key for key, empty in checked if empty(row.get(key))]
        if missing:
            names = " and no ".join(_UNFILLED[k] for k in missing)
            out.append(Finding("NO_UPDATE", f"action {row.get('ref') or row.get('id')} has no "
                               f"{names} yet", file=file, sheet=ACTIONS_LAYOUT.name,
                               cell=cell_ref(letters, missing[0], row),
                               action_id=row.get("id"), column=missing[0],
                               extra={"untouched": len(missing) == len(checked)}))
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
    from .risk_merge import collect_risks

    master = read_master(master_path)
    by_key = by_column(master.plan.return_by or "lead")
    rf = read_alone(path, master.plan, by_key, as_of)  # in a memory-capped worker
    if not rf.readable:
        raise WorkbookError(rf.error, path=str(path), reason=rf.reason)
    findings = list(rf.findings)
    if not rf.refused:
        actions: dict = {}
        known = Known(master, by_key)
        findings += collect(known, rf, actions, {}, MergeResult())
        if master.is_programme:  # a risk someone else owns, a risk the master lacks
            findings += collect_risks(master, rf, known.may_answer, {}, MergeResult())
        rows, done = master.actions_by_id(), set(period_state(master).get("ids") or [])
        for action_id, cands in actions.items():
            for cand in cands:
                findings += locked_changes(rows[action_id], cand, action_id in done)
        findings = [in_previous(f, rf.book) for f in findings]
        findings += wrong_column(rf.book, rf.name)
        findings += date_notes(rf.book, rf.name)
        findings += unfilled(rf.book, rf.name)
    return CheckReport(rf.name, rf.book, with_refs(findings, master.actions))


def in_previous(finding: Finding, book: Book) -> Finding:
    """Consolidation's LOCKED_CHANGED on Previous progress, said as what it most likely
    is when the row has no update: the officer's update typed in the wrong column."""
    if finding.code != "LOCKED_CHANGED" or finding.column != "Previous progress":
        return finding
    row = book.action(finding.action_id or "")
    if row is None or not blank(row.get("progress_update")):
        return finding
    return replace(finding, message=f"{finding.message} — looks like your update went in "
                   "the Previous progress column: type it in Progress update instead")
