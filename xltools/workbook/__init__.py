"""The workbook format: one layout, one reader, one writer, one validator.

Template, master and officer return are the same format, described once in
``layout``. May import the shared ground (``xltools.plan``, ``findings``…) only.
"""
