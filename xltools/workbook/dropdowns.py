"""What each dropdown offers: the values the Lists sheet holds and validation checks.

Apart from ``lists`` (which writes the sheet) so that reading and validating a
workbook never loads openpyxl: a consolidation's readers and an issue's parent
process need the values, not the writer.
"""

from __future__ import annotations

from .book import Book
from .layout import CHANGE_TYPES, GOOD_IS


def list_columns(book: Book) -> dict[str, list[str]]:
    """Named range → its values, in the order they appear in Lists."""
    plan = book.plan
    return {
        "OfficerList": list(plan.officers),
        "RAGList": plan.rag_names,
        "TimeframeList": plan.timeframe_list(),
        "SectionList": list(plan.sections),
        "DepartmentList": list(plan.departments),
        "ChangeTypeList": list(CHANGE_TYPES),
        "GoodIsList": list(GOOD_IS),
        "YearList": plan.savings_year_list(),
    }
