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
