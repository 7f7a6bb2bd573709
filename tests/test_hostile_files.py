"""Hostile files (issue 22, the file side): real workbooks altered at the XML level by
hand, as an attacker or a clumsy tool leaves them, read by the real reader and the
real command.

- Far cells however written — ``r='…'``, ``r = "…"``, a row of 16,384 cells with no
  ``r``, 300,000 rows with no ``r`` — are refused (TOO_LARGE, naming the file, sheet
  and cell) before calamine allocates anything; property tests generate the XML
  variants and compare the scan with what calamine really builds.
- A DTD, a billion-laughs bomb or an undefined entity is a finding naming the file
  (check: one line; consolidate and savings: the others still go through).
- Every reader of someone else's file runs in a memory-capped worker: a reader that
  asks for gigabytes ends its worker, and the file is named.
- Macros and external links are reported (REVIEW_CONTENT).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import resource
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import python_calamine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns_data import AS_OF, LUCY, STEVE, fill_return

from xltools.cycle.consolidate import consolidate
from xltools.errors import WorkbookError
from xltools.findings import flatten
from xltools.workbook.extent import sheet_extent
from xltools.workbook.package import sheet_targets
from xltools.workbook.reader import RETURN_LIMITS, read_book

XLTOOLS = [sys.executable, "-m", "xltools"]
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def rewrite(src: Path, dst: Path, part_of: str, change) -> Path:
    """A copy of ``src`` whose part (a sheet's name, or a zip member) is ``change(xml)``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        part = sheet_targets(zin).get(part_of, part_of)
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                data = change(data.decode()).encode()
            zout.writestr(info, data)
    return dst


def before_end(rows: str):
    return lambda xml: xml.replace("</sheetData>", rows + "</sheetData>")


SINGLE = "<row r='200000'><c r='XFD200000' t='inlineStr'><is><t>x</t></is></c></row>"
SPACED = '<row r = "200000" ><c r = "XFD200000"  t="inlineStr"><is><t>x</t></is></c></row>'
NO_R_CELLS = '<row r="200000">' + "<c><v>1</v></c>" * 16_384 + "</row>"
NO_R_ROWS = "<row/>" * 300_000 + "<row><c><v>1</v></c></row>"
FAR = {  # name → (rows appended to Actions, the cell the refusal must name)
    "single_quotes": (SINGLE, "XFD200000"),
    "spaces_around_equals": (SPACED, "XFD200000"),
    "no_r_row_of_cells": (NO_R_CELLS, "XFD200000"),
    "no_r_rows": (NO_R_ROWS, None),
}


@pytest.fixture
def far_files(cycle, tmp_path) -> dict[str, Path]:
    folder = tmp_path / "far"
    folder.mkdir()
    return {name: rewrite(cycle[1] / STEVE, folder / f"{name}.xlsx", "Actions",
                          before_end(rows))
            for name, (rows, _) in FAR.items()}


@pytest.mark.parametrize("variant", list(FAR))
def test_far_cells_however_written_are_refused_naming_sheet_and_cell(far_files, variant):
    path = far_files[variant]
    assert path.stat().st_size < 200_000  # a small file asking for gigabytes
    with pytest.raises(WorkbookError) as err:
        read_book(path, limits=RETURN_LIMITS)
    assert (err.value.reason, err.value.sheet) == ("TOO_LARGE", "Actions")
    cell = FAR[variant][1]
    if cell:
        assert err.value.cell == cell and cell in str(err.value)
    else:  # counted rows: the cell after the 300,000 empty ones is named
        assert int(err.value.cell[1:]) > 300_000 and err.value.cell in str(err.value)
    assert path.name in str(err.value)


def test_acceptance_far_variants_in_one_consolidation_stay_small(cycle, far_files, tmp_path):
    """The issue's acceptance in real processes: every variant among good returns, one
    `xltools consolidate`: it finishes, names each file, merges the good return, and
    no process (the command or its readers) goes past 500 MB."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    fill_return(cycle[1] / STEVE, {"A-0001": {"Progress update": "Panel met",
                                              "RAG status": "Green"}})
    shutil.copy(cycle[1] / STEVE, inbox / STEVE)
    for path in far_files.values():
        shutil.copy(path, inbox / path.name)
    wrapper = ("import resource, subprocess, sys\n"
               "run = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
               "print(run.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
               "print(run.stdout)\nprint(run.stderr, file=sys.stderr)\n")
    run = subprocess.run([sys.executable, "-c", wrapper, *XLTOOLS, "consolidate",
                          str(cycle[0]), str(inbox), "-o", str(tmp_path / "out.xlsx"),
                          "--as-of", "2019-10-21", "--json"],
                         capture_output=True, text=True, timeout=600)
    code, peak_kb = map(int, run.stdout.split("\n", 1)[0].split())
    assert code == 0, run.stderr
    assert peak_kb < 500_000
    report = json.loads(run.stdout.split("\n", 1)[1])
    refused = {f["file"] for f in report["findings"] if f["code"] == "TOO_LARGE"}
    assert refused == {p.name for p in far_files.values()}
    assert read_book(tmp_path / "out.xlsx").action("A-0001")["progress_update"] == "Panel met"


def test_check_on_a_no_r_far_row_is_one_line(far_files):
    run = subprocess.run(XLTOOLS + ["check", str(far_files["no_r_row_of_cells"])],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "XFD200000" in run.stderr and len(run.stderr.strip().splitlines()) == 1


# -- the scan against calamine, on generated XML ------------------------------------


_QUOTED = {"dq": 'r="{}"', "sq": "r='{}'", "sp": 'r = "{}" ', "tab": "r\t=\t'{}'"}


@st.composite
def sheet_xml(draw) -> str:
    """A small sheet written every way XML allows: references quoted either way, with
    spaces (or tabs) around ``=``, or left out (for rows and for cells), and a cell's
    reference naming another row than its ``<row>``, as only a hand-made file has."""
    body, row = [], 0
    for _ in range(draw(st.integers(1, 12))):
        style = draw(st.sampled_from([*_QUOTED, "none"]))
        if style == "none":
            row, head = row + 1, "<row>"
        else:
            row += draw(st.integers(1, 4))
            head = "<row " + _QUOTED[style].format(row) + ">"
        cells, col = [], 0
        for _ in range(draw(st.integers(0, 8))):
            style = draw(st.sampled_from([*_QUOTED, "none"]))
            if style == "none":
                col, attr = col + 1, ""
            else:
                col += draw(st.integers(1, 5))
                at = draw(st.one_of(st.just(row), st.integers(1, 40)))  # hand-made: any row
                attr = " " + _QUOTED[style].format(f"{_letters(col)}{at}")
            cells.append(f"<c{attr}><v>{col}</v></c>")
        body.append(head + "".join(cells) + "</row>")
    return f'<worksheet xmlns="{NS}"><sheetData>{"".join(body)}</sheetData></worksheet>'


def _letters(col: int) -> str:
    from xltools.workbook.layout import col_letter

    return col_letter(col)


def _one_sheet_book(xml: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", xml)
    return buffer.getvalue()


_CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
    'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    'worksheet+xml"/></Types>')
_RELS = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (f'<workbook xmlns="{NS}" xmlns:r="http://schemas.openxmlformats.org/'
             'officeDocument/2006/relationships"><sheets><sheet name="Actions" sheetId="1" '
             'r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheet_xml())
def test_the_scan_places_every_cell_where_calamine_does(xml):
    """Whatever the quoting, spacing or missing references, the scan's corner is
    calamine's: its grid is never bigger than the scan said."""
    data = _one_sheet_book(xml)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        extent = sheet_extent(zf, "xl/worksheets/sheet1.xml")
    grid = python_calamine.load_workbook(io.BytesIO(data)).get_sheet_by_name(
        "Actions").to_python(skip_empty_area=False)
    assert extent.rows == len(grid)
    assert extent.cols == max(26, max((len(r) for r in grid), default=0))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["dq", "sq", "sp", "none"]), st.integers(200_001, 1_048_576),
       st.integers(1, 16_384), st.booleans())
def test_any_far_reference_however_written_is_seen(style, row, col, prefixed):
    """Far rows and columns written any way (and with a namespace prefix) come out of
    the scan exactly — without calamine ever being asked."""
    ref = f"{_letters(col)}{row}"
    attr = {"dq": f'r="{ref}"', "sq": f"r='{ref}'", "sp": f'r =  "{ref}"',
            "none": ""}[style]
    p = "x:" if prefixed else ""
    row_attr = "" if style == "none" else f" r='{row}'"
    cells = (f"<{p}c><{p}v>1</{p}v></{p}c>" * col) if style == "none" else \
        f"<{p}c {attr}><{p}v>1</{p}v></{p}c>"
    xml = (f'<{p}worksheet xmlns{":x" if prefixed else ""}="{NS}"><{p}sheetData>'
           f"<{p}row{row_attr}>{cells}</{p}row></{p}sheetData></{p}worksheet>")
    if style == "none":  # no r anywhere: the row is the first, the cells count along it
        row = 1
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("s.xml", xml)
    with zipfile.ZipFile(buffer) as zf:
        extent = sheet_extent(zf, "s.xml")
    assert extent.rows == row and extent.cols == max(col, 26)


# -- the package's own parts: every sheet calamine finds is measured ------------------

FAR_SHEET = (f'<worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>ID'
             '</t></is></c></row><row r="200000"><c r="XFD200000"><v>1</v></c></row>'
             "</sheetData></worksheet>")
_REL = ('<Relationship Id="{id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="{target}"/>')


def package(path: Path, workbook: str, rels: list[tuple[str, str]],
            members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships">' + "".join(_REL.format(id=i, target=t) for i, t in rels)
            + "</Relationships>"))
        for name, xml in members.items():
            zf.writestr(name, xml)
    return path


_SINGLE = _WORKBOOK.replace('"', "'")
_PREFIX = _WORKBOOK.replace("xmlns:r=", "xmlns:q=").replace("r:id=", "q:id=")
PACKAGES = {  # how a hand-made package names the far sheet: calamine finds it each way
    "single_quotes": (_SINGLE, [("rId1", "worksheets/sheet1.xml")],
                      {"xl/worksheets/sheet1.xml": FAR_SHEET}),
    "member_case": (_WORKBOOK, [("rId1", "worksheets/sheet1.xml")],
                    {"xl/worksheets/SHEET1.xml": FAR_SHEET}),
    "other_prefix": (_PREFIX, [("rId1", "worksheets/sheet1.xml")],
                     {"xl/worksheets/sheet1.xml": FAR_SHEET}),
    "absolute": (_WORKBOOK, [("rId1", "/xl/worksheets/sheet1.xml")],
                 {"xl/worksheets/sheet1.xml": FAR_SHEET}),
}


@pytest.mark.parametrize("variant", list(PACKAGES))
def test_a_far_sheet_is_found_however_the_package_names_it(tmp_path, plan, variant):
    """Read in a capped worker: were the sheet missed, calamine's 100 GB would end the
    worker (CRASHED) instead of this refusal."""
    from xltools.workbook.sandbox import run_capped

    path = package(tmp_path / f"{variant}.xlsx", *PACKAGES[variant])
    with pytest.raises(WorkbookError) as err:
        run_capped(path, read_book, path, plan=plan)
    assert (err.value.reason, err.value.sheet, err.value.cell) == (
        "TOO_LARGE", "Actions", "XFD200000")


def test_a_sheet_named_twice_is_refused(tmp_path, plan):
    twice = _WORKBOOK.replace('</sheets>', '<sheet name="actions" sheetId="2" r:id="rId2"/>'
                                           "</sheets>")
    path = package(tmp_path / "twice.xlsx", twice,
                   [("rId1", "worksheets/sheet1.xml"), ("rId2", "worksheets/sheet2.xml")],
                   {"xl/worksheets/sheet1.xml": _sheet_of(["ID"]),
                    "xl/worksheets/sheet2.xml": FAR_SHEET})
    with pytest.raises(WorkbookError) as err:
        read_book(path, plan=plan)
    assert err.value.reason == "BAD_XML" and "twice" in str(err.value)


@pytest.mark.parametrize("twin", ["xl/worksheets/sheet1.xml", "XL/Worksheets/Sheet1.XML"])
def test_a_part_stored_twice_is_refused(tmp_path, plan, twin):
    """A zip may hold two members of one name (or names differing in case, which
    calamine matches alike): the measured copy might not be the one read."""
    path = package(tmp_path / "twin.xlsx", _WORKBOOK, [("rId1", "worksheets/sheet1.xml")],
                   {"xl/worksheets/sheet1.xml": _sheet_of(["ID"])})
    with zipfile.ZipFile(path, "a") as zf, pytest.warns(UserWarning) if twin == \
            "xl/worksheets/sheet1.xml" else contextlib.nullcontext():
        zf.writestr(twin, FAR_SHEET)
    with pytest.raises(WorkbookError) as err:
        read_book(path, plan=plan)
    assert err.value.reason == "BAD_XML" and "two parts" in str(err.value)


def _sheet_of(values: list[str]) -> str:
    cells = "".join(f'<c r="{_letters(i + 1)}1" t="inlineStr"><is><t>{v}</t></is></c>'
                    for i, v in enumerate(values))
    return f'<worksheet xmlns="{NS}"><sheetData><row r="1">{cells}</row></sheetData></worksheet>'


# -- a bounded fuzz of the reader ---------------------------------------------------

_TOKENS = st.sampled_from([
    "<", ">", "/", "=", '"', "'", " ", "&", ";", "&amp;", "&foo;", "<!DOCTYPE x>",
    "<c>", "</c>", "<row>", "</row>", "<row/>", '<c r="ZZ9">', "<v>1</v>", "<f>A1</f>",
    'r="XFD1048576"', "r='A1'", "<![CDATA[x]]>", "<!-- c -->", "\x00", "é", "<?pi x?>"])


@pytest.fixture(scope="module")
def fuzz_base(tmp_path_factory):
    from conftest import SAMPLE_PLAN
    from returns_data import write_master

    from xltools.cycle.returns import issue_returns
    from xltools.plan import Plan

    root = tmp_path_factory.mktemp("fuzz")
    master = write_master(Plan.load(SAMPLE_PLAN), root / "master.xlsx")
    issue_returns(master, root / "returns")
    return root / "returns" / STEVE


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.integers(0, 40), st.lists(_TOKENS, max_size=6),
       st.sampled_from(["Actions", "Settings", "Savings"]))
def test_fuzz_the_reader_answers_a_book_or_a_workbook_error(fuzz_base, tmp_path, at, cut,
                                                             tokens, sheet):
    """Cut and splice XML fragments into a real return's sheet at any point: the reader
    gives a Book or a WorkbookError — never another exception, never a crash (the
    worker-free path, so a crash here would end the test run). ~80 files, seconds."""
    def mangle(xml: str) -> str:
        i = at % (len(xml) + 1)
        return xml[:i] + "".join(tokens) + xml[i + cut:]

    path = rewrite(fuzz_base, tmp_path / "fuzzed.xlsx", sheet, mangle)
    try:
        book = read_book(path, limits=RETURN_LIMITS)
    except WorkbookError as exc:
        assert exc.reason and path.name in str(exc)
    else:
        assert book.actions is not None


# -- XML no spreadsheet program writes -----------------------------------------------

LAUGHS = ('<!DOCTYPE worksheet [<!ENTITY a "lollollollollollollollollollol">'
          + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'
                    for i in range(9)) + "]>")


def with_dtd(xml: str) -> str:
    return LAUGHS + xml.replace("</sheetData>", '<row r="900"><c r="B900" t="inlineStr">'
                                "<is><t>&j;</t></is></c></row></sheetData>")


UNDEFINED = before_end('<row r="900"><c r="B900" t="inlineStr"><is><t>&nope;</t></is></c>'
                       "</row>")


@pytest.mark.parametrize("change", [with_dtd, UNDEFINED], ids=["billion_laughs", "undefined"])
def test_check_on_bad_xml_is_one_clear_line(cycle, tmp_path, change):
    bad = rewrite(cycle[1] / STEVE, tmp_path / STEVE, "Actions", change)
    run = subprocess.run(XLTOOLS + ["check", str(bad)], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2, run.stdout
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert STEVE in run.stderr and "Actions" in run.stderr and "Excel" in run.stderr


def test_check_reports_bad_xml_in_savings_as_a_finding(cycle, tmp_path):
    """Only the Savings sheet is bad: the return is still checked, the sheet named."""
    bad = rewrite(cycle[1] / STEVE, tmp_path / STEVE, "Savings", with_dtd)
    run = subprocess.run(XLTOOLS + ["check", str(bad), "--json"], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode in (0, 1) and "Traceback" not in run.stderr
    found = [f for f in json.loads(run.stdout)["findings"] if f["code"] == "UNREADABLE"]
    assert [(f["file"], f["sheet"], f["got"]) for f in found] == [(STEVE, "Savings", "BAD_XML")]


def test_a_dtd_in_the_shared_strings_is_refused(tmp_path, plan):
    import xlsxwriter

    path = tmp_path / "typed.xlsx"
    wb = xlsxwriter.Workbook(path)
    wb.add_worksheet("Actions").write_row(0, 0, ["ID", "Progress update"])
    wb.close()
    bad = rewrite(path, tmp_path / "bad.xlsx", "xl/sharedStrings.xml",
                  lambda xml: LAUGHS + re.sub(r"^<\?xml[^>]*\?>", "", xml))
    with pytest.raises(WorkbookError) as err:
        read_book(bad, plan=plan)
    assert err.value.reason == "BAD_XML" and "sharedStrings" in str(err.value)


def test_consolidate_reports_bad_xml_and_merges_the_rest(cycle, tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    fill_return(cycle[1] / STEVE, {"A-0001": {"Progress update": "Panel met"}})
    shutil.copy(cycle[1] / STEVE, inbox / STEVE)
    rewrite(cycle[1] / LUCY, inbox / LUCY, "Actions", with_dtd)
    report = consolidate(cycle[0], inbox, tmp_path / "out.xlsx", as_of=AS_OF)
    bad = [f for f in report.files if f.name == LUCY][0]
    assert bad.reason == "BAD_XML" and "DTD" in bad.error
    assert (LUCY, None, "UNREADABLE") in flatten(report.findings)
    assert report.merge.updated == ["A-0001"]


def test_savings_with_a_dtd_names_the_file_and_reconciles_the_others(tmp_path):
    import savings_programme as sp
    from conftest import SAMPLE_PLAN

    from xltools.plan import Plan

    baseline, returns = sp.write_programme(Plan.load(SAMPLE_PLAN), tmp_path / "prog")
    hostile = rewrite(returns[0], tmp_path / "hostile.xlsx", "Savings", with_dtd)
    undefined = rewrite(returns[0], tmp_path / "entity.xlsx", "Savings", UNDEFINED)
    run = subprocess.run(XLTOOLS + ["savings", str(baseline), *map(str, returns[1:]),
                                    str(hostile), str(undefined), "--json"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    result = json.loads(run.stdout)
    assert result["complete"] is False
    unread = {f["file"] for f in result["flags"] if f["code"] == "UNREADABLE"}
    assert {"hostile.xlsx", "entity.xlsx"} <= unread


# -- the memory-capped reader --------------------------------------------------------


def hog(path, *args, **kwargs):
    """A reader that asks for far more memory than any workbook needs."""
    if Path(path).name.startswith("hog"):
        return bytearray(8 * 1024**3)
    from xltools.workbook.reader import read_book as real

    return real(path, *args, **kwargs)


def test_a_reader_that_asks_for_gigabytes_loses_only_its_file(cycle, tmp_path, monkeypatch):
    from xltools.cycle import intake

    monkeypatch.setattr(intake, "read_book", hog)  # forked workers inherit it
    fill_return(cycle[1] / STEVE, {"A-0001": {"Progress update": "Panel met"}})
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(cycle[1] / STEVE, inbox / STEVE)
    shutil.copy(cycle[1] / LUCY, inbox / "hog.xlsx")
    report = consolidate(cycle[0], inbox, tmp_path / "out.xlsx", as_of=AS_OF, workers=1)
    hogged = [f for f in report.files if f.name == "hog.xlsx"][0]
    assert hogged.reason == "CRASHED" and "hog.xlsx" in hogged.error
    assert report.merge.updated == ["A-0001"]
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 2_000_000  # not the caller


def test_check_and_savings_read_in_a_capped_worker(cycle, tmp_path, monkeypatch):
    from xltools.cycle import check
    from xltools.savings import reconcile

    monkeypatch.setattr(check, "read_book", hog)
    monkeypatch.setattr(reconcile, "read_book", hog)
    shutil.copy(cycle[1] / STEVE, tmp_path / "hog.xlsx")
    with pytest.raises(WorkbookError) as err:
        check.check_workbook(tmp_path / "hog.xlsx")
    assert err.value.reason == "CRASHED" and "hog.xlsx" in str(err.value)
    base = read_book(cycle[0])
    rec = reconcile.reconcile_returns(base, [tmp_path / "hog.xlsx", cycle[1] / STEVE])
    assert rec.unread == ["hog.xlsx"]


def test_the_worker_cap_is_set_and_a_bad_setting_is_one_line(monkeypatch):
    from xltools.errors import UsageError
    from xltools.workbook.sandbox import run_capped

    soft, _ = run_capped("x.xlsx", resource.getrlimit, resource.RLIMIT_AS)
    assert soft != resource.RLIM_INFINITY
    monkeypatch.setenv("XLTOOLS_READER_MB", "nan")
    with pytest.raises(UsageError, match="XLTOOLS_READER_MB"):
        run_capped("x.xlsx", resource.getrlimit, resource.RLIMIT_AS)


# -- macros and external links ---------------------------------------------------------


def with_parts(src: Path, dst: Path, parts: dict[str, bytes]) -> Path:
    shutil.copy(src, dst)
    with zipfile.ZipFile(dst, "a") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return dst


def test_macros_and_external_links_are_reported_for_review(cycle, tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    fill_return(cycle[1] / STEVE, {"A-0001": {"Progress update": "Panel met"}})
    with_parts(cycle[1] / STEVE, inbox / STEVE, {"xl/vbaProject.bin": b"\xd0\xcf" * 64})
    with_parts(cycle[1] / LUCY, inbox / LUCY, {
        "xl/externalLinks/externalLink1.xml": f'<externalLink xmlns="{NS}"/>'.encode()})
    report = consolidate(cycle[0], inbox, tmp_path / "out.xlsx", as_of=AS_OF)
    review = {f.file: f.message for f in report.findings if f.code == "REVIEW_CONTENT"}
    assert "macros" in review[STEVE] and "links to other workbooks" in review[LUCY]
    assert report.merge.updated == ["A-0001"]  # still read and merged
    run = subprocess.run(XLTOOLS + ["check", str(inbox / STEVE), "--json"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode in (0, 1) and '"REVIEW_CONTENT"' in run.stdout


# -- the server: uploads over real HTTP ------------------------------------------------


def test_server_refuses_every_far_and_bad_xml_upload_and_stays_small(cycle, far_files,
                                                                      tmp_path):
    """The acceptance over HTTP: each hostile upload is refused naming the file (and the
    cell), a good return is accepted after them, and the server stays under 500 MB."""
    import httpx
    from live_server import stop
    from test_server_files import open_workbook_sheets
    from test_server_security import bearer, make_token, start

    master = {"master": open_workbook_sheets(cycle[0])}  # the master open in Excel
    root = tmp_path / "srv"
    (root / "returns").mkdir(parents=True)
    token = make_token(root / "tokens.json", "Pat PMO", "pmo")
    base, proc = start(root, "--tokens", str(root / "tokens.json"))
    try:
        hostile = {p.name: p.read_bytes() for p in far_files.values()}
        hostile["laughs.xlsx"] = rewrite(cycle[1] / STEVE, tmp_path / "laughs.xlsx", "Actions",
                                         with_dtd).read_bytes()
        for name, data in hostile.items():
            response = httpx.post(base + "/xltools/upload", headers=bearer(token), timeout=120,
                                  files=[("files", (name, data, "application/octet-stream"))],
                                  data=master)
            assert response.status_code == 200, response.text
            (result,) = response.json()["files"]
            assert not result["accepted"] and result["file"] == name
            said = {"laughs": "DTD", "no_r_rows": "row 300,"}.get(name[:-5])
            assert (said or FAR[name[:-5]][1]) in result["reason"]
        good = httpx.post(base + "/xltools/upload", headers=bearer(token), timeout=120,
                          files=[("files", (STEVE, (cycle[1] / STEVE).read_bytes(),
                                            "application/octet-stream"))], data=master)
        assert good.json()["files"][0]["accepted"]
        assert sorted(p.name for p in (root / "returns").iterdir()) == [STEVE]
        macro = with_parts(cycle[1] / STEVE, tmp_path / "macro.xlsx",
                           {"xl/vbaProject.bin": b"\xd0\xcf" * 64})
        said = httpx.post(base + "/xltools/upload", headers=bearer(token), timeout=120,
                          files=[("files", ("macro.xlsx", macro.read_bytes(),
                                            "application/octet-stream"))],
                          data=master).json()["files"][0]
        assert said["accepted"] and "macros" in said["reason"]  # kept, but said
        status = Path(f"/proc/{proc.pid}/status").read_text()
        peak_kb = int(re.search(r"VmHWM:\s+(\d+)", status)[1])
        assert peak_kb < 500_000
    finally:
        stop(proc)


def test_files_read_whole_are_measured_too(tmp_path):
    """A legacy tracker being imported and finance's published summary are read sheet by
    sheet: a stray far cell on any sheet is refused by name, before calamine."""
    import xlsxwriter

    from xltools.legacy.source import read_xlsx
    from xltools.savings.published import read_published

    path = tmp_path / "tracker.xlsx"
    wb = xlsxwriter.Workbook(path)
    wb.add_worksheet("Tracker").write_row(0, 0, ["Ref", "Action", "Lead officer"])
    wb.add_worksheet("Notes").write(999_999, 16_383, "stray")  # XFD1000000: 500 GB
    wb.close()
    for read in (read_xlsx, read_published):
        with pytest.raises(WorkbookError) as err:
            read(path)
        assert (err.value.reason, err.value.sheet, err.value.cell) == (
            "TOO_LARGE", "Notes", "XFD1000000")
