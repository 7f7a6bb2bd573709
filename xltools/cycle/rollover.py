"""Next quarter (DESIGN.md §5.8): a consolidated master → next quarter's master.

The new workbook is the same format written by the same writer, so every
validation, format, protection rule and named range comes back as the
template has them. What moves:

* the period advances one quarter (any financial-year start month) and the
  deadline is set (given, or the plan's usual gap after the quarter ends);
* the Timeframe dropdown drops quarters that have passed and gains new ones;
* each action's update becomes ``Previous progress`` / ``Previous RAG``
  (history follows the action's ID, whatever its Ref says) and the update
  cells are cleared; Complete actions move to the Archive sheet;
* rows without an ID (or marked ``New action``) get the next free ID;
* savings: approved changes become the new baseline, the rest stay as they
  were and are flagged ``NOT_CARRIED`` for finance (see ``savings_carry``);
* KPIs: Latest becomes Previous;
* programme plans (issue 27): Start and End stay as the plan printed them, each
  activity's Revised end is carried (the RDL's forecast stands until they change
  it) and also recorded in Settings, so next quarter's flags can tell a forecast
  that moved again (SLIPPED); risks roll — this quarter's score becomes the
  previous score — and the Risks sheet always goes with them.

Nothing is deleted and the input master is never written to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from ..errors import UsageError, XltoolsError
from ..findings import INFO, Finding, count_by_code, references, with_references
from ..periods import Quarter
from ..plan import Plan
from ..reporting.flags import PREVIOUS_REVISED_END
from ..savings import carry as savings_carry
from ..workbook.book import Book, Row, blank, clean_row
from ..workbook.files import output_lock
from ..workbook.layout import (
    ACTIONS,
    ACTIONS_LAYOUT,
    KPIS,
    KPIS_LAYOUT,
    MASTER,
    RETURN,
    SAVINGS_LAYOUT,
)
from ..workbook.reader import read_book
from ..workbook.risks import roll_risks, thresholds
from ..workbook.validate import NEW_MARKERS, duplicate_ids
from ..workbook.writer import write_book
from .check import check_workbook
from .intake import sha256_of
from .returns import STATE_KEY
from .unresolved import CARRY_HINT, carry, conflict_texts, refusal, unresolved

DEFAULT_DEADLINE_DAYS = 14
MAX_DEADLINE_GAP = 62  # a gap beyond two months is not a habit worth copying
_ID = re.compile(r"^([A-Za-z]{1,4})-([0-9]{1,6})$")
UPDATE_KEYS = ("progress_update", "last_updated", "updated_by", "flags")


class RolloverError(XltoolsError):
    """The master cannot be rolled forward safely (history would be lost)."""


@dataclass
class RolloverReport:
    """What next-quarter did, for the PMO (CLI, JSON) and for tests."""

    source: str
    previous_period: str
    period: str
    deadline: str
    deadline_rule: str
    output: str | None = None
    carried: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    new_ids: list[str] = field(default_factory=list)
    timeframes_dropped: list[str] = field(default_factory=list)
    timeframes_added: list[str] = field(default_factory=list)
    savings: dict[str, int] = field(default_factory=dict)
    kpis_moved: int = 0
    problems_carried: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # action ID -> Ref and title
    consolidated: bool = True  # False: rolled on with --unconsolidated, no consolidation
    findings: list[Finding] = field(default_factory=list)
    check_counts: dict[str, int] = field(default_factory=dict)
    structural: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k not in ("findings", "structural")}
        data["counts"] = count_by_code(self.findings)
        data["findings"] = [f.to_dict() for f in self.findings]
        data["structural"] = [f.to_dict() for f in self.structural]
        return data


# -- the whole job -------------------------------------------------------------


def next_quarter(master: str | Path, out: str | Path, *, deadline: date | None = None,
                 keep_complete: bool = False, to: str | None = None,
                 carry_problems: bool = False, unconsolidated: bool = False) -> RolloverReport:
    """Read ``master``, roll it forward, write ``out`` and check what was written.
    An unresolved CONFLICT or INVALID stops it unless ``carry_problems``; a master no
    returns were consolidated into this period stops it unless ``unconsolidated``."""
    master, out = Path(master), Path(out)
    if out.resolve() == master.resolve():
        raise UsageError(f"{out}: next quarter must go to a new file, not over the master")
    # read, refused or rolled before the output is locked: the master is not the output,
    # and a refused run leaves no lock file or output folder behind
    book = read_book(master)
    refuse_to_roll(book, master.name, unconsolidated=unconsolidated)
    new, report = roll_forward(book, deadline=deadline, keep_complete=keep_complete,
                               sha256=sha256_of(master), to=to,
                               carry_problems=carry_problems)
    report.consolidated = is_consolidated(book)
    with output_lock(out, "next-quarter"):
        report.output = str(write_book(new, out))
    checked = check_workbook(out)
    report.check_counts = count_by_code(checked.findings)
    report.structural = checked.structural
    return report


def is_consolidated(book: Book) -> bool:
    """Were returns consolidated into this master for its period? (Each consolidation
    keeps its record for the period in the master's Settings.)"""
    state = book.extra_settings.get(STATE_KEY)
    return isinstance(state, dict) and state.get("period") == book.plan.period


def refuse_to_roll(book: Book, file: str, *, unconsolidated: bool = False,
                   **hints: str) -> None:
    """The checks every front end makes before rolling ``book`` on (the command line
    and the add-in alike): a return or a broken master (said first), then a master no
    returns were consolidated into this period, unless ``unconsolidated``; ``hints``:
    ``refuse_unconsolidated``'s ways out in the front end's words."""
    _refuse_unsafe(book, file)
    if not unconsolidated:
        refuse_unconsolidated(book, file, **hints)


# how each front end says the two ways out (the add-in has buttons, not options)
CONSOLIDATE_HINT = "Consolidate the returns first (xltools consolidate MASTER RETURNS_DIR -o OUT)"
UNCONSOLIDATED_HINT = "run again with --unconsolidated"


def refuse_unconsolidated(book: Book, file: str, *, consolidate_hint: str = CONSOLIDATE_HINT,
                          roll_hint: str = UNCONSOLIDATED_HINT) -> None:
    """Stop when no returns were consolidated into this master for its period (its
    Settings keep a record of each consolidation): rolling on would move last
    quarter's words into Previous progress as if they were this quarter's, and the
    officers' returns for the period would never reach the plan. The hints say the
    ways out in the words of the front end (command line or add-in)."""
    if is_consolidated(book):
        return
    raise RolloverError(
        f"{file}: no returns have been consolidated into this master for "
        f"{book.plan.period}, so next quarter would roll on without this quarter's "
        f"updates. {consolidate_hint} and roll the consolidated master, or, if this "
        f"quarter really had no returns, {roll_hint}")


def roll_forward(book: Book, *, deadline: date | None = None, keep_complete: bool = False,
                 sha256: str = "", to: str | None = None, carry_problems: bool = False,
                 carry_hint: str = CARRY_HINT) -> tuple[Book, RolloverReport]:
    """Next quarter's Book from a master Book (the input book is not changed).

    ``to`` rolls straight to a later quarter (a plan not reported on for a while):
    one roll — progress moved to Previous once, Complete archived once — with the
    period, deadline and timeframes of the quarter named. An unresolved CONFLICT or
    INVALID stops it unless ``carry_problems``."""
    file = Path(book.path).name if book.path else "master"
    _refuse_unsafe(book, file)
    target = _target(book.plan, to)
    problems = unresolved(book, file)
    if problems and not carry_problems:
        raise RolloverError(refusal(problems, file, str(target or book.plan.quarter.next()),
                                    carry_hint))
    plan, report = next_plan(book.plan, deadline, file, target)
    actions, archive = roll_actions(book, report, keep_complete, problems)
    savings, notes, report.savings = savings_carry.carry_savings(
        book.savings, book.plan.period, file, book.letters(SAVINGS_LAYOUT))
    report.findings += notes
    kpis, notes = roll_kpis(book.kpis, file, book.letters(KPIS_LAYOUT))
    report.kpis_moved = sum(1 for r in book.kpis if not blank(r.get("latest")))
    report.findings += notes
    new = Book(plan=plan, kind=MASTER, actions=actions, savings=savings, kpis=kpis,
               archive=archive, log=[clean_row(r) for r in book.log],
               extra_settings=dict(book.extra_settings))
    new.risks = roll_risks(book.risks, thresholds(book))  # programme plans (issue 27)
    new.extra_settings.pop(STATE_KEY, None)  # last quarter's consolidation bookkeeping
    record_revised_ends(new)
    new.extra_settings["rolled_from"] = {"file": file, "sha256": sha256,
                                         "period": book.plan.period}
    new.log.append(_log_row(report, file, sha256))
    report.names = references([*book.actions, *actions])
    report.findings = with_references(report.findings, [*book.actions, *actions])
    return new, report


def roll_actions(book: Book, report: RolloverReport, keep_complete: bool,
                 problems: list[Finding] = ()) -> tuple[list[Row], list[Row]]:
    """(next quarter's actions, the archive with this quarter's Complete actions added);
    ``problems`` (unresolved, ``--carry-problems``) go with their actions."""
    file, letters = report.source, book.letters(ACTIONS_LAYOUT)
    actions = [dict(r) for r in book.actions]
    archive = [clean_row(r) for r in book.archive]
    new_ids = assign_new_ids(actions, archive, file, letters)
    report.new_ids = [f.action_id for f in new_ids]
    report.findings += new_ids
    kept, done = split_complete(actions, book.plan, keep_complete)
    report.archived = [r["id"] for r in done]
    report.findings += archived_findings(done, file, letters)
    archive += [clean_row(r) for r in done]
    rolled = []
    by_id: dict[Any, list[Finding]] = {}
    for p in problems:
        by_id.setdefault(p.action_id, []).append(p)
    texts = conflict_texts(book)
    for row in kept:
        new_row, notes = roll_action(row, book.plan, file, letters)
        if row.get("id") in by_id:
            carry(new_row, row, by_id[row["id"]], book.plan, texts.get(row["id"], []))
            report.problems_carried.append(row["id"])
        rolled.append(new_row)
        report.findings += [n for n in notes if n.action_id not in report.new_ids]
    report.carried = [r["id"] for r in rolled]
    return rolled, archive


def _refuse_unsafe(book: Book, file: str) -> None:
    """A return, a master missing columns or with duplicate IDs would lose history."""
    if book.kind == RETURN:
        raise RolloverError(f"{file} is {book.officer or 'an officer'}'s return; run "
                            "next-quarter on the consolidated master")
    missing = [f for f in book.findings if f.code == "MISSING_COLUMN" and f.sheet == ACTIONS]
    if missing:
        raise RolloverError(f"{file}: {missing[0].message}; restore it before rolling "
                            "forward, or last quarter's updates would be lost")
    dupes = duplicate_ids(book.actions, file, book.letters(ACTIONS_LAYOUT))
    if dupes:
        cells = ", ".join(f"{ACTIONS}!{d.cell}" for d in dupes)
        raise RolloverError(f"{file}: ID {dupes[0].action_id} is used more than once ({cells}); "
                            "history follows the ID, so give each action its own first")


# -- period, deadline, timeframes ---------------------------------------------


def _target(plan: Plan, to: str | None) -> Quarter | None:
    if to is None:
        return None
    try:
        quarter = Quarter.parse(to, plan.fy_start_month)
    except ValueError as exc:
        raise UsageError(f"--to: {exc}") from exc
    if quarter <= plan.quarter:
        raise UsageError(f"--to {quarter} is not after the master's period {plan.period}")
    return quarter


def next_plan(plan: Plan, deadline: date | None, file: str,
              to: Quarter | None = None) -> tuple[Plan, RolloverReport]:
    """The plan for the next quarter (or ``to``) and the start of the report that says why."""
    quarter = to or plan.quarter.next()
    if deadline is None:
        deadline, rule = default_deadline(plan, quarter)
    else:
        rule = "given with --deadline"
        if deadline < quarter.start:
            raise UsageError(f"--deadline {deadline:%Y-%m-%d} is before {quarter} starts "
                             f"({quarter.start:%d %B %Y})")
    report = RolloverReport(file, plan.period, str(quarter), deadline.isoformat(), rule)
    timeframes = plan.timeframes
    if timeframes:
        timeframes, report.timeframes_dropped, report.timeframes_added = move_timeframes(
            list(timeframes), quarter)
    new_plan = plan.with_changes(period=str(quarter), deadline=deadline.isoformat(),
                                 timeframes=tuple(timeframes))
    return new_plan, report


def default_deadline(plan: Plan, quarter: Quarter) -> tuple[date, str]:
    """Keep the plan's habit: the same number of days after quarter end as last time.

    With no usable previous deadline, 14 days after the quarter ends. A deadline
    that lands on a weekend moves to the Monday after.
    """
    gap = DEFAULT_DEADLINE_DAYS
    rule = f"{DEFAULT_DEADLINE_DAYS} days after the quarter ends"
    old = plan.deadline_date
    if old is not None:
        days = (old - plan.quarter.end).days
        if -MAX_DEADLINE_GAP <= days <= MAX_DEADLINE_GAP:
            gap = days
            side = "after" if days >= 0 else "before"
            rule = f"{abs(days)} days {side} the quarter ends, as last quarter"
    due = quarter.end + timedelta(days=gap)
    if due.weekday() >= 5:
        due += timedelta(days=7 - due.weekday())
        rule += ", moved off the weekend"
    return due, rule


def move_timeframes(values: list[str], quarter: Quarter) -> tuple[list[str], list[str], list[str]]:
    """Drop quarters before ``quarter``; add quarters to the end of next financial year.

    Free text ("November 2019") and recurring terms stay where they are. New
    quarters go after the last quarter in the list. A list with no quarters in
    it was made without them on purpose and gets none.
    """
    parsed = [(v, _quarter_or_none(v, quarter.start_month)) for v in values]
    dropped = [v for v, q in parsed if q is not None and q < quarter]
    positions = [i for i, (_v, q) in enumerate(parsed) if q is not None]
    if not positions:
        return values, [], []
    have = {q for _v, q in parsed if q is not None}
    added, q = [], quarter
    while q.year <= quarter.year + 1:
        if q not in have:
            added.append(str(q))
        q = q.next()
    head = [v for v, q in parsed[: positions[-1] + 1] if q is None or q >= quarter]
    tail = [v for v, _q in parsed[positions[-1] + 1:]]
    return head + added + tail, dropped, added


def _quarter_or_none(text: str, start_month: int) -> Quarter | None:
    try:
        return Quarter.parse(text, start_month)
    except ValueError:
        return None


# -- actions -------------------------------------------------------------------


def assign_new_ids(actions: list[Row], archive: list[Row], file: str,
                   letters: dict[str, str]) -> list[Finding]:
    """Give rows with no ID (or a ``New action`` marker) the next free ID.

    Numbers continue from the highest ID in Actions *and* Archive, so an
    archived action's ID is never reused; prefix and width follow the plan's IDs.
    """
    prefix, width, top = _id_scheme(actions + archive)
    found = []
    for row in actions:
        value = row.get("id")
        if not (blank(value) or " ".join(str(value).split()).casefold() in NEW_MARKERS):
            continue
        top += 1
        row["id"] = f"{prefix}-{top:0{width}d}"
        found.append(Finding("NEW_ACTION", f"new action '{_short(row.get('action'))}' given "
                             f"ID {row['id']}", severity=INFO, file=file, sheet=ACTIONS,
                             cell=f"{letters.get('id', 'A')}{row.get('_row', '?')}",
                             action_id=row["id"], column="ID"))
    return found


def _id_scheme(rows: list[Row]) -> tuple[str, int, int]:
    """(prefix, digits, highest number) of the IDs in use; ``A-0001`` style if none."""
    numbers: dict[str, list[tuple[int, int]]] = {}
    for row in rows:
        match = _ID.match(str(row.get("id") or "").strip())
        if match:
            numbers.setdefault(match[1], []).append((int(match[2]), len(match[2])))
    if not numbers:
        return "A", 4, 0
    prefix = max(numbers, key=lambda p: len(numbers[p]))
    return prefix, max(w for _n, w in numbers[prefix]), max(n for n, _w in numbers[prefix])


def _short(text: Any, limit: int = 50) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def last_status(row: Row) -> Any:
    """This quarter's RAG, or last quarter's when none was given."""
    return row.get("rag") if not blank(row.get("rag")) else row.get("previous_rag")


def split_complete(actions: list[Row], plan: Plan, keep: bool) -> tuple[list[Row], list[Row]]:
    """(actions that carry on, Complete actions bound for the Archive)."""
    if keep:
        return actions, []
    done = [r for r in actions if _is_complete(last_status(r), plan)]
    return [r for r in actions if r not in done], done


def archived_findings(done: list[Row], file: str, letters: dict[str, str]) -> list[Finding]:
    return [Finding("ARCHIVED", f"'{_short(r.get('action'))}' is {last_status(r)}: moved to "
                    "the Archive sheet", severity=INFO, file=file, sheet=ACTIONS,
                    cell=f"{letters.get('rag', '?')}{r.get('_row', '?')}", action_id=r["id"],
                    column="RAG status") for r in done]


def _is_complete(status: Any, plan: Plan) -> bool:
    entry = plan.rag(status) if not blank(status) else None
    return entry is not None and entry.complete


def roll_action(row: Row, plan: Plan, file: str,
                letters: dict[str, str]) -> tuple[Row, list[Finding]]:
    """This quarter's update becomes last quarter's; the update cells are emptied."""
    new = clean_row(row)
    notes = []
    if blank(row.get("progress_update")):
        kept = "its older Previous progress is kept" if not blank(
            row.get("previous_progress")) else "Previous progress stays empty"
        notes.append(Finding("NO_UPDATE", f"no progress update this quarter; {kept}",
                             severity=INFO, file=file, sheet=ACTIONS,
                             cell=f"{letters.get('progress_update', '?')}{row.get('_row', '?')}",
                             action_id=row.get("id"), column="Progress update"))
    else:
        new["previous_progress"] = row["progress_update"]
    status = last_status(row)
    entry = plan.rag(status) if not blank(status) else None
    new["previous_rag"] = entry.name if entry else None  # never a value off the scheme
    new["rag"] = entry.name if plan.prefill_rag and entry else None
    for key in UPDATE_KEYS:
        new[key] = None
    return new, notes


def record_revised_ends(new: Book) -> None:
    """Keep each carried activity's Revised end in Settings as last quarter's, so SLIPPED
    can say when an RDL moves the forecast again (the cell itself is theirs to change).
    Nothing is recorded for a plan without revised ends: a tracker's Settings stay as
    they were."""
    ends = {str(r["id"]): _setting_value(r["revised_end"]) for r in new.actions
            if not blank(r.get("id")) and not blank(r.get("revised_end"))}
    if ends:
        new.extra_settings[PREVIOUS_REVISED_END] = ends
    else:
        new.extra_settings.pop(PREVIOUS_REVISED_END, None)


def _setting_value(value: Any) -> str:
    """A cell value as Settings keep it (JSON text): a date as its ISO day."""
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat() if isinstance(value, date) else " ".join(str(value).split())


# -- KPIs and log --------------------------------------------------------------


def roll_kpis(rows: list[Row], file: str, letters: dict[str, str]) -> tuple[list[Row], list]:
    """Latest becomes Previous; Latest, its period, RAG and Trend are emptied."""
    out, notes = [], []
    for row in rows:
        new = clean_row(row)
        if not blank(row.get("latest")):
            new["previous"] = row["latest"]
        elif not blank(row.get("measure")):
            notes.append(Finding("NO_UPDATE", f"KPI '{_short(row.get('measure'))}' has no Latest "
                                 "value; its Previous is kept", severity=INFO, file=file,
                                 sheet=KPIS, cell=f"{letters.get('latest', '?')}"
                                 f"{row.get('_row', '?')}", column="Latest"))
        for key in ("latest", "latest_period", "rag", "trend"):
            new[key] = None
        out.append(new)
    return out, notes


def _log_row(report: RolloverReport, file: str, sha256: str) -> Row:
    new = f", {len(report.new_ids)} new" if report.new_ids else ""
    return {
        "when": datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
        "file": file,
        "sha256": sha256,
        "officer": None,
        "period": report.previous_period,
        "accepted": len(report.carried),
        "rejected": 0,
        "notes": f"next-quarter: {report.period} built from this master; "
                 f"{len(report.carried)} actions carried, {len(report.archived)} archived{new}",
    }
