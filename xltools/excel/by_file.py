"""Consolidate by file: the master's .xlsx in; the consolidated master and the backup out.

Excel on the web caps an Office.js request (and answer) at 5 MB. After one
consolidation a 300-officer master is over 6 MB as the JSON of its values, and
writing 12,000 merged rows back through Office.js meets the same cap; as an
.xlsx file it is a fraction of that (bench/request_sizes.py; docs/it-guide.md).
So on Excel with Office.js the ribbon's and task pane's Consolidate read the
workbook *file* (``Office.context.document.getFileAsync``, static/js/files.js)
and POST it to ``/xltools/consolidate-file`` (PMO only;
server_project/routers/custom.py), with its own body limit
($XLTOOLS_FILE_MAX_MB, default 50).

The bytes go into a private temporary folder (mode 0700, under $TMPDIR), are
checked to be an xltools *master* (the reader's preflight: not an xlsx,
password, .xls, zip bomb…; then its kind), and are consolidated there by the
same ``cycle.consolidate.consolidate`` as ``xltools consolidate``, against the
server's returns folder (the one uploads fill). The consolidated master and
the file as sent (the backup, the undo) are offered to the caller as downloads
(``downloads``, in memory), and the folder is deleted before the answer goes
back: the disk keeps nothing. The open workbook is not changed; the PMO opens
the consolidated master as the new master.

The desktop add-in (xlwings' own, ``desktop``) keeps consolidating in the open
workbook (``actions.consolidate``): no request limit applies there.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import datetime
from pathlib import Path

from ..cycle.consolidate import consolidate
from ..errors import WorkbookError, XltoolsError
from ..workbook.layout import MASTER, RETURN, SETTINGS, TEMPLATE
from ..workbook.reader import open_workbook
from ..workbook.settings import read_settings
from .downloads import Link, offer, offer_file, remember
from .env import positive_number
from .uploads import clean_name

PATH = "/xltools/consolidate-file"
FILE_MAX_ENV = "XLTOOLS_FILE_MAX_MB"
TITLE = "xltools: consolidate"
FAILED = "xltools: could not consolidate"
logger = logging.getLogger(__name__)


def max_file_bytes() -> int:
    """The consolidate-by-file body limit in bytes ($XLTOOLS_FILE_MAX_MB, default 50)."""
    return int(positive_number(FILE_MAX_ENV, "50", "a number of megabytes") * 2**20)


def check_master(path: Path) -> None:
    """Refuse anything but an xltools master, in one sentence naming the file
    (the reader's preflight first: size, zip bomb, password, .xls, not an xlsx)."""
    name = path.name
    with open_workbook(path) as wb:
        if SETTINGS not in wb.sheet_names:
            raise WorkbookError(f"{name}: not an xltools workbook (no {SETTINGS} sheet); press "
                                "Consolidate in the PMO's master", reason="NOT_XLTOOLS")
        settings = read_settings(wb, name)
    kind = settings.get("kind", MASTER)
    if kind == RETURN:
        who = settings.get("officer") or "an officer"
        raise WorkbookError(f"{name} is a return for {who}, not the master: upload it with "
                            "Upload returns, then press Consolidate in the PMO's master",
                            reason="NOT_MASTER")
    if kind == TEMPLATE:
        raise WorkbookError(f"{name} is the blank template, not a master: press Consolidate "
                            "in the PMO's master", reason="NOT_MASTER")


def consolidate_file(data: bytes, name: str, returns: Path) -> dict:
    """Consolidate ``returns`` into the master ``data`` (named ``name`` by the caller)
    and offer both files; the task pane's answer. Runs as the caller, in a worker."""
    shown = clean_name(name or "master.xlsx")
    stem, when = shown[:-5], datetime.now().strftime("%Y%m%d-%H%M%S")
    with tempfile.TemporaryDirectory(prefix="xltools-consolidate-") as temp:
        master = Path(temp) / shown
        master.write_bytes(data)
        check_master(master)
        out = Path(temp) / "out" / f"{stem} consolidated {when}.xlsx"
        report = consolidate(master, returns, out, workers=1)
        merged = offer_file(out)
    backup = offer(f"{stem} before consolidation {when}.xlsx", data)
    counts = report.counts()
    message = (f"{counts['returns_merged']} of {counts['files']} files merged from the returns "
               f"folder: {counts['rows_updated']} actions updated, {counts['conflicts']} "
               f"conflicts, {counts['rows_invalid']} invalid rows, "
               f"{counts['missing_returns']} missing returns (see the Flags column and Log of "
               "the consolidated master).\nDownload the consolidated master and open it: it is "
               "the master from now on. The workbook open in Excel has not changed; the "
               "master as you sent it (your undo) is the second download.")
    links = [link for link in (merged, backup) if link is not None]
    return answer(TITLE, message, links, {k.replace("_", " "): v for k, v in counts.items()})


def answer(title: str, message: str, links: list[Link], counts: dict[str, int]) -> dict:
    """The caller's last run (GET /xltools/last-run), which is also the answer."""
    return remember(title, message, links, counts) or {
        "title": title, "message": message, "counts": counts,
        "links": [link.to_dict() for link in links]}


def run(data: bytes, name: str, returns: Path) -> tuple[int, dict]:
    """(HTTP status, answer): 200 and the result, 400 and a sentence when the file is not
    a master that can be consolidated, 500 and a sentence (never a traceback or a server
    path) when the server failed."""
    from .bridge import public_text

    try:
        return 200, consolidate_file(data, name, returns)
    except XltoolsError as exc:
        sentence = public_text(str(exc))
        status = 400
    except OSError as exc:
        logger.exception("consolidate by file failed")
        sentence = (f"the server could not read or write a file "
                    f"({exc.strerror or 'file error'}); ask IT to check the returns folder "
                    "and the server's temporary folder")
        status = 500
    except Exception:
        logger.exception("consolidate by file failed")
        sentence = (f"an unexpected error on the server; IT can find it in the server log at "
                    f"{datetime.now():%Y-%m-%d %H:%M:%S}")
        status = 500
    return status, {"detail": sentence, **answer(FAILED, sentence, [], {})}
