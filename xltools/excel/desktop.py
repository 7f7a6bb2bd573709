"""The ribbon's scripts for the desktop add-in (xltools.xlam, needs local Python).

Each ribbon button runs, through xlwings' VBA ``RunPython``::

    import xltools.excel.desktop; xltools.excel.desktop.check_return()

``xw.Book.caller()`` is the workbook the button was pressed in; the work is in
``actions``, the same code the Office.js add-in runs on the server. Output and
returns folders default to the workbook's own folder (``xltools-output`` and
``returns`` beside it) unless XLTOOLS_OUTPUT_DIR / XLTOOLS_RETURNS_DIR are set.

On a Mac the sheets a button writes are unprotected around it through
AppleScript (``mac_protection``); on Windows ``bridge.unprotected`` does it
through COM.
"""

from __future__ import annotations

from collections.abc import Callable

import xlwings as xw

from . import actions, mac_protection
from .sheets_needed import WRITES


def run(action: Callable[[xw.Book], None], book: xw.Book | None = None) -> None:
    """Run one button's action on the calling workbook (protection lifted on a Mac)."""
    book = book or xw.Book.caller()
    if not mac_protection.is_mac():
        action(book)
        return
    with mac_protection.lifted(book, WRITES[action.__name__]):
        action(book)


def check_return() -> None:
    run(actions.check_return)


def issue_returns() -> None:
    run(actions.issue_returns)


def consolidate() -> None:
    run(actions.consolidate)


def flag_stale() -> None:
    run(actions.flag_stale)


def chase_officers() -> None:
    actions.chase_officers(xw.Book.caller())


def refresh_dashboard() -> None:
    run(actions.refresh_dashboard)


def next_quarter() -> None:
    run(actions.next_quarter)


def reconcile_savings() -> None:
    run(actions.reconcile_savings)


def issue_savings_returns() -> None:
    run(actions.issue_savings_returns)
