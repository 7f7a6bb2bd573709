"""Cell functions for the Office.js add-in, served by xlwings Server.

In Excel they carry the add-in's namespace:
``=XLT.RAG_COUNT(ActionsTable[RAG status], "Red")`` (a table column: only its rows
are sent, never a whole column's 1,048,576 cells),
``=XLT.KPI_RAG(C2, E2, F2)``, ``=XLT.NEXT_PERIOD("Q4 2019/20")``,
``=XLT.DAYS_SINCE(N2)``, ``=XLT.PERIOD_START(...)``, ``=XLT.PERIOD_END(...)``.
Each is a thin wrapper over ``xltools.cellfuncs`` / ``xltools.kpis``: bad input
becomes ``#VALUE!`` whose tooltip names the function, the argument and what is
wrong (xlwings Server answers HTTP 400 with the message; the add-in raises it
as a CustomFunctions invalid-value error).

Dates come in as Excel serial numbers and go out as serial numbers: format the
cell as a date.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import xlwings as xw
from xlwings.server import arg, func

from .. import cellfuncs
from ..reporting import kpis

__all__ = ["rag_count", "kpi_rag", "next_period", "period_start", "period_end", "days_since"]


def _answer(name: str, compute: Callable[..., Any], *args: Any) -> Any:
    """Run ``compute``; a ValueError becomes the #VALUE! text Excel shows."""
    try:
        return compute(*args)
    except ValueError as exc:
        raise xw.XlwingsError(f"#VALUE! XLT.{name}: {exc}") from None


@func
# "raw": the cells as Excel sent them, without xlwings' per-cell cleaning (dates,
# empties), which costs ~0.2 ms a cell — 2.5 s for a 12,000-row column. Text is
# all RAG_COUNT compares, and blanks arrive as "" or null, which it skips.
@arg("values", "raw", doc="The cells to count: a table column such as ActionsTable[RAG "
     "status] or a range such as M2:M400 (a whole column, M:M, sends 1,048,576 cells).")
@arg("status", doc='The status to count, e.g. "Red" (case and spaces ignored).')
def rag_count(values, status):
    """How many cells in a range hold a RAG status (blank cells never count)."""
    return _answer("RAG_COUNT", cellfuncs.count_status, values, status)


@func
@arg("latest", doc="The latest value of the measure.")
@arg("target", doc="The target.")
@arg("good_is", doc='"High" when higher is better, "Low" when lower is better.')
@arg("tolerance", doc='How far short of target is still Amber: a fraction (0.05) or a '
     'percentage (5% or "5%"); 5 is refused as ambiguous. Default 5%.')
def kpi_rag(latest, target, good_is, tolerance=None):
    """Green when the target is met, Amber within the tolerance, Red otherwise."""
    rag = _answer("KPI_RAG", kpis.kpi_rag, latest, target, good_is, tolerance)
    return rag or ""


@func
@arg("period", doc='A reporting period, e.g. "Q4 2019/20".')
@arg("fy_start_month", doc="Month the financial year starts (4 = April, the default).")
def next_period(period, fy_start_month=None):
    """The reporting period after this one: Q4 2019/20 → Q1 2020/21."""
    return _answer("NEXT_PERIOD", cellfuncs.next_period, period, fy_start_month)


@func
@arg("period", doc='A reporting period, e.g. "Q3 2019/20".')
@arg("fy_start_month", doc="Month the financial year starts (4 = April, the default).")
def period_start(period, fy_start_month=None):
    """First day of a reporting period (a date serial: format the cell as a date)."""
    day = _answer("PERIOD_START", cellfuncs.period_start, period, fy_start_month)
    return cellfuncs.to_serial(day)


@func
@arg("period", doc='A reporting period, e.g. "Q3 2019/20".')
@arg("fy_start_month", doc="Month the financial year starts (4 = April, the default).")
def period_end(period, fy_start_month=None):
    """Last day of a reporting period (a date serial: format the cell as a date)."""
    day = _answer("PERIOD_END", cellfuncs.period_end, period, fy_start_month)
    return cellfuncs.to_serial(day)


@func(volatile=True)  # today moves on: recalculated whenever Excel calculates
@arg("date", doc="The date, e.g. the Last updated cell.")
@arg("as_of", doc="Count up to this date instead of today.")
def days_since(date, as_of=None):
    """Whole days since a date (today by default), e.g. since an action was updated."""
    return _answer("DAYS_SINCE", cellfuncs.days_since, date, as_of)
