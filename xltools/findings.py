"""Findings: every problem or notice xltools reports, as data.

One ``Finding`` type serves every command. Each has a stable ``code`` from the
catalogue below, a severity, where it is (file, sheet, cell, action ID) and a
sentence a PMO could paste into an email. The command line, the Excel sheets,
JSON output and the add-in all render the same list; tests assert on
``(file, cell, code)`` so rewording a message breaks nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

ERROR = "error"
WARNING = "warning"
INFO = "info"


@dataclass(frozen=True)
class Code:
    """A kind of finding: its stable code, a short title and default severity."""

    code: str
    title: str
    severity: str


CATALOGUE: dict[str, Code] = {
    c.code: c
    for c in (
        # action flags (DESIGN.md §4)
        Code("NO_UPDATE", "No progress update", WARNING),
        Code("OUT_OF_DATE", "Update is out of date", WARNING),
        Code("UNCHANGED", "Same update as last quarter", WARNING),
        Code("OVERDUE", "Past its due date, not complete", WARNING),
        Code("NO_NARRATIVE", "Red or Amber without explanation", WARNING),
        Code("MISSING_RETURN", "No return received", WARNING),
        Code("INVALID", "Entry needs correcting", ERROR),
        Code("CONFLICT", "Two returns disagree", ERROR),
        Code("NO_DUE_DATE", "Timeframe gives no due date", INFO),
        Code("NOT_STARTED", "Start has passed with no update (programme plans)", WARNING),
        Code("SLIPPED", "Revised end later than End (programme plans)", WARNING),
        # structure and files
        Code("UNREADABLE", "File could not be read", ERROR),
        Code("TOO_LARGE", "Sheet reaches far beyond its columns or rows (not read)", ERROR),
        Code("MISSING_COLUMN", "Column missing", ERROR),
        Code("EXTRA_COLUMN", "Unexpected column", WARNING),
        Code("DUPLICATE_ID", "Duplicate ID", ERROR),
        Code("INCOMPLETE_ACTION", "Action without a ref or section", WARNING),
        Code("UNKNOWN_ID", "ID not in the master", ERROR),
        Code("WRONG_PERIOD", "Return for another period", ERROR),
        Code("WRONG_PLAN", "Return for another plan (not merged)", ERROR),
        Code("BLANK_RETURN", "Return holds no update (not counted as returned)", WARNING),
        Code("ADOPTED", "Return from a rebuilt plan adopted (--adopt-returns)", WARNING),
        Code("NOT_A_RETURN", "A master or template, not a return (not merged)", ERROR),
        Code("SAVINGS_RETURN", "A savings return among the action returns (not merged)",
             ERROR),
        Code("NOT_OWNER", "Row for an action the return's officer does not own (not merged)",
             ERROR),
        Code("DELEGATED", "Row merged from a deputy returning for a colleague", INFO),
        Code("NO_OFFICER", "Action has no officer to send it to", WARNING),
        Code("FORMULA", "Formula where a value belongs", WARNING),
        Code("MERGED_CELLS", "Merged cells", WARNING),
        Code("CONTROL_CHARS", "Control characters dropped", WARNING),
        Code("LOCKED_CHANGED", "Locked cell changed in a return (not merged)", WARNING),
        Code("WRONG_COLUMN", "Update typed in the wrong column", ERROR),
        Code("DATE_TEXT", "Date typed as text, read as the day it names", INFO),
        Code("REVIEW_CONTENT", "Macros or external links in a workbook: review it", WARNING),
        # import
        Code("MERGED_ROW", "Row merged into the action above", INFO),
        Code("SKIPPED_ROW", "Row skipped", INFO),
        Code("UNPLACED_ROW", "Row could not be placed", WARNING),
        Code("UNMAPPED_STATUS", "Status could not be mapped to the RAG scheme", WARNING),
        Code("REF_FIXED", "Reference repaired", INFO),
        Code("COLUMNS_SHIFTED", "Columns realigned", INFO),
        Code("OFFICERS_SPLIT", "Officer names split", INFO),
        Code("OFFICERS_UNCLEAR", "Officer names could not be separated", WARNING),
        Code("LIST_EXTENDED", "Value added to a dropdown list", INFO),
        Code("STATUS_MAPPED", "Status mapped to the RAG scheme", INFO),
        Code("REVIEW", "Read by a guess, or not lined up: check against the source", WARNING),
        Code("NOT_AN_ACTION", "Row does not look like a tracker action", WARNING),
        Code("COLUMN_READ", "How a column of the tracker was read", INFO),
        Code("FORCED", "Imported with --force though it does not look like an action",
             ERROR),
        Code("QUOTES_IGNORED", "Quotation marks ignored in tab-separated text", WARNING),
        # savings
        Code("NO_APPROVAL", "Change without approval", WARNING),
        Code("CHANGE_MISMATCH", "Change is not Revised minus Expected", ERROR),
        Code("NOT_IN_BASELINE", "Project not in the baseline", WARNING),
        Code("NOT_RETURNED", "Baseline project not returned", WARNING),
        Code("DUPLICATE_ROW", "Duplicate project and year", ERROR),
        Code("YEAR_OUT_OF_RANGE", "Year outside the plan's range", WARNING),
        Code("FOLDED_YEAR", "Published table folds a year into the next", WARNING),
        Code("PUBLISHED_MISMATCH", "Published summary differs from the reconciliation", ERROR),
        Code("NOT_NUMERIC", "Money that is not a number", ERROR),
        Code("TYPE_MISMATCH", "Change type does not match the figures", WARNING),
        Code("TOTAL_MISMATCH", "Totals do not add up", ERROR),
        Code("BASELINE_MISMATCH", "Expected in a return differs from the baseline", WARNING),
        Code("NOT_CARRIED", "Savings change not approved, not carried forward", WARNING),
        # next quarter
        Code("NEW_ACTION", "New action given an ID", INFO),
        Code("ARCHIVED", "Complete action moved to the Archive", INFO),
        Code("CARRIED", "Unresolved problem carried from last quarter", ERROR),
        # revise
        Code("MATCHED", "Revised action matched to a master action", INFO),
        Code("WITHDRAWN", "Action not in the revised plan: withdrawn to the Archive", WARNING),
    )
}


@dataclass(frozen=True)
class Finding:
    """One thing a user should know about, located as precisely as we can."""

    code: str
    message: str
    severity: str = ""
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    action_id: str | None = None
    column: str | None = None
    expected: Any = None
    got: Any = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)
    # how a person reads which action it is: "2.8 'Title…'" (see ``action_reference``)
    action: str | None = field(default=None, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.code not in CATALOGUE:
            raise ValueError(f"unknown finding code {self.code!r}")
        if not self.severity:
            object.__setattr__(self, "severity", CATALOGUE[self.code].severity)

    @property
    def title(self) -> str:
        return CATALOGUE[self.code].title

    @property
    def where(self) -> str:
        """``file › sheet!cell`` — as much of the location as is known."""
        parts = [p for p in (self.file, _sheet_cell(self.sheet, self.cell)) if p]
        return " › ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if v not in (None, {}, "")}
        for key in ("expected", "got"):
            if key in data:
                data[key] = _jsonable(data[key])
        data["title"] = self.title
        return data


def _sheet_cell(sheet: str | None, cell: str | None) -> str:
    if sheet and cell:
        return f"{sheet}!{cell}"
    return sheet or cell or ""


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return str(value)


def flatten(findings: Iterable[Finding], fields: Iterable[str] = ("file", "cell", "code")):
    """Tuples of the chosen fields, for tests and quick comparisons."""
    names = tuple(fields)
    return [tuple(getattr(f, n) for n in names) for f in findings]


def count_by_code(findings: Iterable[Finding]) -> dict[str, int]:
    return dict(sorted(Counter(f.code for f in findings).items()))


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == ERROR for f in findings)


def flags_text(findings: Iterable[Finding]) -> str:
    """The Flags cell for one action: one ``CODE: sentence`` line per finding."""
    lines = dict.fromkeys(f"{f.code}: {f.message}" for f in findings)
    return "\n".join(lines)


def codes_in(text: str | None) -> list[str]:
    """The flag codes in a Flags cell written by ``flags_text`` (unknown lines ignored)."""
    codes = []
    for line in (text or "").splitlines():
        code = line.split(":", 1)[0].strip()
        if code in CATALOGUE and code not in codes:
            codes.append(code)
    return codes


# -- naming an action to a person ------------------------------------------------

TITLE_LIMIT = 60  # characters of an action's title in a reference


def cut_words(text: Any, limit: int = TITLE_LIMIT) -> str:
    """``text`` on one line, cut at the last word boundary within ``limit`` characters
    with "…" when it is longer: never mid-word (a cut word reads as a typo)."""
    flat = " ".join(str(text or "").split())
    if len(flat) <= limit:
        return flat
    head = flat[: limit - 1]
    space = head.rfind(" ")
    if space >= limit // 2:  # a very long first word is cut where it must be
        head = head[:space]
    return head.rstrip(" ,;:.-–—") + "…"


def action_reference(ref: Any, title: Any = None, action_id: Any = None, *,
                     limit: int = TITLE_LIMIT) -> str:
    """How a person is told which action: its Ref with its short title, e.g.
    ``2.8 'Introduce a clear values-based framework…'`` — what they see on the master,
    the paper and their return. The internal ID (A-0014) is on no printed page, so it is
    used only when the action has neither ref nor title."""
    ref_text = " ".join(str(ref).split()) if ref not in (None, "") else ""
    short = cut_words(title, limit)
    if ref_text and short:
        return f"{ref_text} '{short}'"
    if ref_text or short:
        return ref_text or f"'{short}'"
    return str(action_id or "an action without a ref")


def row_reference(row: Mapping[str, Any], limit: int = TITLE_LIMIT) -> str:
    """``action_reference`` of an Actions row (``ref``, ``action``, ``id`` keys)."""
    return action_reference(row.get("ref"), row.get("action"), row.get("id"), limit=limit)


def references(rows: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Action ID → its reference, for the rows of a master or return."""
    return {str(r["id"]): row_reference(r) for r in rows if r.get("id") not in (None, "")}


def with_references(found: Iterable[Finding], rows: Iterable[Mapping[str, Any]]
                    ) -> list[Finding]:
    """``found`` with each finding about an action given its reference (``action``), so
    tables, JSON and the add-in name it as people see it, not by ID."""
    named = references(rows)
    return [replace(f, action=named[f.action_id]) if f.action is None and f.action_id in named
            else f for f in found]
