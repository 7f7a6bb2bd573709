"""The Dashboard sheet: the one-page highlight report a committee paper carries.

An ``extra_sheets`` builder for ``write_book``. Counts that can be counted from
the Actions sheet are COUNTIFS formulas over its columns, so the figures and the
charts (native Excel charts over those cells) stay live when the PMO corrects a
RAG in Excel; the workbook asks Excel and LibreOffice to recalculate on open.
What cannot be a simple formula — movement since last quarter (which may come
from another file), KPI results, counts by officer (joint entries) — is written
as values computed by ``rollup``/``kpis`` at the time of writing.

The printed report (A4 landscape, one page wide, two pages or so tall) is the
title, headline figures, RAG by section, the stacked bar and overall doughnut
charts, change since last quarter beside flags to chase, the KPI summary, then
the Red, overdue, unconfirmed and Amber actions. It is one column of tables no
wider than A4 landscape holds at 90 %, so no text is under 8 pt (every font here
is 10 pt or more); action titles and officer lists wrap, never cut short.
An action whose position is not this quarter's confirmed update is marked (see
``positions``) and listed, with the key. A programme plan's Dashboard puts the
charts on page 1, RAG by programme under its aim on page 2 and the risk heat map
and top risks on page 3 (``programme_board``), three columns wider for the flag
counts (still 8 pt or more printed). Officer tables follow below the print
area for the PMO; with 100+ officers they would not fit a page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.pagebreak import Break

from ..findings import CATALOGUE, codes_in, cut_words
from ..history.trends import Trend
from ..timeframes import RECURRING, read_timeframe
from ..workbook import fastrows, styles
from ..workbook.book import Book
from ..workbook.grid import Formula, Grid
from ..workbook.grid import header_cell as _header
from ..workbook.layout import ACTIONS_LAYOUT, DASHBOARD, col_letter
from ..workbook.sheet_setup import protect_and_print
from . import charts, positions, programme_board
from .flags import default_as_of
from .kpis import assess_kpis
from .positions import KINDS, Kind, unconfirmed
from .rollup import MOVEMENTS, NO_SECTION, NO_STATUS, NOT_IN_SCHEME, Rollup, rollup
from .trend_block import add_trend_chart, trend_block

NO_STATUS_COLOUR = "#E7E6E6"
INVALID_COLOUR = "#7F7F7F"
FLAG_CODES = ("NO_UPDATE", "OUT_OF_DATE", "UNCHANGED", "OVERDUE", "NO_NARRATIVE",
              "NO_DUE_DATE", "INVALID", "CONFLICT", "MISSING_RETURN", "SLIPPED", "NOT_STARTED")
MOVEMENT_LABELS = {"improved": "Improved", "worsened": "Worsened", "unchanged": "Unchanged",
                   "new": "New, or no status last quarter",
                   "not_reported": "No status this quarter"}
# What a committee reads for the roll-up's own names (kept stable in JSON and the API)
STATUS_LABELS = {NO_STATUS: "No status given", NOT_IN_SCHEME: "Not a RAG status"}
NO_PREVIOUS = "No previous quarter"
LIST_LIMIT = 10  # rows of the Red and Overdue lists on the printed page
TITLE_LIMIT = 220  # characters of an action's title in a list (a paragraph is cut at a word)
WIDTHS = {"A": 40}
STATUS_WIDTH = 8.5
# The printed width (A, the statuses, total, % complete: about 117 units) is within
# what A4 landscape holds at 90 %, so the smallest font (10 pt) prints at 8 pt or more.
CHART_ROWS = 16  # rows of the band holding the two charts (8 cm tall)
PROGRAMME_CHART_ROWS = 24  # a programme plan's band: a bar for each of a dozen programmes
TREND_CHART_ROWS = 17  # rows under the trend block holding its chart (8 cm tall)
# row 3, in a committee's words; also how Refresh dashboard knows a live Dashboard
LIVE_NOTE = "Counts follow the Actions sheet as it changes"
_ROWS_BOUND = 5000  # COUNTIFS ranges run to this row so rows added in Excel still count
_TITLE = Font(name="Arial", bold=True, size=18, color="1F3864")
_BIG = Font(name="Arial", bold=True, size=20, color="1F3864")
_WORDS = Font(name="Arial", bold=True, size=12, color="1F3864")
_SMALL = Font(name="Arial", size=10, color="595959")
_SMALL_BODY = Font(name="Arial", size=10)
_NOWRAP = Alignment(horizontal="left", vertical="center", wrap_text=False)
_WRAP = Alignment(horizontal="left", vertical="top", wrap_text=True)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LINE = 12.6  # points a line of 10 pt Arial takes in a wrapped cell
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
    # section, statuses…, total, % complete (and a programme plan's flag counts)
    last_col = len(summary.statuses) + 3 + programme_board.extra_columns(book)
    _setup(ws, book, last_col)
    grid = Grid(ws, sources={ACTIONS_LAYOUT.name: action_columns(book)})
    _title(grid, book, summary, as_of, last_col)
    row = _tiles(grid, book, summary, 4, last_col)
    if book.is_programme:  # charts; RAG by programme under its aim; risks (programme_board)
        chart_top, table_top, side_top, row, sources = _programme_pages(grid, book, summary,
                                                                        row, last_col)
    else:
        table_top = row + 1
        row, sources = _section_table(grid, book, summary, table_top), None
        row = _unconfirmed_note(grid, book, row, last_col)
        chart_top = row + 1
        side_top = chart_top + CHART_ROWS
        # pages: the figures and charts; movement, chasing and KPIs; the actions listed
        ws.row_breaks.append(Break(id=side_top - 1))
    row = max(_movement(grid, summary, side_top),
              _flag_table(grid, book, side_top, col=4, last_col=last_col))
    if book.is_programme:  # the KPIs (often many, without targets) on pages of their own
        ws.row_breaks.append(Break(id=row))
    row = _kpi_table(grid, book, row + 1)
    ws.row_breaks.append(Break(id=row))
    print_end = _exceptions(grid, book, row + 1, last_col)
    ws.print_area = f"A1:{col_letter(last_col)}{print_end}"
    data_top = print_end + 3
    if trend is not None:  # printed after the report's pages, above the PMO's detail
        trend_top = data_top
        trend_end, trend_head = trend_block(grid, book, trend, summary.statuses, data_top,
                                            last_col + 2)
        trend_chart = trend_end + 2  # its chart below it, within the printed width,
        ws.row_breaks.append(Break(id=trend_chart - 1))  # on a page of its own, whole
        last = col_letter(last_col)
        ws.print_area = [f"A1:{last}{print_end}",
                         f"A{trend_top}:{last}{trend_chart + TREND_CHART_ROWS}"]
        data_top = trend_chart + TREND_CHART_ROWS + 2
    sources = sources or [(Formula(f"=A{table_top + 1 + k}"), table_top + 1 + k)
                          for k in range(1, len(summary.by_section) + 2)]
    row = _chart_data(grid, summary, table_top + 1, data_top, sources)
    _officer_tables(grid, summary, row + 1)
    grid.flush()
    _charts(ws, book, summary, chart_top, data_top, len(sources) - 1)
    if trend is not None:
        add_trend_chart(ws, trend, summary.statuses,
                        [status_colour(book, s) for s in summary.statuses], trend_head, 1,
                        trend_chart)


def _programme_pages(grid: Grid, book: Book, summary: Rollup, row: int, last_col: int,
                     ) -> tuple[int, int, int, int, list[tuple[Any, int]]]:
    """A programme plan's first pages: the charts under the headline figures; RAG by
    programme, by aim, on a page of its own (a programme takes three lines with its SAO
    and RDL); then the risks, followed by movement and chasing. Returns the rows of the
    charts, the table, the movement block, the next free row, and the chart sources."""
    chart_top = row + 1
    table_top = chart_top + PROGRAMME_CHART_ROWS
    grid.ws.row_breaks.append(Break(id=table_top - 1))
    row, sources = programme_board.programme_table(grid, book, summary.statuses, table_top,
                                                   last_col, _LENT)
    row = _unconfirmed_note(grid, book, row, last_col)
    grid.ws.row_breaks.append(Break(id=row))
    row = programme_board.risk_block(grid, book, row + 1, last_col, _LENT)
    return chart_top, table_top, row + 1, row, sources


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
    return widths


def dashboard_widths(book: Book, statuses: int) -> dict[str, float]:
    """The widths ``rollup`` gives ``book``'s Dashboard (the add-in's Refresh dashboard
    sets the same): a programme plan's is wider by its flag counts, kept within 8 pt."""
    widths = column_widths(statuses + programme_board.extra_columns(book))
    return programme_board.fit_widths(widths) if book.is_programme else widths


def _setup(ws, book: Book, last_col: int) -> None:
    """Widths, print setup and view: all before the first row (write-only)."""
    widths = dashboard_widths(book, last_col - 3 - programme_board.extra_columns(book))
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    protect_and_print(ws, plan=book.plan)  # one page wide, as many as it needs tall
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
    tiles = [("Activities" if book.is_programme else "Actions", Formula(f"={total}"), "0"),
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
    grid.heights[head] = 44  # "Not a RAG status" in three lines
    rows = list(summary.by_section) + ["All actions"]
    for r, section in enumerate(rows, start=head + 1):
        is_all = section == "All actions"
        font, fill = (styles.BOLD_FONT, _TOTAL_FILL) if is_all else (styles.BODY_FONT, None)
        grid.put(r, 1, section, font, fill)
        _fit(grid, r, section, WIDTHS["A"])
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


def _unconfirmed_note(grid: Grid, book: Book, row: int, last_col: int) -> int:
    """Under the counts, in words: how many of them are not this quarter's confirmed
    update, of which kind (they are listed, marked, with the actions)."""
    found = positions.counts(unconfirmed(book))
    if not found:
        return row
    parts = ", ".join(f"{KINDS[k].marker} {KINDS[k].label.lower()} {n}"
                      for k, n in found.items())
    grid.put(row, 1, f"{sum(found.values())} of these actions are not this quarter's "
             f"confirmed update ({parts}): they are listed, marked, after the KPIs.",
             styles.BOLD_FONT, align=_WRAP, border=False)
    grid.merge(row, 1, last_col)
    grid.heights[row] = 2 * _LINE + 3
    return row + 1


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


def _flag_table(grid: Grid, book: Book, top: int, col: int, last_col: int) -> int:
    """Live counts of each flag code in the Flags column (one line per code per action):
    the label across ``col`` to the one before ``last_col``, the count in ``last_col``."""
    grid.put(top, col, "To chase", styles.SUBTITLE_FONT, border=False)
    present = {c for r in book.actions for c in codes_in(r.get("flags"))}
    codes = [c for c in FLAG_CODES if c in present or c in FLAG_CODES[:5]]
    for r, label in enumerate(["What is wrong"] + [CATALOGUE[c].title for c in codes],
                              start=top + 1):
        if r == top + 1:
            _header(grid, r, col, label)
            for extra in range(col + 1, last_col):
                _header(grid, r, extra, "")
            _header(grid, r, last_col, "Actions")
        else:
            grid.put(r, col, label)
            for extra in range(col + 1, last_col):
                grid.put(r, extra, None)
            code = codes[r - top - 2]
            grid.put(r, last_col, Formula(f'=COUNTIF({_rng("flags")},"*{code}:*")'),
                     align=_CENTRE, fmt="0")
        grid.merge(r, col, last_col - 1)
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
        grid.put(r, 1, kpi["measure"], align=_WRAP)
        _fit(grid, r, kpi["measure"], WIDTHS["A"])
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


def _exceptions(grid: Grid, book: Book, top: int, last_col: int) -> int:
    """What a committee asks about: the Red actions, the overdue ones, those whose
    position is not this quarter's confirmed update (marked, with the key), and the
    Amber ones (up to ``LIST_LIMIT`` each)."""
    plan = book.plan
    marked = unconfirmed(book)
    red = [r for r in book.actions if _status_name(plan, r.get("rag")) == "Red"]
    overdue = [r for r in book.actions if "OVERDUE" in codes_in(r.get("flags"))]
    amber = [r for r in book.actions if _status_name(plan, r.get("rag")) == "Amber"]
    lists = _Lists(grid, book, last_col, marked)
    row = lists.put(top, "Red actions", red)
    row = lists.put(row + 1, "Overdue actions", overdue)
    for title, found in programme_board.flag_lists(book):  # a programme plan's: slipped…
        row = lists.put(row + 1, title, found)
    shaky = [r for r in book.actions if id(r) in marked]
    if shaky:
        row = lists.put(row + 1, "Not this quarter's confirmed update", shaky, why=True)
    if amber:
        row = lists.put(row + 1, "Amber actions", amber)
    if marked:
        row = _marker_key(grid, row + 1, last_col, marked)
    return row


def _status_name(plan, value: Any) -> str:
    status = plan.rag(str(value or ""))
    return status.name if status else ""


@dataclass
class _Lists:
    """Tables of actions across the page: the action (Ref, marker, title), lead officer,
    due date and status — titles and names wrapped, not cut; a row not confirmed this
    quarter marked by its Ref, its status saying why."""

    grid: Grid
    book: Book
    last_col: int
    marked: dict[int, Kind]

    def spans(self) -> list[tuple[int, int, float]]:
        """(first column, last column, width) of: action, lead officer, due, status."""
        last, more = self.last_col, programme_board.extra_columns(self.book)  # to the action
        cuts = [(1, 3 + more), (4 + more, 6 + more), (7 + more, 8 + more), (9 + more, last)]
        return [(a, b, WIDTHS["A"] + STATUS_WIDTH * (b - a) if a == 1
                 else STATUS_WIDTH * (b - a + 1)) for a, b in cuts]

    def put(self, top: int, title: str, actions: list[dict], limit: int = LIST_LIMIT,
            why: bool = False) -> int:
        grid = self.grid
        grid.put(top, 1, f"{title} ({len(actions)})", styles.SUBTITLE_FONT, align=_NOWRAP,
                 border=False)
        self._row(top + 1, ("Action", "Lead officer", "Due", "Why listed" if why
                            else "Status"), header=True)
        row = top + 2
        for action in actions[:limit]:
            kind = self.marked.get(id(action))
            ref = _text(action.get("ref")) + (f" {kind.marker}" if kind else "")
            status = kind.label if kind else _status_name(self.book.plan, action.get("rag"))
            self._row(row, (f"{ref}  {cut_words(action.get('action'), TITLE_LIMIT)}",
                            _text(action.get("lead_officer")), _due(action, self.book),
                            status))
            row += 1
        if not actions:
            grid.put(row, 1, "None.", _SMALL, align=_NOWRAP, border=False)
            row += 1
        elif len(actions) > limit:
            grid.put(row, 1, f"…and {len(actions) - limit} more: see the Actions sheet.",
                     _SMALL, align=_NOWRAP, border=False)
            row += 1
        return row

    def _row(self, row: int, values: tuple[str, ...], header: bool = False) -> None:
        for (first, last, width), value in zip(self.spans(), values, strict=True):
            for col in range(first, last + 1):
                text = value if col == first else None
                if header:
                    _header(self.grid, row, col, text or "")
                else:
                    font, fill = self._look(value if last == self.last_col else None)
                    self.grid.put(row, col, text, font, fill, _WRAP)
            if last > first:
                self.grid.merge(row, first, last)
            if not header:
                _fit(self.grid, row, value, width)


    def _look(self, status: str | None) -> tuple[Font, PatternFill | None]:
        """A status cell in the scheme's colour (as on the Actions sheet); else plain."""
        found = self.book.plan.rag(status) if status else None
        if found is None:
            return _SMALL_BODY, None
        return (Font(name="Arial", bold=True, size=10,
                     color=styles.text_colour_for(found.colour)),
                PatternFill("solid", fgColor=styles.hex_colour(found.colour)))


def _marker_key(grid: Grid, top: int, last_col: int, marked: dict[int, Kind]) -> int:
    """The key to the markers: each kind found, what it means, in words."""
    grid.put(top, 1, "Marked actions are not this quarter's confirmed update:",
             styles.BOLD_FONT, align=_NOWRAP, border=False)
    row = top + 1
    width = WIDTHS["A"] + STATUS_WIDTH * (last_col - 1)
    for kind in KINDS.values():
        if kind in marked.values():
            text = f"{kind.marker} {kind.label}: {kind.note}."
            grid.put(row, 1, text, _SMALL, align=_WRAP, border=False)
            grid.merge(row, 1, last_col)
            _fit(grid, row, text, width)
            row += 1
    return row


def _fit(grid: Grid, row: int, text: str, width: float) -> None:
    """Row ``row`` tall enough for ``text`` wrapped in a column ``width`` wide."""
    lines = fastrows.text_lines(str(text or ""), max(1, int(width * 1.3)))
    grid.heights[row] = max(grid.heights.get(row, 0), _LINE * lines + 3)


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


def _due(action: dict, book: Book) -> str:
    """The due date read from the timeframe (see timeframes.py), as a committee reads it;
    a programme activity's revised end after it, when its RDL has given one."""
    frame = read_timeframe(action.get("timeframe"), book.plan.fy_start_month)
    if frame.due:
        due = f"{frame.due.day} {frame.due:%b %Y}"
    else:
        due = "Recurring" if frame.kind == RECURRING else "Not stated"
    return due + programme_board.revised_note(action.get("revised_end"))


def _chart_data(grid: Grid, summary: Rollup, head: int, top: int,
                sources: list[tuple[Any, int]]) -> int:
    """The charts' source: the section table with zeros as #N/A, so no "0" labels;
    ``sources`` are the (name, row) of each section and of the all-actions row."""
    statuses = summary.statuses
    grid.put(top, 1, "Chart data (the section table above with zeros left out, so the charts "
             "show no empty labels)", _SMALL, align=_NOWRAP, border=False)
    grid.put(top + 1, 1, "Section", styles.BOLD_FONT)
    for i in range(2, len(statuses) + 2):
        grid.put(top + 1, i, Formula(f"={col_letter(i)}{head}"), styles.BOLD_FONT, align=_CENTRE)
    count = len(sources)  # sections and the All actions row
    for offset, (name, src) in enumerate(sources, start=1):
        dst = top + 1 + offset
        grid.put(dst, 1, name)
        for i in range(2, len(statuses) + 2):
            ref = f"{col_letter(i)}{src}"
            grid.put(dst, i, Formula(f"=IF({ref}=0,NA(),{ref})"), align=_CENTRE, fmt="0")
    return top + 2 + count


def _charts(ws, book: Book, summary: Rollup, top: int, data_top: int, sections: int) -> None:
    """The stacked bar and the doughnut, side by side in the band under the section
    table (both within the printed width)."""
    colours = [status_colour(book, s) for s in summary.statuses]
    head = data_top + 1
    if sections:
        bar = charts.section_bar(ws, head, sections, colours)
        bar.width, bar.height = 17.0, 8.0
        if book.is_programme:  # taller: a dozen programmes each with its label
            bar.title, bar.height = "RAG status by programme", 12.0
            bar.y_axis.title = "Activities"
            bar.width = PROGRAMME_BAR_CM  # its narrower columns: the bar ends before G
        ws.add_chart(bar, f"A{top}")
    pie = charts.overall_doughnut(ws, head, head + sections + 1, colours)
    pie.width, pie.height = 10.5, 8.0
    pie_col = 6
    if book.is_programme:  # from G, within the printed width (column L)
        pie.title, pie.width, pie_col = programme_board.ALL_ACTIVITIES, PROGRAMME_PIE_CM, 7
    ws.add_chart(pie, f"{col_letter(pie_col)}{top}")


# A programme plan's Dashboard columns are narrower (its table has three more): column
# A is 210 pt and B–F 44.25 pt each, so G starts at 431 pt and L ends at 697 pt. The
# bar (425 pt) ends before G; the doughnut (255 pt) from G ends before L's edge.
PROGRAMME_BAR_CM, PROGRAMME_PIE_CM = 15.0, 9.0


# what the programme plan's board blocks borrow from here (programme_board.Lent)
_LENT = programme_board.Lent(count=_count_formula, rng=_rng, colour=status_colour,
                             label=lambda s: STATUS_LABELS.get(s, s))
