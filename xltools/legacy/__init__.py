"""Import of legacy trackers (Word/PDF text, CSV, TSV, xlsx) into the format.

May import ``workbook`` and the shared ground; not the cycle, reporting or savings.
"""
