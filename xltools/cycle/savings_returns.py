"""Savings returns: each project's lead officer gets their projects to revise.

Finance's step 1 of the savings cycle (docs/finance-guide.md). A savings row
goes to the lead officer of its project whether or not that officer leads any
action, so ``xltools issue`` on the PMO's master sends savings rows to their
leads too, and ``xltools issue BASELINE.xlsx --savings`` works from a
finance-only workbook (Savings rows, no actions).

A return holds the officer's *projects*, every year of each: a project whose
lead officer is typed on only some of its rows still goes out whole. Expected
(the approved target, locked in the return) is filled; Revised, Change type and
the approval are emptied, because a return asks for this quarter's forecast and
a blank Revised already means "no change" when it comes back.
"""

from __future__ import annotations

from pathlib import Path

from ..findings import Finding
from ..plan import split_officers
from ..workbook.book import Book, Row, blank, clean_row
from ..workbook.layout import SAVINGS_LAYOUT

# cleared in an issued return: the officer answers these
ANSWER_FIELDS = ("revised", "change", "change_type", "approved_by", "approved_on")


def _ref(row: Row) -> str:
    """The project a row belongs to, compared ignoring case and spacing."""
    return " ".join(str(row.get("project_ref") or "").split()).casefold()


def savings_leads(master: Book) -> tuple[dict[str, list[Row]], list[Finding]]:
    """Lead officer → the Savings rows of every project they lead (all years, sheet order).

    Names are matched to the officer list ignoring case, as the Actions are. A
    project with no lead officer on any row is reported (NO_OFFICER), not dropped
    silently: finance has to say who answers for it.
    """
    listed = {n.casefold(): n for n in master.plan.individual_officers}
    leads: dict[str, list[str]] = {}  # project → its officers, first seen first
    for row in master.savings:
        for name in split_officers(row.get("lead_officer")):
            officers = leads.setdefault(_ref(row), [])
            officer = listed.get(name.casefold(), name)
            if officer not in officers:
                officers.append(officer)
    groups: dict[str, list[Row]] = {}
    findings, reported = [], set()
    for row in master.savings:
        ref = _ref(row)
        if not ref:
            continue
        officers = leads.get(ref, [])
        if not officers and ref not in reported:
            reported.add(ref)
            findings.append(_no_lead(master, row))
        for officer in officers:
            groups.setdefault(officer, []).append(row)
    return groups, findings


def _no_lead(master: Book, row: Row) -> Finding:
    letter = master.letters(SAVINGS_LAYOUT).get("lead_officer", "?")
    return Finding("NO_OFFICER", f"savings project {row.get('project_ref')} has no lead "
                   "officer; no return includes it",
                   file=Path(master.path).name if master.path else None,
                   sheet=SAVINGS_LAYOUT.name, cell=f"{letter}{row.get('_row', '?')}",
                   action_id=str(row.get("project_ref")), column="Lead officer")


def savings_return_row(row: Row) -> Row:
    """The row as issued: Expected and the project's details kept, the answers emptied."""
    out = clean_row(row)
    for key in ANSWER_FIELDS:
        out[key] = None
    return out


def officer_savings(groups: dict[str, list[Row]], officer: str) -> list[Row]:
    """The issued savings rows for ``officer`` (matched ignoring case)."""
    wanted = officer.casefold()
    rows = next((r for name, r in groups.items() if name.casefold() == wanted), [])
    return [savings_return_row(r) for r in rows if not blank(r.get("project_ref"))]
