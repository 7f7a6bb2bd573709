"""The add-in's sheets as the command line writes them, through the real server.

Refresh dashboard on a master whose Dashboard ``xltools rollup`` wrote keeps
every formula and its one set of charts, rewriting only figures that went
stale; on any other master it writes that same live Dashboard — formulas,
percentages and the command line's column widths, in points. Check return's
columns are set in points too (xlwings Server takes points).
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from excel_books import write_master
from live_server import call_script, running_server
from officejs_payload import book_payload
from openpyxl import load_workbook

from xltools.excel.dashboard_sheet import formula_cells
from xltools.workbook.layout import DASHBOARD, col_letter
from xltools.workbook.widths import width_points


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    from conftest import SAMPLE_PLAN

    from xltools.plan import Plan

    root = tmp_path_factory.mktemp("dash")
    master = write_master(root / "Master.xlsx", Plan.load(SAMPLE_PLAN))
    rolled = root / "Rolled.xlsx"
    subprocess.run([sys.executable, "-m", "xltools", "rollup", str(master), "-o", str(rolled)],
                   check=True, capture_output=True)
    return {"root": root, "master": master, "rolled": rolled}


@pytest.fixture(scope="module")
def server(books):
    with running_server(books["root"]) as base:
        yield base


def on_sheet(actions: list[dict], position: int, func: str) -> list[dict]:
    return [a for a in actions if a["func"] == func and a["sheet_position"] == position]


def cells_of(action: dict) -> set[tuple[int, int]]:
    """1-based (row, column) of every cell a range action covers."""
    return {(action["start_row"] + 1 + r, action["start_column"] + 1 + c)
            for r in range(action["row_count"]) for c in range(action["column_count"])}


def cli_widths(path) -> dict[int, float]:
    """The command line's Dashboard column widths in points, by 0-based column."""
    dims = load_workbook(path)[DASHBOARD].column_dimensions
    return {i: width_points(dims[col_letter(i + 1)].width) for i in range(14)
            if col_letter(i + 1) in dims and dims[col_letter(i + 1)].customWidth}


def test_refresh_keeps_rollups_formulas_and_charts_and_updates_stale_figures(server, books,
                                                                              tmp_path):
    stale = tmp_path / "stale.xlsx"
    wb = load_workbook(books["rolled"])  # keeps the two charts
    ws = wb[DASHBOARD]
    kpi_rag = next(c for row in ws.iter_rows() for c in row if c.value == "RAG"
                   and c.column == 7)
    ws.cell(kpi_rag.row + 1, 7).value = "Amber"  # a KPI RAG calculated last month
    wb.save(stale)
    payload = book_payload(stale)
    position = [s["name"] for s in payload["sheets"]].index(DASHBOARD)
    assert len(payload["sheets"][position]["charts"]) == 2
    actions = call_script(server, "refresh_dashboard", payload)

    formulas = formula_cells(load_workbook(books["rolled"])[DASHBOARD])
    assert len(formulas) >= 50  # COUNTIFS, tiles, chart data
    written = [a for a in actions if a["sheet_position"] == position
               and a["func"] not in ("runMacro",)]
    assert [a["func"] for a in written] == ["setValues"]  # no clear, no chart added/deleted
    assert not cells_of(written[0]) & formulas
    assert cells_of(written[0]) == {(kpi_rag.row + 1, 7)} and written[0]["values"] == [["Red"]]
    assert "formulas and charts kept" in [a for a in actions if a["func"] == "alert"][0][
        "args"][0]


def test_refresh_on_a_master_without_a_dashboard_writes_rollups_live_dashboard(server, books):
    actions = call_script(server, "refresh_dashboard", book_payload(books["master"]))
    assert [a["args"] for a in actions if a["func"] == "addSheet"] == [[1, DASHBOARD]]
    (grid,) = [a["values"] for a in on_sheet(actions, 1, "setFormula")]
    cli = load_workbook(books["rolled"])[DASHBOARD]
    cli_formulas = {(r, c): cli.cell(r, c).value for r, c in formula_cells(cli)}
    mine = {(r, c): v for r, row in enumerate(grid, 1) for c, v in enumerate(row, 1)
            if (r, c) in cli_formulas}
    assert mine == cli_formulas  # the same live formulas, cell for cell
    # shares as percentages: the Complete tile and the % complete column
    percent = {(a["start_row"] + 1, a["start_column"] + 1) for a in
               on_sheet(actions, 1, "setNumberFormat") if a["args"] == ["0%"]}
    assert {(r, c) for r, c in formula_cells(cli)
            if cli.cell(r, c).number_format == "0%"} == percent
    # widths match the command line's Dashboard, in points (xlwings Server's unit)
    widths = {a["start_column"]: a["args"][0] for a in on_sheet(actions, 1, "setColumnWidth")}
    assert widths == cli_widths(books["rolled"])
    assert widths[0] == 210.0  # column A: 40 characters, not 40 points
    charts = [a["args"][0] for a in actions if a["func"] == "addChart"]
    assert charts == ["RAG by section", "Overall RAG"]
    # the command line's look: every filled cell in its colour (status headers in
    # the scheme's colours), and the headline tiles merged as they are there
    fills = {cell: a["args"][0] for a in on_sheet(actions, 1, "setRangeColor")
             for cell in cells_of(a)}
    cli_fills = {(c.row, c.column): "#" + c.fill.fgColor.rgb[-6:].upper()
                 for row in cli.iter_rows() for c in row
                 if c.fill.fill_type == "solid" and c.value is not None}
    assert cli_fills and {k: fills.get(k) for k in cli_fills} == cli_fills
    merged = {(a["start_row"] + 1, a["start_column"] + 1, a["column_count"])
              for a in on_sheet(actions, 1, "rangeMerge")}
    assert merged == {(m.min_row, m.min_col, m.max_col - m.min_col + 1)
                      for m in cli.merged_cells.ranges}


def test_refresh_replaces_an_old_table_dashboard_with_one_set_of_charts(server, books,
                                                                        tmp_path):
    from openpyxl.chart import BarChart, Reference

    old = tmp_path / "old.xlsx"
    wb = load_workbook(books["master"])
    ws = wb.create_sheet(DASHBOARD, 1)
    ws.append(["Dashboard — Q2 2019/20"])
    ws.append(["Overall", "Count", "Share"])
    ws.append(["Green", 1, 0.25])
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=2, max_row=3), titles_from_data=True)
    ws.add_chart(chart, "K4")
    wb.save(old)
    actions = call_script(server, "refresh_dashboard", book_payload(old))
    assert [a["func"] for a in on_sheet(actions, 1, "sheetClear")] == ["sheetClear"]
    assert [a["args"] for a in on_sheet(actions, 1, "deleteChart")] == [[0]]
    assert [a["args"][0] for a in actions if a["func"] == "addChart"] == [
        "RAG by section", "Overall RAG"]


def test_check_sheet_widths_are_points(server, books):
    actions = call_script(server, "check_return", book_payload(books["master"]))
    widths = [a["args"][0] for a in actions if a["func"] == "setColumnWidth"]
    assert widths == [width_points(w) for w in (16, 10, 16, 9, 90)]
    assert widths[-1] == 472.5  # the message column: 90 characters wide


@pytest.fixture(scope="module")
def programme(tmp_path_factory):
    """Seed 003 imported as a programme master, and its Dashboard from ``rollup``."""
    from conftest import SEEDS

    root = tmp_path_factory.mktemp("programme-dash")
    master, rolled = root / "Programme.xlsx", root / "Programme-rolled.xlsx"
    seed = next(SEEDS.glob("003_*.txt"))
    for argv in (["import", seed, "--period", "Q2 2024/25", "-o", master],
                 ["rollup", master, "-o", rolled]):
        subprocess.run([sys.executable, "-m", "xltools", *map(str, argv)], check=True,
                       capture_output=True)
    return master, rolled


def test_refresh_on_a_programme_master_sets_its_wider_table_and_charts_as_rollup(
        server, programme):
    """A programme plan's Dashboard table is wider (Overdue, Slipped, Not started): the
    add-in sets every column's width as rollup does and puts the charts where rollup
    does (under the tiles), not right of a tracker's narrower table, over the table."""
    master, rolled = programme
    actions = call_script(server, "refresh_dashboard", book_payload(master))
    position = [a["args"] for a in actions if a["func"] == "addSheet"][0][0]
    widths = {a["start_column"]: a["args"][0] for a in on_sheet(actions, position,
                                                                 "setColumnWidth")}
    cli = cli_widths(rolled)
    assert len(cli) > 9 and widths == cli  # every column of the wider table
    charts = [a for a in actions if a["func"] == "addChart"]
    cli_charts = load_workbook(rolled)[DASHBOARD]._charts
    assert [c["args"][0] for c in charts] == ["RAG by section", "Overall RAG"]
    cli_at = {type(c).__name__: f"${col_letter(c.anchor._from.col + 1)}"
              f"${c.anchor._from.row + 1}" for c in cli_charts}
    assert [c["args"][9] for c in charts] == [cli_at["BarChart"], cli_at["DoughnutChart"]]
    # in points (args[6]): the bar ends before the doughnut's column starts, and the
    # doughnut before the printed width (the table's last column) ends
    doughnut_col = cli_charts[1].anchor._from.col
    assert charts[0]["args"][6] <= sum(widths[i] for i in range(doughnut_col))
    assert (sum(widths[i] for i in range(doughnut_col)) + charts[1]["args"][6]
            <= sum(widths.values()))
