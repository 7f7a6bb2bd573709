"""xltools in Excel: the only package that imports xlwings.

A front end: may import any layer below it and the other front ends.

- ``bridge``    — an open workbook (``xw.Book``) ↔ xltools' ``Book``.
- ``actions``   — what each ribbon button does to the calling workbook.
- ``scripts``   — those actions as xlwings Server scripts (Office.js add-in).
- ``functions`` — cell functions for the Office.js add-in (``=XLT.RAG_COUNT(...)``).
- ``desktop``   — the same actions for the desktop add-in (VBA ``RunPython``).
- ``server``    — ``xltools serve``: xlwings Server configured for xltools.
"""
