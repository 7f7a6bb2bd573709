"""The master's .xlsx in, the files a button makes out: the buttons "by file".

Excel on the web caps an Office.js request (and answer) at 5 MB. A 300-officer
master is over 6 MB as the JSON of its values, and writing 12,000 merged rows
back through Office.js meets the same cap; as an .xlsx file it is a fraction of
that (bench/request_sizes.py; docs/it-guide.md). So on Excel with Office.js the
buttons that only *make files* from the master — ``SCRIPTS``: Consolidate,
Issue returns, Issue savings returns, Next quarter, Chase e-mails, Reconcile
savings — read the workbook *file* (``Office.context.document.getFileAsync``,
static/js/files.js) and POST it to ``/xltools/run-file/{script}``
(server_project/routers/custom.py; ``/xltools/consolidate-file`` is kept for
Consolidate), with the button's own roles and their own body limit
($XLTOOLS_FILE_MAX_MB, default 50).

The bytes go into a private temporary folder (mode 0700, under $TMPDIR), are
checked to be an xltools *master* (the reader's preflight: not an xlsx,
password, .xls, zip bomb…; then its kind) and read by the one reader
(``workbook.reader``). Consolidate runs ``cycle.consolidate.consolidate`` as
``xltools consolidate`` does; the others run the same ``book_jobs`` function
as the in-book button. The files are offered to the caller as downloads
(``downloads``, in memory), and the folder is deleted before the answer goes
back: the disk keeps nothing (unless IT set an output folder, as for the
buttons). The open workbook is not changed — Reconcile savings by file writes
no Reconciliation sheet into it, and says so.

The desktop add-in (xlwings' own, ``desktop``) keeps running the buttons in
the open workbook (``actions``): no request limit applies there.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..addin.buttons import by_script
from ..cycle.consolidate import consolidate
from ..errors import WorkbookError, XltoolsError
from ..workbook.book import Book
from ..workbook.layout import MASTER, RETURN, SETTINGS, TEMPLATE
from ..workbook.reader import WORKBOOK_LIMITS, checked_extents, open_workbook, read_book
from ..workbook.sandbox import run_capped
from ..workbook.settings import read_settings
from .answers import consolidation_words, parse_as_of, refused_title, shown_counts
from .book_jobs import JOBS, Where
from .downloads import Link, link_lines, offer, offer_file, remember
from .env import positive_number
from .uploads import clean_name

PATH = "/xltools/consolidate-file"  # Consolidate's first by-file route, kept
RUN_PATH = "/xltools/run-file/"
# the buttons that go by file where Office can (static/js/files.js has the same list)
SCRIPTS = ("consolidate", *JOBS)
NEEDS_RETURNS = ("consolidate", "reconcile_savings")  # read the server's returns folder
FILE_MAX_ENV = "XLTOOLS_FILE_MAX_MB"
TITLE = "xltools: consolidate"
# what a by-file answer adds to the in-book button's
NOTES = {"reconcile_savings": "\nThe workbook open in Excel has not changed: by file, no "
         "Reconciliation sheet is written into it; the committee workbook has the summary "
         "and every flag."}
logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from python_calamine import CalamineWorkbook


def max_file_bytes() -> int:
    """The consolidate-by-file body limit in bytes ($XLTOOLS_FILE_MAX_MB, default 50)."""
    return int(positive_number(FILE_MAX_ENV, "50", "a number of megabytes") * 2**20)


def paths() -> list[str]:
    """Every by-file route (the guard gives each the file body limit)."""
    return [PATH, *(RUN_PATH + script for script in SCRIPTS)]


def failed(script: str) -> str:
    """The title of a refusal, as the in-book button's (``actions.reported``)."""
    return refused_title(script)


def open_master(path: Path, label: str = "Consolidate") -> CalamineWorkbook:
    """``path`` opened, if it is an xltools master; else refused in one sentence naming
    the file and what to do (the reader's preflight first: size, zip bomb, password,
    .xls, not an xlsx). ``label`` is the button's. Returned open, so the master is read
    from it (``read_book(workbook=…)``) without parsing its text a second time."""
    name = path.name
    path, _, _ = checked_extents(path, (SETTINGS,), WORKBOOK_LIMITS)  # before calamine
    wb = open_workbook(path, checked=True)
    try:
        if SETTINGS not in wb.sheet_names:
            raise WorkbookError(f"{name}: not an xltools workbook (no {SETTINGS} sheet); press "
                                f"{label} in the PMO's master", reason="NOT_XLTOOLS")
        settings = read_settings(wb, name)
        kind = settings.get("kind", MASTER)
        if kind == RETURN:
            who = settings.get("officer") or "an officer"
            upload = ("upload it with Upload returns, then " if label == "Consolidate" else "")
            raise WorkbookError(f"{name} is a return for {who}, not the master: {upload}press "
                                f"{label} in the PMO's master", reason="NOT_MASTER")
        if kind == TEMPLATE:
            raise WorkbookError(f"{name} is the blank template, not a master: press {label} "
                                "in the PMO's master", reason="NOT_MASTER")
    except BaseException:
        wb.close()
        raise
    return wb


def read_master(data: bytes, shown: str, label: str) -> Book:
    """The posted master as a Book (the one reader), from a private temporary folder
    that is gone when this returns."""
    with tempfile.TemporaryDirectory(prefix="xltools-byfile-") as temp:
        path = Path(temp) / shown
        path.write_bytes(data)
        return run_capped(path, read_posted, path, label)  # a memory-capped worker


def read_posted(path: Path, label: str) -> Book:
    """``read_master``'s reading, run in the capped worker (``workbook.sandbox``)."""
    return read_book(path, workbook=open_master(path, label))


def job_file(script: str, data: bytes, name: str, carry_problems: bool = False,
             unconsolidated: bool = False) -> dict:
    """``book_jobs.JOBS[script]`` on the posted master, as the in-book button runs it
    (with Next quarter's choices); its answer (no server paths) with the files as
    download links."""
    from .bridge import public_text

    shown = clean_name(name or "master.xlsx")
    book = read_master(data, shown, by_script(script).label)
    result = JOBS[script](book, Where(shown, sha256=hashlib.sha256(data).hexdigest(),
                                      carry_problems=carry_problems,
                                      unconsolidated=unconsolidated))
    links = [link for link in result.links if link is not None]
    message = public_text(result.message) + NOTES.get(script, "") + link_lines(links)
    return answer(result.title, message, links, result.counts)


def consolidate_file(data: bytes, name: str, returns: Path, as_of: str = "",
                     adopt: bool = False) -> dict:
    """Consolidate ``returns`` into the master ``data`` (named ``name`` by the caller)
    and offer both files; the task pane's answer. Runs as the caller, in a worker.
    ``adopt``: the Consolidate card's choice (the command line's --adopt-returns)."""
    shown = clean_name(name or "master.xlsx")
    stem, when = shown[:-5], datetime.now().strftime("%Y%m%d-%H%M%S")
    with tempfile.TemporaryDirectory(prefix="xltools-consolidate-") as temp:
        master = Path(temp) / shown
        master.write_bytes(data)
        open_master(master).close()  # consolidate reads it from the path
        out = Path(temp) / "out" / f"{stem} consolidated {when}.xlsx"
        report = consolidate(master, returns, out, workers=1, as_of=parse_as_of(as_of),
                             adopt=adopt)
        recorded = record_file(out, shown)  # "" unless XLTOOLS_HISTORY_URL is set
        merged = offer_file(out)
    backup = offer(f"{stem} before consolidation {when}.xlsx", data)
    from .bridge import public_text

    message = (f"{public_text(consolidation_words(report, 'the returns folder'))}\nDownload the "
               "consolidated master and open it: it is the master from now on (each action's "
               "flags are in its Flags cell, each file in its Log). The workbook open in Excel "
               "has not changed; the master as you sent it (your undo) is the second download."
               + (f"\n{recorded}" if recorded else ""))
    links = [link for link in (merged, backup) if link is not None]
    return answer(TITLE, message, links, shown_counts(report.counts()))


def record_file(path: Path, name: str) -> str:
    """The consolidated master recorded in the history store, when one is configured."""
    from .history_hook import ENV_URL, record_quarter

    if not os.environ.get(ENV_URL, "").strip():
        return ""
    return record_quarter(read_book(path), name)


def ticked(options: dict[str, str], key: str) -> bool:
    """A box beside the button, as the task pane sends it in the URL."""
    return options.get(key, "") in ("1", "true", "yes")


def answer(title: str, message: str, links: list[Link], counts: dict[str, int]) -> dict:
    """The caller's last run (GET /xltools/last-run), which is also the answer."""
    return remember(title, message, links, counts) or {
        "title": title, "message": message, "counts": counts,
        "links": [link.to_dict() for link in links]}


def run(script: str, data: bytes, name: str, returns: Path | None,
        options: dict[str, str] | None = None) -> tuple[int, dict]:
    """(HTTP status, answer): 200 and the result, 400 and a sentence when the file is not
    a master the button can use, 500 and a sentence (never a traceback or a server
    path) when the server failed. ``returns``: the returns folder (Consolidate);
    ``options``: the choices beside the button (``as_of``, ``adopt_returns``,
    ``carry_problems``, ``unconsolidated``; a ticked box is "1")."""
    from .bridge import public_text

    options = options or {}
    try:
        if script == "consolidate":
            return 200, consolidate_file(data, name, returns, options.get("as_of", ""),
                                         ticked(options, "adopt_returns"))
        return 200, job_file(script, data, name, ticked(options, "carry_problems"),
                             ticked(options, "unconsolidated"))
    except XltoolsError as exc:
        sentence = public_text(str(exc))
        status = 400
    except OSError as exc:
        logger.exception("%s by file failed", script)
        sentence = (f"the server could not read or write a file "
                    f"({exc.strerror or 'file error'}); ask IT to check the returns folder "
                    "and the server's temporary folder")
        status = 500
    except Exception:
        logger.exception("%s by file failed", script)
        sentence = (f"an unexpected error on the server; IT can find it in the server log at "
                    f"{datetime.now():%Y-%m-%d %H:%M:%S}")
        status = 500
    return status, {"detail": sentence, **answer(failed(script), sentence, [], {})}
