"""Rules no other test guarded (issue 12, item 11): each test here fails on the bug that
was planted to find it. Real files written by our writer and read back by openpyxl."""

from __future__ import annotations

import shutil
from datetime import date

from openpyxl import load_workbook
from pmo_master import master_book as pmo_master_book
from returns_data import AS_OF, JON, STEVE, fill_return, master_book

from xltools.cycle.consolidate import consolidate
from xltools.findings import flatten
from xltools.reporting.flags import flag_book
from xltools.reporting.kpis import kpi_rag
from xltools.workbook.reader import read_book
from xltools.workbook.writer import write_book


def test_updated_before_the_period_began_is_out_of_date_even_when_recent(plan, tmp_path):
    """A-0004 was updated on 28 June, three weeks before 20 July: within stale_days, but
    before Q2 began — last quarter's update, so OUT_OF_DATE."""
    book = pmo_master_book(plan)
    report = flag_book(book, as_of=date(2019, 7, 20))
    assert ("A-0004", "OUT_OF_DATE") in flatten(report.findings, ("action_id", "code"))
    message = next(f.message for f in report.findings
                   if (f.action_id, f.code) == ("A-0004", "OUT_OF_DATE"))
    assert "before Q2 2019/20 began" in message


def test_kpi_tolerance_uses_the_size_of_a_negative_target():
    # target -100, higher is better: within 5% of |target| below it is Amber, beyond is Red
    assert kpi_rag(-104, -100, "High", 0.05) == "Amber"
    assert kpi_rag(-106, -100, "High", 0.05) == "Red"
    assert kpi_rag(-96, -100, "Low", 0.05) == "Amber"


def test_formula_looking_text_is_stored_quote_prefixed_text(plan, tmp_path):
    book = master_book(plan)
    book.actions[0]["progress_update"] = "=SUM(A1)"
    book.actions[1]["progress_update"] = "-50% agency spend"
    path = write_book(book, tmp_path / "m.xlsx")
    ws = load_workbook(path)["Actions"]
    header = [c.value for c in ws[1]]
    col = header.index("Progress update") + 1
    for row, text in ((2, "=SUM(A1)"), (3, "-50% agency spend")):
        cell = ws.cell(row, col)
        assert (cell.value, cell.data_type) == (text, "s")
        assert cell.quotePrefix, f"{cell.coordinate} lost its quote prefix"
    assert read_book(path).actions[0]["progress_update"] == "=SUM(A1)"


def test_two_returns_disagreeing_on_a_savings_line_is_a_conflict(cycle, tmp_path):
    """Steve's own return and a copy of it re-sent by Jon with other figures for CF-01
    2020/21: neither figure is merged; both files are told."""
    fill_return(cycle[1] / STEVE, {3: {"Revised": 120, "Change type": "Re-profile",
                                       "Approved by": "Colin Pettigrew"}}, sheet="Savings")
    other = tmp_path / "Q2_2019-20_Steve_Edwards_resent.xlsx"
    shutil.copy(cycle[1] / STEVE, other)
    fill_return(other, {3: {"Revised": 90, "Change type": "Re-profile",
                            "Approved by": "Colin Pettigrew"}}, sheet="Savings")
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(cycle[1] / STEVE, inbox / STEVE)
    shutil.copy(other, inbox / other.name)
    shutil.copy(cycle[1] / JON, inbox / JON)
    report = consolidate(cycle[0], inbox, tmp_path / "out.xlsx", as_of=AS_OF)
    conflicts = {(f.file, f.sheet) for f in report.findings if f.code == "CONFLICT"}
    assert conflicts == {(STEVE, "Savings"), (other.name, "Savings")}
    assert "CF-01 2020/21" not in report.savings_updated
    assert report.counts()["savings_conflicts"] == 1  # was counted as 0
    out = read_book(tmp_path / "out.xlsx")
    assert out.savings[1]["revised"] == 150.0  # the master keeps its value


def test_kpi_values_typed_as_printed_are_numbers():
    """'64.0%' was INVALID while '1,262,601' was accepted: both are numbers as printed."""
    assert kpi_rag("64.0%", 85, "High") == "Red"
    assert kpi_rag("84 %", "85", "High", 0.05) == "Amber"
    assert kpi_rag("1,262,601", 1_200_000, "High") == "Green"
