"""The one declarative description of the xltools workbook format.

Template building, reading, validation, issuing returns and next quarter all
work from these tables, so a column is added or renamed in exactly one place.
Sheet names and column headers are the contract with users' workbooks: keep
them stable.

A workbook is one of three *kinds* (DESIGN.md §3): ``template`` (empty),
``master`` (all actions, the PMO's) or ``return`` (one officer's actions).
``editable`` says in which kinds a column's cells are unlocked.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

TEMPLATE, MASTER, RETURN = "template", "master", "return"
KINDS = (TEMPLATE, MASTER, RETURN)
# A plan's *shape* (docs/decisions.md "Programme plans"): an action tracker, or a
# programme plan (aims → programmes → key activities with Start and End). A column
# of one shape only is absent from the other's workbooks (``SheetLayout.for_shape``).
TRACKER, PROGRAMME = "tracker", "programme"
SHAPES = frozenset({TRACKER, PROGRAMME})
_PLAN = frozenset({TEMPLATE, MASTER})
_ALL = frozenset(KINDS)
_NONE: frozenset[str] = frozenset()

# Sheet names (contract).
GUIDANCE = "Guidance"
ACTIONS = "Actions"
SAVINGS = "Savings"
KPIS = "KPIs"
LISTS = "Lists"
DASHBOARD = "Dashboard"
LOG = "Log"
ARCHIVE = "Archive"
RISKS = "Risks"  # programme plans only (issue 27): written when the plan has risks
SETTINGS = "Settings"  # hidden: the plan's settings, so a workbook carries its own

# Excel's limit on the characters in one cell: a file holding a longer text is one
# Excel reports as damaged ("We found a problem with some content") and cuts on repair.
EXCEL_MAX_TEXT = 32767


def fit_cell_text(text: str) -> str:
    """``text`` as one cell can hold it: a longer text is cut, and says so at its end,
    so the cut is never silent (the writer's last line of defence; validation reports
    the cell the text came from)."""
    if len(text) <= EXCEL_MAX_TEXT:
        return text
    note = f" … [cut: {len(text):,} characters is over Excel's cell limit of 32,767]"
    return text[:EXCEL_MAX_TEXT - len(note)] + note


@dataclass(frozen=True)
class Column:
    """One column of a data sheet.

    ``kind``: text, date, number (decimal), integer or formula.
    ``list_name``: the named range in Lists that feeds its dropdown.
    ``officers``: the cell may hold several officers separated by ``/``.
    ``strict_list``: a value outside the list is INVALID (otherwise a warning;
    real timeframes are free text, so a dropdown only suggests).
    ``shown``: the kinds in which the column is shown on screen (the others hide it,
    not remove it: readers find columns by header, and people can unhide them).
    ``printed``: the kinds in which a shown column also prints. A4 landscape holds
    about 140 characters of column width at 8 pt or more (10 pt at 80 %): a master
    prints the committee's columns and shows the PMO's working columns (Last
    updated, Updated by, Flags) after them, outside its print area; a return prints
    the officer's. Columns shown but not printed must come after every printed one.
    ``master_width``: the width on a master, when it differs (the master prints
    Section, so its committee columns are a little narrower than a return's).
    ``shapes``: the plan shapes whose workbooks have the column (programme plans'
    Start and Revised end); a reader takes a column of fewer than all shapes as
    optional, so a workbook without it is not missing anything.
    ``kind`` ``month``: a date, or a month as text ("Dec 2024", "Ongoing"): shown as
    a date when it is one, never refused by Excel for being text.
    """

    name: str
    key: str
    kind: str = "text"
    width: float = 14
    list_name: str | None = None
    officers: bool = False
    strict_list: bool = True
    editable: frozenset[str] = _PLAN
    required: bool = False
    help: str = ""
    shown: frozenset[str] = _ALL
    printed: frozenset[str] = _ALL
    master_width: float | None = None
    choices: tuple[str, ...] = ()  # a fixed dropdown needing no Lists range (risk 1-5)
    shapes: frozenset[str] = SHAPES

    @property
    def optional(self) -> bool:
        """Whether some workbooks of the format lack the column (not all shapes)."""
        return self.shapes != SHAPES

    def width_in(self, kind: str) -> float:
        """The column's width in a workbook of ``kind``."""
        return self.master_width if kind == MASTER and self.master_width else self.width


@dataclass(frozen=True)
class SheetLayout:
    """A data sheet: its name, its Excel Table name and its columns."""

    name: str
    table: str
    columns: tuple[Column, ...]

    @property
    def headers(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    def for_shape(self, shape: str) -> SheetLayout:
        """The columns a workbook of plan ``shape`` actually has (in order: the
        shape's own columns come last, so every other column keeps its letter)."""
        return _for_shape(self, shape)

    def for_book(self, book: Any) -> SheetLayout:
        """``for_shape`` of ``book``'s plan (a ``Book``: a programme plan's or not)."""
        return self.for_shape(PROGRAMME if getattr(book, "is_programme", False) else TRACKER)

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    def letter(self, key: str) -> str:
        """The column letter of ``key`` in a workbook we wrote."""
        return col_letter(self.keys.index(key) + 1)

    def last_printed(self, kind: str) -> int:
        """The number of the last column a workbook of ``kind`` prints (its print area
        ends there: the columns after it are for the screen)."""
        return max(i for i, c in enumerate(self.columns, start=1)
                   if kind in c.shown and kind in c.printed)

    def screen_only(self, kind: str) -> frozenset[str]:
        """Keys of the columns shown but not printed in a workbook of ``kind``."""
        return frozenset(c.key for c in self.columns
                         if kind in c.shown and kind not in c.printed)


@lru_cache(maxsize=32)
def _for_shape(layout: SheetLayout, shape: str) -> SheetLayout:
    """One object per layout and shape (validators are cached per layout)."""
    if shape not in SHAPES:
        raise ValueError(f"unknown plan shape {shape!r}")
    columns = tuple(c for c in layout.columns if shape in c.shapes)
    return layout if len(columns) == len(layout.columns) else SheetLayout(
        layout.name, layout.table, columns)


def col_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_TEMPLATE_ONLY = frozenset({TEMPLATE})
_RETURN_ONLY = frozenset({RETURN})
_NOT_RETURN = frozenset({TEMPLATE, MASTER})
_NOT_TEMPLATE = frozenset({MASTER, RETURN})
_NOT_MASTER = frozenset({TEMPLATE, RETURN})
_PLAN_ONLY = frozenset({TEMPLATE, MASTER})
_PROGRAMME_ONLY = frozenset({PROGRAMME})

ACTION_COLUMNS = (
    Column("ID", "id", width=9, editable=_NONE, required=True, shown=_NONE,
           help="Stable key set by xltools. Never change or reuse it."),
    Column("Ref", "ref", width=5, help="Display number, e.g. 2.3."),
    Column("Section", "section", width=18, list_name="SectionList", shown=_PLAN_ONLY,
           master_width=10, help="Pick the section of the plan this action belongs to."),
    Column("Improvement action", "action", width=24, required=True, master_width=22),
    Column("Accountable officer", "accountable_officer", width=12, list_name="OfficerList",
           officers=True, shown=_NOT_RETURN, master_width=11,
           help="Pick from the list. Joint entries are on the list too."),
    Column("Lead officer", "lead_officer", width=12, list_name="OfficerList", officers=True,
           shown=_NOT_RETURN, master_width=11,
           help="Pick from the list. Joint entries are on the list too."),
    Column("What we hope to achieve", "aim", width=16, shown=_NOT_RETURN, master_width=14),
    Column("Timeframe", "timeframe", width=10, list_name="TimeframeList", strict_list=False,
           master_width=9, help="Pick a quarter or type the date the action is due."),
    Column("Success measure", "success_measure", width=17, master_width=15),
    Column("Previous progress", "previous_progress", width=18, editable=_NONE,
           shown=_RETURN_ONLY, help="Last quarter's update, for reference. Read-only."),
    Column("Previous RAG", "previous_rag", width=8, editable=_NONE,
           shown=_NOT_TEMPLATE, help="Last quarter's RAG status, for reference. Read-only."),
    Column("Progress update", "progress_update", width=27, editable=_ALL, master_width=25,
           help="What has happened this quarter. Explain any Red or Amber status."),
    Column("RAG status", "rag", width=9, list_name="RAGList", editable=_ALL,
           help="Pick Complete, Green, Amber, Red or Not started (see Guidance)."),
    # the PMO's working columns: on a master's screen, right of its print area
    Column("Last updated", "last_updated", kind="date", width=11, editable=_ALL,
           shown=_NOT_TEMPLATE, printed=_NOT_MASTER,
           help="The date you wrote this update, e.g. 14/10/2019."),
    Column("Updated by", "updated_by", width=11, editable=_ALL, shown=_NOT_TEMPLATE,
           printed=_NOT_MASTER, help="Your name."),
    Column("Links to other plans", "links", width=18, shown=_NONE),
    # the PMO deletes a flag line once resolved (next quarter asks for it): unlocked there
    Column("Flags", "flags", width=40, editable=frozenset({MASTER}), shown=frozenset({MASTER}),
           printed=_NONE, help="Written by xltools. Delete a line once it is resolved."),
    # programme plans only (issue 27), after every tracker column so none moves; on a
    # programme plan Timeframe holds the End as printed. Shown on a master's screen
    # after Flags (outside its print area, as the PMO's working columns are)
    Column("Start", "start", kind="month", width=9, printed=_NOT_MASTER,
           shapes=_PROGRAMME_ONLY,
           help="When the activity starts, as the plan says: a month, Started or Ongoing."),
    Column("Revised end", "revised_end", kind="month", width=9, editable=_ALL,
           printed=_NOT_MASTER, shapes=_PROGRAMME_ONLY,
           help="Your forecast end if it is no longer the End (Timeframe): a date or a "
                "month, e.g. Dec 2024."),
)

SAVINGS_COLUMNS = (
    Column("Project ref", "project_ref", width=11, required=True),
    Column("Project", "project", width=30),
    Column("Department", "department", width=18, list_name="DepartmentList"),
    Column("Lead officer", "lead_officer", width=20, list_name="OfficerList", officers=True),
    Column("Year", "year", width=9, list_name="YearList", required=True, strict_list=False,
           help="Financial year, e.g. 2019/20."),  # years: savings.rows.year_findings
    Column("Expected", "expected", kind="number", width=11,
           help="Approved MTFS target, £000. Set by finance."),
    Column("Revised", "revised", kind="number", width=11, editable=_ALL,
           help="Your forecast for this year, £000."),
    Column("Change", "change", kind="formula", width=11, editable=_NONE,
           help="Revised minus Expected, £000. Calculated."),
    Column("Change type", "change_type", width=13, list_name="ChangeTypeList", editable=_ALL,
           help="Re-profile, Write-off, Extension, Mitigation or New."),
    Column("Approved by", "approved_by", width=18, editable=_ALL),
    Column("Approved on", "approved_on", kind="date", width=12, editable=_ALL),
    Column("Comment", "comment", width=40, editable=_ALL),
)

KPI_COLUMNS = (
    Column("Measure", "measure", width=40, required=True),
    Column("Department", "department", width=18, list_name="DepartmentList"),
    Column("Latest", "latest", kind="number", width=10, editable=_ALL),
    Column("Latest period", "latest_period", width=13, editable=_ALL),
    Column("Target", "target", kind="number", width=10),
    Column("Good is", "good_is", width=9, list_name="GoodIsList"),
    Column("Previous", "previous", kind="number", width=10),
    Column("National", "national", kind="number", width=10),
    Column("RAG", "rag", width=9, editable=_NONE, help="Set by xltools from Latest vs Target."),
    Column("Trend", "trend", width=11, editable=_NONE, help="Set by xltools: Latest vs Previous."),
)

LOG_COLUMNS = (
    Column("When", "when", width=20, editable=_NONE),
    Column("File", "file", width=40, editable=_NONE),
    Column("SHA-256", "sha256", width=66, editable=_NONE),
    Column("Officer", "officer", width=20, editable=_NONE),
    Column("Period", "period", width=12, editable=_NONE),
    Column("Rows accepted", "accepted", kind="integer", width=10, editable=_NONE),
    Column("Rows rejected", "rejected", kind="integer", width=10, editable=_NONE),
    Column("Read seconds", "seconds", kind="number", width=10, editable=_NONE),
    Column("Notes", "notes", width=60, editable=_NONE),
)

SCORES = ("1", "2", "3", "4", "5")
RISK_COLUMNS = (  # docs/decisions.md "Programme plans"
    Column("ID", "id", width=6, editable=_NONE, required=True,
           help="Stable key set by xltools. Never change or reuse it."),
    Column("Risk", "title", width=15, required=True),
    Column("Description", "description", width=24),
    Column("Mitigation", "mitigation", width=24),
    Column("Programme", "programme", width=14, list_name="SectionList", strict_list=False,
           help="The programme the risk threatens; blank for the whole plan."),
    Column("Owner", "owner", width=12, list_name="OfficerList", officers=True,
           strict_list=False, help="Who manages the risk."),
    Column("Likelihood", "likelihood", kind="integer", width=8, choices=SCORES,
           editable=_ALL, help="1 (rare) to 5 (almost certain)."),
    Column("Impact", "impact", kind="integer", width=7, choices=SCORES, editable=_ALL,
           help="1 (minimal) to 5 (severe)."),
    Column("Score", "score", kind="integer", width=6, editable=_NONE,
           help="Likelihood × impact. Set by xltools."),
    Column("RAG", "rag", width=7, editable=_NONE,
           help="From the score by the plan's risk thresholds. Set by xltools."),
    Column("Previous score", "previous_score", kind="integer", width=8, editable=_NONE,
           help="The score last period, for reference. Read-only."),
    Column("Direction", "direction", width=9, editable=_NONE,
           help="Score against last period: Rising, Falling or Same. Set by xltools."),
)

ACTIONS_LAYOUT = SheetLayout(ACTIONS, "ActionsTable", ACTION_COLUMNS)
SAVINGS_LAYOUT = SheetLayout(SAVINGS, "SavingsTable", SAVINGS_COLUMNS)
KPIS_LAYOUT = SheetLayout(KPIS, "KPITable", KPI_COLUMNS)
ARCHIVE_LAYOUT = SheetLayout(ARCHIVE, "ArchiveTable", ACTION_COLUMNS)
LOG_LAYOUT = SheetLayout(LOG, "LogTable", LOG_COLUMNS)
RISKS_LAYOUT = SheetLayout(RISKS, "RiskTable", RISK_COLUMNS)
DATA_LAYOUTS = (ACTIONS_LAYOUT, SAVINGS_LAYOUT, KPIS_LAYOUT)

# Named ranges in the Lists sheet: name -> header of its column there.
LIST_HEADERS = {
    "OfficerList": "Officers",
    "RAGList": "RAG status",
    "TimeframeList": "Timeframes",
    "SectionList": "Sections",
    "DepartmentList": "Departments",
    "ChangeTypeList": "Change types",
    "GoodIsList": "Good is",
    "YearList": "Years",
}

CHANGE_TYPES = ("Re-profile", "Write-off", "Extension", "Mitigation", "New")
GOOD_IS = ("High", "Low")
