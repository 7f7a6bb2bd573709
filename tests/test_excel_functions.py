"""Cell functions: the core (``xltools.cellfuncs``, no xlwings) with hand-worked
answers, and the rule that only ``xltools.excel`` imports xlwings.

The functions over HTTP, as Excel calls them, are in test_server.py.
"""

from __future__ import annotations

import datetime as dt
import json
import pkgutil
import subprocess
import sys

import pytest

import xltools
from xltools import cellfuncs


def test_count_status_ignores_case_spaces_and_blanks():
    cells = [["Red", "green"], [None, " red "], ["", "Amber"], ["Red"]]
    assert cellfuncs.count_status(cells, "Red") == 3
    assert cellfuncs.count_status(cells, "GREEN") == 1
    assert cellfuncs.count_status(cells, "Not started") == 0
    assert cellfuncs.count_status("Amber", "amber") == 1  # a single cell
    with pytest.raises(ValueError, match="status is empty"):
        cellfuncs.count_status(cells, "  ")


def test_next_period_and_bounds():
    assert cellfuncs.next_period("Q4 2019/20") == "Q1 2020/21"
    assert cellfuncs.next_period("2019-20 Q2") == "Q3 2019/20"
    assert cellfuncs.next_period("Q4 2020", 1) == "Q1 2021"  # calendar-year body
    assert cellfuncs.period_start("Q3 2019/20") == dt.date(2019, 10, 1)
    assert cellfuncs.period_end("Q4 2019/20") == dt.date(2020, 3, 31)
    assert cellfuncs.period_start("Q1 2019/20", 7.0) == dt.date(2019, 7, 1)  # July year
    with pytest.raises(ValueError, match="not a reporting period"):
        cellfuncs.next_period("Spring 2019")
    with pytest.raises(ValueError, match="fy_start_month must be 1-12"):
        cellfuncs.next_period("Q1 2019/20", 13)
    with pytest.raises(ValueError, match="whole number"):
        cellfuncs.next_period("Q1 2019/20", 4.5)


def test_days_since_reads_serials_dates_and_iso_text():
    # Excel serial 43753 = 15 Oct 2019; 43760 = 22 Oct 2019
    assert cellfuncs.days_since(43753, 43760) == 7
    assert cellfuncs.days_since(dt.datetime(2019, 10, 15, 9, 30), dt.date(2019, 10, 22)) == 7
    assert cellfuncs.days_since("2019-10-22", "2019-10-15") == -7
    assert cellfuncs.days_since(dt.date.today()) == 0
    with pytest.raises(ValueError, match="date 'soon' is not a date"):
        cellfuncs.days_since("soon")
    with pytest.raises(ValueError, match="date is empty"):
        cellfuncs.days_since(None)
    assert cellfuncs.as_date(1, "d") == dt.date(1900, 1, 1)
    assert cellfuncs.as_date(61, "d") == dt.date(1900, 3, 1)
    assert cellfuncs.to_serial(dt.date(2019, 10, 1)) == 43739
    with pytest.raises(ValueError, match="60 is not a date"):  # Excel's 29 Feb 1900
        cellfuncs.as_date(60, "date")


def core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(xltools.__path__, "xltools."):
        if info.name.startswith("xltools.excel") or info.name == "xltools.__main__":
            continue
        names.append(info.name)
    return sorted(names)


def test_core_modules_never_import_xlwings():
    modules = core_modules()
    assert {"xltools.cycle.check", "xltools.cellfuncs", "xltools.reporting.kpis",
            "xltools.addin.xlam",
            "xltools.cli.serve", "xltools.cli.addin"} <= set(modules)
    code = ("import importlib, json, sys\n"
            f"for name in {modules!r}:\n"
            "    importlib.import_module(name)\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('xlwings', 'xlwings_server'))))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_the_excel_layer_does_import_xlwings():
    code = ("import sys; import xltools.excel.bridge; "
            "print('xlwings' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.strip() == "True", done.stderr


def test_rag_count_over_a_whole_column_counts_only_the_filled_cells():
    column = [["RAG status"], ["Red"], ["green"], [" red "]] + [[None]] * 1_048_572
    assert len(column) == 1_048_576  # what Excel sends for M:M
    assert cellfuncs.count_status(column, "Red") == 2
    assert cellfuncs.count_status([[""], ["  "]], "Red") == 0


@pytest.mark.parametrize("given, fraction", [
    (0.05, 0.05), (0.1, 0.1), (0, 0.0), ("5%", 0.05), (" 12.5 % ", 0.125), ("0.05", 0.05),
    (None, 0.05), ("", 0.05),
])
def test_tolerance_is_a_fraction_or_a_percentage(given, fraction):
    from xltools.reporting.kpis import read_tolerance

    assert read_tolerance(given) == pytest.approx(fraction)


@pytest.mark.parametrize("given, message", [
    (5, r"tolerance 5 is ambiguous \(5% or 500%\?\): give a fraction such as 0.05, or 5%"),
    (1, "tolerance 1 is ambiguous"),
    ("5", "tolerance '5' is ambiguous"),
    (-0.1, "tolerance must be a fraction of 0 or more"),
    ("-5%", "tolerance must be 0% or more"),
    ("lots", "tolerance must be a number"),
])
def test_a_tolerance_that_could_be_scaled_is_refused(given, message):
    from xltools.reporting.kpis import kpi_rag

    with pytest.raises(ValueError, match=message):
        kpi_rag(80, 85, "High", given)


def test_a_plan_tolerance_of_5_stops_the_kpi_assessment_with_the_reason(plan):
    from dataclasses import replace

    from xltools.errors import PlanError
    from xltools.reporting.kpis import assess_kpis
    from xltools.workbook.book import Book

    book = Book(plan=replace(plan, kpi_tolerance=5),
                kpis=[{"measure": "M", "latest": 80, "target": 85, "good_is": "High"}])
    with pytest.raises(PlanError, match="kpi_tolerance: tolerance 5 is ambiguous"):
        assess_kpis(book)
    assert assess_kpis(Book(plan=replace(plan, kpi_tolerance=0.1), kpis=book.kpis)
                       ).rows[0]["rag"] == "Amber"


def test_days_since_is_volatile_and_the_others_are_not(monkeypatch):
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")  # as `xltools serve` runs
    from xlwings.pro.udfs_officejs import custom_functions_meta

    from xltools.excel import functions

    meta = {f["name"]: f.get("options", {}) for f in custom_functions_meta(functions)["functions"]}
    assert meta["DAYS_SINCE"].get("volatile") is True
    assert not any(opts.get("volatile") for name, opts in meta.items() if name != "DAYS_SINCE")



def test_no_example_passes_a_whole_column_to_a_cell_function():
    """A whole column (Actions!M:M) makes Excel send 1,048,576 cells with every
    recalculation; the guides show table columns (ActionsTable[RAG status])."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    pages = [root / "README.md", *sorted((root / "docs").glob("*.md")),
             root / "xltools" / "excel" / "functions.py"]
    whole = re.compile(r"XLT\.\w+\((?:[^()]*[,(])?\s*(?:'?[\w ]+'?!)?\$?[A-Z]{1,3}:\$?[A-Z]{1,3}\b")
    found = [(p.name, m.group(0)) for p in pages for m in whole.finditer(p.read_text())]
    assert found == []
    assert "XLT.RAG_COUNT(ActionsTable[RAG status]" in (root / "docs" / "it-guide.md").read_text()
