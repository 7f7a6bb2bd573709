"""Returns coming in from the task pane: each file checked, then kept under a safe name.

``POST /xltools/upload`` (PMO and finance; server_project/routers/custom.py)
hands each uploaded file here, with the plan of the master open in Excel. A file
is accepted if it is a readable xltools *return* — the reader's preflight (size,
zip bomb, .xls, password, not an xlsx) and the same checks ``xltools check``
makes — that Consolidate would not refuse whole (``acceptance``: another plan's,
another quarter's); a savings return goes to the savings sub-folder. Problems
inside a readable return do not refuse it (consolidation keeps invalid rows, flagged)
but are counted in the answer. Accepted files go into the returns folder
($XLTOOLS_RETURNS_DIR) under a cleaned name, never replacing a file already
there (``name (2).xlsx``). A refused file leaves nothing behind.

The bytes are checked in a private temporary folder first, so a half-written
or hostile file never sits in the returns folder, and the file is moved in
with an exclusive create (no overwrite even if two uploads race).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..cycle.check import check_workbook
from ..errors import UsageError, WorkbookError
from ..plan import Plan
from ..workbook.layout import RETURN
from ..workbook.reader import RETURN_LIMITS
from .acceptance import SAVINGS_RETURN, Verdict, clean_name, folder_for, judge

RETURNS_ENV = "XLTOOLS_RETURNS_DIR"
MAX_FILES = 500
REMOVE = "/xltools/upload/remove"  # take back a file the pane kept (``acceptance.remove``)


@dataclass
class Outcome:
    """What became of one uploaded file (what the task pane lists)."""

    file: str
    accepted: bool
    reason: str
    saved_as: str = ""
    officer: str = ""
    problems: int = 0
    kind: str = ""  # action or savings return (``acceptance``)

    def to_dict(self) -> dict:
        return {"file": self.file, "accepted": self.accepted, "reason": self.reason,
                "saved_as": self.saved_as, "officer": self.officer, "problems": self.problems,
                "kind": self.kind}


def returns_dir() -> Path:
    folder = os.environ.get(RETURNS_ENV)
    if not folder or not Path(folder).expanduser().is_dir():
        raise UsageError(f"the server has no returns folder: ask IT to set {RETURNS_ENV} "
                         "(docs/it-guide.md)")
    return Path(folder).expanduser()


def accept(name: str, data: bytes, folder: Path, plan: Plan | None = None,
           roles: set[str] | None = None) -> Outcome:
    """Check one uploaded file and, if it is a return, keep it in ``folder``.

    With ``plan`` (the master open in Excel) the file must also pass Consolidate's own
    acceptance (``acceptance.judge``: plan, period, kind, the person's ``roles``), and a
    savings return goes to the savings sub-folder."""
    if not name.lower().endswith(".xlsx"):
        return Outcome(clean_name(name)[:-5], False, "not an .xlsx file: upload the returns "
                       "as Excel workbooks (.xlsx)")
    shown = clean_name(name)
    with tempfile.TemporaryDirectory(prefix="xltools-upload-") as temp:
        path = Path(temp) / shown
        try:
            path.write_bytes(data)
        except OSError as exc:  # the temporary folder is full or read-only
            return Outcome(shown, False, f"not checked: the server's temporary folder "
                           f"would not take it — {disk_problem(exc)}; ask IT")
        try:
            report = check_workbook(path, limits=RETURN_LIMITS)
        except WorkbookError as exc:  # the task pane shows the name beside the reason
            return Outcome(shown, False, str(exc).removeprefix(f"{path}: ")
                           .removeprefix(f"{shown}: "))
        except Exception:  # noqa: BLE001 - a hostile file is refused, never a 500
            return Outcome(shown, False, "could not be read as a workbook")
        if report.book.kind != RETURN:
            return Outcome(shown, False, f"this is a {report.book.kind}, not an officer's "
                           "return")
        if report.structural:
            first = report.structural[0]
            return Outcome(shown, False, f"{first.code}: {first.message}")
        verdict = judge(path, plan, roles) if plan is not None else Verdict()
        if verdict.refusal:
            return Outcome(shown, False, verdict.refusal, kind=verdict.kind)
        try:
            saved = keep(data, folder_for(verdict.kind, folder), shown)
        except OSError as exc:  # read-only, full, gone: the PMO reads why, not a 500
            return Outcome(shown, False, "not saved: the returns folder would not take "
                           f"it — {disk_problem(exc)}; ask IT")
    problems = len(report.errors)
    reason = accepted_words(verdict.kind, problems)
    reason += "".join(f"; {f.message}" for f in report.findings if f.code == "REVIEW_CONTENT")
    return Outcome(shown, True, reason, saved, report.book.officer or verdict.officer, problems,
                   verdict.kind)


def accepted_words(kind: str, problems: int) -> str:
    """What the pane says beside an accepted file: where it went and what comes next."""
    goes = ("kept for Reconcile savings (apart from the officers' returns)"
            if kind == SAVINGS_RETURN else "kept for Consolidate")
    flagged = (f"; {problems} problem{'' if problems == 1 else 's'} in it will be flagged "
               "when consolidated" if problems and kind != SAVINGS_RETURN else "")
    return f"accepted as {'a savings' if kind == SAVINGS_RETURN else 'an action'} return, " \
        f"{goes}{flagged}"


def disk_problem(exc: OSError) -> str:
    """Why a folder would not take a file, in words for the PMO and IT."""
    import errno

    return {errno.EACCES: "the server may not write to it (read-only or no permission)",
            errno.EPERM: "the server may not write to it (read-only or no permission)",
            errno.EROFS: "it is on a read-only disk",
            errno.ENOSPC: "its disk is full", errno.EDQUOT: "the disk quota is used up",
            errno.EFBIG: "the file is larger than the server may write",
            errno.ENOENT: "it no longer exists"}.get(exc.errno, "it could not be written to")


def keep(data: bytes, folder: Path, name: str) -> str:
    """Write ``data`` as ``name`` in ``folder``, or ``name (2)``…; never over a file.

    Written first as a hidden ``.….tmp`` file (which consolidation skips), then
    hard-linked to its name — a link never replaces an existing file — so a
    consolidation running meanwhile never reads half a return.
    """
    fd, temp = tempfile.mkstemp(prefix=".upload-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        base = name[:-5]
        for number in range(1, 1000):
            candidate = name if number == 1 else f"{base} ({number}).xlsx"
            try:
                os.link(temp, folder / candidate)
            except FileExistsError:
                continue
            return candidate
        raise UsageError(f"the returns folder already holds 999 files named {name}")
    finally:
        os.unlink(temp)
