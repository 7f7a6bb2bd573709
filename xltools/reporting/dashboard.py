"""The Dashboard sheet: the one-page highlight report a committee paper carries.

An ``extra_sheets`` builder for ``write_book``. Counts that can be counted from
the Actions sheet are COUNTIFS formulas over its columns, so the figures and the
charts (native Excel charts over those cells) stay live when the PMO corrects a
RAG in Excel; the workbook asks Excel and LibreOffice to recalculate on open.
What cannot be a simple formula — movement since last quarter (which may come
from another file), KPI results, counts by officer (joint entries) — is written
as values computed by ``rollup``/``kpis`` at the time of writing.

The printed page (A4 landscape, one page) is the title, headline figures, RAG
by section with its stacked bar chart, overall RAG, change since last quarter,
flags to chase and the KPI summary. Officer tables follow below the print area
for the PMO; with 100+ officers they would not fit a page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill

from ..findings import CATALOGUE, codes_in
from ..history.trends import Trend
from ..timeframes import RECURRING, read_timeframe
from ..workbook import styles
from ..workbook.book import Book
from ..workbook.grid import Formula, Grid
from ..workbook.layout import ACTIONS_LAYOUT, DASHBOARD, col_letter
from ..workbook.sheet_setup import protect_and_print
from . import charts
from .flags import default_as_of
from .kpis import assess_kpis
from .rollup import MOVEMENTS, NO_SECTION, NO_STATUS, NOT_IN_SCHEME, Rollup, rollup
from .trend_block import add_trend_chart, trend_block

NO_STATUS_COLOUR = "#E7E6E6"
INVALID_COLOUR = "#7F7F7F"
FLAG_CODES = ("NO_UPDATE", "OUT_OF_DATE", "UNCHANGED", "OVERDUE", "NO_NARRATIVE",
              "NO_DUE_DATE", "INVALID", "CONFLICT", "MISSING_RETURN")
MOVEMENT_LABELS = {"improved": "Improved", "worsened": "Worsened", "unchanged": "Unchanged",
                   "new": "New, or no status last quarter",
                   "not_reported": "No status this quarter"}
# What a committee reads for the roll-up's own names (kept stable in JSON and the API)
STATUS_LABELS = {NO_STATUS: "No status given", NOT_IN_SCHEME: "Not a RAG status"}
NO_PREVIOUS = "No previous quarter"
RIGHT_WIDTHS = (6, 34, 21, 11)  # Red actions: Ref, Action, Lead officer, Due
LIST_LIMIT = 10  # rows of the Red and Overdue lists on the printed page
WIDTHS = {"A": 38}
STATUS_WIDTH = 9.5
# row 3, in a committee's words; also how Refresh dashboard knows a live Dashboard
LIVE_NOTE = "Counts follow the Actions sheet as it changes"
_ROWS_BOUND = 5000  # COUNTIFS ranges run to this row so rows added in Excel still count
_TITLE = Font(name="Arial", bold=True, size=18, color="1F3864")
_BIG = Font(name="Arial", bold=True, size=20, color="1F3864")
_WORDS = Font(name="Arial", bold=True, size=12, color="1F3864")
_SMALL = Font(name="Arial", size=9, color="595959")
_SMALL_BODY = Font(name="Arial", size=9)
_NOWRAP = Alignment(horizontal="left", vertical="center", wrap_text=False)
_SHRINK = Alignment(horizontal="left", vertical="center", shrink_to_fit=True)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_TILE_FILL = PatternFill("solid", fgColor="DEEAF6")
_TOTAL_FILL = PatternFill("solid", fgColor="D9E1F2")


def dashboard_sheet(previous: Book | None = None, as_of: date | None = None,
                    trend: Trend | None = None) -> Callable[[Any, Book], None]:
    """A ``write_book`` extra-sheet builder; ``previous`` gives last quarter's RAGs,
    ``trend`` (from the history store) adds the trend block."""

    def build(wb, book: Book) -> None:
        build_dashboard(wb, book, rollup(book, previous), as_of or default_as_of(book.plan),
                        trend)

    return build


def build_dashboard(wb, book: Book, summary: Rollup, as_of: date,
                    trend: Trend | None = None) -> None:
    """Write the Dashboard sheet of ``book`` from its roll-up ``summary``.

    Left: headline tiles, RAG by section, movement and flags (with the overall
    doughnut beside them), KPIs. Right: the stacked bar and the Red actions.
    """
    ws = wb.create_sheet(DASHBOARD)
    last_col = len(summary.statuses) + 3  # section, statuses…, total, % complete
    _setup(ws, book, last_col)
    grid = Grid(ws, sources={ACTIONS_LAYOUT.name: action_columns(book)})
    _title(grid, book, summary, as_of, last_col)
    row = _tiles(grid, book, summary, 4, last_col)
    table_top = row + 1
    row = _section_table(grid, book, summary, table_top)
    side_top = row + 1
    row = _movement(grid, summary, side_top)
    row = _flag_table(grid, book, row + 1)
    row = _kpi_table(grid, book, row + 1)
    right = last_col + 2
    lists_end = _exceptions(grid, book, 25, right, fill_to=row)
    print_end = max(row, lists_end, side_top + 19)
    ws.print_area = f"A1:{col_letter(right + len(RIGHT_WIDTHS) - 1)}{print_end}"
    data_top = print_end + 3
    if trend is not None:  # below the printed page, above the PMO's detail
        trend_top = data_top
        trend_end, trend_head = trend_block(grid, book, trend, summary.statuses, data_top,
                                            right)
        last = col_letter(right + len(RIGHT_WIDTHS) - 1)  # printed as a second page
        ws.print_area = [f"A1:{last}{print_end}", f"A{data_top}:{last}{trend_end}"]
        data_top = trend_end + 2
    row = _chart_data(grid, summary, table_top + 1, data_top)
    _officer_tables(grid, summary, row + 1)
    grid.flush()
    _charts(ws, book, summary, side_top, data_top, right)
    if trend is not None:
        add_trend_chart(ws, trend, summary.statuses,
                        [status_colour(book, s) for s in summary.statuses], trend_head, right,
                        trend_top)


def action_columns(book: Book) -> dict[str, list[Any]]:
    """The Actions sheet as written (column letter -> values from row 2), so the
    Dashboard's formulas can be given their results (see ``formula_values``)."""
    return {ACTIONS_LAYOUT.letter(key): [row.get(key) for row in book.actions]
            for key in ACTIONS_LAYOUT.keys}


def column_widths(statuses: int) -> dict[str, float]:
    """The Dashboard's stored column widths (characters, as openpyxl writes them) for a
    scheme of ``statuses`` statuses; the add-in's Refresh dashboard sets the same."""
    last_col = statuses + 3
    widths = {"A": WIDTHS["A"]}
    widths |= {col_letter(col): STATUS_WIDTH for col in range(2, last_col + 1)}
    widths[col_letter(last_col + 1)] = 3
    widths |= {col_letter(last_col + 2 + i): w for i, w in enumerate(RIGHT_WIDTHS)}
    return widths


def _setup(ws, book: Book, last_col: int) -> None:
    """Widths, print setup and view: all before the first row (write-only)."""
    for letter, width in column_widths(last_col - 3).items():
        ws.column_dimensions[letter].width = width
    protect_and_print(ws, fit_height=True, plan=book.plan)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.sheet_view.showGridLines = False
    ws.sheet_view.zoomScale = 90


def _title(grid: Grid, book: Book, summary: Rollup, as_of: date, last_col: int) -> None:
    plan = book.plan
    q = plan.quarter
    grid.put(1, 1, f"{plan.title} — highlight report", _TITLE, align=_NOWRAP, border=False)
    grid.heights[1] = 28
    org = plan.organisation + (f" · {plan.department}" if plan.department else "")
    grid.put(2, 1, f"{org} · {q} ({q.start.day} {q.start:%B %Y} to {q.end.day} {q.end:%B %Y})"
             f" · position as at {as_of.day} {as_of:%B %Y}", styles.BOLD_FONT, align=_NOWRAP,
             border=False)
    grid.put(3, 1, f"{LIVE_NOTE}; the change since last quarter, the KPIs and the officer "
             f"tables are as at {as_of.day} {as_of:%B %Y}.", _SMALL, align=_NOWRAP,
             border=False)


def _rng(key: str) -> str:
    """Absolute range of one Actions column, from row 2 down to the bound."""
    letter = ACTIONS_LAYOUT.letter(key)
    return f"Actions!${letter}$2:${letter}${_ROWS_BOUND}"


def _count_formula(status: str, section_ref: str | None, statuses: list[str]) -> Formula:
    """COUNTIFS for one status (optionally within one section)."""
    crit = [f"{_rng('section')},{section_ref}"] if section_ref else []
    ids = _rng("id") + ',"<>"'
    if status == NO_STATUS:
        return Formula("=COUNTIFS(" + ",".join([*crit, ids, _rng("rag") + ',""']) + ")")
    if status == NOT_IN_SCHEME:
        known = [_count_formula(s, section_ref, statuses)[1:] for s in statuses
                 if s != NOT_IN_SCHEME]
        return Formula("=COUNTIFS(" + ",".join([*crit, ids]) + ")-" + "-".join(known))
    name = '"' + status.replace('"', '""') + '"'
    return Formula("=COUNTIFS(" + ",".join([*crit, _rng("rag") + "," + name]) + ")")


def _tiles(grid: Grid, book: Book, summary: Rollup, row: int, last_col: int) -> int:
    """Headline figures: actions, % complete, Red, Amber, improved / worsened."""
    plan = book.plan
    complete = [s for s in summary.statuses if s in plan.complete_statuses]
    total = f'COUNTIFS({_rng("id")},"<>")'
    done = "+".join(_count_formula(s, None, summary.statuses)[1:] for s in complete) or "0"
    moves = summary.movement_totals
    tiles = [("Actions", Formula(f"={total}"), "0"),
             ("Complete", Formula(f"=IF({total}=0,0,({done})/{total})"), "0%")]
    tiles += [(s, _count_formula(s, None, summary.statuses), "0")
              for s in ("Red", "Amber") if plan.rag(s)]
    compared = moves["improved"] + moves["worsened"] + moves["unchanged"]
    tiles.append(("Improved / worsened since last quarter",
                  f"{moves['improved']} / {moves['worsened']}" if compared else NO_PREVIOUS,
                  "@"))
    col = 1
    for index, (label, value, fmt) in enumerate(tiles):
        span = 1 if col == 1 else 2
        if index == len(tiles) - 1:
            span = max(1, last_col - col + 1)
        _tile(grid, plan, row, col, span, label, value, fmt)
        col += span
    grid.heights[row] = 28
    grid.heights[row + 1] = 34
    return row + 2


def _tile(grid: Grid, plan, row: int, col: int, span: int, label: str, value: Any,
          fmt: str) -> None:
    status = plan.rag(label)
    fill = PatternFill("solid", fgColor=styles.hex_colour(status.colour)) if status \
        else _TILE_FILL
    font = Font(name="Arial", bold=True, size=10,
                color=styles.text_colour_for(status.colour) if status else "1F3864")
    big = _BIG if not isinstance(value, str) or len(value) < 10 else _WORDS
    for r, v, f, fl in ((row, label, font, fill), (row + 1, value, big, _TILE_FILL)):
        grid.put(r, col, v, f, fl, _CENTRE, fmt if r > row else None)
        for extra in range(col + 1, col + span):
            grid.put(r, extra, None, f, fl)
        if span > 1:
            grid.merge(r, col, col + span - 1)


def _header(grid: Grid, row: int, col: int, text: str, colour: str | None = None) -> None:
    fill = PatternFill("solid", fgColor=styles.hex_colour(colour)) if colour \
        else styles.HEADER_FILL
    font = Font(name="Arial", bold=True, size=9,
                color=styles.text_colour_for(colour) if colour else "FFFFFF")
    grid.put(row, col, text, font, fill, _CENTRE)


def status_colour(book: Book, status: str) -> str:
    """The scheme colour of a status; fixed greys for No status / Not in scheme."""
    found = book.plan.rag(status)
    if found:
        return found.colour
    return NO_STATUS_COLOUR if status == NO_STATUS else INVALID_COLOUR


def _section_table(grid: Grid, book: Book, summary: Rollup, top: int) -> int:
    """RAG by section as COUNTIFS formulas, an all-actions row, % complete."""
    statuses = summary.statuses
    grid.put(top, 1, "RAG status by section", styles.SUBTITLE_FONT, border=False)
    head = top + 1
    _header(grid, head, 1, "Section")
    for i, status in enumerate(statuses, start=2):
        _header(grid, head, i, STATUS_LABELS.get(status, status), status_colour(book, status))
    total_col, pct_col = len(statuses) + 2, len(statuses) + 3
    _header(grid, head, total_col, "Total")
    _header(grid, head, pct_col, "% complete")
    grid.heights[head] = 30
    rows = list(summary.by_section) + ["All actions"]
    for r, section in enumerate(rows, start=head + 1):
        is_all = section == "All actions"
        font, fill = (styles.BOLD_FONT, _TOTAL_FILL) if is_all else (styles.BODY_FONT, None)
        grid.put(r, 1, section, font, fill)
        ref = None if is_all else ('""' if section == NO_SECTION else f"$A{r}")
        for i, status in enumerate(statuses, start=2):
            grid.put(r, i, _count_formula(status, ref, statuses), font, fill, _CENTRE, "0")
        first, last = col_letter(2), col_letter(len(statuses) + 1)
        grid.put(r, total_col, Formula(f"=SUM({first}{r}:{last}{r})"), styles.BOLD_FONT, fill,
                 _CENTRE, "0")
        done = "+".join(f"{col_letter(i)}{r}" for i, s in enumerate(statuses, start=2)
                        if s in book.plan.complete_statuses) or "0"
        t = f"{col_letter(total_col)}{r}"
        grid.put(r, pct_col, Formula(f"=IF({t}=0,0,({done})/{t})"), font, fill, _CENTRE, "0%")
    return head + len(rows) + 1


def _movement(grid: Grid, summary: Rollup, top: int) -> int:
    grid.put(top, 1, "Change since last quarter", styles.SUBTITLE_FONT, border=False)
    _header(grid, top + 1, 1, "Status compared with last quarter")
    _header(grid, top + 1, 2, "Actions")
    totals = summary.movement_totals
    shown = [m for m in MOVEMENTS if totals[m] or m in ("improved", "worsened", "unchanged")]
    for r, key in enumerate(shown, start=top + 2):
        grid.put(r, 1, MOVEMENT_LABELS[key])
        grid.put(r, 2, totals[key], align=_CENTRE, fmt="0")
    return top + 2 + len(shown)


def _flag_table(grid: Grid, book: Book, top: int) -> int:
    """Live counts of each flag code in the Flags column (one line per code per action)."""
    grid.put(top, 1, "To chase", styles.SUBTITLE_FONT, border=False)
    _header(grid, top + 1, 1, "What is wrong")
    _header(grid, top + 1, 2, "Actions")
    present = {c for r in book.actions for c in codes_in(r.get("flags"))}
    codes = [c for c in FLAG_CODES if c in present or c in FLAG_CODES[:5]]
    for r, code in enumerate(codes, start=top + 2):
        grid.put(r, 1, CATALOGUE[code].title)
        grid.put(r, 2, Formula(f'=COUNTIF({_rng("flags")},"*{code}:*")'), align=_CENTRE,
                 fmt="0")
    return top + 2 + len(codes)


def _kpi_table(grid: Grid, book: Book, top: int) -> int:
    """Key performance indicators: latest vs target, RAG and trend (values)."""
    report = assess_kpis(book)
    grid.put(top, 1, "Key performance indicators", styles.SUBTITLE_FONT, border=False)
    if not report.rows:
        grid.put(top + 1, 1, "No KPIs in this workbook.", _SMALL, border=False)
        return top + 2
    heads = ["Measure", "Latest", "Target", "Good is", "Previous", "National", "RAG", "Trend"]
    for i, h in enumerate(heads, start=1):
        _header(grid, top + 1, i, h)
    for r, kpi in enumerate(report.rows, start=top + 2):
        grid.put(r, 1, kpi["measure"], align=_SHRINK)
        for i, key in enumerate(("latest", "target", "good_is", "previous", "national"), 2):
            grid.put(r, i, kpi[key], align=_CENTRE, fmt="0.0")
        colour = book.plan.rag(kpi["rag"]).colour if kpi["rag"] and book.plan.rag(
            kpi["rag"]) else None
        fill = PatternFill("solid", fgColor=styles.hex_colour(colour)) if colour else None
        font = Font(name="Arial", bold=True, size=10,
                    color=styles.text_colour_for(colour) if colour else "000000")
        grid.put(r, 7, kpi["rag"] or "—", font, fill, _CENTRE)
        grid.put(r, 8, kpi["trend"] or "—", align=_CENTRE)
    return top + 2 + len(report.rows)


def _officer_tables(grid: Grid, summary: Rollup, top: int) -> int:
    """By accountable and by lead officer (values; joint entries count for each)."""
    grid.put(top, 1, "Detail for the PMO (not part of the printed highlight report): an "
             "action with two officers counts once for each.", _SMALL, border=False)
    row = top + 1
    for title, groups in (("RAG status by accountable officer", summary.by_accountable_officer),
                          ("RAG status by lead officer", summary.by_lead_officer)):
        grid.put(row, 1, title, styles.SUBTITLE_FONT, border=False)
        _header(grid, row + 1, 1, "Officer")
        for i, status in enumerate(summary.statuses, start=2):
            _header(grid, row + 1, i, STATUS_LABELS.get(status, status))
        _header(grid, row + 1, len(summary.statuses) + 2, "Total")
        for r, (name, counts) in enumerate(groups.items(), start=row + 2):
            grid.put(r, 1, name)
            for i, status in enumerate(summary.statuses, start=2):
                grid.put(r, i, counts[status], align=_CENTRE, fmt="0")
            grid.put(r, len(summary.statuses) + 2, sum(counts.values()), styles.BOLD_FONT,
                     align=_CENTRE, fmt="0")
        row += len(groups) + 3
    return row


def _exceptions(grid: Grid, book: Book, top: int, col: int, fill_to: int) -> int:
    """What a committee asks about: the Red actions, the overdue ones, then as many
    Amber ones as fit beside the left-hand tables (``fill_to``: their last row), so
    the page is used without growing."""
    plan = book.plan
    red = [r for r in book.actions if _status_name(plan, r.get("rag")) == "Red"]
    overdue = [r for r in book.actions if "OVERDUE" in codes_in(r.get("flags"))]
    amber = [r for r in book.actions if _status_name(plan, r.get("rag")) == "Amber"]
    row = _action_list(grid, book, top, col, "Red actions", red)
    row = _action_list(grid, book, row + 1, col, "Overdue actions", overdue)
    room = fill_to - row - 4  # title, header and the "…and N more" line
    if amber and room >= 1:
        row = _action_list(grid, book, row + 1, col, "Amber actions", amber, limit=room)
    return row


def _status_name(plan, value: Any) -> str:
    status = plan.rag(str(value or ""))
    return status.name if status else ""


def _action_list(grid: Grid, book: Book, top: int, col: int, title: str,
                 actions: list[dict], limit: int = LIST_LIMIT) -> int:
    """A short table of actions (up to ``limit``): ref, action, lead officer, due."""
    grid.put(top, col, f"{title} ({len(actions)})", styles.SUBTITLE_FONT, align=_NOWRAP,
             border=False)
    for i, head in enumerate(("Ref", "Action", "Lead officer", "Due")):
        _header(grid, top + 1, col + i, head)
    row = top + 2
    for action in actions[:limit]:
        values = (action.get("ref"), _short(action.get("action"), 46),
                  _short(action.get("lead_officer"), 26), _due(action, book))
        for i, value in enumerate(values):
            grid.put(row, col + i, value, _SMALL_BODY, align=_CENTRE if i == 0 else _NOWRAP)
        row += 1
    if not actions:
        grid.put(row, col, "None.", _SMALL, align=_NOWRAP, border=False)
        row += 1
    elif len(actions) > limit:
        grid.put(row, col, f"…and {len(actions) - limit} more: see the Actions sheet.",
                 _SMALL, align=_NOWRAP, border=False)
        row += 1
    return row


def _due(action: dict, book: Book) -> str:
    """The due date read from the timeframe (see timeframes.py), as a committee reads it."""
    frame = read_timeframe(action.get("timeframe"), book.plan.fy_start_month)
    if frame.due:
        return f"{frame.due.day} {frame.due:%b %Y}"
    return "Recurring" if frame.kind == RECURRING else "Not stated"


def _short(value: Any, limit: int) -> str:
    text = " ".join(str(value or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _chart_data(grid: Grid, summary: Rollup, head: int, top: int) -> int:
    """The charts' source: the section table with zeros as #N/A, so no "0" labels."""
    statuses = summary.statuses
    grid.put(top, 1, "Chart data (the section table above with zeros left out, so the charts "
             "show no empty labels)", _SMALL, align=_NOWRAP, border=False)
    grid.put(top + 1, 1, "Section", styles.BOLD_FONT)
    for i in range(2, len(statuses) + 2):
        grid.put(top + 1, i, Formula(f"={col_letter(i)}{head}"), styles.BOLD_FONT, align=_CENTRE)
    count = len(summary.by_section) + 1  # sections and the All actions row
    for offset in range(1, count + 1):
        src, dst = head + offset, top + 1 + offset
        grid.put(dst, 1, Formula(f"=A{src}"))
        for i in range(2, len(statuses) + 2):
            ref = f"{col_letter(i)}{src}"
            grid.put(dst, i, Formula(f"=IF({ref}=0,NA(),{ref})"), align=_CENTRE, fmt="0")
    return top + 2 + count


def _charts(ws, book: Book, summary: Rollup, side_top: int, data_top: int, right: int) -> None:
    """The stacked bar (top right) and the doughnut (beside movement and flags)."""
    colours = [status_colour(book, s) for s in summary.statuses]
    head, sections = data_top + 1, len(summary.by_section)
    if sections:
        ws.add_chart(charts.section_bar(ws, head, sections, colours), f"{col_letter(right)}4")
    ws.add_chart(charts.overall_doughnut(ws, head, head + sections + 1, colours), f"D{side_top}")
