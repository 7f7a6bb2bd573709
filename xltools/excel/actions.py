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

The buttons that only make files from the master (Issue returns, Issue savings
returns, Next quarter, Chase e-mails, Reconcile savings) are functions of a
``Book`` in ``book_jobs``: here they get the Book from the workbook's values;
the by-file route (``by_file``) gets it from the posted .xlsx and calls the same.

A job that cannot run (``XltoolsError``) becomes an alert with the one-line
reason, never a stack trace.
"""

from __future__ import annotations

import functools
import logging
import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import xlwings as xw

from ..cycle.check import check_book
from ..errors import XltoolsError
from ..findings import Finding
from ..reporting.flags import apply_flags, flag_book
from ..reporting.kpis import apply_kpis, assess_kpis
from ..workbook.layout import ACTIONS_LAYOUT, KPIS_LAYOUT
from ..workbook.writer import write_book
from . import book_jobs as jobs
from . import bridge, dashboard_sheet
from .answers import (
    consolidation_words,
    flag_words,
    parse_as_of,
    refused_title,
    shown_counts,
)
from .book_jobs import FINDING_HEADER, Where, new_output, stamp
from .downloads import Link, offer_file
from .history_hook import record_quarter
from .sheets_needed import SHEETS, WRITES

CHECK_SHEET = "Check"
MAX_ALERT_LINES = 5
logger = logging.getLogger(__name__)


def reported(action: Callable[..., None]) -> Callable[..., None]:
    """Turn a refusal (``XltoolsError``) into an alert instead of an error page, titled
    with what did not happen ("Next quarter was not built"); ``options`` are what the
    person chose beside the button (the As of date, carry problems)."""

    @functools.wraps(action)
    def run(xwbook: xw.Book, *options: Any) -> None:
        title = refused_title(action.__name__)
        try:
            action(xwbook, *options)
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


def finding_rows(findings: list[Finding]) -> list[list[Any]]:
    """Findings as sheet rows; files by name (a server's folders are nobody's business)."""
    rows: list[list[Any]] = [FINDING_HEADER]
    for f in findings:
        where = f"{f.sheet}!{f.cell}" if f.sheet and f.cell else \
            (f.sheet or (Path(f.file).name if f.file else ""))
        rows.append([where, f.action or f.action_id or "", f.code, f.severity,
                     bridge.public_text(f.message)])
    return rows


def first_lines(findings: list[Finding]) -> str:
    lines = [f"• {f.sheet}!{f.cell}: {f.message}" if f.cell else f"• {f.message}"
             for f in findings[:MAX_ALERT_LINES]]
    more = len(findings) - MAX_ALERT_LINES
    return "\n".join(lines + ([f"… and {more} more"] if more > 0 else []))


# -- folders (``book_jobs``, for the workbook a button was pressed in) ----------------


def book_folder(xwbook: xw.Book) -> Path | None:
    """The folder of a workbook saved on this machine (desktop), else None."""
    try:
        folder = Path(xwbook.fullname).parent
    except Exception:  # noqa: BLE001 - remote books have no path
        return None
    return folder if str(folder) not in ("", ".") and folder.is_dir() else None


def place_of(xwbook: xw.Book) -> Where:
    """What a ``book_jobs`` job needs to know about the calling workbook."""
    return Where(xwbook.name, book_folder(xwbook), bridge.is_remote(xwbook))


def output_place(xwbook: xw.Book):
    return jobs.output_place(place_of(xwbook))


def where(xwbook: xw.Book, path: Path, what: str = "saved in the output folder as") -> str:
    return jobs.said(place_of(xwbook), path, what)


def returns_folder(xwbook: xw.Book) -> Path:
    return jobs.returns_folder(place_of(xwbook))


def stem(xwbook: xw.Book) -> str:
    return jobs.stem(xwbook.name)


def run_job(xwbook: xw.Book, script: str) -> jobs.Answer:
    """``book_jobs.JOBS[script]`` on the calling workbook's values (the sheets it reads);
    the by-file route calls the same job on the posted file (``by_file``)."""
    return jobs.JOBS[script](bridge.read_xwbook(xwbook, SHEETS[script]), place_of(xwbook))


def tell(xwbook: xw.Book, answer: jobs.Answer) -> None:
    """A job's answer as the button's alert (and the task pane's Last run)."""
    bridge.alert(xwbook, answer.message, title=answer.title, links=answer.links,
                 counts=answer.counts)


# -- the buttons -----------------------------------------------------------------


@reported
def check_return(xwbook: xw.Book) -> None:
    """Check my return: every problem, by cell, on a Check sheet; a verdict in an alert."""
    book = bridge.read_xwbook(xwbook, SHEETS["check_return"])
    report = check_book(book, xwbook.name)
    bridge.write_sheet(xwbook, CHECK_SHEET, finding_rows(report.findings),
                       after=ACTIONS_LAYOUT.name, widths=(16, 10, 16, 9, 90))
    if report.ok and (report.untouched or report.held_back):  # not "ready", whatever else
        _, sentence = report.verdict()
        bridge.alert(xwbook, f"{sentence} Listed on the Check sheet:\n"
                     f"{first_lines(report.held_back or report.to_do)}",
                     title="xltools: check return")
        return
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
    locked = f" and {len(report.held_back)} locked cell(s) changed" if report.held_back else ""
    bridge.alert(xwbook, f"{len(report.errors)} problem(s) to fix before sending{locked} — "
                 f"listed on the Check sheet:\n{first_lines(report.errors + report.held_back)}",
                 title="xltools: check return")


@reported
def flag_stale(xwbook: xw.Book, as_of: str = "") -> None:
    """Flag stale updates: rewrite the Flags column, say what was flagged in words.
    ``as_of``: the task pane's As of date (``2019-10-14``; empty: the plan's default)."""
    book = bridge.read_xwbook(xwbook, SHEETS["flag_stale"])
    report = flag_book(book, as_of=parse_as_of(as_of), file=xwbook.name)
    apply_flags(book, report)
    with bridge.unprotected(xwbook, WRITES["flag_stale"]):
        bridge.write_column(xwbook, ACTIONS_LAYOUT, book, "flags", book.actions)
    flagged = sum(1 for text in report.cells if text)
    if not flagged:
        message = (f"0 of {len(book.actions)} actions flagged as at {report.as_of:%d %B %Y}: "
                   "every action has a current update.")
    else:
        message = (f"{flagged} of {len(book.actions)} actions flagged as at "
                   f"{report.as_of:%d %B %Y}; each one's reason is in its Flags cell:\n"
                   f"{flag_words(report.findings)}")
    bridge.alert(xwbook, message, title="xltools: flag stale updates")


@reported
def chase_officers(xwbook: xw.Book) -> None:
    """Chase e-mails: one draft .eml per officer with something to do (``book_jobs``)."""
    tell(xwbook, run_job(xwbook, "chase_officers"))


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
def next_quarter(xwbook: xw.Book, carry_problems: bool = False) -> None:
    """Next quarter: write next quarter's workbook to the output folder (``book_jobs``);
    ``carry_problems``: the Next quarter card's choice."""
    book = bridge.read_xwbook(xwbook, SHEETS["next_quarter"])
    where = replace(place_of(xwbook), carry_problems=bool(carry_problems))
    tell(xwbook, jobs.next_quarter(book, where))


@reported
def issue_returns(xwbook: xw.Book) -> None:
    """Issue returns: one return per officer from this master, offered as a zip."""
    tell(xwbook, run_job(xwbook, "issue_returns"))


@reported
def issue_savings_returns(xwbook: xw.Book) -> None:
    """Issue savings returns: one per project lead officer from this baseline."""
    tell(xwbook, run_job(xwbook, "issue_savings_returns"))


@reported
def reconcile_savings(xwbook: xw.Book) -> None:
    """Reconcile savings: the committee workbook (``book_jobs``), and a Reconciliation
    sheet of values in this workbook."""
    answer = run_job(xwbook, "reconcile_savings")
    with bridge.unprotected(xwbook, WRITES["reconcile_savings"]):
        bridge.write_sheet(xwbook, "Reconciliation", reconciliation_rows(answer.extra),
                           after="Guidance", widths=(30, 12, 12, 12, 12, 12, 12, 12, 12))
    tell(xwbook, answer)


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
RISK_KEYS = ("likelihood", "impact", "score", "rag", "direction")  # rescored by consolidation


@reported
def consolidate(xwbook: xw.Book, as_of: str = "") -> None:
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
    report = consolidate_book(master, folder, name=xwbook.name, as_of=parse_as_of(as_of))
    write_back_consolidation(xwbook, master, existing_log, master.log[len(existing_log):])
    consolidated_link = offer_consolidated(xwbook, master)
    source = "the returns folder" if bridge.is_remote(xwbook) else str(folder)
    recorded = record_quarter(master, xwbook.name)  # "" unless XLTOOLS_HISTORY_URL is set
    bridge.alert(xwbook, f"{consolidation_words(report, source)}\nEach action's flags are in "
                 f"its Flags cell, each file in the Log.\nThe master as it was before (your "
                 f"undo) is ready{where(xwbook, backup)}." + (f"\n{recorded}" if recorded else ""),
                 title="xltools: consolidate", links=[backup_link, consolidated_link],
                 counts=shown_counts(report.counts()))


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
    from ..workbook.layout import LOG_LAYOUT, RISKS_LAYOUT, SAVINGS_LAYOUT

    with bridge.unprotected(xwbook, WRITES["consolidate"]):
        for key in ACTION_KEYS:
            bridge.write_column(xwbook, ACTIONS_LAYOUT, master, key, master.actions)
        for key in SAVINGS_KEYS:
            bridge.write_column(xwbook, SAVINGS_LAYOUT, master, key, master.savings)
        if master.is_programme:  # the RDLs' Revised end and the owners' risk scores
            bridge.write_column(xwbook, ACTIONS_LAYOUT, master, "revised_end", master.actions)
            for key in RISK_KEYS:
                bridge.write_column(xwbook, RISKS_LAYOUT, master, key, master.risks)
        if LOG_LAYOUT.name in [s.name for s in xwbook.sheets]:
            bridge.append_rows(xwbook, LOG_LAYOUT, master, existing_log, new_log)
        bridge.write_settings(xwbook, master)
