"""The Reconciliation workbook: formulas finance can follow, recalculated by LibreOffice."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest
import python_calamine
import savings_programme as sp
from conftest import SAMPLE_PLAN, convert
from openpyxl import load_workbook

from xltools.findings import flatten
from xltools.plan import Plan
from xltools.savings.reconcile import reconcile_files
from xltools.savings.reconciliation_sheet import RECONCILIATION, write_reconciliation_workbook
from xltools.workbook.reader import read_book

LABELS = {  # row label in the sheet → summary key in the JSON
    "Re-profiles": "re_profiles", "Write-offs": "write_offs", "Mitigations": "mitigations",
    "Change requests": "change_requests", "Extensions": "extensions",
    "New savings (not in baseline)": "new", "Total": "total",
}
PROGRAMME = {"Expected (baseline)": "expected", "Revised": "revised",
             "Change (Revised − Expected)": "total"}
CSV_SHEET_2 = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2"


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reconcile")
    baseline, returns = sp.write_programme(Plan.load(SAMPLE_PLAN), folder / "in")
    rec = reconcile_files(baseline, returns)
    out = write_reconciliation_workbook(rec, folder / "reconciliation.xlsx")
    return rec, out, baseline, returns


def table(grid: list[list], title: str, size: int) -> tuple[list[str], dict[str, list]]:
    """The table under ``title`` in column B: its year headers and rows by label."""
    start = next(i for i, r in enumerate(grid) if len(r) > 1 and r[1] == title)
    header = [h for h in grid[start + 1][2:] if h not in ("", None)]
    rows = {r[1]: list(r[2:2 + len(header)]) for r in grid[start + 2:start + 2 + size]}
    return header, rows


def export_sheet_csv(soffice: str, path: Path, outdir: Path) -> Path:
    """The Reconciliation sheet (sheet 2) as CSV, recalculated by LibreOffice on load.

    With a sheet number LibreOffice names the file STEM-SHEET.csv, which
    ``conftest.convert`` does not expect, so this runs the same command itself.
    """
    cmd = [soffice, f"-env:UserInstallation=file://{outdir / 'lo-profile'}", "--headless",
           "--convert-to", CSV_SHEET_2, "--outdir", str(outdir), str(path)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    out = outdir / f"{path.stem}-{RECONCILIATION}.csv"
    assert out.exists(), f"LibreOffice did not write {out}"
    return out


def as_number(value) -> float:
    return float(value) if value not in ("", None) else 0.0


def test_sheet_sits_after_guidance_and_every_total_is_a_formula(made):
    rec, out, *_ = made
    wb = load_workbook(out)
    assert wb.sheetnames[:2] == ["Guidance", RECONCILIATION]
    grid = [list(r) for r in wb[RECONCILIATION].iter_rows(values_only=True)]
    header, rows = table(grid, "Summary of changes by year (£000)", 7)
    assert header == ["2018/19 †", "2019/20", "2020/21", "2021/22", "2022/23", "Total"]
    assert rows["Write-offs"][1].startswith("=SUMIFS($E$")
    assert '"2019/20"' in rows["Write-offs"][1] and '"Write-off"' in rows["Write-offs"][1]
    assert rows["Change requests"][0].startswith("=SUM(C")
    assert rows["Total"][-1].startswith("=SUM(C")
    year_rows = [r for r in grid if r[0] == "CF-01" and r[1] == "2019/20"]
    assert len(year_rows) == 1
    row = grid.index(year_rows[0]) + 1
    assert year_rows[0][2:5] == [100, 180, f"=D{row}-C{row}"]
    total = next(r for r in grid if r[0] == "CF-01" and r[1] == "Total")
    assert total[2] == f"=SUM(C{row}:C{grid.index(total)})"  # its years (and reasons)
    assert grid[row][1].startswith("Reason given: Bring forward 80")  # beside the change


def test_money_shows_as_whole_thousands_with_separators(made):
    """£000 as committee papers print them: 1,250 and (120), never 250.0."""
    _, out, *_ = made
    ws = load_workbook(out)[RECONCILIATION]
    formats = {c.number_format for r in ws.iter_rows() for c in r
               if isinstance(c.value, (int, float)) or str(c.value or "").startswith("=")}
    assert formats == {'#,##0_);(#,##0);"–"_)'}


def test_libreoffice_recalculates_every_total_to_the_json(made, soffice, tmp_path):
    rec, out, *_ = made
    recalculated = convert(soffice, out, "xlsx", tmp_path)
    with python_calamine.CalamineWorkbook.from_path(str(recalculated)) as wb:
        grid = wb.get_sheet_by_name(RECONCILIATION).to_python()
    summary = rec.summary
    years = list(sp.SUMMARY_YEARS)
    header, rows = table(grid, "Summary of changes by year (£000)", 7)
    assert header == ["2018/19 †", *years[1:], "Total"]
    for label, key in LABELS.items():
        json_row = [summary["by_year"][y][key] for y in years] + [summary["grand_total"][key]]
        assert [as_number(v) for v in rows[label]] == json_row, label
        assert json_row == list(sp.SUMMARY[key]), label  # and the JSON is the hand table
    _, programme = table(grid, "Programme by year (£000)", 4)
    for label, key in PROGRAMME.items():
        json_row = [summary["by_year"][y][key] for y in years] + [summary["grand_total"][key]]
        assert [as_number(v) for v in programme[label]] == json_row, label
    assert [as_number(v) for v in programme["Difference from summary total (should be 0)"]] \
        == [0.0] * 6
    totals = {r[0]: [as_number(v) for v in r[2:5]] for r in grid if r[1] == "Total" and r[0]}
    for p in rec.projects:
        assert totals[p.ref] == [p.total("expected"), p.total("revised"), p.total("change")]
    with python_calamine.CalamineWorkbook.from_path(str(recalculated)) as wb:
        savings = wb.get_sheet_by_name("Savings").to_python()
    change = {(r[0], r[4]): r[7] for r in savings[1:]}
    assert change[("CF-07", "2020/21")] == "not a number"  # 'tbc' is never a figure
    assert change[("CF-01", "2019/20")] == 80 and change[("CF-01", "2020/21")] == ""


def test_an_unreadable_return_marks_the_sheet_incomplete(made, tmp_path):
    _, _, baseline, returns = made
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"not a workbook")
    rec = reconcile_files(baseline, [*returns, bad])
    out = write_reconciliation_workbook(rec, tmp_path / "rec.xlsx")
    grid = [r for r in load_workbook(out)[RECONCILIATION].iter_rows(values_only=True)]
    assert grid[0][0].endswith("— INCOMPLETE")
    assert grid[1][0].startswith("INCOMPLETE: 1 return could not be read (broken.xlsx)")


def test_csv_of_the_sheet_shows_the_same_grand_total(made, soffice, tmp_path):
    rec, out, *_ = made
    exported = export_sheet_csv(soffice, out, tmp_path)
    with exported.open(encoding="utf-8") as fh:
        grid = list(csv.reader(fh))
    _, rows = table(grid, "Summary of changes by year (£000)", 7)
    assert float(rows["Total"][-1]) == rec.summary["grand_total"]["total"] == -95


def test_output_is_the_baseline_with_revisions_merged(made):
    rec, out, *_ = made
    book = read_book(out)
    rows = {(r["project_ref"], r["year"]): r for r in book.savings}
    assert rows[("CF-01", "2019/20")]["revised"] == 180
    assert rows[("CF-01", "2019/20")]["change_type"] == "Re-profile"
    assert rows[("CF-07", "2019/20")]["expected"] == 60  # "2019-20" in the return
    assert rows[("CF-07", "2020/21")]["revised"] == "tbc"  # kept as typed, flagged
    assert rows[("CF-09", "2020/21")]["revised"] == 30  # the new project joins the master
    assert [r["revised"] for r in book.savings if (r["project_ref"], r["year"]) ==
            ("CF-05", "2020/21")] == [80, 90]  # duplicate kept after the counted row
    assert not any(r["year"] == "Total" for r in book.savings)
    # baseline rows + CF-04 21/22, CF-06 22/23, CF-09 + the duplicate CF-05 20/21
    assert len(book.savings) == 20 + 3 + 1


def test_reconciling_the_output_again_gives_the_same_summary(made):
    rec, out, *_ = made
    again = reconcile_files(out, [])
    assert again.summary == rec.summary
    assert {p.ref: p.classification for p in again.projects} == {
        p.ref: p.classification for p in rec.projects}


def test_return_saved_by_libreoffice_reconciles_the_same(made, soffice, tmp_path):
    """A return with cached formula values (as Excel or LibreOffice save it)."""
    rec, _, baseline, (return_a, return_b) = made
    saved = convert(soffice, return_a, "xlsx", tmp_path)
    copy_b = shutil.copy(return_b, tmp_path / return_b.name)
    again = reconcile_files(baseline, [saved, copy_b])
    assert again.summary == rec.summary
    assert sorted(flatten(again.findings)) == sorted(sp.EXPECTED_FLAGS)


def test_money_in_whole_thousands_shows_no_decimal(made):
    """£000 figures as a committee reads them: 250, not 250.0."""
    rec, out, _, _ = made
    ws = load_workbook(out)[RECONCILIATION]
    formats = {c.number_format for row in ws.iter_rows() for c in row
               if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)}
    whole = all(float(y.expected).is_integer() and float(y.revised).is_integer()
                for p in rec.projects for y in p.years)
    assert whole  # the sample programme is in whole £000
    assert formats == {'#,##0_);(#,##0);"–"_)'}
    assert load_workbook(out).active.title == RECONCILIATION  # opens on what finance reads


def test_printed_reconciliation_reads_at_8pt_and_no_table_splits_from_its_header(
        made, soffice, tmp_path):
    import zipfile

    import pdfplumber

    from xltools.reporting.highlight import only_sheet_visible

    rec, out, _, _ = made
    alone = tmp_path / "reconciliation only.xlsx"
    with zipfile.ZipFile(out) as zin, zipfile.ZipFile(alone, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = only_sheet_visible(data.decode(), RECONCILIATION).encode()
            zout.writestr(item, data)
    pdf = convert(soffice, alone, "pdf", tmp_path)
    with pdfplumber.open(pdf) as doc:
        pages = [((p.extract_text() or "").splitlines(), [c["size"] for c in p.chars])
                 for p in doc.pages]
    assert len(pages) >= 2
    headings = {f"{p.ref} {p.project}" for p in rec.projects}
    for number, (lines, sizes) in enumerate(pages, start=1):
        assert min(sizes) >= 8.0
        assert f"Page {number} of {len(pages)}" in lines[-1]
        last = lines[-2]  # the last line above the footer
        assert "Expected Revised Change" not in last  # a table header alone at the foot
        assert not any(last.startswith(h) for h in headings)  # or a project's heading
