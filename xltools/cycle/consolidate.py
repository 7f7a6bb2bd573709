"""Consolidate a folder of returns into the master (DESIGN.md §5.4).

Read every file (python-calamine), validate every row against the master's
plan, merge the officers' updates by ID (rules in ``merge``), flag what needs
the PMO (INVALID, CONFLICT, MISSING_RETURN), and append one Log row per file —
unreadable ones included — so the master records what went into it.

Never loses data: the input master is never overwritten (``in_place`` first
makes a timestamped backup), OUT is written atomically by ``write_book``, and
invalid rows are kept and flagged, not dropped.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..findings import Finding, count_by_code, row_reference, with_references
from ..plan import split_officers
from ..workbook.book import Book, blank, cell_ref
from ..workbook.files import ensure_replaceable, output_lock, unique_backup
from ..workbook.layout import ACTIONS_LAYOUT, SAVINGS_LAYOUT
from ..workbook.reader import SHARED_TEXT, give_back_memory, open_plan
from .intake import (
    ReturnFile,
    ReturnReader,
    adopt_return,
    blank_folder,
    mark_blank,
    read_returns,
    return_files,
)
from .merge import (
    SAVINGS_FIELDS,
    Candidate,
    MergeResult,
    invalid_by_row,
    merge_actions,
    merge_savings,
    missing_returns,
    period_state,
    rows_left_out,
    savings_key,
    write_flags,
)
from .no_update import returned_without_update
from .returns import BY_COLUMNS, STATE_KEY, UPDATE_FIELDS, by_column, read_master
from .risk_merge import collect_risks, merge_risks

# "invalid" rows are merged (kept, flagged INVALID): accepted, not rejected
ACCEPTED = ("updated", "unchanged", "no update", "invalid", "delegated")
REJECTED = ("conflict", "unknown ID", "no ID", "not owner")


@dataclass
class ConsolidationReport:
    """Everything one consolidation did, for the command, JSON and the add-in."""

    master: str
    output: str
    period: str
    as_of: date
    files: list[ReturnFile] = field(default_factory=list)
    merge: MergeResult = field(default_factory=MergeResult)
    savings_updated: list[str] = field(default_factory=list)
    risks_updated: list[str] | None = None  # a programme plan's risks rescored (else None)
    missing: dict[str, list[str]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    backup: str | None = None
    returns_dir: str = ""  # the folder read, as given (named when its returns are blank)

    def files_with(self, code: str) -> list[str]:
        return sorted({f.file for f in self.findings if f.code == code and f.file})

    def counts(self) -> dict[str, int]:
        rows = Counter()
        for counter in self.merge.per_file.values():
            rows.update(counter)
        return {
            "files": len(self.files),
            "returns_read": sum(1 for f in self.files if f.readable),
            "returns_merged": sum(1 for f in self.files if f.name in self.merge.per_file),
            "rows_updated": len(self.merge.updated),
            "rows_unchanged": len(self.merge.unchanged),
            "rows_no_update": len(self.merge.no_update),
            "rows_invalid": rows["invalid"],
            "conflicts": len(self.merge.conflicts),
            "savings_conflicts": len(self.merge.savings_conflicts),
            "missing_returns": len(self.missing),
            "unknown_ids": rows["unknown ID"],
            "wrong_period": len(self.files_with("WRONG_PERIOD")),
            "wrong_plan": len(self.files_with("WRONG_PLAN")),
            "adopted": len(self.files_with("ADOPTED")),
            "not_a_return": len(self.files_with("NOT_A_RETURN")),
            "blank": sum(1 for f in self.files if f.blank),
            "not_owner": rows["not owner"],
            "delegated": rows["delegated"],
            "unreadable": sum(1 for f in self.files if not f.readable and not f.skipped),
            "skipped": sum(1 for f in self.files if f.skipped),
            "savings_updated": len(self.savings_updated),
            **({} if self.risks_updated is None else {"risks_updated": len(self.risks_updated)}),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "master": self.master, "output": self.output, "period": self.period,
            "as_of": self.as_of.isoformat(), "backup": self.backup, "counts": self.counts(),
            "updated": self.merge.updated, "unchanged": self.merge.unchanged,
            "conflicts": self.merge.conflicts, "missing": self.missing,
            "savings_updated": self.savings_updated,
            **({} if self.risks_updated is None else {"risks_updated": self.risks_updated}),
            "files": [file_summary(f, self.merge) for f in self.files],
            "finding_counts": count_by_code(self.findings),
            "findings": [f.to_dict() for f in self.findings],
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }


def consolidate(master_path: str | Path, returns_dir: str | Path, out: str | Path, *,
                as_of: date | None = None, in_place: bool = False,
                progress: Callable[[str], None] | None = None,
                workers: int | None = None,
                delegates: dict[str, list[str]] | None = None,
                adopt: bool = False) -> ConsolidationReport:
    """Merge every return in ``returns_dir`` into a copy of the master written to ``out``.

    ``delegates``: officer → colleagues they may return for this time (on top of the
    plan's own ``delegates`` setting), e.g. a deputy covering leave. ``adopt``: accept
    returns issued from an earlier master of the same plan (``adopt_return``)."""
    master_path, out = Path(master_path), Path(out)
    check_output(master_path, out, in_place)
    check_output_folder(out, Path(returns_dir), in_place)
    with output_lock(out, "consolidate"):  # with --in-place, out is the master: held first
        return _consolidate(master_path, returns_dir, out, as_of=as_of, in_place=in_place,
                            progress=progress, workers=workers, delegates=delegates,
                            adopt=adopt)


def _consolidate(master_path: Path, returns_dir: str | Path, out: Path, *, as_of, in_place,
                 progress, workers, delegates, adopt) -> ConsolidationReport:
    timings, start = {}, time.perf_counter()
    paths = return_files(returns_dir, exclude=(master_path, out))
    plan, workbook = open_plan(master_path)  # enough to check returns: start on them
    by_key = by_column(plan.return_by or "lead")
    as_of = as_of or date.today()
    with ReturnReader(paths, plan, by_key, as_of, workers) as reader:
        master = read_master(master_path, workbook)  # closes it
        give_back_memory()  # calamine's scratch copy of the master, before returns arrive
        # the writer (openpyxl, ~0.3 s) is loaded now, while the workers read: before the
        # pool started it held up everything, one core idle; at the write it would too
        from ..workbook.writer import write_book
        master.plan = master.plan.with_plan_id()  # a master made before plan IDs gets one
        timings["read_master"] = time.perf_counter() - start
        report = ConsolidationReport(master_path.name, str(out), master.plan.period, as_of,
                                     returns_dir=_folder_name(returns_dir))
        gather = Gather(master, report, by_key, delegates, adopt=adopt)
        for rf in reader.stream(progress, plan=master.plan):  # each book let go once filed
            gather.add(rf)
    timings["read_check_returns"] = (time.perf_counter() - start - timings["read_master"]
                                     - gather.seconds)
    mark = time.perf_counter()
    gather.merge()
    timings["merge"] = time.perf_counter() - mark + gather.seconds
    master.log.extend(log_rows(report, datetime.now()))
    if in_place:
        report.backup = str(unique_backup(master_path))
    mark = time.perf_counter()
    try:
        write_book(master, out, backup=not in_place)
    except BaseException:
        if report.backup:  # the master was not replaced: no backup of it is left behind
            Path(report.backup).unlink(missing_ok=True)
        raise
    timings["write"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - start
    report.timings = timings
    return report


def consolidate_book(master: Book, returns_dir: str | Path, *, name: str,
                     as_of: date | None = None, workers: int | None = 1,
                     delegates: dict[str, list[str]] | None = None,
                     adopt: bool = False) -> ConsolidationReport:
    """Merge the returns in ``returns_dir`` into ``master`` in memory and log them.

    The add-in's path: there the master is the workbook open in Excel, so there
    is no file to read or write; the same rules as ``consolidate`` apply.
    """
    by_key = by_column(master.plan.return_by or "lead")
    as_of = as_of or date.today()
    files = read_returns(return_files(returns_dir), master.plan, by_key, as_of, workers=workers)
    report = ConsolidationReport(name, name, master.plan.period, as_of, files,
                                 returns_dir=Path(returns_dir).name + "/")  # no server path
    merge_into(master, report, by_key, delegates, adopt=adopt)
    master.log.extend(log_rows(report, datetime.now()))
    return report


def _folder_name(folder: str | Path) -> str:
    """The returns folder as the PMO gave it, ending in a slash."""
    return str(folder).rstrip("/\\") + "/"


def check_output(master: Path, out: Path, in_place: bool) -> None:
    """Refuse to overwrite the input master unless asked to (with a backup)."""
    if out.is_dir():
        raise UsageError(f"{out} is a folder; -o needs the workbook to write, e.g. "
                         f"{out / 'master_consolidated.xlsx'}")
    same = out.resolve() == master.resolve() or (
        out.exists() and master.exists() and os.path.samefile(out, master))
    if same and not in_place:
        raise UsageError(f"{out} is the input master; write to a new file, or use --in-place "
                         "(which keeps a timestamped backup first)")
    if in_place and not same:
        raise UsageError("--in-place writes over the master itself; don't give a different -o")
    ensure_replaceable(out)  # a link, read-only, or open in Excel: refused before any work


def check_output_folder(out: Path, returns_dir: Path, in_place: bool) -> None:
    """An output inside the returns folder would be skipped as a return — or, named like
    one, would overwrite it: refuse (the master itself may live there with --in-place)."""
    if not in_place and out.parent.resolve() == Path(returns_dir).resolve():
        raise UsageError(f"{out} is inside the returns folder {returns_dir}; write the "
                         "consolidated master somewhere else")


def merge_into(master: Book, report: ConsolidationReport, by_key: str,
               delegates: dict[str, list[str]] | None = None, *, adopt: bool = False) -> None:
    """Gather the candidates of every checked return, merge, flag, find the missing."""
    gather = Gather(master, report, by_key, delegates, adopt=adopt)
    files, report.files = report.files, []
    for rf in files:
        gather.add(rf)
    gather.merge()


class Gather:
    """Files each return's rows as candidates as it arrives, then merges them all.

    A return's rows are held only as candidates (their cells equal to the master's
    point at the master's own values), and its book is let go once filed: what is
    held per return is its update, not a second copy of the plan's text."""

    def __init__(self, master: Book, report: ConsolidationReport, by_key: str,
                 delegates: dict[str, list[str]] | None = None, *, adopt: bool = False):
        self.master, self.report, self.by_key = master, report, by_key
        self.adopt = adopt
        self.actions: dict[str, list[Candidate]] = {}
        self.savings: dict[tuple[str, str], list[Candidate]] = {}
        self.risks: dict[str, list[Candidate]] = {}  # a programme plan's: by risk ID
        self.earlier = period_state(master)  # an earlier consolidation this period
        self.received: set[str] = set(self.earlier.get("received") or [])
        self.known = Known(master, by_key, delegates)
        self.seconds = 0.0  # spent filing, counted as merging

    def add(self, rf: ReturnFile) -> None:
        """File one return's rows (the order of the folder is the order of findings)."""
        mark = time.perf_counter()
        report = self.report
        report.files.append(rf)
        if self.adopt and rf.wrong_plan:
            adopt_return(rf, self.master, report.as_of)
        mark_blank(rf, self.master)
        report.findings += rf.findings
        if rf.readable and not rf.refused:
            if rf.officer:
                self.received.add(rf.officer)
            found = collect(self.known, rf, self.actions, self.savings, report.merge)
            if self.master.is_programme:
                found += collect_risks(self.master, rf, self.known.may_answer, self.risks,
                                       report.merge)
            rf.findings += found
            report.findings += found
        if rf.book is not None:
            rf.book = without_rows(rf.book)
        self.seconds += time.perf_counter() - mark

    def merge(self) -> None:
        master, report, result = self.master, self.report, self.report.merge
        folder = blank_folder(report.files, report.returns_dir)
        if folder is not None:
            report.findings.insert(0, folder)
        merge_actions(master, self.actions, result)
        report.findings += returned_without_update(self.actions)
        report.savings_updated = merge_savings(master, self.savings, result)
        if master.is_programme:
            report.risks_updated = merge_risks(master, self.risks, result)
        by_key = issued_by(report.files) or self.by_key
        report.missing = missing_returns(master, by_key, self.received, result,
                                         file=Path(report.output).name,
                                         answered=self.known.delegated_ids)
        rows_left_out(master, by_key, answered_by(report.files, self.actions, self.earlier),
                      result, file=Path(report.output).name)
        master.extra_settings[STATE_KEY]["received"] = sorted(self.received)
        # actions no return spoke to this time keep what earlier consolidations flagged
        write_flags(master, result.flags, keep=set() if not self.earlier else
                    {i for i in master.actions_by_id() if i not in self.actions})
        report.findings += result.findings
        by_name = {rf.name: rf for rf in report.files}  # so the Log's notes count them too
        for f in result.findings:
            if f.code == "LOCKED_CHANGED" and f.file in by_name:
                by_name[f.file].findings.append(f)
        report.findings = with_references(report.findings, master.actions)
        self.actions, self.savings, self.risks = {}, {}, {}


def answered_by(files: list[ReturnFile], actions: dict[str, list[Candidate]],
                earlier: dict[str, Any]) -> dict[str, set[str]]:
    """Officer (case-folded) → the action IDs their returns held this time, for officers
    not heard from before this period (a partial re-send after a full return is fine)."""
    before = {o.casefold() for o in earlier.get("received") or []}
    out: dict[str, set[str]] = {rf.officer.casefold(): set() for rf in files
                                if rf.readable and not rf.refused and rf.officer
                                and rf.officer.casefold() not in before}
    for action_id, cands in actions.items():
        for cand in cands:
            if cand.officer.casefold() in out:
                out[cand.officer.casefold()].add(action_id)
    return out


def issued_by(files: list[ReturnFile]) -> str | None:
    """The column the returns were issued by (``xltools issue --by``), as most of them
    record it — so an officer is only "missing" if they were sent a return."""
    recorded = Counter(rf.book.extra_settings.get("issued_by") for rf in files
                       if rf.book is not None and not rf.refused)
    recorded.pop(None, None)
    if not recorded:
        return None
    try:
        return by_column(recorded.most_common(1)[0][0])
    except UsageError:
        return None


class Known:
    """The master's keys and owners, looked up once (not once per return: 300 × 12,000
    rows), and who may return for whom."""

    def __init__(self, master: Book, by_key: str = "lead_officer",
                 delegates: dict[str, list[str]] | None = None):
        self.rows = master.actions_by_id()
        self.ids = {i.upper(): i for i in self.rows}  # "a-0007" is A-0007
        self.texts: dict[str, str] = {}  # one copy of each short text (names, RAGs)
        self.savings = {savings_key(r) for r in master.savings}
        self.savings_owners = {savings_key(r): split_officers(r.get("lead_officer"))
                               for r in master.savings}
        self.by_key = by_key
        self.owners = {key: {r["id"]: split_officers(r.get(key))
                             for r in master.actions if not blank(r.get("id"))}
                       for key in set(BY_COLUMNS.values())}
        self.deputies: dict[str, dict[str, str]] = {}  # deputy → colleague → permission
        for source, table in (("the plan's delegates setting", master.plan.delegates),
                              ("--delegate", delegates or {})):
            for deputy, colleagues in table.items():
                for colleague in colleagues:
                    self.deputies.setdefault(deputy.casefold(), {})[
                        colleague.casefold()] = source
        self.delegated_ids: set[str] = set()  # answered by a deputy: not missing

    def reference(self, action_id: str) -> str:
        """The action as people read it: Ref and short title (see ``row_reference``)."""
        row = self.rows.get(action_id)
        return row_reference(row) if row is not None else action_id

    def owner_key(self, rf: ReturnFile) -> str:
        """Whose column decides ownership: the one the return was issued by."""
        try:
            return by_column(rf.book.extra_settings.get("issued_by") or "")
        except UsageError:
            return self.by_key

    def permission(self, officer: str, action_id: str, key: str,
                   named: list[str] | None = None) -> str | None:
        """Why ``officer`` may answer ``action_id``: "" as its owner, the source of a
        delegation, or None when they may not. ``named``: the owners, when not an action's
        (a savings line's lead officers)."""
        named = self.owners[key].get(action_id, []) if named is None else named
        owners = [o.casefold() for o in named]
        if officer and officer.casefold() in owners:
            return ""
        allowed = self.deputies.get(officer.casefold(), {}) if officer else {}
        return next((allowed[o] for o in owners if o in allowed), None)

    def may_answer(self, officer: str, named: list[str]) -> str | None:
        """``permission`` for a row owned by ``named`` (a programme plan's risk)."""
        return self.permission(officer, "", "", named)

    def owner_names(self, action_id: str, key: str) -> str:
        return " / ".join(self.owners[key].get(action_id, [])) or "no one"


def collect(known: Known, rf: ReturnFile, actions, savings,
            result: MergeResult) -> list[Finding]:
    """File each row of a checked return as a candidate, or reject it (unknown ID, or
    an action the return's officer does not own)."""
    book = rf.book
    letters = book.letters(ACTIONS_LAYOUT)
    invalid = invalid_by_row(rf.findings, ACTIONS_LAYOUT.name)
    key = known.owner_key(rf)
    found = []
    for row in book.actions:
        typed = None if blank(row.get("id")) else str(row["id"]).strip()
        action_id = known.ids.get(typed.upper()) if typed else None
        if typed is None:
            result.count(rf.name, "no ID")  # validate_book reported it (INVALID)
        elif action_id is None:
            result.count(rf.name, "unknown ID")
            found.append(unknown(rf.name, ACTIONS_LAYOUT.name, f"{letters['id']}{row['_row']}",
                                 typed, f"ID {typed} is not in the master"))
        else:
            permission = known.permission(rf.officer, action_id, key)
            if permission is None:
                found += not_owner(known, rf, row, action_id, key, result)
                continue
            if permission:
                found.append(delegated(known, rf, row, action_id, key, permission))
                result.count(rf.name, "delegated")
                known.delegated_ids.add(action_id)
            share_values(row, known.rows[action_id], known.texts)
            actions.setdefault(action_id, []).append(
                Candidate(rf.name, row, letters, invalid.get(row["_row"], []),
                          officer=rf.officer))
    found += _collect_savings(known, rf, book, rf.findings, savings, result)
    return found


_SHOWN_AS = {"previous_progress": "progress_update", "previous_rag": "rag"}


def share_values(row: dict[str, Any], master_row: dict[str, Any],
                 texts: dict[str, str]) -> None:
    """Replace a return row's texts with equal ones already held — the master row's
    (a return repeats the action's wording, and shows last quarter's update as
    Previous progress) or, for short ones, an earlier return's. Equal values, so
    merging is unchanged; a return's rows then cost only what the officer wrote."""
    for key, value in row.items():
        if type(value) is not str:  # noqa: E721 - exactly str: equal means interchangeable
            continue
        theirs = master_row.get(key)
        if value != theirs and key in _SHOWN_AS:
            theirs = master_row.get(_SHOWN_AS[key])
        if value == theirs:  # a str equals only a str
            row[key] = theirs
        elif len(value) <= SHARED_TEXT:
            row[key] = texts.setdefault(value, value)


def without_rows(book: Book) -> Book:
    """A read return's book once its rows are filed: who and what it is for, no rows."""
    return replace(book, actions=[], savings=[], kpis=[], archive=[], log=[], risks=[],
                   findings=[])


def not_owner(known: Known, rf: ReturnFile, row, action_id: str, key: str,
              result: MergeResult) -> list[Finding]:
    """A row for someone else's action: not merged. Said (and flagged on the action)
    only when the row holds an update — a blank row changes nothing."""
    result.count(rf.name, "not owner")
    if not any(not blank(row.get(k)) for k in UPDATE_FIELDS):
        return []
    owners = known.owner_names(action_id, key)
    who = rf.officer or "an officer who cannot be told (no Settings, no single officer)"
    role = "led" if key == "lead_officer" else "owned (accountable)"
    message = (f"{known.reference(action_id)} is {role} by {owners}; this return is from "
               f"{who}: its update is not merged (a deputy? the PMO can allow it with --delegate)")
    letter = rf.book.letters(ACTIONS_LAYOUT).get("id", "A")
    finding = Finding("NOT_OWNER", message, file=rf.name, sheet=ACTIONS_LAYOUT.name,
                      cell=f"{letter}{row['_row']}", action_id=action_id,
                      expected=owners, got=rf.officer or None)
    result.flag(action_id, Finding("NOT_OWNER", f"{message} ({rf.name})", action_id=action_id))
    return [finding]


def delegated(known: Known, rf: ReturnFile, row, action_id: str, key: str,
              permission: str) -> Finding:
    owners = known.owner_names(action_id, key)
    letter = rf.book.letters(ACTIONS_LAYOUT).get("id", "A")
    return Finding("DELEGATED", f"{rf.officer} returned {known.reference(action_id)} for "
                   f"{owners}, as allowed by {permission}; merged", file=rf.name,
                   sheet=ACTIONS_LAYOUT.name,
                   cell=f"{letter}{row['_row']}", action_id=action_id, expected=owners,
                   got=rf.officer)


def _collect_savings(known: Known, rf: ReturnFile, book: Book, found, savings,
                     result: MergeResult) -> list[Finding]:
    keys = known.savings
    letters = book.letters(SAVINGS_LAYOUT)
    invalid = invalid_by_row(found, SAVINGS_LAYOUT.name)
    out = []
    for row in book.savings:
        key = savings_key(row)
        if key not in keys:
            result.count(rf.name, "unknown ID")
            out.append(unknown(rf.name, SAVINGS_LAYOUT.name,
                               f"{letters.get('project_ref', 'A')}{row['_row']}",
                               f"{key[0]} {key[1]}", f"savings line {key[0]} for {key[1]} is "
                               "not in the master"))
        elif known.savings_owners[key] and known.permission(
                rf.officer, "", "", known.savings_owners[key]) is None:
            out += _savings_not_owner(known, rf, row, key, letters, result)
        else:
            savings.setdefault(key, []).append(
                Candidate(rf.name, row, letters, invalid.get(row["_row"], [])))
    return out


def _savings_not_owner(known: Known, rf: ReturnFile, row, key: tuple[str, str],
                       letters: dict[str, str], result: MergeResult) -> list[Finding]:
    """A savings line led by someone else: not merged (said only when it holds a change)."""
    result.count(rf.name, "not owner")
    if not any(not blank(row.get(k)) for k in SAVINGS_FIELDS):
        return []
    owners = " / ".join(known.savings_owners[key]) or "no one"
    who = rf.officer or "an officer who cannot be told"
    return [Finding("NOT_OWNER", f"savings line {key[0]} {key[1]} is led by {owners}; this "
                    f"return is from {who}: not merged", file=rf.name,
                    sheet=SAVINGS_LAYOUT.name, cell=cell_ref(letters, "project_ref", row),
                    action_id=f"{key[0]} {key[1]}", expected=owners, got=rf.officer or None)]


def unknown(file: str, sheet: str, cell: str, key: str, message: str) -> Finding:
    return Finding("UNKNOWN_ID", f"{message}; the row is not merged — ask the PMO to add it "
                   "to the plan first", file=file, sheet=sheet, cell=cell, action_id=key,
                   got=key)


# -- the Log ----------------------------------------------------------------------


def file_summary(rf: ReturnFile, result: MergeResult) -> dict[str, Any]:
    counts = result.per_file.get(rf.name, Counter())
    return {
        "file": rf.name, "sha256": rf.sha256, "officer": rf.officer, "period": rf.period,
        "read": rf.readable, "reason": rf.reason or None, "skipped": rf.skipped or None,
        "accepted": sum(counts[k] for k in ACCEPTED),
        "rejected": sum(counts[k] for k in REJECTED) or _all_rows_if_wrong_period(rf),
        "outcomes": dict(counts), "seconds": round(rf.seconds, 4),
        "findings": count_by_code(rf.findings),
    }


def _all_rows_if_wrong_period(rf: ReturnFile) -> int:
    return rf.rows if rf.book is not None and rf.refused and not rf.blank else 0


def log_notes(rf: ReturnFile, summary: dict[str, Any]) -> str:
    """One line a PMO can read: what happened to the file and why."""
    if rf.skipped:
        return f"skipped: {rf.skipped}"
    if not rf.readable:
        return f"UNREADABLE ({rf.reason}): {rf.error}"
    wrong = [f for f in rf.findings
             if f.code in ("WRONG_PLAN", "WRONG_PERIOD", "NOT_A_RETURN", "BLANK_RETURN")]
    if wrong:
        return f"{wrong[0].code}: {wrong[0].message}"
    parts = [f"{f.code}: {f.message}" for f in rf.findings if f.code == "ADOPTED"]
    parts += [f"{n} {k}" for k, n in summary["outcomes"].items() if n]
    codes = {c: n for c, n in summary["findings"].items() if c not in ("UNREADABLE",)}
    if codes:
        parts.append("findings: " + ", ".join(f"{c} {n}" for c, n in codes.items()))
    if not rf.officer:
        parts.append("officer not known")
    return "; ".join(parts) or "no rows"


def log_rows(report: ConsolidationReport, now: datetime) -> list[dict[str, Any]]:
    """One Log row per file in the folder, unreadable and skipped ones included."""
    rows = []
    for rf in report.files:
        summary = file_summary(rf, report.merge)
        rows.append({
            "when": f"{now:%Y-%m-%d %H:%M:%S}", "file": rf.name, "sha256": rf.sha256 or None,
            "officer": rf.officer or None, "period": rf.period or None,
            "accepted": summary["accepted"], "rejected": summary["rejected"],
            "seconds": round(rf.seconds, 4), "notes": log_notes(rf, summary),
        })
    return rows
