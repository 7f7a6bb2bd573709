"""What each ribbon button does to the workbook it was pressed in.

Every action: read the calling workbook into a ``Book`` (``bridge``), call the
same core function the command line calls, write the result back (Flags
column, KPI RAG/Trend, a Dashboard/Check/Reconciliation sheet) and tell the
user in an alert what happened and where any file went. Files the server
must see — the returns folder, the output folder — are configured folders
(``XLTOOLS_RETURNS_DIR``, ``XLTOOLS_OUTPUT_DIR``); on the desktop they default
to the workbook's own folder. On the server every file a button makes is also
offered back to the person who pressed it as a single-use download
(``downloads``); without an output folder that download is the only copy.

A job that cannot run (``XltoolsError``) becomes an alert with the one-line
reason, never a stack trace.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import xlwings as xw

from ..cycle.check import check_book
from ..cycle.rollover import roll_forward
from ..errors import UsageError, XltoolsError
from ..findings import Finding, count_by_code
from ..reporting.flags import apply_flags, flag_book
from ..reporting.kpis import apply_kpis, assess_kpis
from ..workbook.layout import ACTIONS_LAYOUT, KPIS_LAYOUT
from ..workbook.writer import write_book
from . import bridge, dashboard_sheet
from .downloads import Link, offer_file, offer_folder
from .sheets_needed import SHEETS, WRITES

RETURNS_ENV, OUTPUT_ENV = "XLTOOLS_RETURNS_DIR", "XLTOOLS_OUTPUT_DIR"
CHECK_SHEET = "Check"
FINDING_HEADER = ["Where", "Action", "Code", "Severity", "Message"]
MAX_ALERT_LINES = 5
logger = logging.getLogger(__name__)


def reported(action: Callable[[xw.Book], None]) -> Callable[[xw.Book], None]:
    """Turn a refusal (``XltoolsError``) into an alert instead of an error page."""

    @functools.wraps(action)
    def run(xwbook: xw.Book) -> None:
        title = f"xltools: could not {_verb(action)}"
        try:
            action(xwbook)
        except XltoolsError as exc:
            bridge.alert(xwbook, str(exc), title=title)
        except OSError as exc:  # a folder the server may not write to, a full disk, …
            logger.exception("%s failed", action.__name__)
            bridge.alert(xwbook, f"the server could not read or write a file "
                         f"({exc.strerror or 'file error'}); ask IT to check the returns and "
                         "output folders", title=title)
        except Exception:
            logger.exception("%s failed", action.__name__)
            bridge.alert(xwbook, f"an unexpected error on the server; IT can find it in the "
                         f"server log at {datetime.now():%Y-%m-%d %H:%M:%S}", title=title)

    return run


def _verb(action: Callable) -> str:
    return action.__name__.replace("_", " ")


def finding_rows(findings: list[Finding]) -> list[list[Any]]:
    """Findings as sheet rows; files by name (a server's folders are nobody's business)."""
    rows: list[list[Any]] = [FINDING_HEADER]
    for f in findings:
        where = f"{f.sheet}!{f.cell}" if f.sheet and f.cell else \
            (f.sheet or (Path(f.file).name if f.file else ""))
        rows.append([where, f.action_id or "", f.code, f.severity,
                     bridge.public_text(f.message)])
    return rows


def summary(findings: list[Finding]) -> str:
    counts = count_by_code(findings)
    return ", ".join(f"{code} {n}" for code, n in counts.items()) or "none"


def first_lines(findings: list[Finding]) -> str:
    lines = [f"• {f.sheet}!{f.cell}: {f.message}" if f.cell else f"• {f.message}"
             for f in findings[:MAX_ALERT_LINES]]
    more = len(findings) - MAX_ALERT_LINES
    return "\n".join(lines + ([f"… and {more} more"] if more > 0 else []))


# -- folders -------------------------------------------------------------------


def book_folder(xwbook: xw.Book) -> Path | None:
    """The folder of a workbook saved on this machine (desktop), else None."""
    try:
        folder = Path(xwbook.fullname).parent
    except Exception:  # noqa: BLE001 - remote books have no path
        return None
    return folder if str(folder) not in ("", ".") and folder.is_dir() else None


def configured_folder(xwbook: xw.Book, env: str, default_name: str) -> Path:
    """``env`` if set, else ``default_name`` beside the workbook (desktop only)."""
    if os.environ.get(env):
        return Path(os.environ[env]).expanduser()
    folder = book_folder(xwbook)
    if folder is None:
        raise UsageError(f"the server has no folder for this: ask IT to set {env} "
                         "(see docs/it-guide.md)")
    return folder / default_name


def output_folder(xwbook: xw.Book) -> Path:
    path = configured_folder(xwbook, OUTPUT_ENV, "xltools-output")
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def output_place(xwbook: xw.Book):
    """Where a button writes its files: the output folder if IT configured one (or the
    workbook's folder on the desktop); on the server without one, a private temporary
    folder deleted when the call ends — the files live on only as downloads, in memory
    (``downloads``), so the server's disk keeps nothing."""
    if keeps_files(xwbook):
        yield output_folder(xwbook)
        return
    with tempfile.TemporaryDirectory(prefix="xltools-") as temp:
        yield Path(temp)


def keeps_files(xwbook: xw.Book) -> bool:
    """True if the files a button makes stay in a folder (else: downloads only)."""
    return bool(os.environ.get(OUTPUT_ENV)) or not bridge.is_remote(xwbook)


def where(xwbook: xw.Book, path: Path, what: str = "saved in the output folder as") -> str:
    """The alert's words for where a file went; nothing if it is only a download."""
    return f", {what}:\n{path}" if keeps_files(xwbook) else ""


def returns_folder(xwbook: xw.Book) -> Path:
    path = configured_folder(xwbook, RETURNS_ENV, "returns")
    if not path.is_dir():
        where = "" if bridge.is_remote(xwbook) else f" ({path})"
        raise UsageError(f"the returns folder{where} does not exist: ask IT to check "
                         f"{RETURNS_ENV}")
    return path


def stem(xwbook: xw.Book) -> str:
    """The workbook's name as part of a file name.

    The name comes from the caller (Office.js sends it), so only letters,
    digits, spaces and ``._()-`` survive, at most 80 of them: no folders, no
    ``..``, no Windows separators.
    """
    raw = xwbook.name.replace("\\", "/").rsplit("/", 1)[-1]
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


# -- the buttons -----------------------------------------------------------------


@reported
def check_return(xwbook: xw.Book) -> None:
    """Check my return: every problem, by cell, on a Check sheet; a verdict in an alert."""
    book = bridge.read_xwbook(xwbook, SHEETS["check_return"])
    report = check_book(book, xwbook.name)
    bridge.write_sheet(xwbook, CHECK_SHEET, finding_rows(report.findings),
                       after=ACTIONS_LAYOUT.name, widths=(16, 10, 16, 9, 90))
    if report.ok and report.to_do:
        bridge.alert(xwbook, f"No errors, but {len(report.to_do)} action(s) still need a "
                     "progress update or RAG status — listed on the Check sheet:\n"
                     f"{first_lines(report.to_do)}", title="xltools: check return")
        return
    if report.ok:
        note = f" ({len(report.findings)} note(s) on the Check sheet)" if report.findings else ""
        bridge.alert(xwbook, f"Ready to send: no problems found in {len(book.actions)} "
                     f"actions{note}.", title="xltools: check return")
        return
    bridge.alert(xwbook, f"{len(report.errors)} problem(s) to fix before sending — listed "
                 f"on the Check sheet:\n{first_lines(report.errors)}",
                 title="xltools: check return")


@reported
def flag_stale(xwbook: xw.Book) -> None:
    """Flag stale updates: rewrite the Flags column, summarise the flags."""
    book = bridge.read_xwbook(xwbook, SHEETS["flag_stale"])
    report = flag_book(book, file=xwbook.name)
    apply_flags(book, report)
    with bridge.unprotected(xwbook, WRITES["flag_stale"]):
        bridge.write_column(xwbook, ACTIONS_LAYOUT, book, "flags", book.actions)
    flagged = sum(1 for text in report.cells if text)
    bridge.alert(xwbook, f"{flagged} of {len(book.actions)} actions flagged as at "
                 f"{report.as_of:%d %B %Y}: {summary(report.findings)}. See the Flags column.",
                 title="xltools: flag stale updates")


@reported
def chase_officers(xwbook: xw.Book) -> None:
    """Chase e-mails: one draft .eml per officer with something to do, to the output folder
    (the same files as ``xltools chase``)."""
    from ..cycle.chase import write_chases

    master = bridge.read_xwbook(xwbook, SHEETS["chase_officers"])
    name = f"chase {master.plan.period.replace('/', '-')} {stamp()}"
    with output_place(xwbook) as place, new_output(place, name) as folder:
        written = write_chases(master, folder)
        link = offer_folder(folder, folder.name) if written else None
    if not written:
        bridge.alert(xwbook, "Nobody to chase: no officer has anything to fix or send.",
                     title="xltools: chase e-mails")
        return
    missing = sum(1 for chase, _ in written if chase.missing_return)
    bridge.alert(xwbook, f"{len(written)} draft e-mail(s) for {master.plan.period} "
                 f"({missing} with a missing return attached)"
                 f"{where(xwbook, folder, 'written to the output folder, in')}.\n"
                 "Open each, check it and send it.", title="xltools: chase e-mails",
                 links=[link], counts={"e-mails": len(written), "missing returns": missing})


@reported
def refresh_dashboard(xwbook: xw.Book) -> None:
    """Refresh dashboard: KPI RAG and trend, then the Dashboard ``xltools rollup`` writes.

    A live Dashboard keeps its formulas and charts (only stale values are
    rewritten); anything else is rebuilt as that live Dashboard (``dashboard_sheet``).
    """
    book = bridge.read_xwbook(xwbook, SHEETS["refresh_dashboard"])
    kpi_report = assess_kpis(book, file=xwbook.name)
    apply_kpis(book, kpi_report)
    with bridge.unprotected(xwbook, WRITES["refresh_dashboard"]):
        bridge.write_column(xwbook, KPIS_LAYOUT, book, "rag", book.kpis)
        bridge.write_column(xwbook, KPIS_LAYOUT, book, "trend", book.kpis)
        how, result = dashboard_sheet.refresh(xwbook, book)
    what = ("its formulas and charts kept, figures calculated at writing updated"
            if how == "kept" else "rebuilt with live formulas and charts")
    bridge.alert(xwbook, f"Dashboard refreshed for {result.period} ({what}): {result.total} "
                 f"actions, {result.pct_complete:g}% complete; {len(book.kpis)} KPIs rated.",
                 title="xltools: refresh dashboard")


@reported
def next_quarter(xwbook: xw.Book) -> None:
    """Next quarter: write next quarter's workbook to the output folder."""
    book = bridge.read_xwbook(xwbook, SHEETS["next_quarter"])
    new, report = roll_forward(book, carry_hint="have the PMO run 'xltools next-quarter "
                               "--carry-problems' on this master")
    name = f"{stem(xwbook)} {new.plan.period.replace('/', '-')}.xlsx"
    with output_place(xwbook) as place, new_output(place, name) as out:
        write_book(new, out, backup=False)
        link = offer_file(out)
    bridge.alert(xwbook, f"Next quarter's workbook ({report.period}, deadline "
                 f"{report.deadline}) is ready{where(xwbook, out)}.\n"
                 f"{len(report.carried)} actions carried, {len(report.archived)} archived.",
                 title="xltools: next quarter", links=[link],
                 counts={"actions carried": len(report.carried),
                         "actions archived": len(report.archived)})


@reported
def issue_returns(xwbook: xw.Book) -> None:
    """Issue returns: one return per officer from this master, offered as a zip."""
    master = bridge.read_xwbook(xwbook, SHEETS["issue_returns"])
    _issue(xwbook, master, "returns", master.plan.return_by or "lead")


@reported
def issue_savings_returns(xwbook: xw.Book) -> None:
    """Issue savings returns: one per project lead officer from this baseline (the same
    files as ``xltools issue BASELINE --savings``), offered as a zip."""
    baseline = bridge.read_xwbook(xwbook, SHEETS["issue_savings_returns"])
    if not baseline.savings:
        raise UsageError("this workbook has no savings rows to issue")
    _issue(xwbook, baseline, "savings returns", "lead", savings_only=True)


def _issue(xwbook: xw.Book, master, what: str, by: str, *, savings_only: bool = False) -> None:
    """Write the returns into a new folder of the output place and offer them as a zip."""
    from ..cycle.returns import plan_returns, write_returns

    name = f"{what} {master.plan.period.replace('/', '-')}"
    with output_place(xwbook) as place, new_output(place, name) as folder:
        jobs, findings = plan_returns(master, folder, by, savings_only=savings_only)
        write_returns(jobs, workers=1)
        link = offer_folder(folder, folder.name)
    notes = f"\nNotes: {summary(findings)}" if findings else ""
    bridge.alert(xwbook, f"{len(jobs)} {what} for {master.plan.period} ready"
                 f"{where(xwbook, folder, 'in the output folder, in')}.{notes}",
                 title=f"xltools: issue {what}", links=[link],
                 counts={"returns": len(jobs), "notes": len(findings)})


@reported
def reconcile_savings(xwbook: xw.Book) -> None:
    """Reconcile savings: this baseline vs the returns folder; committee workbook to output."""
    from ..cycle.intake import return_files
    from ..savings.reconcile import reconcile_returns
    from ..savings.reconciliation_sheet import write_reconciliation_workbook

    baseline = bridge.read_xwbook(xwbook, SHEETS["reconcile_savings"])
    folder = returns_folder(xwbook)
    files = return_files(folder)
    rec = reconcile_returns(baseline, files)
    read = len(files) - sum(f.code == "UNREADABLE" for f in rec.findings)
    name = f"{stem(xwbook)} reconciliation {stamp()}.xlsx"
    with output_place(xwbook) as place, new_output(place, name) as out:
        write_reconciliation_workbook(rec, out)
        link = offer_file(out)
    with bridge.unprotected(xwbook, WRITES["reconcile_savings"]):
        bridge.write_sheet(xwbook, "Reconciliation", reconciliation_rows(rec), after="Guidance",
                           widths=(30, 12, 12, 12, 12, 12, 12, 12, 12))
    bridge.alert(xwbook, f"{len(rec.projects)} projects reconciled from {read} "
                 f"return(s) in {folder}: {summary(rec.findings)}.\nThe committee workbook "
                 f"(live formulas) is ready{where(xwbook, out)}.",
                 title="xltools: reconcile savings", links=[link],
                 counts={"projects": len(rec.projects), "returns read": read,
                         "findings": len(rec.findings)})


def reconciliation_rows(rec) -> list[list[Any]]:
    """The committee summary by year (£000) and every flag, as values."""
    by_year = rec.summary["by_year"]
    keys = [k for k in next(iter(by_year.values()), {}) if k != "in_range"]
    rows: list[list[Any]] = [["Savings reconciliation (£000)", *rec.years]]
    rows += [[k.replace("_", " ").capitalize(), *(by_year[y][k] for y in rec.years)]
             for k in keys]
    outside = [y for y in rec.years if not by_year[y]["in_range"]]
    if outside:
        rows.append([f"Years outside the plan's range: {', '.join(outside)}"])
    return rows + [[]] + finding_rows(rec.findings)


ACTION_KEYS = ("previous_progress", "previous_rag", "progress_update", "rag", "last_updated",
               "updated_by", "flags")
SAVINGS_KEYS = ("revised", "change_type", "approved_by", "approved_on", "comment")


@reported
def consolidate(xwbook: xw.Book) -> None:
    """Consolidate: merge the returns folder into this master, in the open workbook.

    Before anything is written back, the master as it was is saved to the output
    folder (Office.js changes cannot be undone with Ctrl+Z).
    """
    import copy

    from ..cycle.consolidate import consolidate_book

    master = bridge.read_xwbook(xwbook, SHEETS["consolidate"])
    folder = returns_folder(xwbook)
    name = f"{stem(xwbook)} before consolidation {stamp()}.xlsx"
    with output_place(xwbook) as place, new_output(place, name) as backup:
        write_book(copy.deepcopy(master), backup, backup=False)
        backup_link = offer_file(backup)
    existing_log = list(master.log)
    report = consolidate_book(master, folder, name=xwbook.name)
    write_back_consolidation(xwbook, master, existing_log, master.log[len(existing_log):])
    consolidated_link = offer_consolidated(xwbook, master)
    counts = report.counts()
    bridge.alert(xwbook, f"{counts['returns_merged']} of {counts['files']} files merged from "
                 f"{folder}: {counts['rows_updated']} actions updated, {counts['conflicts']} "
                 f"conflicts, {counts['rows_invalid']} invalid rows, {counts['missing_returns']}"
                 f" missing returns (see the Flags column and Log).\nThe master as it was "
                 f"before (your undo) is ready{where(xwbook, backup)}.",
                 title="xltools: consolidate", links=[backup_link, consolidated_link],
                 counts={k.replace("_", " "): v for k, v in counts.items()})


def offer_consolidated(xwbook: xw.Book, master) -> Link | None:
    """The merged master as a file too (as ``xltools consolidate`` writes it), for the
    task pane's download list; only on the server — on the desktop it is the open book."""
    if not bridge.is_remote(xwbook):
        return None
    with tempfile.TemporaryDirectory(prefix="xltools-") as temp:
        out = Path(temp) / f"{stem(xwbook)} consolidated {stamp()}.xlsx"
        write_book(master, out, backup=False)
        return offer_file(out)


def write_back_consolidation(xwbook: xw.Book, master, existing_log: list, new_log: list) -> None:
    """The merged update columns, new Log rows and Settings, into the open master."""
    from ..workbook.layout import LOG_LAYOUT, SAVINGS_LAYOUT

    with bridge.unprotected(xwbook, WRITES["consolidate"]):
        for key in ACTION_KEYS:
            bridge.write_column(xwbook, ACTIONS_LAYOUT, master, key, master.actions)
        for key in SAVINGS_KEYS:
            bridge.write_column(xwbook, SAVINGS_LAYOUT, master, key, master.savings)
        if LOG_LAYOUT.name in [s.name for s in xwbook.sheets]:
            bridge.append_rows(xwbook, LOG_LAYOUT, master, existing_log, new_log)
        bridge.write_settings(xwbook, master)
