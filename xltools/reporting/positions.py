"""Whether each action's position is this quarter's confirmed update — or not.

The committee reads the master's Progress update and RAG status as "where the
action is now". Four kinds of row say no such thing, and every committee output
(the paper, the exception report, the highlight report) marks them, with a key,
rather than print them as if confirmed:

- **invalid**: the officer's entry breaks the plan's rules (a RAG not on the
  scheme, a date typed as text); it is shown as given, to be corrected;
- **conflict**: two officers of a joint action sent different updates; neither
  was merged, the master still holds the earlier position;
- **no return**: the officer sent no return this quarter;
- **carried**: a return came in but left the action blank, so last quarter's
  position was carried forward unchanged, unconfirmed.

"Carried" is known from what consolidation recorded in the master's Settings
(the actions it updated this period); a master never consolidated this period
has no such record, and no row is marked carried.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..findings import codes_in
from ..workbook.book import Book, Row, blank

# The Settings key consolidation writes (cycle.returns.STATE_KEY: reporting sits below
# cycle and cannot import it; tests/test_positions.py holds the two equal).
STATE_KEY = "updated_this_period"

INVALID, CONFLICT, NO_RETURN, CARRIED = "invalid", "conflict", "no return", "carried"


@dataclass(frozen=True)
class Kind:
    """One kind of unconfirmed position: its marker, its name and its footnote."""

    key: str
    marker: str
    label: str
    note: str


KINDS = {k.key: k for k in (
    Kind(INVALID, "†", "Invalid entry",
         "the officer's entry breaks the plan's rules (e.g. a status not on the RAG scheme); "
         "shown as given until it is corrected"),
    Kind(CONFLICT, "‡", "Returns disagree",
         "the officers of a joint action sent different updates; neither is shown, the "
         "earlier position stands until they agree"),
    Kind(NO_RETURN, "§", "No return",
         "no return was received this quarter; the last known position is shown"),
    Kind(CARRIED, "¶", "Not updated this quarter",
         "the return left this action blank; last quarter's position is carried forward, "
         "unconfirmed"),
)}


def unconfirmed(book: Book) -> dict[int, Kind]:
    """``id(row)`` → why that action's position is not this quarter's confirmed update,
    for each such action of ``book`` (one kind per row: the first that applies)."""
    updated = updated_this_period(book)
    out: dict[int, Kind] = {}
    for row in book.actions:
        kind = kind_of(book, row, updated)
        if kind is not None:
            out[id(row)] = KINDS[kind]
    return out


def kind_of(book: Book, row: Row, updated: set[str] | None) -> str | None:
    """The kind of one row, or None when its position is this quarter's update."""
    codes = codes_in(row.get("flags"))
    rag = row.get("rag")
    if "INVALID" in codes or (not blank(rag) and book.plan.rag(str(rag)) is None):
        return INVALID
    if "CONFLICT" in codes:
        return CONFLICT
    if "MISSING_RETURN" in codes:
        return NO_RETURN
    if updated is not None and not blank(row.get("id")) and str(row["id"]) not in updated:
        return CARRIED
    return None


def invalid_detail(row: Row) -> str:
    """What is invalid, in the committee's words, from the row's first INVALID flag
    line: "RAG status 'On track' is not one of the allowed values" (the file and cell
    it came from, and the advice to the officer, left off)."""
    for line in str(row.get("flags") or "").splitlines():
        if codes_in(line) == ["INVALID"]:
            text = line.split(":", 1)[1].strip()
            return text.split(" (", 1)[0].split(" — ", 1)[0].strip()
    return ""


def updated_this_period(book: Book) -> set[str] | None:
    """IDs of the actions consolidation updated this period; None when it left no
    record for this period (never consolidated, or another period's record)."""
    state: Any = book.extra_settings.get(STATE_KEY)
    if not isinstance(state, dict) or state.get("period") != book.plan.period:
        return None
    return {str(i) for i in state.get("ids") or []}


def counts(marked: dict[int, Kind]) -> dict[str, int]:
    """How many rows of each kind, in the key's order (kinds with none left out)."""
    found = Counter(k.key for k in marked.values())
    return {key: found[key] for key in KINDS if found[key]}


def summary(marked: dict[int, Kind]) -> str:
    """``invalid entry 2, returns disagree 1, …`` for the PMO's screen."""
    return ", ".join(f"{KINDS[k].label.lower()} {n} ({KINDS[k].marker})"
                     for k, n in counts(marked).items())
