"""The smaller ways to lose or misreport data (issue 12, item 9). Real files: returns
issued by our code and filled as Excel saves them, an .xls made by LibreOffice, a
workbook written by xlsxwriter."""

from __future__ import annotations

import shutil

import pytest
import xlsxwriter
from conftest import convert
from returns_data import AS_OF, STEVE

from xltools.cycle.consolidate import consolidate
from xltools.errors import UsageError, WorkbookError
from xltools.workbook.reader import read_book


def test_an_xls_renamed_xlsx_is_called_an_xls_not_a_password(cycle, tmp_path, soffice):
    xls = convert(soffice, cycle[1] / STEVE, "xls:MS Excel 97", tmp_path / "lo")
    renamed = tmp_path / "renamed.xlsx"
    shutil.copy(xls, renamed)
    with pytest.raises(WorkbookError) as err:
        read_book(renamed)
    assert err.value.reason == "XLS" and "saved with an .xlsx name" in str(err.value)


def test_control_characters_are_reported_not_dropped_silently(tmp_path, plan):
    path = tmp_path / "typed.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Actions")
    ws.write_row(0, 0, ["ID", "Progress update", "RAG status"])
    ws.write_row(1, 0, ["A-0001", "Done\x07 and dusted", "Green"])
    wb.close()
    from xltools.cycle.check import check_book

    report = check_book(read_book(path, plan=plan))
    found = [f for f in report.findings if f.code == "CONTROL_CHARS"]
    assert [(f.cell, f.got) for f in found] == [("B2", "U+0007")]


def test_output_inside_the_returns_folder_is_refused(cycle, tmp_path):
    before = (cycle[1] / STEVE).read_bytes()
    with pytest.raises(UsageError, match="inside the returns folder"):
        consolidate(cycle[0], cycle[1], cycle[1] / STEVE, as_of=AS_OF)
    assert (cycle[1] / STEVE).read_bytes() == before
