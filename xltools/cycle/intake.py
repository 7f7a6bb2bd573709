"""Reading a folder of returns for consolidation: every file accounted for.

Each file in the folder becomes a ``ReturnFile`` — read (with its SHA-256, the
officer and period it is for, the reader's findings) or not read, with the
reason (``WorkbookError.reason``: lock file, .xls, password, corrupt, not an
xlsx…). Nothing is skipped silently: the consolidation report and the master's
Log list every file.

Reading uses the one reader (python-calamine, DESIGN.md §7), in a process per
core for a big folder; each return is validated where it is read, against the
*master's* plan — its lists are the authority, not whatever the officer's copy
of the Lists sheet now says.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..errors import PeriodError, WorkbookError
from ..findings import Finding
from ..periods import Quarter
from ..plan import Plan, split_officers
from ..workbook.book import Book, blank, cell_ref
from ..workbook.files import LOCK_PREFIX
from ..workbook.layout import ACTIONS, ACTIONS_LAYOUT, RETURN, RISKS, SAVINGS
from ..workbook.reader import RETURN_LIMITS, read_book
from ..workbook.sandbox import capped_pool, crashed
from ..workbook.validate import validate_book
from .merge import same

IGNORED_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}
BACKUP_SUFFIX = ".bak.xlsx"
POOL_THRESHOLD = 40  # smaller folders read faster than a process pool starts
MAX_BATCH = 50  # returns a worker reads and holds before sending them
RETURN_SHEETS = (ACTIONS, SAVINGS, RISKS)  # all a return can change; its Lists are not trusted


@dataclass
class ReturnFile:
    """One file from the returns folder and what became of it."""

    path: Path
    sha256: str = ""
    seconds: float = 0.0
    book: Book | None = None
    reason: str = ""  # WorkbookError.reason when the file could not be read
    error: str = ""
    officer: str = ""
    period: str = ""
    findings: list[Finding] = field(default_factory=list)
    skipped: str = ""  # why a file was deliberately not read (e.g. our own backup)
    wrong_period: bool = False
    wrong_plan: bool = False
    not_a_return: bool = False  # a master or template saved among the returns
    blank: bool = False  # holds no update at all: the return as issued, not an answer
    where: tuple[str | None, str | None] = (None, None)  # sheet and cell of the trouble
    rows: int = 0  # Actions and Savings rows read (the book's rows may be let go)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def readable(self) -> bool:
        return self.book is not None

    @property
    def refused(self) -> bool:
        """Read, but refused as a whole (another plan's or another quarter's return, not
        a return at all, or a return with nothing in it)."""
        return self.wrong_plan or self.wrong_period or self.not_a_return or self.blank


def return_files(folder: str | Path, exclude: tuple[Path, ...] = ()) -> list[Path]:
    """Every file in ``folder`` (not sub-folders), sorted by name, except OS clutter."""
    folder = Path(folder)
    if not folder.is_dir():
        raise WorkbookError(f"{folder}: returns folder not found", path=str(folder),
                            reason="NOT_FOUND")
    skip = {p.resolve() for p in exclude}
    return sorted(
        (p for p in folder.iterdir()
         if p.is_file() and p.name.casefold() not in IGNORED_NAMES and p.resolve() not in skip
         and not (p.name.startswith(".") and p.name.endswith(".tmp"))
         and not p.name.startswith(LOCK_PREFIX)),
        key=lambda p: p.name.casefold(),
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_return(path: Path, master_plan: Plan, by_key: str = "lead_officer",
                as_of: date | None = None) -> ReturnFile:
    """Read and check one file; never raises for a bad file — the reason goes in the result."""
    rf = ReturnFile(path)
    start = time.perf_counter()
    try:
        rf.sha256 = sha256_of(path)
        if path.name.endswith(BACKUP_SUFFIX):
            rf.skipped = "a backup copy made by xltools; not read"
            return rf
        if path.name.startswith(".~lock."):  # LibreOffice's lock file
            raise WorkbookError(f"{path.name}: LibreOffice lock file (the workbook is open "
                                "somewhere); skipped", path=str(path), reason="LOCK_FILE")
        rf.book = read_book(path, plan=master_plan, only=RETURN_SHEETS, own_lists=False,
                            limits=RETURN_LIMITS)
    except WorkbookError as exc:
        rf.reason, rf.error, rf.where = exc.reason, str(exc), (exc.sheet, exc.cell)
    except (KeyboardInterrupt, SystemExit):
        raise
    except MemoryError:  # the worker's memory cap (workbook.sandbox): this file, not the run
        exc = crashed(path)
        rf.book, rf.reason, rf.error = None, exc.reason, str(exc)
    except BaseException as exc:  # noqa: BLE001 - one broken file must not stop the batch
        # (a panic inside calamine is a BaseException, not an Exception)
        rf.reason, rf.error = "CORRUPT", f"{path.name}: could not be read ({exc})"
    rf.seconds = time.perf_counter() - start
    if rf.book is not None:
        rf.rows = len(rf.book.actions) + len(rf.book.savings)
        rf.period = rf.book.plan.period
        rf.officer = rf.book.officer or infer_officer(rf.book, by_key)
        rf.findings = list(rf.book.findings)
        check_return(rf, master_plan, as_of or date.today())
    elif rf.reason == "TOO_LARGE" and rf.where[1]:
        rf.findings = [Finding("TOO_LARGE", rf.error, file=path.name, sheet=rf.where[0],
                               cell=rf.where[1], got=rf.reason)]
    elif rf.reason:
        rf.findings = [Finding("UNREADABLE", rf.error, file=path.name, got=rf.reason)]
    return rf


def check_return(rf: ReturnFile, master_plan: Plan, as_of: date) -> None:
    """Plan and period first (another plan's or quarter's return is not validated or
    merged), then every row against the master's lists — the checks ``xltools check``
    makes."""
    if rf.book.own_settings and rf.book.kind != RETURN:
        rf.not_a_return = True
        rf.findings.append(Finding("NOT_A_RETURN", f"this is a {rf.book.kind}, not an "
                                   "officer's return: nothing in it is merged (move it out of "
                                   "the returns folder)", file=rf.name, expected=RETURN,
                                   got=rf.book.kind))
        return
    wrong = wrong_plan(rf.book, master_plan, rf.name)
    if wrong is not None:
        rf.wrong_plan = True
        rf.findings.append(wrong)
        return
    if is_wrong_period(rf, master_plan):
        rf.wrong_period = True
        rf.findings.append(wrong_period_finding(rf, master_plan))
        return
    rf.book.plan = master_plan
    rf.findings += validate_book(rf.book, file=rf.name)
    rf.findings += future_dates(rf.book, as_of, rf.name)


EARLIEST = date(2000, 1, 1)  # before this a 'Last updated' is a typo (14/10/1019)


def future_dates(book: Book, as_of: date, file: str) -> list[Finding]:
    """'Last updated' after the as-of date (14/10/2091) or before 2000 is a typo, not an
    update. ``check`` and consolidation both apply it."""
    letters = book.letters(ACTIONS_LAYOUT)
    out = []
    for row in book.actions:
        value = row.get("last_updated")
        day = value.date() if isinstance(value, datetime) else value
        if not isinstance(day, date) or EARLIEST <= day <= as_of:
            continue
        why = (f"is after {as_of:%d/%m/%Y}, the consolidation date" if day > as_of else
               f"is before {EARLIEST:%d/%m/%Y}: a typo?")
        out.append(Finding("INVALID", f"Last updated {day:%d/%m/%Y} {why}", file=file,
                           sheet=ACTIONS_LAYOUT.name,
                           cell=cell_ref(letters, "last_updated", row),
                           action_id=row.get("id"), column="Last updated",
                           expected=f"{EARLIEST:%d/%m/%Y} to {as_of:%d/%m/%Y}", got=day))
    return out


def infer_officer(book: Book, by_key: str) -> str:
    """Who a return without xltools settings is from: the one officer named on every
    row. Empty when it cannot be told — never guessed from 'Updated by', which anyone
    can type (ownership is decided by this name)."""
    named = [set(split_officers(r.get(by_key))) for r in book.actions]
    common = set.intersection(*named) if named else set()
    return common.pop() if len(common) == 1 else ""


def wrong_plan(book: Book, master_plan: Plan, file: str) -> Finding | None:
    """WRONG_PLAN when a return's own Settings name another plan: another council's or
    department's plan with the same period and IDs must never be merged row by row.
    A return with no Settings is read against the master's plan, so it passes.

    The message says what the PMO can act on: which master issued the return (file
    and date, from its Settings), that a re-import makes a new plan, and the way out."""
    if not book.own_settings or master_plan.same_plan(book.plan):
        return None
    theirs = book.plan
    issued = issued_from(book)
    if same_names(theirs, master_plan):
        why = (f"{issued} — a master with the same organisation, department and title "
               f"but another plan ID ({theirs.plan_id or 'none'}; this master is "
               f"{master_plan.plan_id or 'none'}). Importing the tracker again, or a new "
               "template, makes a new plan, and returns issued before it are not its "
               "returns. Consolidate them into the master that issued them"
               f"{_named(book)}, or, if you rebuilt this master on purpose, run again with "
               "--adopt-returns (it takes returns whose organisation, department, title, "
               "period and every action ID match, and logs each)")
    else:
        why = (f"{issued} for {theirs.identity()}; this master is {master_plan.identity()} "
               "— another organisation's, department's or plan's return. Check it came "
               "from this plan's issue; if not, send the officer their own return")
    return Finding("WRONG_PLAN", f"nothing in it is merged: this return was {why}",
                   file=file, expected=master_plan.plan_id or master_plan.title,
                   got=theirs.plan_id or theirs.title)


def issued_from(book: Book) -> str:
    """'issued from master_Q2.xlsx on 14/10/2019', from the return's Settings (what
    ``xltools issue`` recorded), or as much of it as is known."""
    name = book.extra_settings.get("issued_from")
    when = book.extra_settings.get("issued_on")
    try:
        when = date.fromisoformat(str(when)).strftime("%d/%m/%Y") if when else ""
    except ValueError:
        when = str(when)
    text = "issued" + (f" from {name}" if name else " from another master")
    return text + (f" on {when}" if when else "")


def _named(book: Book) -> str:
    name = book.extra_settings.get("issued_from")
    return f" ({name})" if name else ""


def same_names(a: Plan, b: Plan) -> bool:
    """Same organisation, department and title (spacing and case ignored)."""
    return all(" ".join(str(getattr(a, k) or "").split()).casefold()
               == " ".join(str(getattr(b, k) or "").split()).casefold()
               for k in ("organisation", "department", "title"))


def adopt_return(rf: ReturnFile, master: Book, as_of: date) -> bool:
    """``--adopt-returns``: accept a WRONG_PLAN return when it is this plan in all but
    its plan ID — organisation, department, title and period match and every action ID
    (and savings line) it holds is in the master — as after the PMO rebuilt the master
    by importing again. Never silent: the WRONG_PLAN finding becomes ADOPTED, which the
    report, the findings and the Log show. Returns True when adopted."""
    book = rf.book
    if not rf.wrong_plan or book is None:
        return False
    theirs, ours = book.plan, master.plan
    ids = {str(i).strip().upper() for i in master.actions_by_id()}
    held = [str(r["id"]).strip() for r in book.actions if r.get("id") not in (None, "")]
    unknown = [i for i in held if i.upper() not in ids]
    lines = {(str(r.get("project_ref") or ""), str(r.get("year") or ""))
             for r in master.savings}
    unknown += [f"{r.get('project_ref')} {r.get('year')}" for r in book.savings
                if (str(r.get("project_ref") or ""), str(r.get("year") or "")) not in lines]
    if not same_names(theirs, ours) or is_wrong_period(rf, ours) or unknown:
        if same_names(theirs, ours) and not is_wrong_period(rf, ours):
            _not_adopted(rf, unknown)
        return False
    rf.wrong_plan = False
    rf.findings = [f for f in rf.findings if f.code != "WRONG_PLAN"]
    rf.findings.append(Finding(
        "ADOPTED", f"adopted with --adopt-returns: {issued_from(book)} for plan "
        f"{theirs.plan_id or '(none)'}, not this master's {ours.plan_id or '(none)'}; its "
        f"organisation, department, title, period and all {len(held)} action IDs match "
        "this master, so it is merged", file=rf.name, expected=ours.plan_id or None,
        got=theirs.plan_id or None))
    book.plan = ours
    rf.findings += validate_book(book, file=rf.name)
    rf.findings += future_dates(book, as_of, rf.name)
    return True


def _not_adopted(rf: ReturnFile, unknown: list[str]) -> None:
    """Say why --adopt-returns did not take this return (IDs the master lacks)."""
    shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5
                                      else "")
    rf.findings = [replace(f, message=f"{f.message}. Not adopted: {shown} "
                           f"{'is' if len(unknown) == 1 else 'are'} not in this master")
                   if f.code == "WRONG_PLAN" else f for f in rf.findings]


# what an officer answers: a return with none of these filled is the return as issued
ANSWER_CELLS = ("progress_update", "rag", "last_updated", "updated_by")
SAVINGS_ANSWER_CELLS = ("revised", "change_type", "approved_by", "approved_on")


def holds_no_update(book: Book, master: Book | None = None) -> bool:
    """True when no action row and no savings line holds anything the officer writes:
    the blank return as ``xltools issue`` wrote it (an officer with nothing to report
    still writes that in Progress update). A savings Comment is issued with the
    master's text, so it counts only where it differs from the ``master``'s."""
    def filled(value: Any) -> bool:
        return value is not None and str(value).strip() != ""

    if any(filled(r.get(k)) for r in book.actions for k in ANSWER_CELLS) or any(
            filled(r.get(k)) for r in book.savings for k in SAVINGS_ANSWER_CELLS):
        return False  # something answered
    if master is not None and master.is_programme and programme_answers(book, master):
        return False  # a Revised end or a risk score changed
    issued = {_line(r): r.get("comment") for r in master.savings} if master else {}
    return not any(filled(r.get("comment")) and
                   " ".join(str(r["comment"]).split()) != " ".join(
                       str(issued.get(_line(r)) or "").split())
                   for r in book.savings)


def programme_answers(book: Book, master: Book) -> bool:
    """Whether a programme plan's return changes a Revised end or a risk's Likelihood or
    Impact from what the master holds (both are issued filled in)."""
    actions = master.actions_by_id()
    risks = {str(r.get("id")): r for r in master.risks}
    return any(not blank(r.get("revised_end")) and not same(
        r.get("revised_end"), (actions.get(str(r.get("id"))) or {}).get("revised_end"))
        for r in book.actions) or any(
        not blank(r.get(k)) and not same(r.get(k), (risks.get(str(r.get("id"))) or {}).get(k))
        for r in book.risks for k in ("likelihood", "impact"))


def _line(row: dict[str, Any]) -> tuple[str, str]:
    return (str(row.get("project_ref") or "").strip(), str(row.get("year") or "").strip())


def mark_blank(rf: ReturnFile, master: Book | None = None) -> bool:
    """A read return that holds no update is not an answer: BLANK_RETURN, and its officer
    is not counted as returned (still missing). Returns True when it is blank."""
    if rf.book is None or rf.refused or not holds_no_update(rf.book, master):
        return False
    rf.blank = True
    rf.findings.append(Finding(
        "BLANK_RETURN", "holds no update at all (no progress update, RAG status, date or "
        "name, no savings change): not counted as returned — is it the blank return as "
        "issued?", file=rf.name, got=rf.officer or None))
    return True


def blank_folder(files: list[ReturnFile], folder: str) -> Finding | None:
    """One warning naming the folder when every return read from it is blank: the PMO
    has consolidated the folder ``xltools issue`` wrote, not the returns sent back."""
    read = [f for f in files if f.readable and not f.not_a_return]
    blanks = [f for f in read if f.blank]
    if not blanks or len(blanks) < len(read):
        return None
    return Finding("BLANK_RETURN", f"none of the {len(blanks)} returns in {folder} holds an "
                   "update: these look like the blank returns you issued. Nobody is counted "
                   "as returned; consolidate the folder where you saved the returns the "
                   "officers sent back", file=folder)


def is_wrong_period(rf: ReturnFile, master_plan: Plan) -> bool:
    """True when the return says it is for a quarter other than the master's."""
    try:
        theirs = Quarter.parse(rf.period, master_plan.fy_start_month)
    except PeriodError:
        return True
    return theirs != master_plan.quarter


def wrong_period_finding(rf: ReturnFile, master_plan: Plan) -> Finding:
    return Finding("WRONG_PERIOD", f"return is for {rf.period}, the master is for "
                   f"{master_plan.period}; not merged", file=rf.name,
                   expected=master_plan.period, got=rf.period)


def _read_batch(paths: list[Path], plan: Plan, by_key: str, as_of: date) -> list[ReturnFile]:
    return [read_return(p, plan, by_key, as_of) for p in paths]


class ReturnReader:
    """Reads and checks a folder of returns — in worker processes when there are many.

    The work is submitted on ``__enter__``, so the caller can read the (big) master
    while the workers read the returns; ``results`` then collects them in order.
    """

    def __init__(self, paths: list[Path], master_plan: Plan, by_key: str, as_of: date,
                 workers: int | None = None):
        self.paths, self.plan, self.by_key, self.as_of = paths, master_plan, by_key, as_of
        workers = workers if workers is not None else min(2, os.cpu_count() or 1)
        # a small folder is read by one worker: every return is read in a capped process
        self.workers = workers if workers > 1 and len(paths) >= POOL_THRESHOLD else 1
        self._pool: ProcessPoolExecutor | None = None
        self._futures: list = []
        self._size = len(paths)

    def __enter__(self) -> ReturnReader:
        if self.paths:
            # a few batches each, of at most MAX_BATCH: a worker holds its batch's books
            # until the batch is sent, and the parent files returns batch by batch. Every
            # reader is memory-capped (workbook.sandbox): a file that would take gigabytes
            # ends its worker, never the command or the server
            size = self._size = min(MAX_BATCH, -(-len(self.paths) // (self.workers * 4)))
            self._pool = capped_pool(self.workers)
            self._futures = [
                self._pool.submit(_read_batch, self.paths[i:i + size], self.plan, self.by_key,
                                  self.as_of)
                for i in range(0, len(self.paths), size)]
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def results(self, progress: Callable[[str], None] | None = None,
                plan: Plan | None = None) -> list[ReturnFile]:
        """Every file's ReturnFile, in path order; ``plan`` replaces the pickled copies."""
        return list(self.stream(progress, plan))

    def stream(self, progress: Callable[[str], None] | None = None,
               plan: Plan | None = None) -> Iterator[ReturnFile]:
        """``results`` one file at a time, as each batch arrives: a caller that is done
        with a return's rows before taking the next holds one batch, not the folder."""
        if self._pool is None:
            batches = ([read_return(p, self.plan, self.by_key, self.as_of)] for p in self.paths)
        else:
            batches = (self._batch(future, i) for i, future in enumerate(self._futures))
        for batch in batches:
            while batch:
                rf = batch.pop(0)  # the batch list must not keep a return the caller let go
                if rf.book is not None and not rf.refused:
                    rf.book.plan = plan or self.plan
                if progress:
                    progress(rf.name)
                yield rf

    def _batch(self, future, index: int) -> list[ReturnFile]:
        """One batch's results; when its worker died (a crash in the reader, the memory
        limit), each of its files is read again alone, so only the culprit is lost."""
        try:
            return future.result()
        except BrokenProcessPool:
            size = self._size
            return [read_alone(p, self.plan, self.by_key, self.as_of)
                    for p in self.paths[index * size:(index + 1) * size]]


def read_alone(path: Path, plan: Plan, by_key: str, as_of: date) -> ReturnFile:
    """Read one file in a process of its own: if the reader dies on it, the file is
    reported (UNREADABLE, reason CRASHED) and the run goes on."""
    with capped_pool(1) as pool:
        try:
            return pool.submit(read_return, path, plan, by_key, as_of).result()
        except BrokenProcessPool:
            exc = crashed(path)
            rf = ReturnFile(path, reason=exc.reason, error=str(exc))
            rf.findings = [Finding("UNREADABLE", rf.error, file=path.name, got="CRASHED")]
            return rf


def read_returns(paths: list[Path], master_plan: Plan, by_key: str, as_of: date, *,
                 progress: Callable[[str], None] | None = None,
                 workers: int | None = None) -> list[ReturnFile]:
    """Read and check every path, in order; a big folder is shared across processes."""
    with ReturnReader(paths, master_plan, by_key, as_of, workers) as reader:
        return reader.results(progress)
