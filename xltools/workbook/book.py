"""The in-memory form of an xltools workbook: a plan plus rows per sheet.

Template, master and return are the same format (DESIGN.md §3); ``Book`` holds
any of them. Rows are plain dicts keyed by the column keys in ``layout`` (so
``row["rag"]`` is the "RAG status" cell). Rows read from a file also carry
``"_row"``, their 1-based sheet row, so findings can name the cell.

What a master row holds in memory (measured, CPython 3.11, 64-bit): one dict of
its 17 columns plus ``_row`` (~460 bytes), its own long texts (the action, aim,
success measure, progress and previous progress: 49 bytes plus one per ASCII
character each) and references to short texts held once per sheet (officers,
section, timeframe, RAG — see ``reader.read_rows``); blank cells are ``None``.
A 12,000-row master with paragraph-length text is ~30 MB of rows, ~80 % of it
the text itself: a tuple or ``__slots__`` row would save ~300 bytes a row
(~4 MB), not worth a second row type every caller must know. Consolidation adds,
per return row that names an action, its dict with cells pointing at the
master's equal texts (``consolidate.share_values``) — the officer's new update
is all that is new — until the merge is done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..findings import Finding
from ..plan import Plan
from .layout import MASTER, SheetLayout, col_letter

Row = dict[str, Any]

# Settings ``plan_shape`` of a programme plan (issue 27: aims → programmes → key
# activities with Start and End, and a Risks sheet); a tracker has none.
PROGRAMME_SHAPE = "programme"
# Settings: each activity's Revised end last quarter (next quarter records it, flags
# read it for SLIPPED); the master's bookkeeping, so a return does not carry it
PREVIOUS_REVISED_END = "previous_revised_end"


@dataclass
class Book:
    """One workbook's content."""

    plan: Plan
    kind: str = MASTER
    officer: str = ""
    actions: list[Row] = field(default_factory=list)
    savings: list[Row] = field(default_factory=list)
    kpis: list[Row] = field(default_factory=list)
    archive: list[Row] = field(default_factory=list)
    log: list[Row] = field(default_factory=list)
    risks: list[Row] = field(default_factory=list)  # programme plans' Risks sheet
    path: str | None = None
    findings: list[Finding] = field(default_factory=list)
    extra_settings: dict[str, Any] = field(default_factory=dict)
    column_letters: dict[str, dict[str, str]] = field(default_factory=dict)
    own_settings: bool = False  # read from its own Settings (not a plan passed in)

    @property
    def is_programme(self) -> bool:
        """A programme plan's workbook (docs/decisions.md "Programme plans")."""
        return self.extra_settings.get("plan_shape") == PROGRAMME_SHAPE

    def letters(self, layout: SheetLayout) -> dict[str, str]:
        """Column key → letter in the file this book was read from (or as we write)."""
        known = self.column_letters.get(layout.name)
        if known:
            return known
        return {key: col_letter(i) for i, key in enumerate(layout.keys, start=1)}

    def action(self, action_id: str) -> Row | None:
        return next((r for r in self.actions if r.get("id") == action_id), None)

    def actions_by_id(self) -> dict[str, Row]:
        return {r["id"]: r for r in self.actions if r.get("id")}


def cell_ref(letters: dict[str, str], key: str, row: Row) -> str | None:
    """The real cell of ``key`` in ``row`` ("N12"); when the file lacks that column,
    the row's ID cell (the message names the column); None for a row not read from a
    file. Never a made-up ``?``."""
    number = row.get("_row")
    letter = letters.get(key) or letters.get("id")
    return f"{letter}{number}" if letter and number else None


def blank(value: Any) -> bool:
    """True for cells a person would call empty."""
    return value is None or (isinstance(value, str) and not value.strip())


def clean_row(row: Row) -> Row:
    """The row without bookkeeping keys (``_row`` and friends)."""
    return {k: v for k, v in row.items() if not k.startswith("_")}
