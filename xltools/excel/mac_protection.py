"""Sheet protection on Excel for Mac (desktop add-in), through AppleScript.

xltools protects its sheets (no password) so officers type only in the update
columns. A button that writes to locked cells lifts protection around the
write: Office.js through the add-in's callbacks, Excel for Windows through COM
(``bridge.unprotected``). On a Mac, xlwings drives Excel through AppleScript
(appscript), where the same commands are ``unprotect`` and ``protect
worksheet`` and the state is the ``protect contents`` property — the names in
xlwings' own copy of Excel's dictionary (``xlwings.mac_dict``). The desktop
entry points (``desktop.py``) wrap each button in ``lifted`` on a Mac.

What cannot be done on a Mac: a sheet protected *with a password* (not
xltools' own protection) cannot be lifted without it — Excel asks for it, so
the button stops with Excel's message and nothing is written; and workbook
structure protection (Review → Protect Workbook) is never lifted, so a button
that adds a sheet (Check, Dashboard, Reconciliation) fails until it is removed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import xlwings as xw

# xltools' protection (workbook/sheet_setup.py): formatting columns/rows and filtering allowed
PROTECT_OPTIONS = {"drawing_objects": True, "worksheet_contents": True,
                   "allow_formatting_columns": True, "allow_formatting_rows": True,
                   "allow_filtering": True}


def is_mac() -> bool:
    return sys.platform == "darwin"


def protected(sheet: xw.Sheet) -> bool:
    return bool(sheet.api.protect_contents.get())


@contextmanager
def lifted(xwbook: xw.Book, names: Sequence[str]) -> Iterator[list[str]]:
    """Unprotect the protected sheets among ``names``; protect them again afterwards,
    also when the button fails. Yields the names it lifted."""
    present = [s.name for s in xwbook.sheets]
    done: list[str] = []
    try:
        for name in (n for n in names if n in present):
            sheet = xwbook.sheets[name]
            if protected(sheet):
                sheet.api.unprotect()
                done.append(name)
        yield done
    finally:
        for name in done:
            xwbook.sheets[name].api.protect_worksheet(**PROTECT_OPTIONS)
