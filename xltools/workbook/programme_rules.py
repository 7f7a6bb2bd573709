"""The rules only a programme plan's workbook has (issue 27): an activity's Revised end,
and the Risks sheet.

Revised end is the RDL's forecast: a date, or a month as text ("Dec 2024"), that the
flags compare with End (Timeframe) — so text that names no day or month ("TBC", "soon")
is INVALID, and so is a forecast ending before the activity starts. On the Risks sheet
each risk needs its own ID (consolidation matches returns to risks by it), a
likelihood and impact of 1–5 (the score is their product, 1–25), and an owner on the
officer list (a return goes to the owner). Each finding names sheet, cell and rule,
as validation does; the row is kept, never changed.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from ..findings import Finding
from ..plan import Plan, split_officers
from ..timeframes import DATED, read_timeframe
from .book import Book, Row, blank, cell_ref
from .layout import ACTIONS_LAYOUT, RISKS_LAYOUT
from .risks import score_value


def month_day(value: Any, *, first: bool, fy_start_month: int = 4) -> date | None:
    """The day a Start or Revised end cell names: a date as itself; a month (or quarter,
    year) as its first day (``first``: a start) or its last; None for anything else
    ("Started", "Ongoing", "TBC")."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    frame = read_timeframe(value, fy_start_month)
    if frame.kind != DATED or frame.due is None:
        return None
    return frame.due.replace(day=1) if first else frame.due


def revised_end_findings(book: Book, file: str | None) -> list[Finding]:
    """INVALID for each Revised end that is neither a date nor a month, or that ends
    before the activity's Start."""
    letters = book.letters(ACTIONS_LAYOUT)
    column = ACTIONS_LAYOUT.column("revised_end")
    fy = book.plan.fy_start_month
    out = []
    for row in book.actions:
        value = row.get("revised_end")
        if blank(value):
            continue
        end = month_day(value, first=False, fy_start_month=fy)
        if end is None:
            why, expected = (f"'{value}' is not a date or a month — type the forecast end "
                             "as a date (14/10/2024) or a month (Dec 2024)"), "a date or a month"
        else:
            start = month_day(row.get("start"), first=True, fy_start_month=fy)
            if start is None or end >= start:
                continue
            why, expected = (f"'{_shown(value)}' is before the activity's Start "
                             f"'{_shown(row.get('start'))}'"), "not before Start"
        out.append(Finding("INVALID", f"{column.name} {why}", file=file,
                           sheet=ACTIONS_LAYOUT.name, cell=cell_ref(letters, "revised_end", row),
                           action_id=row.get("id") or None, column=column.name,
                           expected=expected, got=value))
    return out


def _shown(value: Any) -> str:
    if isinstance(value, datetime):
        value = value.date()
    return f"{value:%d/%m/%Y}" if isinstance(value, date) else str(value)


def risk_findings(book: Book, file: str | None) -> list[Finding]:
    """The Risks sheet's own rules: IDs unique, Likelihood and Impact 1–5 (whole
    numbers), Owner on the officer list."""
    letters = book.letters(RISKS_LAYOUT)
    counts = Counter(str(r["id"]) for r in book.risks if not blank(r.get("id")))
    out = []
    for row in book.risks:
        rid = None if blank(row.get("id")) else str(row["id"])
        where = {"file": file, "sheet": RISKS_LAYOUT.name, "action_id": rid}
        if rid is None:
            out.append(Finding("INVALID", "ID is required: each risk needs its own (R1, R2…)",
                               cell=cell_ref(letters, "id", row), column="ID",
                               expected="an ID", **where))
        elif counts[rid] > 1:
            out.append(Finding("DUPLICATE_ID", f"Risk ID {rid} appears {counts[rid]} times; "
                               "each risk needs its own", cell=cell_ref(letters, "id", row),
                               column="ID", **where))
        for key in ("likelihood", "impact"):
            out += _score_findings(row, key, letters, where)
        out += _owner_findings(row, book.plan, letters, where)
    return out


def _score_findings(row: Row, key: str, letters: dict[str, str],
                    where: dict[str, Any]) -> list[Finding]:
    value = row.get(key)
    if blank(value) or score_value(value) is not None:
        return []
    name = RISKS_LAYOUT.column(key).name
    return [Finding("INVALID", f"{name} '{value}' is not 1 to 5 — pick a whole number "
                    "from the dropdown", cell=cell_ref(letters, key, row), column=name,
                    expected="1 to 5", got=value, **where)]


def _owner_findings(row: Row, plan: Plan, letters: dict[str, str],
                    where: dict[str, Any]) -> list[Finding]:
    owner = row.get("owner")
    if blank(owner):
        return []
    known = {" ".join(o.split()).casefold() for o in plan.individual_officers}
    unknown = [n for n in split_officers(str(owner)) if " ".join(n.split()).casefold()
               not in known]
    if not unknown:
        return []
    return [Finding("INVALID", f"Owner '{', '.join(unknown)}' is not on the officer list — "
                    "pick the owner from the list (the risk goes in their return)",
                    cell=cell_ref(letters, "owner", row), column="Owner",
                    expected="officers on the Lists sheet", got=owner, **where)]
