"""The file-making buttons as functions of a ``Book``: what to write, and what to say.

Issue returns, Issue savings returns, Next quarter, Chase e-mails and Reconcile
savings only *read* the master (or baseline) and make files. Each is one
function here, ``job(book, where) -> Answer``, called by

- the in-book button (``actions``): the Book read from the workbook's values
  (xlwings), the answer shown as an alert, as ever (the desktop add-in too);
- the by-file route (``by_file``): the Book read by ``workbook.reader`` from the
  .xlsx the task pane or ribbon posted (Excel on the web caps a request at 5 MB,
  which a big master's values exceed).

So there is one implementation of each. ``Where`` is what a job needs to know
about the workbook it was pressed in: its name (for file names), its own folder
(desktop) and whether the person is remote (then files are downloads, and no
server paths are shown). No xlwings here.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..workbook.book import Book
from .answers import plural, shown_counts, summary
from .downloads import Link, offer_file, offer_folder

RETURNS_ENV, OUTPUT_ENV = "XLTOOLS_RETURNS_DIR", "XLTOOLS_OUTPUT_DIR"
FINDING_HEADER = ["Where", "Action", "Code", "Severity", "Message"]


@dataclass(frozen=True)
class Where:
    """The workbook a button was pressed in: ``name`` as the caller gave it, its own
    ``folder`` (a desktop book saved on this machine), whether the caller is remote, and
    the ``sha256`` of its file when it came as one (by file; the Log records it); and
    the choices the person made beside the button (Next quarter's carry problems and
    no-returns-this-quarter)."""

    name: str
    folder: Path | None = None
    remote: bool = True
    sha256: str = ""
    carry_problems: bool = False  # the Next quarter card's "carry problems" choice
    unconsolidated: bool = False  # its "no returns this quarter" choice (--unconsolidated)


@dataclass
class Answer:
    """What to tell the person: an alert's title and message, the files as download
    links (None on the desktop), counts for the task pane's small table; ``extra`` is
    what the in-book button also writes into the open workbook (Reconcile's sheet)."""

    title: str
    message: str
    links: list[Link | None] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    extra: Any = None


# -- folders -------------------------------------------------------------------


def configured_folder(where: Where, env: str, default_name: str) -> Path:
    """``env`` if set, else ``default_name`` beside the workbook (desktop only)."""
    if os.environ.get(env):
        return Path(os.environ[env]).expanduser()
    if where.folder is None:
        raise UsageError(f"the server has no folder for this: ask IT to set {env} "
                         "(see docs/it-guide.md)")
    return where.folder / default_name


def output_folder(where: Where) -> Path:
    path = configured_folder(where, OUTPUT_ENV, "xltools-output")
    path.mkdir(parents=True, exist_ok=True)
    return path


def keeps_files(where: Where) -> bool:
    """True if the files a button makes stay in a folder (else: downloads only)."""
    return bool(os.environ.get(OUTPUT_ENV)) or not where.remote


@contextmanager
def output_place(where: Where):
    """Where a button writes its files: the output folder if IT configured one (or the
    workbook's folder on the desktop); on the server without one, a private temporary
    folder deleted when the call ends — the files live on only as downloads, in memory
    (``downloads``), so the server's disk keeps nothing."""
    if keeps_files(where):
        yield output_folder(where)
        return
    with tempfile.TemporaryDirectory(prefix="xltools-") as temp:
        yield Path(temp)


def said(where: Where, path: Path, what: str = "saved in the output folder as") -> str:
    """The alert's words for where a file went; nothing if it is only a download."""
    return f", {what}:\n{path}" if keeps_files(where) else ""


def returns_folder(where: Where) -> Path:
    path = configured_folder(where, RETURNS_ENV, "returns")
    if not path.is_dir():
        shown = "" if where.remote else f" ({path})"
        raise UsageError(f"the returns folder{shown} does not exist: ask IT to check "
                         f"{RETURNS_ENV}")
    return path


def savings_returns_folder(where: Where) -> Path:
    """Where Reconcile savings reads: the returns folder's ``savings`` sub-folder, where
    the task pane keeps uploaded savings returns apart from the officers' (``acceptance``);
    the returns folder itself when it has none (savings returns copied there by hand)."""
    folder = returns_folder(where)
    savings = folder / "savings"
    return savings if savings.is_dir() and not savings.is_symlink() else folder


def stem(name: str) -> str:
    """The workbook's name as part of a file name.

    The name comes from the caller (Office.js sends it), so only letters,
    digits, spaces and ``._()-`` survive, at most 80 of them: no folders, no
    ``..``, no Windows separators.
    """
    raw = name.replace("\\", "/").rsplit("/", 1)[-1]
    raw = raw[:-5] if raw.lower().endswith((".xlsx", ".xlsm")) else raw
    clean = re.sub(r"[^\w .()-]", "_", raw).strip(" .")[:80].strip(" .")
    return clean or "workbook"


_reserved: set[Path] = set()
_reserving = threading.Lock()


@contextmanager
def new_output(folder: Path, name: str):
    """A path in ``folder`` that holds nothing yet: ``name``, else ``name (2)``, ``(3)``, ….

    Outputs never overwrite: pressing Next quarter twice keeps both workbooks,
    and no caller can choose a name that replaces the PMO's backup. Paths being
    written by other requests in this process are skipped too.
    """
    base, suffix = (name[:-5], name[-5:]) if name.endswith(".xlsx") else (name, "")
    with _reserving:
        for number in range(1, 1000):
            path = folder / (name if number == 1 else f"{base} ({number}){suffix}")
            if path not in _reserved and not path.exists():
                _reserved.add(path)
                break
        else:
            raise UsageError(f"the output folder already holds 999 files named {name}")
    try:
        yield path
    finally:
        with _reserving:
            _reserved.discard(path)


def stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


# -- the jobs --------------------------------------------------------------------


def chase_officers(master: Book, where: Where) -> Answer:
    """Chase e-mails: one draft .eml per officer with something to do (the same files as
    ``xltools chase``), offered as a zip."""
    from ..cycle.chase import write_chases

    title = "xltools: chase e-mails"
    name = f"chase {master.plan.period.replace('/', '-')} {stamp()}"
    with output_place(where) as place, new_output(place, name) as folder:
        written = write_chases(master, folder)
        link = offer_folder(folder, folder.name) if written else None
    if not written:
        return Answer(title, "Nobody to chase: no officer has anything to fix or send.")
    missing = sum(1 for chase, _ in written if chase.missing_return)
    return Answer(title, f"{len(written)} draft e-mail(s) for {master.plan.period} "
                  f"({missing} with a missing return attached)"
                  f"{said(where, folder, 'written to the output folder, in')}.\n"
                  "Open each, check it and send it.", [link],
                  {"e-mails": len(written), "missing returns": missing})


def next_quarter(book: Book, where: Where) -> Answer:
    """Next quarter: next quarter's workbook (as ``xltools next-quarter`` writes it), with
    its checks first: a master no returns were consolidated into stops it, in the
    command line's words, unless the card's "no returns this quarter" is ticked."""
    from ..cycle.rollover import is_consolidated, refuse_to_roll, roll_forward
    from ..workbook.writer import write_book
    from .history_hook import record_quarter

    refuse_to_roll(book, where.name, unconsolidated=where.unconsolidated,
                   consolidate_hint=CONSOLIDATE_FIRST,
                   roll_hint=UNCONSOLIDATED_CHOICE if where.remote else UNCONSOLIDATED_DESKTOP)
    recorded = record_quarter(book, where.name)  # the quarter it closes, before rolling
    new, report = roll_forward(book, sha256=where.sha256,
                               carry_problems=where.carry_problems, carry_hint=CARRY_CHOICE)
    name = f"{stem(where.name)} {new.plan.period.replace('/', '-')}.xlsx"
    with output_place(where) as place, new_output(place, name) as out:
        write_book(new, out, backup=False)
        link = offer_file(out)
    lines = [f"Next quarter's workbook ({report.period}, deadline {report.deadline}) is "
             f"ready{said(where, out)}.",
             f"{plural(len(report.carried), 'action')} carried into {report.period}"
             + (f", {len(report.archived)} complete archived." if report.archived else ".")]
    if not is_consolidated(book):
        lines.append(f"No returns were consolidated into this master for {book.plan.period}: "
                     "rolled on as asked ('No returns this quarter' was ticked).")
    if report.problems_carried:
        by_id = book.actions_by_id()
        refs = [str((by_id.get(i) or {}).get("ref") or i) for i in report.problems_carried]
        lines.append(f"{plural(len(refs), 'action')} carried with unresolved problems "
                     f"({', '.join(refs[:8])}"
                     f"{' …' if len(refs) > 8 else ''}): each is flagged "
                     "CARRIED, with the disputed or invalid update kept in Previous progress, "
                     "until you resolve it and delete the flag line.")
    if recorded:
        lines.append(recorded)
    return Answer("xltools: next quarter", "\n".join(lines), [link],
                  shown_counts({"actions carried": len(report.carried),
                                "actions archived": len(report.archived),
                                "carried with problems": len(report.problems_carried)}))


# how the add-in carries problems instead of refusing (the command line's --carry-problems)
CARRY_CHOICE = ("tick 'Carry problems into next quarter' on the Next quarter card and press "
                "Next quarter again")
# the add-in's ways past an unconsolidated master (the command line's --unconsolidated)
CONSOLIDATE_FIRST = "Press Consolidate first (with the officers' returns uploaded)"
UNCONSOLIDATED_CHOICE = ("tick 'No returns this quarter' on the Next quarter card and press "
                         "Next quarter again")
# the desktop ribbon (xltools.xlam) has no task pane and so no such box
UNCONSOLIDATED_DESKTOP = ("run xltools next-quarter MASTER.xlsx -o NEXT.xlsx --unconsolidated "
                          "(the desktop ribbon has no such choice)")


def issue_returns(master: Book, where: Where) -> Answer:
    """Issue returns: one return per officer from this master, offered as a zip."""
    return _issue(master, where, "returns", master.plan.return_by or "lead")


def issue_savings_returns(baseline: Book, where: Where) -> Answer:
    """Issue savings returns: one per project lead officer from this baseline (the same
    files as ``xltools issue BASELINE --savings``), offered as a zip."""
    if not baseline.savings:
        raise UsageError("this workbook has no savings rows to issue")
    return _issue(baseline, where, "savings returns", "lead", savings_only=True)


def _issue(master: Book, where: Where, what: str, by: str, *,
           savings_only: bool = False) -> Answer:
    """Write the returns into a new folder of the output place and offer them as a zip."""
    from ..cycle.returns import plan_returns, write_returns

    name = f"{what} {master.plan.period.replace('/', '-')}"
    with output_place(where) as place, new_output(place, name) as folder:
        jobs, findings = plan_returns(master, folder, by, savings_only=savings_only)
        write_returns(jobs, workers=1)
        link = offer_folder(folder, folder.name)
    notes = f"\nNotes: {summary(findings)}" if findings else ""
    return Answer(f"xltools: issue {what}", f"{len(jobs)} {what} for {master.plan.period} "
                  f"ready{said(where, folder, 'in the output folder, in')}.{notes}",
                  [link], {"returns": len(jobs), "notes": len(findings)})


def reconcile_savings(baseline: Book, where: Where) -> Answer:
    """Reconcile savings: this baseline vs the returns folder; the committee workbook
    (live formulas) to the output place. ``extra`` is the reconciliation, for the
    in-book button's Reconciliation sheet."""
    from ..cycle.intake import return_files
    from ..savings.reconcile import reconcile_returns
    from ..savings.reconciliation_sheet import write_reconciliation_workbook

    folder = savings_returns_folder(where)
    files = return_files(folder)
    rec = reconcile_returns(baseline, files)
    read = len(files) - sum(f.code == "UNREADABLE" for f in rec.findings)
    name = f"{stem(where.name)} reconciliation {stamp()}.xlsx"
    with output_place(where) as place, new_output(place, name) as out:
        write_reconciliation_workbook(rec, out)
        link = offer_file(out)
    source = (("the savings returns folder" if folder.name == "savings" else
               "the returns folder") if where.remote else str(folder))
    return Answer("xltools: reconcile savings", f"{plural(len(rec.projects), 'project')} "
                  f"reconciled from {plural(read, 'return')} in {source}: "
                  f"{summary(rec.findings)}.\nThe "
                  f"committee workbook (live formulas) is ready{said(where, out)}.", [link],
                  {"projects": len(rec.projects), "returns read": read,
                   "findings": len(rec.findings)}, extra=rec)


JOBS: dict[str, Callable[[Book, Where], Answer]] = {
    "issue_returns": issue_returns,
    "issue_savings_returns": issue_savings_returns,
    "next_quarter": next_quarter,
    "chase_officers": chase_officers,
    "reconcile_savings": reconcile_savings,
}
