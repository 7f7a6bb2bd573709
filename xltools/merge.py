"""Merging officers' returns into the master by ID — the rules that keep data safe.

Only the fields an officer may edit are merged (Actions: Progress update, RAG
status, Last updated, Updated by; Savings: Revised, Change type, Approved by,
Approved on, Comment, matched by project ref + year). The rules:

- a blank cell in a return is "not answered", never "erase the master's value";
- a value equal to the master's is *unchanged*, not an update;
- a row that breaks the rules (pasted RAG, text date…) is still merged — the
  officer's words are kept — and the action is flagged INVALID;
- when two returns change the same action differently neither wins: the master
  keeps its value and the Flags cell carries both candidates (CONFLICT);
- the first update of an action in a period moves the master's old update into
  Previous progress / Previous RAG, exactly as the return showed it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from .book import Book, Row, blank
from .findings import Finding, codes_in, flags_text
from .layout import ACTIONS_LAYOUT, SAVINGS_LAYOUT
from .plan import split_officers
from .returns import STATE_KEY, UPDATE_FIELDS, previous_values

ACTION_CONTENT = ("progress_update", "rag")  # two different answers here is a conflict
SAVINGS_FIELDS = ("revised", "change_type", "approved_by", "approved_on", "comment")
SAVINGS_CONTENT = ("revised", "change_type", "approved_by", "approved_on")
OWNED_CODES = frozenset({"INVALID", "CONFLICT", "MISSING_RETURN"})
_ROW_NUMBER = re.compile(r"(\d+)$")


@dataclass(eq=False)  # compared by identity: two returns may hold identical rows
class Candidate:
    """One row of one return that names an action (or savings line) in the master."""

    file: str
    row: Row
    letters: dict[str, str]
    invalid: list[Finding] = field(default_factory=list)
    outcome: str = ""

    def cell(self, key: str) -> str:
        return f"{self.letters.get(key, '?')}{self.row.get('_row', '?')}"


@dataclass
class MergeResult:
    """What merging did, per master key, and per return file."""

    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    no_update: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    flags: dict[str, list[Finding]] = field(default_factory=dict)
    per_file: dict[str, Counter] = field(default_factory=dict)

    def count(self, file: str, outcome: str) -> None:
        self.per_file.setdefault(file, Counter())[outcome] += 1

    def flag(self, key: str, finding: Finding) -> None:
        self.flags.setdefault(key, []).append(finding)


# -- comparing values -------------------------------------------------------------


def same(a: Any, b: Any) -> bool:
    """Equal as a person would judge: spacing ignored, a date equals its datetime."""
    if blank(a) or blank(b):
        return blank(a) and blank(b)
    if isinstance(a, datetime):
        a = a.date()
    if isinstance(b, datetime):
        b = b.date()
    if isinstance(a, str) and isinstance(b, str):
        return " ".join(a.split()) == " ".join(b.split())
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) < 1e-9
    return a == b


def changed_fields(master_row: Row, row: Row, fields: tuple[str, ...]) -> list[str]:
    """Fields the return answered with something other than the master's value."""
    return [k for k in fields if not blank(row.get(k)) and not same(row.get(k), master_row.get(k))]


def row_number(cell: str | None) -> int | None:
    match = _ROW_NUMBER.search(cell or "")
    return int(match.group(1)) if match else None


def invalid_by_row(findings: list[Finding], sheet: str) -> dict[int, list[Finding]]:
    """INVALID findings of one sheet, by sheet row number."""
    out: dict[int, list[Finding]] = {}
    for f in findings:
        if f.code == "INVALID" and f.sheet == sheet:
            number = row_number(f.cell)
            if number is not None:
                out.setdefault(number, []).append(f)
    return out


# -- combining candidates ---------------------------------------------------------


def combine(master_row: Row, changed: list[Candidate], fields: tuple[str, ...],
            content: tuple[str, ...]) -> tuple[dict[str, Any], list[str]]:
    """The merged values, and the content fields on which candidates disagree.

    Different dates resolve to the latest; different "Updated by" names are joined
    (both people did update it); different content is a conflict. Who-and-when
    fields are taken from every changing return, even where they match the master.
    """
    merged: dict[str, Any] = {}
    conflicts = []
    for key in fields:
        values: list[Any] = []
        for cand in changed:
            value = cand.row.get(key)
            if blank(value) or (key in content and same(value, master_row.get(key))):
                continue
            if not any(same(value, v) for v in values):
                values.append(value)
        if not values:
            continue
        if len(values) == 1:
            merged[key] = values[0]
        elif key in content:
            conflicts.append(key)
        elif all(isinstance(v, date) for v in values):
            merged[key] = max(values)
        else:
            merged[key] = " / ".join(str(v) for v in values)
    return merged, conflicts


def _quote(value: Any, limit: int = 90) -> str:
    text = " ".join(str(value).split()) if not isinstance(value, date) else f"{value:%d/%m/%Y}"
    return f"'{text[:limit]}…'" if len(text) > limit else f"'{text}'"


def conflict_findings(key: str, changed: list[Candidate], fields: list[str], layout,
                      what: str) -> tuple[Finding, list[Finding]]:
    """The master's flag (both candidates in words) and one finding per return cell."""
    names = {k: layout.column(k).name for k in fields}
    parts = []
    per_file = []
    for cand in changed:
        said = ", ".join(f"{names[k]} {_quote(cand.row.get(k))}" for k in fields
                         if not blank(cand.row.get(k)))
        parts.append(f"{cand.file} ({layout.name}!{cand.cell(fields[0])}) says {said}")
        per_file.append(Finding(
            "CONFLICT", f"{what} {key}: this return and another disagree on "
            f"{' and '.join(names.values())}; the master keeps its value",
            file=cand.file, sheet=layout.name, cell=cand.cell(fields[0]), action_id=key,
            column=names[fields[0]], got=cand.row.get(fields[0])))
    flag = Finding("CONFLICT", "returns disagree, the master keeps its value until the PMO "
                   "decides: " + "; ".join(parts), action_id=key)
    return flag, per_file


# -- actions ----------------------------------------------------------------------


def merge_actions(master: Book, candidates: dict[str, list[Candidate]],
                  result: MergeResult) -> None:
    """Apply every action's candidates to the master rows (in place)."""
    state = master.extra_settings.get(STATE_KEY) or {}
    period = master.plan.period
    done = set(state.get("ids", [])) if state.get("period") == period else set()
    rows = master.actions_by_id()
    for action_id in [i for i in rows if i in candidates]:  # report in master order
        cands, master_row = candidates[action_id], rows[action_id]
        for cand in cands:
            for f in cand.invalid:
                result.flag(action_id, Finding("INVALID", f"{f.message} ({cand.file} › "
                                               f"{f.sheet}!{f.cell})", action_id=action_id))
        merged = _merge_action(master_row, action_id, cands, result)
        if merged:
            if action_id not in done:
                master_row["previous_progress"], master_row["previous_rag"] = \
                    previous_values(master_row)
                done.add(action_id)
            master_row.update(merged)
    master.extra_settings[STATE_KEY] = {"period": period, "ids": sorted(done)}


def _merge_action(master_row: Row, action_id: str, cands: list[Candidate],
                  result: MergeResult) -> dict[str, Any]:
    changed = [c for c in cands if changed_fields(master_row, c.row, UPDATE_FIELDS)]
    merged, conflicts = combine(master_row, changed, UPDATE_FIELDS, ACTION_CONTENT)
    if conflicts:
        flag, per_file = conflict_findings(action_id, changed, conflicts, ACTIONS_LAYOUT,
                                           "action")
        result.flag(action_id, flag)
        result.findings += per_file
        result.conflicts.append(action_id)
        merged = {}
    elif merged:
        result.updated.append(action_id)
    elif any(any(not blank(c.row.get(k)) for k in UPDATE_FIELDS) for c in cands):
        result.unchanged.append(action_id)
    else:
        result.no_update.append(action_id)
    for cand in cands:
        cand.outcome = _outcome(cand, cand in changed, bool(conflicts), UPDATE_FIELDS)
        result.count(cand.file, cand.outcome)
    return merged


def _outcome(cand: Candidate, changed: bool, conflict: bool, fields: tuple[str, ...]) -> str:
    if conflict and changed:
        return "conflict"
    if cand.invalid:
        return "invalid"
    if changed:
        return "updated"
    return "unchanged" if any(not blank(cand.row.get(k)) for k in fields) else "no update"


def write_flags(master: Book, flags: dict[str, list[Finding]]) -> None:
    """Rewrite each action's consolidation flags; other tools' flag lines are kept."""
    for row in master.actions:
        old = row.get("flags")
        kept = [line for line in str(old or "").splitlines()
                if line.strip() and not set(codes_in(line)) & OWNED_CODES]
        new = flags_text(flags.get(row.get("id"), []))
        text = "\n".join([*kept, *([new] if new else [])]) or None
        if text != (old or None):
            row["flags"] = text


def missing_returns(master: Book, by_key: str, received: set[str], result: MergeResult,
                    file: str | None = None) -> dict[str, list[str]]:
    """Officer → their action IDs, for every officer with actions who sent nothing.

    Each finding points at the action's Flags cell in ``file``, the master written."""
    letter = master.letters(ACTIONS_LAYOUT).get("flags", "?")
    missing: dict[str, list[str]] = {}
    folded = {r.casefold() for r in received}
    for row in master.actions:
        for officer in split_officers(row.get(by_key)):
            if officer.casefold() in folded or blank(row.get("id")):
                continue
            missing.setdefault(officer, []).append(row["id"])
            message = f"no return from {officer} for {master.plan.period}"
            result.flag(row["id"], Finding("MISSING_RETURN", message, action_id=row["id"]))
            result.findings.append(Finding(
                "MISSING_RETURN", message, file=file, sheet=ACTIONS_LAYOUT.name,
                cell=f"{letter}{row.get('_row', '?')}", action_id=row["id"], got=officer))
    return missing


# -- savings ----------------------------------------------------------------------


def savings_key(row: Row) -> tuple[str, str]:
    return (str(row.get("project_ref") or "").strip(), str(row.get("year") or "").strip())


def merge_savings(master: Book, candidates: dict[tuple[str, str], list[Candidate]],
                  result: MergeResult) -> list[str]:
    """Apply savings candidates by project ref + year; returns the keys updated."""
    rows = {savings_key(r): r for r in reversed(master.savings)}
    updated = []
    for key, cands in candidates.items():
        master_row = rows[key]
        label = f"{key[0]} {key[1]}"
        changed = [c for c in cands if changed_fields(master_row, c.row, SAVINGS_FIELDS)]
        merged, conflicts = combine(master_row, changed, SAVINGS_FIELDS, SAVINGS_CONTENT)
        if conflicts:
            _flag, per_file = conflict_findings(label, changed, conflicts, SAVINGS_LAYOUT,
                                                "savings line")
            result.findings += per_file
            merged = {}
        if merged:
            master_row.update(merged)
            updated.append(label)
        for cand in cands:
            cand.outcome = _outcome(cand, cand in changed, bool(conflicts), SAVINGS_FIELDS)
            result.count(cand.file, cand.outcome)
    return updated
