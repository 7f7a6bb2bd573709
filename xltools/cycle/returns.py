"""Issue returns: one workbook per officer, holding only the actions they answer for.

A return is the same format as the master (DESIGN.md §3) with ``kind`` "return":
the officer's actions, last quarter's progress and RAG shown read-only in
``Previous progress`` / ``Previous RAG``, the update fields empty and unlocked.
An action with two lead officers ("Luke Barrett / Catherine Kelly") goes to
both, so each can answer; consolidation reconciles what they send back.

Issuing hundreds of returns is a hot path (DESIGN.md §7): each return is built
in memory and written once — by a ``Stamp``, which builds the styled workbook
once and streams each officer's rows in (the same file ``write_book`` makes) —
and big batches are spread over the machine's cores with a process pool.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import unicodedata
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..findings import Finding, action_reference, count_by_code, with_references
from ..plan import split_officers
from ..workbook.book import PREVIOUS_REVISED_END, Book, Row, blank, clean_row
from ..workbook.files import ensure_replaceable, private_folder, unique_backup
from ..workbook.layout import ACTIONS_LAYOUT, RETURN, RISKS, SAVINGS
from ..workbook.reader import open_plan, read_book
from ..workbook.sandbox import die_with_parent
from .risk_returns import return_risks, risk_owners
from .savings_returns import officer_savings, savings_leads

if TYPE_CHECKING:  # the writer (openpyxl) is loaded where returns are written: see WriterPool
    from ..workbook.stamp import Stamp

BY_COLUMNS = {"lead": "lead_officer", "accountable": "accountable_officer"}
UPDATE_FIELDS = ("progress_update", "rag", "last_updated", "updated_by")
CLEARED_FIELDS = (*UPDATE_FIELDS, "flags")
STATE_KEY = "updated_this_period"  # master Settings: action IDs already updated this period
POOL_THRESHOLD = 24  # below this many returns a process pool costs more than it saves

Progress = Callable[[str], None]


@dataclass
class IssuedReturn:
    """One return written: who it is for and what it holds."""

    officer: str
    path: Path
    actions: list[str]
    savings: int = 0
    risks: list[str] = field(default_factory=list)  # a programme plan's: those they own

    def to_dict(self) -> dict[str, Any]:
        out = {"officer": self.officer, "file": self.path.name, "path": str(self.path),
               "actions": self.actions, "savings_rows": self.savings}
        if self.risks:
            out["risks"] = self.risks
        return out


@dataclass
class IssueReport:
    """What ``issue_returns`` did: the returns written and anything odd in the master."""

    master: str
    out_dir: Path
    by: str
    period: str
    returns: list[IssuedReturn] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    replaced: Path | None = None  # where --replace moved the earlier returns

    def to_dict(self) -> dict[str, Any]:
        return {
            "master": self.master, "out_dir": str(self.out_dir), "by": self.by,
            "replaced": str(self.replaced) if self.replaced else None,
            "period": self.period, "returns": [r.to_dict() for r in self.returns],
            "counts": count_by_code(self.findings),
            "findings": [f.to_dict() for f in self.findings],
            "seconds": round(self.seconds, 3),
        }


def by_column(by: str) -> str:
    """The Actions column key that says who answers for an action."""
    try:
        return BY_COLUMNS[by]
    except KeyError:
        raise UsageError(f"--by must be one of {', '.join(BY_COLUMNS)}, not '{by}'") from None


def officers_of(row: Row, key: str) -> list[str]:
    """Individual names in an officer cell: "A / B" → [A, B]."""
    return split_officers(row.get(key))


def previous_values(row: Row) -> tuple[Any, Any]:
    """What last quarter said: the master's update, else what it already showed as previous.

    Shared with consolidation, which moves these into the master's Previous
    columns the first time an action is updated in a new period.
    """
    progress = row.get("progress_update")
    rag = row.get("rag")
    return (row.get("previous_progress") if blank(progress) else progress,
            row.get("previous_rag") if blank(rag) else rag)


def return_row(row: Row) -> Row:
    """The master row as the officer sees it: previous filled, update fields empty."""
    out = clean_row(row)
    out["previous_progress"], out["previous_rag"] = previous_values(row)
    for key in CLEARED_FIELDS:
        out[key] = None
    return out


def assign(master: Book, by: str = "lead") -> tuple[dict[str, list[Row]], list[Finding]]:
    """Officer → the master's action rows they answer for, in master order.

    Actions nobody is named against are reported (NO_OFFICER), never dropped
    silently: the PMO has to decide who answers for them.
    """
    key = by_column(by)
    letter = master.letters(ACTIONS_LAYOUT).get(key, "?")
    file = Path(master.path).name if master.path else None
    groups: dict[str, list[Row]] = {}
    findings = []
    listed = {n.casefold(): n for n in master.plan.individual_officers}
    column = ACTIONS_LAYOUT.column(key).name
    for row in master.actions:
        names = officers_of(row, key)
        cell = f"{letter}{row.get('_row', '?')}"
        if not names:
            what = action_reference(row.get("ref"), row.get("action"), row.get("id"))
            findings.append(Finding(
                "NO_OFFICER", f"{what} has no {column.lower()}; no return includes it",
                file=file, sheet=ACTIONS_LAYOUT.name, cell=cell, action_id=row.get("id"),
                column=column))
        for name in names:
            # Excel's dropdown accepts "steve edwards": one officer, one return
            officer = listed.get(name.casefold(), name)
            if listed and name.casefold() not in listed:
                findings.append(Finding(
                    "INVALID", f"{column} '{name}' is not on the officer list; a return was "
                    "made for that name — check the spelling", file=file,
                    sheet=ACTIONS_LAYOUT.name, cell=cell, action_id=row.get("id"),
                    column=column, got=name))
            groups.setdefault(officer, []).append(row)
    return groups, findings


def savings_for(master: Book, officer: str) -> list[Row]:
    """Savings rows of the projects the officer leads, as issued (see savings_returns)."""
    return officer_savings(savings_leads(master)[0], officer)


def return_book(master: Book, officer: str, rows: list[Row], *, by: str = "lead",
                issued_on: date | None = None, savings: list[Row] | None = None,
                risks: list[Row] | None = None) -> Book:
    """The in-memory return for one officer (on a programme plan, with the risks they
    own: ``risk_returns``)."""
    settings = dict(master.extra_settings)
    settings.pop(STATE_KEY, None)  # master bookkeeping, not the officer's business
    settings.pop(PREVIOUS_REVISED_END, None)  # nor every RDL's last forecast (the master's)
    settings.update({"issued_by": by, "issued_from": Path(master.path or "master").name,
                     "issued_on": (issued_on or date.today()).isoformat()})
    return Book(plan=master.plan, kind=RETURN, officer=officer,
                actions=[return_row(r) for r in rows],
                savings=savings_for(master, officer) if savings is None else savings,
                risks=return_risks(risk_owners(master)[0], officer) if risks is None
                else risks, extra_settings=settings)


def safe_name(text: str) -> str:
    """Text made safe for a file name on Windows, Mac and SharePoint: ``Siân O'Neill`` →
    ``Sian_ONeill``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = re.sub(r"['’`]", "", ascii_text)
    return re.sub(r"[^A-Za-z0-9-]+", "_", ascii_text.replace("/", "-")).strip("_") or "officer"


MAX_NAME_PART = 80  # file names stay well under 255 bytes (and SharePoint's path limit)


def return_filename(period: str, officer: str) -> str:
    """``Q2_2019-20_Steve_Edwards.xlsx``: period first, so a folder sorts by quarter. A
    very long officer name is shortened, with a stable suffix from the full name so two
    long names never collide and a re-issue gets the same name."""
    name = safe_name(officer)
    if len(name) > MAX_NAME_PART:
        digest = hashlib.sha256(officer.encode("utf-8")).hexdigest()[:8]
        name = f"{name[:MAX_NAME_PART - 9].rstrip('_')}_{digest}"
    return f"{safe_name(period)}_{name}.xlsx"


def plan_returns(master: Book, out_dir: Path, by: str, issued_on: date | None = None, *,
                 savings_only: bool = False) -> tuple[list[tuple[Book, Path]], list[Finding]]:
    """Every return to write, with a unique path each (names that clash get a number).

    Savings lead officers who answer for no action get a return too; with
    ``savings_only`` (finance issuing) every return holds savings rows only."""
    groups, findings = ({}, []) if savings_only else assign(master, by)
    leads, lead_findings = savings_leads(master)
    findings += lead_findings
    owners, owner_findings = ({}, []) if savings_only else risk_owners(master)
    findings += owner_findings
    known = {officer.casefold() for officer in groups}
    for officer in [*leads, *owners]:  # a savings lead or risk owner with no action
        if officer.casefold() not in known:
            groups[officer] = []
            known.add(officer.casefold())
    period = f"{master.plan.period} savings" if savings_only else master.plan.period
    jobs: list[tuple[Book, Path]] = []
    used: set[str] = set()
    for officer, rows in groups.items():
        name = return_filename(period, officer)
        stem, number = name[:-5], 2
        while name.casefold() in used:
            name, number = f"{stem}_{number}.xlsx", number + 1
        used.add(name.casefold())
        book = return_book(master, officer, rows, by=by, issued_on=issued_on,
                           savings=officer_savings(leads, officer),
                           risks=return_risks(owners, officer))
        if savings_only:  # the task pane's upload keeps these apart (excel.acceptance)
            book.extra_settings["return_kind"] = "savings"
        jobs.append((book, out_dir / name))
    return jobs, with_references(findings, master.actions)  # named as people see them


def _write_one(stamp: Stamp, book: Book, path: Path, folder: Path | None = None) -> Path:
    if path.exists():  # re-issuing: keep what was there, as write_book does
        unique_backup(path)
    return stamp.write(book, path, folder)


def _write_each(stamp: Stamp, jobs: list[tuple[Book, Path]],
                progress: Progress | None = None) -> list[Path]:
    """``jobs`` written one after the other, their temporaries in one private folder
    (``files.private_folder``: one folder made and removed, not one per return)."""
    paths = []
    with private_folder(jobs[0][1]) as folder:
        for book, path in jobs:
            paths.append(_write_one(stamp, book, path, folder))
            if progress:
                progress(path.name)
    return paths


_STAMPS: list[Stamp] = []  # a worker's stamp, kept for its next batch


def _write_batch(batch: list[tuple[Book, Path]]) -> list[Path]:
    """A worker's share: the styled workbook is built once per process (not once per
    batch) and each return's rows are stamped into it."""
    from ..workbook.stamp import Stamp

    stamp = next((s for s in _STAMPS if s.fits(batch[0][0])), None)
    if stamp is None:
        stamp = Stamp(batch[0][0])
        _STAMPS[:] = [stamp]
    return _write_each(stamp, batch)


def _load_writer() -> None:
    """A writing worker's start: bound to its parent, and the writer (openpyxl, ~0.3 s
    to import) loaded at once — while the parent is still reading the master."""
    die_with_parent()
    from ..workbook import stamp  # noqa: F401


def _ready() -> None:
    """Nothing: submitted only so the pool starts its workers now."""


class WriterPool:
    """Worker processes for writing returns, started before the master is read.

    Issuing is read-then-write: the parent reads the master (one core) and then the
    workers write. Started early, the workers load the writer during the read, so
    neither the parent nor they wait for openpyxl's import afterwards. ``pool`` is
    None when one process is asked for (or ``wanted`` is False)."""

    def __init__(self, workers: int | None = None, wanted: bool = True):
        self.requested = workers if workers is not None else min(2, os.cpu_count() or 1)
        self.workers = self.requested if wanted else 1
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> WriterPool:
        if self.workers > 1:
            self.pool = ProcessPoolExecutor(max_workers=self.workers, initializer=_load_writer)
            self.pool.submit(_ready)  # the workers start (and load) now
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def write_returns(jobs: list[tuple[Book, Path]], *, workers: int | None = None,
                  progress: Progress | None = None,
                  pool: WriterPool | None = None) -> list[Path]:
    """Write every return; over several processes when there are enough to pay for it
    (``pool``: workers already started, see ``WriterPool``)."""
    if not jobs:
        return []
    for _, path in jobs:  # a link planted at a return's name: refused before any write
        ensure_replaceable(path)
    many = len(jobs) >= POOL_THRESHOLD
    if pool is None or (pool.pool is None and many and pool.requested > 1):
        # none started, or none started early (the plan lists few officers, yet the
        # master names many): start the workers now
        requested = workers if pool is None else pool.requested
        with WriterPool(requested, wanted=many) as started:
            return _write_all(jobs, started, progress)
    return _write_all(jobs, pool, progress)


def _write_all(jobs: list[tuple[Book, Path]], pool: WriterPool,
               progress: Progress | None) -> list[Path]:
    """``write_returns`` with the workers settled: ``pool``'s, or this process alone."""
    if pool.pool is None or len(jobs) < POOL_THRESHOLD:
        from ..workbook.stamp import Stamp

        return _write_each(Stamp(jobs[0][0]), jobs, progress)
    size = -(-len(jobs) // (pool.workers * 2))  # a few batches each, so progress moves
    batches = [jobs[i:i + size] for i in range(0, len(jobs), size)]
    paths = []
    for written in pool.pool.map(_write_batch, batches):
        paths.extend(written)
        if progress:
            for path in written:
                progress(path.name)
    return paths


def read_master(path: str | Path, workbook=None, *, only=None) -> Book:
    """Read the master, refusing an officer's return passed by mistake (``workbook``:
    it already open, see ``open_plan``; ``only``: the data sheets wanted, as
    ``read_book`` takes them)."""
    book = read_book(path, workbook=workbook, only=only)
    if book.kind == RETURN:
        raise UsageError(f"{Path(path).name} is a return for {book.officer or 'an officer'}, "
                         "not a master; give the PMO's master workbook")
    return book


def workbooks_in(folder: Path, master_path: Path) -> list[Path]:
    """The workbooks already in an issue folder (earlier returns, their backups), not the
    master itself nor Excel's lock files."""
    if not folder.is_dir():
        return []
    master = master_path.resolve()
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() == ".xlsx" and p.resolve() != master
                  and not p.name.startswith(("~$", ".")))


def refuse_reissue(folder: Path, found: list[Path]) -> None:
    """Issuing into a folder that holds returns would leave new and old side by side
    in the folder the PMO e-mails from: stop, in one line, saying how to go on."""
    shown = ", ".join(p.name for p in found[:2]) + (", …" if len(found) > 2 else "")
    raise UsageError(f"{folder} already holds {len(found)} workbook"
                     f"{'' if len(found) == 1 else 's'} ({shown}): issue into an empty "
                     "folder, or run again with --replace to move the old ones into "
                     f"{folder.name}/replaced-<date-time>/ first")


def move_replaced(folder: Path, found: list[Path], now: datetime | None = None) -> Path:
    """``--replace``: the old returns go into ``replaced-YYYYMMDD-HHMMSS/`` inside the
    folder (never deleted, never left beside the new ones). Returns that folder."""
    stamp = f"replaced-{(now or datetime.now()):%Y%m%d-%H%M%S}"
    target, n = folder / stamp, 2
    while target.exists():
        target, n = folder / f"{stamp}-{n}", n + 1
    target.mkdir()
    for path in found:
        path.rename(target / path.name)
    return target


def issue_returns(master_path: str | Path, out_dir: str | Path, *, by: str | None = None,
                  workers: int | None = None, progress: Progress | None = None,
                  issued_on: date | None = None, savings_only: bool = False,
                  replace: bool = False) -> IssueReport:
    """Read the master and write one return per officer into ``out_dir``
    (``savings_only``: one per savings lead officer, holding only their projects).
    A folder already holding workbooks is refused unless ``replace``, which first
    moves them into a ``replaced-<date-time>`` sub-folder."""
    start = time.perf_counter()
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir} is a file; -o needs a folder for the returns")
    earlier = workbooks_in(out_dir, Path(master_path))
    if earlier and not replace:
        refuse_reissue(out_dir, earlier)
    plan, workbook = open_plan(master_path)  # how many officers: is a pool worth starting?
    many = len(plan.individual_officers) >= POOL_THRESHOLD
    with WriterPool(workers, wanted=many) as pool:
        # a return holds actions and savings: the Archive and Log, which grow every
        # quarter, are not read
        master = read_master(master_path, workbook, only=(SAVINGS, RISKS))
        if savings_only and not master.savings:
            raise UsageError(f"{Path(master_path).name} has no Savings rows to issue")
        by = "lead" if savings_only else by or master.plan.return_by or "lead"
        out_dir.mkdir(parents=True, exist_ok=True)  # even for no returns: what we report
        jobs, findings = plan_returns(master, out_dir, by, issued_on,
                                      savings_only=savings_only)
        replaced = move_replaced(out_dir, earlier) if earlier else None
        write_returns(jobs, progress=progress, pool=pool)
    report = IssueReport(Path(master_path).name, out_dir, by, master.plan.period,
                         findings=findings, replaced=replaced)
    report.returns = [IssuedReturn(b.officer, p, [r["id"] for r in b.actions], len(b.savings),
                                   [str(r.get("id")) for r in b.risks])
                      for b, p in jobs]
    report.seconds = time.perf_counter() - start
    return report
