"""Consolidating a programme plan's risks (issue 27): each owner's "risk score now".

A return's Risks sheet holds the risks its officer owns (``risk_returns``); only
Likelihood and Impact are theirs to change. Consolidation takes those two from the
owner's return (or a deputy's, as for actions), rescores the risk with the plan's
thresholds (``workbook.risks.score_risk``: score, RAG, direction against the previous
score) and reports the rest as it does for actions: a risk its officer does not own
is NOT_OWNER and not merged, two owners giving different scores is a CONFLICT (the
master keeps its own), an ID the master lacks is UNKNOWN_ID. A value outside 1–5 is
reported by ``check``'s rules (INVALID) and never merged: a score is never made up.
"""

from __future__ import annotations

from collections.abc import Callable

from ..findings import Finding
from ..plan import split_officers
from ..workbook.book import Book, Row, blank, cell_ref, clean_row
from ..workbook.layout import RETURN, RISKS_LAYOUT
from ..workbook.risks import score_risk, score_value, thresholds
from .intake import ReturnFile
from .merge import Candidate, MergeResult, combine, conflict_findings, same, with_changes

RISK_FIELDS = ("likelihood", "impact")
# officer, the risk's owners -> "" (an owner), a delegation's source, or None (neither)
Permission = Callable[[str, list[str]], str | None]


def collect_risks(master: Book, rf: ReturnFile, permission: Permission,
                  candidates: dict[str, list[Candidate]], result: MergeResult
                  ) -> list[Finding]:
    """File each risk row of a checked return as a candidate, or report why not."""
    rows = {str(r["id"]).casefold(): r for r in master.risks if not blank(r.get("id"))}
    letters = rf.book.letters(RISKS_LAYOUT)
    found = []
    for row in rf.book.risks:
        typed = None if blank(row.get("id")) else str(row["id"]).strip()
        master_row = rows.get(typed.casefold()) if typed else None
        if master_row is None:
            if typed and _answers(row):
                result.count(rf.name, "unknown ID")
                found.append(Finding(
                    "UNKNOWN_ID", f"risk {typed} is not in the master's Risks sheet; its "
                    "score is not merged — ask the PMO to add the risk first", file=rf.name,
                    sheet=RISKS_LAYOUT.name, cell=cell_ref(letters, "id", row),
                    action_id=typed, got=typed))
            continue
        owners = split_officers(master_row.get("owner"))
        if permission(rf.officer, owners) is None:
            found += _not_owner(rf, row, master_row, owners, letters, result)
            continue
        found += _locked_changes(rf, row, master_row, letters)
        scored = {**clean_row(row), "_row": row.get("_row")}
        for key in RISK_FIELDS:  # only a 1-5 is merged (check reports the rest)
            scored[key] = score_value(row.get(key))
        candidates.setdefault(str(master_row["id"]), []).append(
            Candidate(rf.name, scored, letters, officer=rf.officer))
    return found


# the cells of a return's risk the owner sees but may not change (xltools sets the score)
LOCKED_RISK_FIELDS = tuple(c.key for c in RISKS_LAYOUT.columns
                           if RETURN not in c.editable and c.key != "id")


def _locked_changes(rf: ReturnFile, row: Row, master_row: Row,
                    letters: dict[str, str]) -> list[Finding]:
    """Locked cells of a risk typed over in the return: not merged, but said (as an
    action's are), so an owner's rewording is not lost without a word."""
    out = []
    for key in LOCKED_RISK_FIELDS:
        if key not in letters or same(row.get(key), master_row.get(key)):
            continue
        name = RISKS_LAYOUT.column(key).name
        out.append(Finding(
            "LOCKED_CHANGED", f"{name} of risk {master_row['id']} was changed in the return; "
            f"it is not the owner's to change, so the master keeps "
            f"'{master_row.get(key) if master_row.get(key) is not None else ''}' — ask the "
            "PMO to change it", file=rf.name, sheet=RISKS_LAYOUT.name,
            cell=cell_ref(letters, key, row), action_id=str(master_row["id"]), column=name,
            expected=master_row.get(key), got=row.get(key)))
    return out


def _answers(row: Row) -> bool:
    return any(not blank(row.get(k)) for k in RISK_FIELDS)


def _not_owner(rf: ReturnFile, row: Row, master_row: Row, owners: list[str],
               letters: dict[str, str], result: MergeResult) -> list[Finding]:
    """A risk someone else owns: not merged; said only when the return changes its score."""
    result.count(rf.name, "not owner")
    if all(score_value(row.get(k)) in (None, score_value(master_row.get(k)))
           for k in RISK_FIELDS):
        return []
    rid = str(master_row["id"])
    who = " / ".join(owners) or "no one (the Risks sheet names no owner)"
    return [Finding("NOT_OWNER", f"risk {rid} ({master_row.get('title') or 'untitled'}) is "
                    f"owned by {who}; this return is from {rf.officer or 'an unknown officer'}: "
                    "its risk score is not merged", file=rf.name, sheet=RISKS_LAYOUT.name,
                    cell=cell_ref(letters, "id", row), action_id=rid,
                    expected=" / ".join(owners) or None, got=rf.officer or None)]


def merge_risks(master: Book, candidates: dict[str, list[Candidate]],
                result: MergeResult) -> list[str]:
    """Apply the owners' likelihood and impact, rescoring each risk changed; returns the
    IDs of the risks updated (in the master's order)."""
    limits = thresholds(master)
    updated = []
    for row in master.risks:
        rid = str(row.get("id"))
        cands = candidates.get(rid)
        if not cands:
            continue
        changed = with_changes(row, cands, RISK_FIELDS)
        merged, conflicts = combine(row, changed, RISK_FIELDS, RISK_FIELDS)
        if conflicts:
            _flag, per_file = conflict_findings(rid, changed, conflicts, RISKS_LAYOUT, "risk")
            result.findings += per_file
            merged = {}
        if merged:
            row.update(merged)
            score_risk(row, limits)
            updated.append(rid)
        for cand in cands:
            outcome = "conflict" if conflicts and cand in changed else \
                "updated" if cand in changed else "unchanged"
            result.count(cand.file, outcome)
    return updated
