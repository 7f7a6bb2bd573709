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
from functools import lru_cache
from typing import Any

from ..findings import Finding, codes_in, flags_text
from ..plan import split_officers
from ..workbook.book import Book, Row, blank, cell_ref
from ..workbook.layout import ACTIONS_LAYOUT, RETURN, SAVINGS_LAYOUT
from ..workbook.return_layout import is_cut_of
from .returns import STATE_KEY, UPDATE_FIELDS, previous_values

ACTION_CONTENT = ("progress_update", "rag")  # two different answers here is a conflict
# a programme plan's RDL also gives a Revised end (docs/decisions.md "Programme plans")
PROGRAMME_FIELDS = (*UPDATE_FIELDS, "revised_end")
PROGRAMME_CONTENT = (*ACTION_CONTENT, "revised_end")
SAVINGS_FIELDS = ("revised", "change_type", "approved_by", "approved_on", "comment")
SAVINGS_CONTENT = ("revised", "change_type", "approved_by", "approved_on")
OWNED_CODES = frozenset({"INVALID", "CONFLICT", "MISSING_RETURN", "NOT_OWNER"})
# Cells a return shows but the officer may not change: compared, never merged. The
# Flags cell is issued empty and ID is how the row was matched, so neither counts.
LOCKED_FIELDS = tuple(c.key for c in ACTIONS_LAYOUT.columns
                      if RETURN not in c.editable and c.key not in ("id", "flags"))
PREVIOUS = ("previous_progress", "previous_rag")
_PLAIN_LOCKED = tuple(k for k in LOCKED_FIELDS if k not in PREVIOUS)  # shown as the master's
_PREVIOUS_LOCKED = tuple(k for k in LOCKED_FIELDS if k in PREVIOUS)
_LOCKED_NAMES = {ACTIONS_LAYOUT.column(k).name: k for k in LOCKED_FIELDS}
_ROW_NUMBER = re.compile(r"(\d+)$")


@dataclass(eq=False)  # compared by identity: two returns may hold identical rows
class Candidate:
    """One row of one return that names an action (or savings line) in the master."""

    file: str
    row: Row
    letters: dict[str, str]
    invalid: list[Finding] = field(default_factory=list)
    outcome: str = ""
    officer: str = ""  # whom the return is from (its Settings, or the one officer named)
    changes: tuple[str, ...] = ()  # fields it answers differently: see ``with_changes``

    def changes_content(self) -> bool:
        """Whether it says something new in Progress update or RAG."""
        return any(k in ACTION_CONTENT for k in self.changes)

    def cell(self, key: str) -> str:
        return cell_ref(self.letters, key, self.row) or ""


@dataclass
class MergeResult:
    """What merging did, per master key, and per return file."""

    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    no_update: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    savings_conflicts: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    flags: dict[str, list[Finding]] = field(default_factory=dict)
    per_file: dict[str, Counter] = field(default_factory=dict)

    def count(self, file: str, outcome: str) -> None:
        counter = self.per_file.get(file)  # (not setdefault: a Counter made per row)
        if counter is None:
            counter = self.per_file[file] = Counter()
        counter[outcome] += 1

    def flag(self, key: str, finding: Finding) -> None:
        self.flags.setdefault(key, []).append(finding)


# -- comparing values -------------------------------------------------------------


def same(a: Any, b: Any) -> bool:
    """Equal as a person would judge: spacing ignored, a date equals its datetime.

    Two texts — most of what merging compares — are settled first, without the
    general checks (the same answers: equal texts, both blank, or equal spacing)."""
    if type(a) is str and type(b) is str:  # noqa: E721 - exactly str, as cells are read
        if a == b:
            return True
        blank_a, blank_b = not a.strip(), not b.strip()
        if blank_a or blank_b:
            return blank_a and blank_b
        if a.count("e") != b.count("e"):  # spacing moves no letter: different words
            return False
        return spaced(a) == spaced(b)
    blank_a, blank_b = blank(a), blank(b)
    if blank_a or blank_b:
        return blank_a and blank_b
    if isinstance(a, datetime):
        a = a.date()
    if isinstance(b, datetime):
        b = b.date()
    if isinstance(a, str) and isinstance(b, str):
        return a == b or spaced(a) == spaced(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) < 1e-9
    return a == b


_ASCII_SPACES = "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"  # whitespace in ASCII, but the space


@lru_cache(maxsize=1024)  # an action's texts are compared several times in a row
def spaced(text: str) -> str:
    """``text`` with its spacing normalised (runs of any whitespace → one space, none at
    the ends); only texts that need it are split, as most progress updates do not.
    Every whitespace character but the space is unprintable, so a printable text
    without double or outer spaces is already normal (ASCII text: a few quick scans)."""
    if text[:1] != " " and text[-1:] != " " and "  " not in text and (
            not any(map(text.__contains__, _ASCII_SPACES)) if text.isascii()
            else text.isprintable()):
        return text
    return " ".join(text.split())


def changed_fields(master_row: Row, row: Row, fields: tuple[str, ...]) -> list[str]:
    """Fields the return answered with something other than the master's value (a text
    equal to the master's — often the master's own, see ``share_values`` — at once)."""
    out = []
    for key in fields:
        value = row.get(key)
        if value is None:  # the commonest unanswered cell, without a call
            continue
        theirs = master_row.get(key)
        if type(value) is str:  # noqa: E721
            if value == theirs or not value.strip():
                continue
        elif blank(value):
            continue
        if theirs is None or not same(value, theirs):  # an answer where the master has none
            out.append(key)
    return out


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


def with_changes(master_row: Row, cands: list[Candidate], fields: tuple[str, ...]
                 ) -> list[Candidate]:
    """Note on each candidate which ``fields`` it changes (once: merging asks again and
    again, and the answer holds until the master row is updated); those that change any."""
    for cand in cands:
        cand.changes = tuple(changed_fields(master_row, cand.row, fields))
    return [c for c in cands if c.changes]


def combine(master_row: Row, changed: list[Candidate], fields: tuple[str, ...],
            content: tuple[str, ...]) -> tuple[dict[str, Any], list[str]]:
    """The merged values, and the content fields on which candidates disagree.

    Different dates resolve to the latest; different "Updated by" names are joined
    (both people did update it); different content is a conflict. Who-and-when
    fields are taken from every changing return, even where they match the master.
    ``changed``: candidates whose ``changes`` (see ``with_changes``) are known.
    """
    if len(changed) == 1:
        return _answers(changed[0], fields, content), []
    merged: dict[str, Any] = {}
    conflicts = []
    for key in fields:
        values: list[Any] = []
        for cand in changed:
            if not _answered(cand, key, content):
                continue
            value = cand.row[key]
            if not values or not any(same(value, v) for v in values):
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


def _answers(cand: Candidate, fields: tuple[str, ...], content: tuple[str, ...]
             ) -> dict[str, Any]:
    """``combine`` for one changing candidate (most actions: one return each): its
    answers, as no other can disagree — its changed content, its who-and-when."""
    return {key: cand.row[key] for key in fields if _answered(cand, key, content)}


def _answered(cand: Candidate, key: str, content: tuple[str, ...]) -> bool:
    """Whether ``cand`` gives ``key`` a value to merge: a content field only where it
    changes it (not blank, not the master's own), a who-and-when field whenever filled."""
    return key in cand.changes if key in content else not blank(cand.row.get(key))


def _quote(value: Any, limit: int = 90) -> str:
    text = " ".join(str(value).split()) if not isinstance(value, date) else f"{value:%d/%m/%Y}"
    return f"'{text[:limit]}…'" if len(text) > limit else f"'{text}'"


def conflict_findings(key: str, changed: list[Candidate], fields: list[str], layout,
                      what: str, label: str | None = None) -> tuple[Finding, list[Finding]]:
    """The master's flag (both candidates in words) and one finding per return cell;
    ``label`` names the row as people read it (an action's Ref), else ``key``."""
    names = {k: layout.column(k).name for k in fields}
    parts = []
    per_file = []
    for cand in changed:
        said = ", ".join(f"{names[k]} {_quote(cand.row.get(k))}" for k in fields
                         if not blank(cand.row.get(k)))
        parts.append(f"{cand.file} ({layout.name}!{cand.cell(fields[0])}) says {said}")
        per_file.append(Finding(
            "CONFLICT", f"{what} {label or key}: this return and another disagree on "
            f"{' and '.join(names.values())}; the master keeps its value",
            file=cand.file, sheet=layout.name, cell=cand.cell(fields[0]), action_id=key,
            column=names[fields[0]], got=cand.row.get(fields[0])))
    flag = Finding("CONFLICT", "returns disagree, the master keeps its value until the PMO "
                   "decides: " + "; ".join(parts), action_id=key)
    return flag, per_file


# -- actions ----------------------------------------------------------------------


def period_state(master: Book) -> dict[str, Any]:
    """What earlier consolidations of this master did this period (kept in its Settings):
    ``ids`` updated, ``by`` whom (officers per ID), ``received`` (officers who returned).
    Empty for a new period — or for a state that cannot be read, rather than failing."""
    state = master.extra_settings.get(STATE_KEY)
    if not isinstance(state, dict) or state.get("period") != master.plan.period:
        return {}
    return state


def merge_actions(master: Book, candidates: dict[str, list[Candidate]],
                  result: MergeResult) -> None:
    """Apply every action's candidates to the master rows (in place)."""
    state = period_state(master)
    done = set(state.get("ids", []))
    by: dict[str, list[str]] = dict(state.get("by") or {})
    texts: dict[str, list[dict[str, Any]]] = dict(state.get("conflicts") or {})
    rows = master.actions_by_id()
    fields = (PROGRAMME_FIELDS, PROGRAMME_CONTENT) if master.is_programme else (
        UPDATE_FIELDS, ACTION_CONTENT)
    for action_id in [i for i in rows if i in candidates]:  # report in master order
        cands, master_row = candidates[action_id], rows[action_id]
        for cand in cands:
            cand.invalid = about_the_master(cand, master_row)
            for f in cand.invalid:
                result.flag(action_id, Finding("INVALID", f"{f.message} ({cand.file} › "
                                               f"{f.sheet}!{f.cell})", action_id=action_id))
            result.findings += locked_changes(master_row, cand, action_id in done)
        merged = _merge_action(master_row, action_id, cands, result, by.get(action_id, []),
                               *fields)
        # its conflict (the last one: each action is merged once), in full for next quarter
        if result.conflicts and result.conflicts[-1] == action_id:  # (never cut short)
            texts[action_id] = [
                {"file": c.file, "officer": c.officer,
                 **{k: str(c.row[k]) for k in ACTION_CONTENT if not blank(c.row.get(k))}}
                for c in cands if c.changes_content()]
        if merged:
            if action_id not in done:
                master_row["previous_progress"], master_row["previous_rag"] = \
                    previous_values(master_row)
                done.add(action_id)
            names = {c.officer for c in cands
                     if c.officer and c.changes_content()}
            by[action_id] = sorted(set(by.get(action_id, [])) | names)  # for late returns
            master_row.update(merged)
    master.extra_settings[STATE_KEY] = {**state, "period": master.plan.period,
                                        "ids": sorted(done), "by": by, "conflicts": texts}


def about_the_master(cand: Candidate, master_row: Row) -> list[Finding]:
    """The return's INVALID cells that concern the master's action: those merged into it,
    and locked cells holding the master's own value (an officer not on the list). A bad
    value typed into a locked cell is not merged, so it is reported for the return only."""
    return [f for f in cand.invalid if f.column not in _LOCKED_NAMES or same(
        cand.row.get(_LOCKED_NAMES[f.column]), master_row.get(_LOCKED_NAMES[f.column]))]


def locked_changes(master_row: Row, cand: Candidate, updated: bool) -> list[Finding]:
    """Cells of a return's row the officer changed but may not (the wording, the
    officers, the previous progress): not merged, but the PMO should know."""
    previous = {} if updated else dict(zip(PREVIOUS, previous_values(master_row), strict=True))
    out = []
    row = cand.row
    keys = LOCKED_FIELDS
    if list(map(row.get, _PLAIN_LOCKED)) == list(map(master_row.get, _PLAIN_LOCKED)):
        keys = _PREVIOUS_LOCKED  # the 12,000-row case, compared in one go
    for key in keys:
        value = row.get(key)
        shown = previous[key] if key in previous else master_row.get(key)  # as issued
        if value == shown or key not in cand.letters:  # the 12,000-row case
            continue
        if same(value, shown) or (key in PREVIOUS and same(value, master_row.get(key))):
            continue  # (Previous: a return issued after an earlier merge shows the master's)
        if is_cut_of(value, shown):
            continue  # too long for its row: the return shows its start (return_layout)
        name = ACTIONS_LAYOUT.column(key).name
        out.append(Finding(
            "LOCKED_CHANGED", f"{name} was changed in the return; it is not the "
            f"officer's to change, so the master keeps {_quote(shown)}",
            file=cand.file, sheet=ACTIONS_LAYOUT.name, cell=cand.cell(key),
            action_id=master_row.get("id"), column=name, expected=shown, got=value))
    return out


def _merge_action(master_row: Row, action_id: str, cands: list[Candidate],
                  result: MergeResult, earlier: list[str],
                  fields: tuple[str, ...] = UPDATE_FIELDS,
                  content: tuple[str, ...] = ACTION_CONTENT) -> dict[str, Any]:
    """One action's candidates merged (``fields``/``content``: a programme plan's add
    Revised end, which two RDLs must not give differently)."""
    changed = with_changes(master_row, cands, fields)
    merged, conflicts = combine(master_row, changed, fields, content)
    late = [] if conflicts else late_disagreement(master_row, changed, earlier)
    if late:
        conflicts = [k for k in content if any(k in c.changes for c in late)]
        flag, per_file = conflict_findings(action_id, late, conflicts, ACTIONS_LAYOUT,
                                           "action", _ref(master_row, action_id))
        flag = _with_master_side(flag, master_row, conflicts, earlier)
        changed = late
    elif conflicts:
        flag, per_file = conflict_findings(action_id, changed, conflicts, ACTIONS_LAYOUT,
                                           "action", _ref(master_row, action_id))
    if conflicts:
        result.flag(action_id, flag)
        result.findings += per_file
        result.conflicts.append(action_id)
        merged = {}
    elif merged:
        result.updated.append(action_id)
    elif any(any(not blank(c.row.get(k)) for k in fields) for c in cands):
        result.unchanged.append(action_id)
    else:
        result.no_update.append(action_id)
    for cand in cands:
        cand.outcome = _outcome(cand, cand in changed, bool(conflicts), fields)
        result.count(cand.file, cand.outcome)
    return merged


def _ref(row: Row, action_id: str) -> str:
    """An action's Ref (what its officers see), or its ID when it has none."""
    return " ".join(str(row.get("ref") or "").split()) or action_id


def late_disagreement(master_row: Row, changed: list[Candidate],
                      earlier: list[str]) -> list[Candidate]:
    """Late returns (consolidated after another officer's update of the same action was
    merged this period) that say something different: a conflict, not a correction —
    an officer correcting their own earlier update is not in conflict with it."""
    if not earlier:
        return []
    return [c for c in changed if c.officer and c.officer not in earlier
            and c.changes_content()]


def _with_master_side(flag: Finding, master_row: Row, fields: list[str],
                      earlier: list[str]) -> Finding:
    said = ", ".join(f"{ACTIONS_LAYOUT.column(k).name} {_quote(master_row.get(k))}"
                     for k in fields if not blank(master_row.get(k)))
    head, _, rest = flag.message.partition(": ")
    return Finding("CONFLICT", f"{head}: the master holds {said}, merged earlier from "
                   f"{' / '.join(earlier)}; {rest}", action_id=flag.action_id)


def _outcome(cand: Candidate, changed: bool, conflict: bool, fields: tuple[str, ...]) -> str:
    if conflict and changed:
        return "conflict"
    if cand.invalid:
        return "invalid"
    if changed:
        return "updated"
    return "unchanged" if any(not blank(cand.row.get(k)) for k in fields) else "no update"


def write_flags(master: Book, flags: dict[str, list[Finding]], keep: set[str] = frozenset()
                ) -> None:
    """Rewrite each action's consolidation flags; other tools' flag lines are kept, and so
    are the INVALID / CONFLICT lines of actions in ``keep`` (no return this time spoke to
    them: what an earlier consolidation this period found still stands)."""
    for row in master.actions:
        old = row.get("flags")
        if not old and row.get("id") not in flags:  # the commonest row: nothing to rewrite
            continue
        owned = OWNED_CODES - {"INVALID", "CONFLICT"} if row.get("id") in keep else OWNED_CODES
        kept = [line for line in str(old or "").splitlines()
                if line.strip() and not set(codes_in(line)) & owned]
        new = flags_text(flags.get(row.get("id"), []))
        text = "\n".join([*kept, *([new] if new else [])]) or None
        if text != (old or None):
            row["flags"] = text


def missing_returns(master: Book, by_key: str, received: set[str], result: MergeResult,
                    file: str | None = None, answered: set[str] = frozenset()
                    ) -> dict[str, list[str]]:
    """Officer → their action IDs, for every officer with actions who sent nothing.

    ``answered``: actions a deputy returned for their owner (not missing). Each
    finding points at the action's Flags cell in ``file``, the master written."""
    letter = master.letters(ACTIONS_LAYOUT).get("flags", "?")
    missing: dict[str, list[str]] = {}
    folded = {r.casefold() for r in received}
    for row in master.actions:
        for officer in split_officers(row.get(by_key)):
            if officer.casefold() in folded or blank(row.get("id")) or row["id"] in answered:
                continue
            missing.setdefault(officer, []).append(row["id"])
            message = f"no return from {officer} for {master.plan.period}"
            result.flag(row["id"], Finding("MISSING_RETURN", message, action_id=row["id"]))
            result.findings.append(Finding(
                "MISSING_RETURN", message, file=file, sheet=ACTIONS_LAYOUT.name,
                cell=f"{letter}{row.get('_row', '?')}", action_id=row["id"], got=officer))
    return missing


def rows_left_out(master: Book, by_key: str, answered: dict[str, set[str]],
                  result: MergeResult, file: str | None = None) -> list[str]:
    """Actions issued to an officer whose return came back without them (a row deleted,
    its ID typed over): the officer is not missing, but the action got no answer — say so
    at the action rather than leave the gap silent. ``answered``: officer (case-folded)
    → the action IDs their returns held."""
    letter = master.letters(ACTIONS_LAYOUT).get("flags", "?")
    left_out = []
    for row in master.actions:
        for officer in split_officers(row.get(by_key)):
            ids = answered.get(officer.casefold())
            if ids is None or blank(row.get("id")) or row["id"] in ids:
                continue
            left_out.append(row["id"])
            message = (f"the return from {officer} has no row for this action (deleted, or "
                       "its ID changed?); no update merged")
            result.flag(row["id"], Finding("MISSING_RETURN", message, action_id=row["id"]))
            result.findings.append(Finding(
                "MISSING_RETURN", message, file=file, sheet=ACTIONS_LAYOUT.name,
                cell=f"{letter}{row.get('_row', '?')}", action_id=row["id"], got=officer))
    return left_out


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
        changed = with_changes(master_row, cands, SAVINGS_FIELDS)
        merged, conflicts = combine(master_row, changed, SAVINGS_FIELDS, SAVINGS_CONTENT)
        if conflicts:
            _flag, per_file = conflict_findings(label, changed, conflicts, SAVINGS_LAYOUT,
                                                "savings line")
            result.findings += per_file
            result.savings_conflicts.append(label)
            merged = {}
        if merged:
            master_row.update(merged)
            updated.append(label)
        for cand in cands:
            cand.outcome = _outcome(cand, cand in changed, bool(conflicts), SAVINGS_FIELDS)
            result.count(cand.file, cand.outcome)
    return updated
