"""The Dashboard sheet as a grid of values, for writing into an open workbook.

The file-based dashboard (``xltools rollup``) builds native charts with
openpyxl; inside Excel the add-in writes the same roll-up as tables the
PMO can chart, filter and paste into a committee report.
"""

from __future__ import annotations

from typing import Any

from ..reporting.kpis import KpiReport
from ..reporting.rollup import Rollup, shares

Grid = list[list[Any]]


def dashboard_rows(result: Rollup, kpis: KpiReport | None = None) -> Grid:
    rows: Grid = [[f"Dashboard — {result.period}"],
                  ["Actions", result.total, "% complete", result.pct_complete], []]
    rows += [["Overall", "Count", "Share"]]
    share = shares(result.overall)
    rows += [[status, result.overall.get(status, 0), share.get(status, 0.0)]
             for status in result.statuses]
    for title, groups in (("By section", result.by_section),
                          ("By accountable officer", result.by_accountable_officer),
                          ("By lead officer", result.by_lead_officer)):
        rows += [[]] + group_table(title, result.statuses, groups)
    rows += [[], ["Movement since last quarter", "Actions"]]
    rows += [[name.replace("_", " ").capitalize(), n]
             for name, n in result.movement_totals.items()]
    if kpis is not None and kpis.rows:
        rows += [[], ["KPI", "Latest", "Target", "Good is", "RAG", "Trend"]]
        rows += [[k["measure"], k["latest"], k["target"], k["good_is"], k["rag"] or "",
                  k["trend"] or ""] for k in kpis.rows]
    return rows


def group_table(title: str, statuses: list[str], groups: dict[str, dict[str, int]]) -> Grid:
    rows: Grid = [[title, *statuses, "Total"]]
    for name, counts in groups.items():
        rows.append([name, *(counts.get(s, 0) for s in statuses), sum(counts.values())])
    return rows
