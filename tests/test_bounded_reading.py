"""One tiny file must not take down the run: a sheet reaching far beyond its layout
(a stray cell at XFD1048576) is refused before python-calamine builds it — that
grid would need ~550 GB and abort the process. Real files: returns issued by our
code and altered at the XML level (as a hostile or clumsy editor leaves them),
and a workbook written by xlsxwriter with the far cell typed in directly."""

from __future__ import annotations

import io
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import python_calamine
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st
from returns_data import AS_OF, STEVE, fill_return

from xltools.cycle.consolidate import consolidate
from xltools.errors import WorkbookError
from xltools.findings import flatten
from xltools.workbook.extent import sheet_extent
from xltools.workbook.package import sheet_targets
from xltools.workbook.reader import read_book

XLTOOLS = [sys.executable, "-m", "xltools"]
LUCY_RETURN = "Q2_2019-20_Lucy_Peel.xlsx"


def plant(src: Path, dst: Path, sheet: str, cell: str, *, dimension_only: bool = False
          ) -> Path:
    """A copy of ``src`` whose ``sheet`` holds one more cell at ``cell`` (or, with
    ``dimension_only``, only claims to reach it in its ``<dimension>``)."""
    row = re.match(r"[A-Z]+(\d+)", cell).group(1)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        part = sheet_targets(zin)[sheet]
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                xml = data.decode()
                if dimension_only:
                    xml = re.sub(r'<dimension ref="[^"]*"\s*/>',
                                 f'<dimension ref="A1:{cell}"/>', xml)
                else:
                    xml = xml.replace("</sheetData>", f'<row r="{row}"><c r="{cell}" '
                                      't="inlineStr"><is><t>x</t></is></c></row></sheetData>')
                data = xml.encode()
            zout.writestr(info, data)
    return dst


def test_far_cell_in_actions_is_refused_naming_the_cell(cycle, tmp_path):
    bad = plant(cycle[1] / STEVE, tmp_path / STEVE, "Actions", "XFD1048576")
    assert bad.stat().st_size < 100_000
    with pytest.raises(WorkbookError) as err:
        read_book(bad)
    assert (err.value.reason, err.value.sheet, err.value.cell) == (
        "TOO_LARGE", "Actions", "XFD1048576")
    assert "XFD1048576" in str(err.value) and STEVE in str(err.value)


def test_far_row_is_refused_too(cycle, tmp_path):
    bad = plant(cycle[1] / STEVE, tmp_path / STEVE, "Actions", "B1048576")
    with pytest.raises(WorkbookError) as err:
        read_book(bad)
    assert (err.value.reason, err.value.cell) == ("TOO_LARGE", "B1048576")


def test_far_cell_in_savings_skips_only_that_sheet(cycle, tmp_path):
    bad = plant(cycle[1] / STEVE, tmp_path / STEVE, "Savings", "XFD1048576")
    book = read_book(bad)
    assert book.actions and book.savings == []
    assert (STEVE, "XFD1048576", "TOO_LARGE") in flatten(book.findings)
    # the way out names the sheet's own last column (Savings: L, Comment), not the
    # spare columns xltools tolerates beyond it
    (said,) = [f.message for f in book.findings if f.code == "TOO_LARGE"]
    assert "delete the columns after L " in said


def test_a_forged_dimension_alone_is_read_normally(cycle, tmp_path):
    """calamine does not trust <dimension>, and neither do we: only real cells count."""
    forged = plant(cycle[1] / STEVE, tmp_path / STEVE, "Actions", "XFD1048576",
                   dimension_only=True)
    book = read_book(forged)
    assert book.actions and "TOO_LARGE" not in {f.code for f in book.findings}


def test_extent_scan_bounds_what_calamine_builds(cycle):
    with zipfile.ZipFile(cycle[0]) as zf:
        extent = sheet_extent(zf, sheet_targets(zf)["Actions"])
    with python_calamine.CalamineWorkbook.from_path(str(cycle[0])) as wb:
        grid = wb.get_sheet_by_name("Actions").to_python(skip_empty_area=False)
    # every cell counts, styled blanks too: never less than calamine's grid
    assert extent.rows >= len(grid) and extent.cols >= len(grid[0])


def test_the_same_scan_finds_formula_cells_across_chunks(tmp_path):
    """One pass serves both checks: a formula cell is seen even when it straddles the
    scan's 1 MiB chunks, and a validation's <formula1> is not taken for one."""
    from xltools.workbook import extent as extent_mod

    body = b'<worksheet><sheetData><row r="1">' + b'<c r="A1"><v>1</v></c>' * 50_000
    for xml, expected in ((body + b'<c r="B9"><f>SUM(A1)</f></c></row></sheetData>'
                           b"</worksheet>", True),
                          (body + b"</row></sheetData><dataValidation><formula1>X</formula1>"
                           b"</dataValidation></worksheet>", False)):
        path = tmp_path / "s.zip"
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("sheet.xml", xml)
        for cut in (len(body) - 3, len(body) + 2):  # the tag across a chunk boundary
            extent_mod.CHUNK, saved = cut, extent_mod.CHUNK
            try:
                with zipfile.ZipFile(path) as zf:
                    assert sheet_extent(zf, "sheet.xml").formulas is expected
            finally:
                extent_mod.CHUNK = saved


_COLUMNS = st.one_of(st.sampled_from(["A", "Q", "Z", "AA", "AF", "AZ", "XFD"]),
                     st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=3))
_ROWS = st.one_of(st.integers(1, 300), st.integers(99_990, 1_048_576))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_COLUMNS, _ROWS), min_size=1, max_size=40),
       st.sampled_from([17, 64, 101, 1 << 20]), st.booleans())
def test_the_one_pass_scan_agrees_with_reading_every_reference(refs, chunk, formula):
    """The scan's single pattern (far right or far down) against the plain reading of
    every ``r="…"``, at any chunk size: the furthest column past Z and the last row
    come out the same, in a sheet written in order as spreadsheet programs do."""
    from xltools.workbook import extent as extent_mod

    refs = sorted(set(refs), key=lambda cr: (cr[1], extent_mod.column_number(cr[0])))
    cells = [f'<row r="{r}"><c r="{c}{r}" s="1"><v>1</v></c></row>' for c, r in refs]
    if formula:
        cells[len(cells) // 2] = cells[len(cells) // 2].replace("<v>", "<f>A1</f><v>")

    def scan(cells: list[str]):
        xml = ('<worksheet xmlns:r="x"><sheetData>' + "".join(cells) + "</sheetData>"
               '<dataValidations><dataValidation><formula1>"a"</formula1></dataValidation>'
               "</dataValidations></worksheet>").encode()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            zf.writestr("sheet.xml", xml)
        extent_mod.CHUNK, saved = chunk, extent_mod.CHUNK
        try:
            with zipfile.ZipFile(buffer) as zf:
                return sheet_extent(zf, "sheet.xml")
        finally:
            extent_mod.CHUNK = saved

    got = scan(cells)
    widest = max(refs, key=lambda cr: extent_mod.column_number(cr[0]))
    cols = extent_mod.column_number(widest[0])
    assert got.rows == refs[-1][1]
    assert got.cols == max(cols, 26)
    if cols > 26:
        assert extent_mod.column_number(re.match(r"[A-Z]+", got.far_col_ref)[0]) == cols
    assert got.formulas is formula
    # a hand-made sheet with its cells out of order: a row past 99,999 is still found
    shuffled = scan(cells[::-1])
    assert shuffled.cols == got.cols
    if refs[-1][1] > 99_999:
        assert shuffled.rows == refs[-1][1]
        assert shuffled.far_row_ref.endswith(str(refs[-1][1]))


def test_xlsxwriter_workbook_with_a_far_cell_is_refused(tmp_path, plan):
    path = tmp_path / "typed.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Actions")
    ws.write_row(0, 0, ["ID", "Progress update", "RAG status"])
    ws.write_row(1, 0, ["A-0001", "Done", "Green"])
    ws.write(9_999, 16_383, "stray")  # XFD10000: 6 GB and 21 s before this check
    wb.close()
    with pytest.raises(WorkbookError) as err:
        read_book(path, plan=plan)
    assert (err.value.reason, err.value.cell) == ("TOO_LARGE", "XFD10000")


def test_consolidate_names_the_file_and_cell_and_merges_the_rest(cycle, tmp_path):
    fill_return(cycle[1] / STEVE, {"A-0001": {"Progress update": "Panel met",
                                              "RAG status": "Green"}})
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(cycle[1] / STEVE, inbox / STEVE)
    plant(cycle[1] / LUCY_RETURN, inbox / LUCY_RETURN, "Actions", "XFD1048576")
    report = consolidate(cycle[0], inbox, tmp_path / "out.xlsx", as_of=AS_OF)
    assert (LUCY_RETURN, "XFD1048576", "TOO_LARGE") in flatten(report.findings)
    assert report.merge.updated == ["A-0001"]
    assert report.counts()["unreadable"] == 1
    log = {r["file"]: r for r in read_book(tmp_path / "out.xlsx").log}
    assert "XFD1048576" in log[LUCY_RETURN]["notes"]


def test_acceptance_one_far_cell_among_many_returns(cycle, tmp_path):
    """The issue's case in a real process: the run completes, the file is named, and
    the readers stay far below the 550 GB calamine would have asked for."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    good = cycle[1] / STEVE
    fill_return(good, {"A-0001": {"Progress update": "Panel met", "RAG status": "Green"}})
    for i in range(300):  # the 300 good returns (and the worker pool)
        shutil.copy(good, inbox / f"copy_{i:03}_{STEVE}")
    plant(cycle[1] / LUCY_RETURN, inbox / LUCY_RETURN, "Actions", "XFD1048576")
    assert (inbox / LUCY_RETURN).stat().st_size < 40_000  # a small file
    run = subprocess.run(XLTOOLS + ["consolidate", str(cycle[0]), str(inbox), "-o",
                                    str(tmp_path / "out.xlsx"), "--as-of", "2019-10-21",
                                    "--json"], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert LUCY_RETURN in run.stdout and "XFD1048576" in run.stdout
    assert read_book(tmp_path / "out.xlsx").action("A-0001")["progress_update"] == "Panel met"
    assert '"returns_read": 300' in run.stdout
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert peak_kb < 1_000_000


def test_check_says_which_cell_in_one_line(cycle, tmp_path):
    bad = plant(cycle[1] / STEVE, tmp_path / STEVE, "Actions", "XFD1048576")
    run = subprocess.run(XLTOOLS + ["check", str(bad)], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2
    assert "XFD1048576" in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_check_reports_a_far_cell_in_savings_as_a_finding(cycle, tmp_path):
    bad = plant(cycle[1] / STEVE, tmp_path / STEVE, "Savings", "XFD1048576")
    run = subprocess.run(XLTOOLS + ["check", str(bad), "--json"], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0
    assert '"TOO_LARGE"' in run.stdout and "XFD1048576" in run.stdout


def test_a_worker_crash_names_the_file_and_the_rest_still_merge(cycle, tmp_path,
                                                                monkeypatch):
    """A reader that dies outright (an abort inside calamine) loses only its file."""
    from xltools.cycle import intake

    real = intake.read_book

    def read_or_die(path, *args, **kwargs):
        if Path(path).name.startswith("crash"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(intake, "read_book", read_or_die)  # forked workers inherit it
    fill_return(cycle[1] / STEVE, {"A-0001": {"Progress update": "Panel met",
                                              "RAG status": "Green"}})
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i in range(44):
        shutil.copy(cycle[1] / STEVE, inbox / f"copy_{i:02}_{STEVE}")
    shutil.copy(cycle[1] / LUCY_RETURN, inbox / "crash_me.xlsx")
    report = consolidate(cycle[0], inbox, tmp_path / "out.xlsx", as_of=AS_OF, workers=2)
    crashed = [f for f in report.files if f.reason == "CRASHED"]
    assert [f.name for f in crashed] == ["crash_me.xlsx"]
    assert ("crash_me.xlsx", None, "UNREADABLE") in flatten(report.findings)
    assert sum(1 for f in report.files if f.readable) == 44
    assert report.merge.updated == ["A-0001"]


# -- pins (issue 28): each failed with its bug planted (bench/mutants.py) ----------------


def test_the_column_bound_is_the_layout_plus_the_spare_columns(cycle, tmp_path):
    """An officer may add a few columns of notes beside the Actions (up to
    SPARE_COLUMNS past the layout); one column further is refused, naming the cell."""
    from xltools.workbook.extent import SPARE_COLUMNS
    from xltools.workbook.layout import col_letter
    from xltools.workbook.reader import sheet_width

    last = col_letter(sheet_width("Actions") + SPARE_COLUMNS)
    beyond = col_letter(sheet_width("Actions") + SPARE_COLUMNS + 1)
    notes = read_book(plant(cycle[1] / STEVE, tmp_path / "notes.xlsx", "Actions", f"{last}2"))
    assert notes.actions and "TOO_LARGE" not in {f.code for f in notes.findings}
    with pytest.raises(WorkbookError) as err:
        read_book(plant(cycle[1] / STEVE, tmp_path / STEVE, "Actions", f"{beyond}2"))
    assert (err.value.reason, err.value.cell) == ("TOO_LARGE", f"{beyond}2")


def test_rows_written_without_numbers_count_one_below_the_other(cycle, tmp_path):
    """Some programs write ``<row>`` and ``<c>`` with no ``r``: calamine places each row
    below the last, so the scan must too — or 250,000 such rows go unmeasured."""
    src = cycle[1] / STEVE
    with zipfile.ZipFile(src) as zin:
        part = sheet_targets(zin)["Actions"]
        before = sheet_extent(zin, part).rows
    dst = tmp_path / "unnumbered.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                data = data.replace(b"</sheetData>", b'<row><c t="inlineStr"><is><t>x</t></is>'
                                    b"</c></row>" * 3 + b"</sheetData>")
            zout.writestr(info, data)
    with zipfile.ZipFile(dst) as zf:
        extent = sheet_extent(zf, part)
    with python_calamine.CalamineWorkbook.from_path(str(dst)) as wb:
        grid = wb.get_sheet_by_name("Actions").to_python(skip_empty_area=False)
    assert extent.rows == before + 3 == len(grid)
