"""Risks in a programme plan's returns (issue 27): each risk goes to its Owner.

An RDL's return carries the risks they own, to give their "risk score now"
(Likelihood and Impact, the only cells unlocked); consolidation takes those two back
from the owner's return only and rescores. A risk with no owner goes to nobody: the
issue summary names it (NO_OFFICER on the Risks sheet) so the PMO can pick one —
never a silent gap in the register's review.
"""

from __future__ import annotations

from pathlib import Path

from ..findings import Finding
from ..plan import split_officers
from ..workbook.book import Book, Row, blank, cell_ref, clean_row
from ..workbook.layout import RISKS_LAYOUT

RISK_UPDATE_FIELDS = ("likelihood", "impact")  # what an owner's return may change


def risk_owners(master: Book) -> tuple[dict[str, list[Row]], list[Finding]]:
    """Officer (as the officer list spells them) → the risks they own, in master order;
    and NO_OFFICER for each risk with no owner."""
    if not master.is_programme:
        return {}, []
    listed = {n.casefold(): n for n in master.plan.individual_officers}
    letters = master.letters(RISKS_LAYOUT)
    file = Path(master.path).name if master.path else None
    owners: dict[str, list[Row]] = {}
    findings = []
    for row in master.risks:
        names = split_officers(row.get("owner"))
        if not names:
            findings.append(Finding(
                "NO_OFFICER", f"risk {row.get('id') or '?'} ({row.get('title') or 'untitled'}) "
                "has no owner; no return includes it — pick its Owner on the Risks sheet",
                file=file, sheet=RISKS_LAYOUT.name, cell=cell_ref(letters, "owner", row),
                action_id=None if blank(row.get("id")) else str(row["id"]), column="Owner"))
        for name in names:
            owners.setdefault(listed.get(name.casefold(), name), []).append(row)
    return owners, findings


def unowned(findings: list[Finding]) -> list[str]:
    """The IDs of the risks ``risk_owners`` found with no owner (for the summary)."""
    return [f.action_id or "?" for f in findings
            if f.code == "NO_OFFICER" and f.sheet == RISKS_LAYOUT.name]


def return_risks(owners: dict[str, list[Row]], officer: str) -> list[Row]:
    """The risks in ``officer``'s return: as the master has them (their current score
    shown; Likelihood and Impact theirs to change)."""
    mine = next((rows for name, rows in owners.items()
                 if name.casefold() == officer.casefold()), [])
    return [clean_row(r) for r in mine]
