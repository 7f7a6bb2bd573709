"""xltools in Excel: the only package that imports xlwings.

A front end: may import any layer below it and the other front ends.

- ``bridge``    — an open workbook (``xw.Book``) ↔ xltools' ``Book``.
- ``actions``   — what each ribbon button does to the calling workbook.
- ``scripts``   — those actions as xlwings Server scripts (Office.js add-in).
- ``functions`` — cell functions for the Office.js add-in (``=XLT.RAG_COUNT(...)``).
- ``desktop``   — the same actions for the desktop add-in (VBA ``RunPython``).
- ``dashboard_sheet`` — Refresh dashboard: the live Dashboard ``xltools rollup`` writes.
- ``sheets_needed`` — the sheets each script reads (``@script(include=...)``) and writes.
- ``columns``   — column widths in each engine's unit (points or characters).
- ``mac_protection`` — sheet protection lifted through AppleScript on a Mac.
- ``server``    — ``xltools serve``: xlwings Server configured for xltools.
"""
