"""Savings rows into next quarter: approved changes become the new baseline.

The Savings sheet has one row per project per financial year, and ``Expected``
is the approved (MTFS) target for *that row's year*. So "Revised becomes next
year's Expected" (issue 5) means, row by row: where a change was approved, the
approved figure is the baseline from now on — ``Expected`` takes ``Revised``.
A re-profile into next year is a change to next year's row and is carried the
same way once approved. The rule is the same within a financial year and at a
year boundary; at a boundary the rows of the year just ended stay (they are the
outturn the committee summary adds up), nothing is deleted or folded.

A change counts as approved only when both ``Approved by`` and ``Approved on``
(a real date) are filled. Anything else — no approval, a Revised that is not a
number, a Change type with no figure — is left exactly as it was (Expected
unchanged, Revised and the approval cells kept) and flagged ``NOT_CARRIED`` in
the report and as the first line of the row's Comment, so finance can see it
in the workbook.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ..findings import Finding, codes_in
from ..workbook.book import Row, blank, clean_row
from ..workbook.layout import SAVINGS

CLEARED = ("revised", "change_type", "approved_by", "approved_on")
TOLERANCE = 0.0005  # £000 figures: half a pound


def carry_savings(rows: list[Row], period: str, file: str,
                  letters: dict[str, str]) -> tuple[list[Row], list[Finding], dict[str, int]]:
    """Every savings row carried (none dropped), the NOT_CARRIED findings and counts."""
    out, notes = [], []
    counts = {"rows": len(rows), "approved": 0, "unchanged": 0, "not_carried": 0}
    for row in rows:
        new, outcome, finding = carry_row(row, period, file, letters)
        out.append(new)
        counts[outcome] += 1
        if finding is not None:
            notes.append(finding)
    return out, notes, counts


def carry_row(row: Row, period: str, file: str,
              letters: dict[str, str]) -> tuple[Row, str, Finding | None]:
    """(next quarter's row, ``approved``/``unchanged``/``not_carried``, finding or None)."""
    new = clean_row(row)
    new.pop("change", None)  # a formula: the writer writes it afresh for each row
    revised, expected = row.get("revised"), row.get("expected")
    if _no_change(row):
        _clear(new)
        return new, "unchanged", None
    reason = not_carried_reason(row)
    if reason is None:
        new["expected"] = revised
        new["comment"] = _join(approval_note(row, period), _without_flag(row.get("comment")))
        _clear(new)
        return new, "approved", None
    kept = f"Expected kept at {money(expected)}" if _is_number(expected) else "Expected kept"
    message = f"{reason}; not carried forward from {period}, {kept} until finance approves it"
    new["comment"] = _join(f"NOT_CARRIED: {message}", _without_flag(row.get("comment")))
    finding = Finding("NOT_CARRIED", message, file=file, sheet=SAVINGS,
                      cell=f"{letters.get('revised', '?')}{row.get('_row', '?')}",
                      action_id=_text(row.get("project_ref")), column="Revised",
                      expected=expected, got=revised, extra={"year": row.get("year")})
    return new, "not_carried", finding


def _no_change(row: Row) -> bool:
    """No figure and no change type, or a Revised equal to Expected."""
    revised, expected = row.get("revised"), row.get("expected")
    if blank(revised):
        return blank(row.get("change_type"))
    if not _is_number(revised):
        return False
    base = 0 if blank(expected) else expected
    return _is_number(base) and abs(revised - base) < TOLERANCE


def not_carried_reason(row: Row) -> str | None:
    """Why a changed row cannot become the new baseline; None when it can."""
    revised, expected = row.get("revised"), row.get("expected")
    if blank(revised):
        return f"Change type '{row.get('change_type')}' has no Revised figure"
    if not _is_number(revised):
        return f"Revised '{revised}' is not a number"
    if not (blank(expected) or _is_number(expected)):
        return f"Expected '{expected}' is not a number"
    change = revised - (expected or 0)
    if blank(row.get("approved_by")) or blank(row.get("approved_on")):
        return f"change of {money(change, sign=True)} to {row.get('year')} has no approval " \
               "(Approved by and Approved on)"
    if not isinstance(row.get("approved_on"), (date, datetime)):
        return f"Approved on '{row.get('approved_on')}' is not a date"
    return None


def approval_note(row: Row, period: str) -> str:
    """The audit line that replaces the cleared approval cells."""
    on = row["approved_on"]
    kind = row.get("change_type") or "change"
    return (f"{period}: Expected changed from {money(row.get('expected') or 0)} to "
            f"{money(row['revised'])} ({kind} approved by {row['approved_by']} on {on:%d/%m/%Y}).")


def money(value: Any, sign: bool = False) -> str:
    """£000 figures as finance writes them: 1,250 or -37.5."""
    if not _is_number(value):
        return str(value)
    text = f"{value:+,.1f}" if sign else f"{value:,.1f}"
    return text[:-2] if text.endswith(".0") else text


def _clear(row: Row) -> None:
    for key in CLEARED:
        row[key] = None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _without_flag(comment: Any) -> str:
    """The comment minus an earlier NOT_CARRIED line (it is re-decided each quarter)."""
    lines = str(comment or "").splitlines()
    return "\n".join(line for line in lines if "NOT_CARRIED" not in codes_in(line))


def _join(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


def _text(value: Any) -> str | None:
    return None if blank(value) else str(value)
