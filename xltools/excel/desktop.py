"""The ribbon's scripts for the desktop add-in (xltools.xlam, needs local Python).

Each ribbon button runs, through xlwings' VBA ``RunPython``::

    import xltools.excel.desktop; xltools.excel.desktop.check_return()

``xw.Book.caller()`` is the workbook the button was pressed in; the work is in
``actions``, the same code the Office.js add-in runs on the server. Output and
returns folders default to the workbook's own folder (``xltools-output`` and
``returns`` beside it) unless XLTOOLS_OUTPUT_DIR / XLTOOLS_RETURNS_DIR are set.
"""

from __future__ import annotations

import xlwings as xw

from . import actions


def check_return() -> None:
    actions.check_return(xw.Book.caller())


def issue_returns() -> None:
    actions.issue_returns(xw.Book.caller())


def consolidate() -> None:
    actions.consolidate(xw.Book.caller())


def flag_stale() -> None:
    actions.flag_stale(xw.Book.caller())


def chase_officers() -> None:
    actions.chase_officers(xw.Book.caller())


def refresh_dashboard() -> None:
    actions.refresh_dashboard(xw.Book.caller())


def next_quarter() -> None:
    actions.next_quarter(xw.Book.caller())


def reconcile_savings() -> None:
    actions.reconcile_savings(xw.Book.caller())
