"""The Dashboard's trend block: the RAG mix over the last recorded quarters (a table
and a native stacked column chart over it) and the actions that worsened, stayed
Red for two quarters or more, or slipped their timeframe — from the history store
(``history.trends``), written when ``rollup --history`` names one.

It sits below the one-page highlight report on the Dashboard (the committee's page
is unchanged) and above the PMO's detail tables.
"""

from __future__ import annotations

from typing import Any

from openpyxl.styles import Alignment, Font

from ..history.trends import Trend
from ..workbook import styles
from ..workbook.book import Book
from ..workbook.grid import Grid
from ..workbook.layout import col_letter
from . import charts
from .kpis import kpi_trend
from .rollup import NO_STATUS, NOT_IN_SCHEME

CHART_ROWS = 17  # the column chart's height in rows
_SMALL = Font(name="Arial", size=9, color="595959")
_CELL = Font(name="Arial", size=9)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=False)


def trend_block(grid: Grid, book: Book, trend: Trend, statuses: list[str], top: int,
                right: int) -> tuple[int, int]:
    """Write the block from row ``top``; (its last row, the row its chart data heads)."""
    plan = book.plan
    grid.put(top, 1, f"Trend over the last {len(trend.quarters)} recorded quarters",
             styles.SUBTITLE_FONT, border=False)
    grid.put(top + 1, 1, "From the history store: each quarter as recorded, this one as in "
             "this workbook.", _SMALL, align=_LEFT, border=False)
    head = top + 2
    grid.put(head, 1, "Quarter", styles.BOLD_FONT)
    for i, status in enumerate(statuses, start=2):
        grid.put(head, i, status, styles.BOLD_FONT, align=_CENTRE)
    for r, (period, counts) in enumerate(trend.quarters, start=head + 1):
        grid.put(r, 1, period)
        folded = _by_status(plan, counts)
        for i, status in enumerate(statuses, start=2):
            grid.put(r, i, folded.get(status, 0), align=_CENTRE, fmt="0")
    row = head + len(trend.quarters) + 2
    for title, rows, extra in (
            ("Worsened since last quarter", trend.worsened, lambda a: f"{a['previous_rag']} → "
             f"{a['rag']}"),
            ("Red for 2 quarters or more", trend.red_streak, lambda a: f"{a['quarters']} qtrs"),
            ("Timeframe slipped", trend.slipped, lambda a: f"{a['was']} → {a['now']}")):
        row = _list(grid, row, title, rows, extra) + 1
    if trend.kpis:
        row = _kpi_table(grid, book, trend, row) + 1
    data = _chart_data(grid, plan, trend, statuses, max(row, top + CHART_ROWS + 1))
    return data + len(trend.quarters), data


def _chart_data(grid: Grid, plan, trend: Trend, statuses: list[str], top: int) -> int:
    """The chart's source: the table above with zeros left blank, so no "0" labels (the
    label format's hidden zero is not honoured by every reader). Returns its header row."""
    grid.put(top, 1, "Chart data (zeros left out)", _SMALL, align=_LEFT, border=False)
    head = top + 1
    grid.put(head, 1, "Quarter", _SMALL, border=False)
    for i, status in enumerate(statuses, start=2):
        grid.put(head, i, status, _SMALL, align=_CENTRE, border=False)
    for r, (period, counts) in enumerate(trend.quarters, start=head + 1):
        grid.put(r, 1, period, _SMALL, border=False)
        folded = _by_status(plan, counts)
        for i, status in enumerate(statuses, start=2):
            if folded.get(status):
                grid.put(r, i, folded[status], _SMALL, align=_CENTRE, fmt="0", border=False)
    return head


def add_trend_chart(ws, trend: Trend, statuses: list[str], colours: list[str], head: int,
                    right: int, top: int) -> None:
    """The column chart over the chart data headed at row ``head``, at the top right of
    the block that starts at row ``top``."""
    ws.add_chart(charts.quarter_columns(ws, head, len(trend.quarters), len(statuses), colours),
                 f"{col_letter(right)}{top}")


KPI_QUARTERS = 6  # the KPI table's quarter columns (the chart keeps 8)


def _kpi_table(grid: Grid, book: Book, trend: Trend, top: int) -> int:
    """Each KPI's recorded values over the last quarters and its trend over them
    (latest against the first of those quarters, in the direction of Good is)."""
    grid.put(top, 1, "KPIs over the recorded quarters", styles.BOLD_FONT, border=False,
             align=_LEFT)
    periods = [p for p, _ in trend.quarters][-KPI_QUARTERS:]
    head = top + 1
    grid.put(head, 1, "Measure", styles.BOLD_FONT)
    for i, period in enumerate(periods, start=2):
        grid.put(head, i, period, styles.BOLD_FONT, align=_CENTRE)
    grid.put(head, len(periods) + 2, "Trend", styles.BOLD_FONT, align=_CENTRE)
    good = {str(r.get("measure") or "").strip(): r.get("good_is") for r in book.kpis}
    row = head + 1
    for (measure, _), points in trend.kpis.items():
        values = dict(points)
        grid.put(row, 1, measure[:60], _CELL, align=_LEFT)
        for i, period in enumerate(periods, start=2):
            grid.put(row, i, values.get(period), _CELL, align=_CENTRE, fmt="General")
        grid.put(row, len(periods) + 2, _kpi_trend(points, good.get(measure)), _CELL,
                 align=_CENTRE)
        row += 1
    return row


def _kpi_trend(points: list, good_is) -> str:
    """Latest against the first recorded value in the window: "Improved since Q2 2019/20"."""
    known = [(p, v) for p, v in points[-KPI_QUARTERS:] if isinstance(v, int | float)]
    if len(known) < 2:
        return "—"
    try:
        word = kpi_trend(known[-1][1], known[0][1], good_is)
    except ValueError:  # no Good is: no direction to judge
        return "—"
    return f"{word} since {known[0][0]}" if word else "—"


def _by_status(plan, counts) -> dict[str, int]:
    out: dict[str, int] = {}
    for value, n in counts.items():
        status = NO_STATUS if value in (None, "", "No RAG") else (
            plan.rag(value).name if plan.rag(value) else NOT_IN_SCHEME)
        out[status] = out.get(status, 0) + n
    return out


def _list(grid: Grid, top: int, title: str, rows: list[dict[str, Any]], extra) -> int:
    grid.put(top, 1, f"{title} ({len(rows)})", styles.BOLD_FONT, border=False, align=_LEFT)
    row = top + 1
    for action in rows[:12]:
        text = " ".join(str(action.get("action") or "").split())
        text = text if len(text) <= 44 else text[:43].rstrip() + "…"
        grid.put(row, 1, f"{action.get('ref') or action['id']}  {text}", _CELL, align=_LEFT)
        grid.put(row, 2, extra(action), _CELL, align=_LEFT, border=False)
        row += 1
    if not rows:
        grid.put(row, 1, "None.", _SMALL, border=False, align=_LEFT)
        row += 1
    elif len(rows) > 12:
        grid.put(row, 1, f"…and {len(rows) - 12} more (xltools history show)", _SMALL,
                 border=False, align=_LEFT)
        row += 1
    return row
