"""The Lists sheet: one column per dropdown, each a named range the data
validations point at, so a workbook's dropdowns need no plan file."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName

from . import styles
from .book import Book
from .dropdowns import list_columns
from .layout import LIST_HEADERS, LISTS, col_letter
from .sheet_setup import print_nothing, protect_and_print, text_cell


def write_lists(wb: Workbook, book: Book) -> None:
    """One column per named range, plus the RAG colours and meanings beside RAGList."""
    ws = wb.create_sheet(LISTS)
    columns = list_columns(book)
    headers = [LIST_HEADERS[name] for name in columns] + ["RAG colour", "RAG meaning"]
    rag = book.plan.rag_scheme
    extra = [[r.colour for r in rag], [r.meaning for r in rag]]
    values = list(columns.values()) + extra
    depth = max(len(v) for v in values)
    for index in range(1, len(headers) + 1):
        ws.column_dimensions[col_letter(index)].width = 26 if index == len(headers) else 20
    protect_and_print(ws, title_rows="1:1")
    print_nothing(ws, len(headers) + 1)  # a list of names is no use on paper
    ws.append([text_cell(ws, h, styles.HEADER_FONT, styles.HEADER_FILL) for h in headers])
    for i in range(depth):
        ws.append([text_cell(ws, v[i]) if i < len(v) else None for v in values])
    for index, (name, items) in enumerate(columns.items(), start=1):
        letter = col_letter(index)
        end = max(2, len(items) + 1)  # an empty list still needs a valid range
        wb.defined_names[name] = DefinedName(name, attr_text=f"{LISTS}!${letter}$2:${letter}${end}")
