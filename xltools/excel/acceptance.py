"""What Upload returns keeps: the file as Consolidate would take it, in the right folder.

The task pane uploads returns with the plan of the workbook open in Excel (the
PMO's master, or finance's savings baseline): its Settings and Lists sheets'
values, sent beside the files. Each file is then read exactly as Consolidate
reads it (``cycle.intake.read_return``: the one reader, against the master's
plan), so a file Consolidate would refuse whole — another plan's return,
another quarter's, a master or the template — is refused at upload, with the
same reason in words, and never sits in the returns folder looking accepted.

Two kinds of return are kept apart:

- an *action return* (an officer's updates) goes into the returns folder, where
  Consolidate reads it; only the PMO uploads these;
- a *savings return* (finance's: savings rows only, issued with Issue savings
  returns or ``xltools issue BASELINE --savings``) goes into its ``savings``
  sub-folder, which Consolidate never reads and Reconcile savings does; the PMO
  or finance uploads these.

``remove`` takes back a file the pane accepted, with the same role rules.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..cycle.intake import ReturnFile, is_savings_return, read_return
from ..cycle.returns import by_column
from ..errors import UsageError
from ..plan import Plan
from ..workbook.layout import RETURN, SETTINGS, TEMPLATE
from ..workbook.settings import read_settings

ACTION_RETURN, SAVINGS_RETURN = "action return", "savings return"
SAVINGS_FOLDER = "savings"
SENT_SHEETS = (SETTINGS, "Lists")  # what the pane sends of the open workbook
OPEN_THE_MASTER = ("Open the PMO's master (or finance's savings baseline) in Excel, then "
                   "upload: each return is checked against its plan and quarter, as "
                   "Consolidate checks it.")


@dataclass
class Verdict:
    """What Consolidate would make of one file, and whether this person may keep it."""

    kind: str = ACTION_RETURN
    refusal: str = ""
    officer: str = ""


def master_plan(grids: dict[str, Any]) -> Plan:
    """The plan of the workbook open in Excel, from the sheet values the pane sent;
    refused in words when that workbook is not a master or baseline."""
    from ..workbook.reader import plan_from_sheets
    from .bridge import GridWorkbook

    if not isinstance(grids, dict) or not isinstance(grids.get(SETTINGS), list):
        raise UsageError(OPEN_THE_MASTER)
    clean = {name: grid for name, grid in grids.items()
             if name in SENT_SHEETS and _is_grid(grid)}
    if SETTINGS not in clean:
        raise UsageError(OPEN_THE_MASTER)
    wb = GridWorkbook(clean)
    kind = read_settings(wb, "the open workbook").get("kind")
    if kind in (RETURN, TEMPLATE):
        what = "an officer's return" if kind == RETURN else "the blank template"
        raise UsageError(f"The workbook open in Excel is {what}, not the master. "
                         + OPEN_THE_MASTER)
    return plan_from_sheets(wb, "the open workbook")


def _is_grid(grid: Any) -> bool:
    """A list of rows of plain cell values (what Office.js hands over), nothing else."""
    return isinstance(grid, list) and all(
        isinstance(row, list) and all(isinstance(v, (str, int, float, bool)) or v is None
                                      for v in row) for row in grid)


def judge(path: Path, plan: Plan, roles: set[str] | None, as_of: date | None = None) -> Verdict:
    """Consolidate's verdict on ``path`` (``read_return`` against ``plan``) and the role
    rule; ``roles`` None means no sign-in is configured (this machine only: anyone)."""
    rf = read_return(path, plan, by_column(plan.return_by or "lead"), as_of or date.today())
    verdict = Verdict(kind=return_kind(rf), officer=rf.officer)
    verdict.refusal = refusal(rf) or role_refusal(verdict.kind, roles)
    return verdict


def return_kind(rf: ReturnFile) -> str:
    """A savings return when its Settings say so (``intake.is_savings_return``, the rule
    Consolidate refuses them by: what is kept here for Consolidate is what it merges)."""
    return SAVINGS_RETURN if rf.book is not None and is_savings_return(rf.book) \
        else ACTION_RETURN


def refusal(rf: ReturnFile) -> str:
    """Why Consolidate would not merge this file at all, in words ('' if it would)."""
    if rf.skipped:
        return f"not kept: {rf.skipped}"
    if not rf.readable:
        why = rf.error.removeprefix(f"{rf.path}: ").removeprefix(f"{rf.name}: ")
        return f"could not be read: {why}"
    whole = next((f for f in rf.findings
                  if f.code in ("WRONG_PLAN", "WRONG_PERIOD", "NOT_A_RETURN")), None)
    if whole is None:
        return ""
    said = whole.message.rstrip(".")
    return f"refused — {said}" + ("." if "merged" in said else
                                  ". Consolidate would not merge it.")


def role_refusal(kind: str, roles: set[str] | None) -> str:
    if roles is None or "pmo" in roles:
        return ""
    if kind == SAVINGS_RETURN and "finance" in roles:
        return ""
    if kind == ACTION_RETURN:
        return ("refused — this is an officer's action return: the PMO uploads those "
                "(finance uploads savings returns).")
    return "refused — uploading returns needs the pmo or finance role."


def savings_dir(folder: Path) -> Path:
    """The returns folder's ``savings`` sub-folder (made on first use; never a link)."""
    path = folder / SAVINGS_FOLDER
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    if path.is_symlink() or not path.is_dir():
        raise UsageError(f"the returns folder's '{SAVINGS_FOLDER}' is not a folder: ask IT "
                         "to check it")
    return path


def clean_name(name: str) -> str:
    """The uploaded name without folders (``../``, ``C:\\``), odd characters or a hidden
    dot; always ending .xlsx."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = base[:-5] if base.lower().endswith(".xlsx") else base
    clean = re.sub(r"[^\w .()-]", "_", base, flags=re.ASCII).strip(" .")[:100].strip(" .")
    return f"{clean or 'return'}.xlsx"


def folder_for(kind: str, folder: Path) -> Path:
    return savings_dir(folder) if kind == SAVINGS_RETURN else folder


def remove(name: str, kind: str, folder: Path, roles: set[str] | None) -> str:
    """Take ``name`` (a file the pane kept) out of its folder; a sentence saying so.
    Only a plain .xlsx file directly in that folder, never a link or a sub-folder."""
    if kind not in (ACTION_RETURN, SAVINGS_RETURN):
        raise UsageError("say which kind of return to remove: an action or a savings return")
    if role_refusal(kind, roles):
        raise PermissionError(role_refusal(kind, roles).removeprefix("refused — "))
    if not name or clean_name(name) != name:
        raise UsageError(f"'{name}' is not a file the upload box kept")
    target = folder_for(kind, folder) / name
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        raise UsageError(f"{name} is not in the {where(kind)} (already removed?)") from None
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{name} is not a file the upload box kept")
    target.unlink()
    return f"{name} removed from the {where(kind)}."


def where(kind: str) -> str:
    return "savings returns folder" if kind == SAVINGS_RETURN else "returns folder"
