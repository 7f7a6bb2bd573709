"""`check` = consolidation's rules: "Ready to send" means consolidation will take the
return as sent. Real files: returns issued by our code, filled with openpyxl as Excel
saves them; the command run as a real process."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from returns_data import JON, LUCY, STEVE, fill_return
from test_ownership import copy_row, set_setting

from xltools.cycle.check import check_workbook
from xltools.errors import PeriodError
from xltools.periods import parse_day

XLTOOLS = [sys.executable, "-m", "xltools"]
AS_OF = "21/10/2019"


def check(*args) -> tuple[int, dict | str]:
    run = subprocess.run(XLTOOLS + ["check", *map(str, args)], capture_output=True, text=True,
                         timeout=120)
    if "--json" in args:
        return run.returncode, json.loads(run.stdout)
    return run.returncode, run.stdout + run.stderr


def codes_at(report: dict) -> set[tuple[str | None, str]]:
    return {(f.get("cell"), f["code"]) for f in report["findings"]}


def filled(cycle, **extra):
    fill_return(cycle[1] / STEVE, {
        "A-0001": {"Progress update": "Panel met.", "RAG status": "Green",
                   "Last updated": datetime(2019, 10, 1), **extra},
        "A-0005": {"Progress update": "Report agreed.", "RAG status": "Green"}})
    return cycle[1] / STEVE


def test_a_future_date_is_not_ready(cycle):
    path = filled(cycle, **{"Last updated": datetime(2091, 10, 14)})
    rc, report = check(path, "--as-of", AS_OF, "--json")
    assert rc == 0 and not report["ready"]
    assert ("N2", "INVALID") in codes_at(report)
    rc, text = check(path, "--as-of", AS_OF)
    assert "Ready to send" not in text


def test_an_implausible_old_date_is_not_ready(cycle):
    path = filled(cycle, **{"Last updated": datetime(1019, 10, 14)})
    assert ("N2", "INVALID") in codes_at(check(path, "--as-of", AS_OF, "--json")[1])


def test_a_filled_return_is_ready(cycle):
    rc, text = check(filled(cycle), "--as-of", AS_OF)
    assert rc == 0 and "Ready to send" in text


def test_a_locked_cell_typed_over_is_caught_against_the_master(cycle):
    path = filled(cycle, **{"Improvement action": "Something easier."})
    rc, report = check(path, "--master", cycle[0], "--as-of", AS_OF, "--json")
    assert rc == 0 and not report["ready"]
    assert ("D2", "LOCKED_CHANGED") in codes_at(report)
    rc, text = check(path, "--master", cycle[0], "--as-of", AS_OF)
    assert "Ready to send" not in text and "locked cell" in text


def test_a_colleagues_row_is_caught_without_the_master(cycle):
    path = filled(cycle)
    row = copy_row(cycle[1] / JON, "A-0007", path, **{"Progress update": "Signed."})
    report = check(path, "--as-of", AS_OF, "--json")[1]
    # at the Ref cell the officer can see (ID, column A, is hidden in a return)
    assert (f"B{row}", "NOT_OWNER") in codes_at(report) and not report["ready"]
    (said,) = [f["message"] for f in report["findings"] if f["code"] == "NOT_OWNER"]
    assert "A-0007" not in said


def test_another_plans_return_is_caught_against_the_master(cycle):
    fill_return(cycle[1] / LUCY, {"A-0012": {"Progress update": "x", "RAG status": "Green"}})
    set_setting(cycle[1] / LUCY, "organisation", "Derbyshire County Council")
    report = check(cycle[1] / LUCY, "--master", cycle[0], "--as-of", AS_OF, "--json")[1]
    assert (None, "WRONG_PLAN") in codes_at(report) and not report["ok"]


def test_after_a_renamed_column_every_cell_is_real(cycle):
    path = filled(cycle, **{"Last updated": datetime(2091, 10, 14), "RAG status": "On track"})
    wb = load_workbook(path)
    ws = wb["Actions"]
    for cell in ws[1]:
        if cell.value == "Progress update":
            cell.value = "My progress"
    wb.save(path)
    report = check_workbook(path, as_of=date(2019, 10, 21))
    cells = [f.cell for f in report.findings if f.cell is not None]
    assert cells and all(re.fullmatch(r"[A-Z]{1,3}[0-9]+", c) for c in cells), cells
    assert {f.code for f in report.findings} >= {"MISSING_COLUMN", "INVALID"}
    assert not any(f.code == "NO_UPDATE" and f.column == "progress_update"
                   for f in report.findings)  # the lost column is MISSING_COLUMN's to say


# -- dates as xltools prints them ------------------------------------------------------


def test_parse_day_takes_both_forms():
    assert parse_day("21/10/2019") == parse_day("2019-10-21") == date(2019, 10, 21)
    with pytest.raises(PeriodError, match="21/10/2019"):
        parse_day("32/10/2019")


def test_consolidate_as_of_in_the_printed_form(cycle, tmp_path):
    runs = {}
    for label, day in (("dmy", "21/10/2019"), ("iso", "2019-10-21")):
        run = subprocess.run(XLTOOLS + ["consolidate", str(cycle[0]), str(cycle[1]), "-o",
                                        str(tmp_path / f"{label}.xlsx"), "--as-of", day,
                                        "--json"], capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        runs[label] = json.loads(run.stdout)
    assert runs["dmy"]["as_of"] == runs["iso"]["as_of"] == "2019-10-21"
    assert runs["dmy"]["counts"] == runs["iso"]["counts"]
    bad = subprocess.run(XLTOOLS + ["consolidate", str(cycle[0]), str(cycle[1]), "-o",
                                    str(tmp_path / "bad.xlsx"), "--as-of", "32/10/2019"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "32/10/2019" in bad.stderr


# -- pins (issue 28): each failed with its bug planted (bench/mutants.py) ----------------


def test_a_row_not_filled_in_yet_is_named_and_the_return_is_not_ready(cycle):
    fill_return(cycle[1] / STEVE, {"A-0001": {"Progress update": "Panel met.",
                                              "RAG status": "Green"}})
    report = check_workbook(cycle[1] / STEVE, as_of=date(2019, 10, 21))
    assert report.ok and not report.ready  # valid, but Steve still has 1.5 to write
    assert [f.action_id for f in report.to_do] == ["A-0005"]
    assert "has no progress update" in report.to_do[0].message


def test_last_updated_on_the_as_of_day_is_fine_the_day_after_is_not(cycle):
    as_of = date(2019, 10, 21)
    path = filled(cycle, **{"Last updated": datetime(2019, 10, 21, 16, 30)})
    assert "INVALID" not in {f.code for f in check_workbook(path, as_of=as_of).findings}
    path = filled(cycle, **{"Last updated": datetime(2019, 10, 22)})
    invalid = [f for f in check_workbook(path, as_of=as_of).findings if f.code == "INVALID"]
    assert [(f.cell, f.action_id) for f in invalid] == [("N2", "A-0001")]
