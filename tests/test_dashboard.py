"""The Dashboard sheet and the one-page highlight report, rendered by LibreOffice.

Figures in the section table are COUNTIFS formulas over the Actions sheet: the
PDF shows them only if LibreOffice calculated them on load, so the numbers in
the PDF text prove the formulas work (and a second render after changing a RAG
proves they are live). Chart parts are checked in the xlsx; the rendered page
is checked for pixels in the RAG colours.
"""

from __future__ import annotations

import re
import subprocess
import zipfile

import pytest
from openpyxl import load_workbook
from pmo_master import AS_OF, S1, S2, S3, master_book

from xltools.reporting.dashboard import dashboard_sheet
from xltools.reporting.flags import apply_flags, flag_book
from xltools.reporting.highlight import only_sheet_visible, render_pdf, sheet_names
from xltools.reporting.kpis import apply_kpis, assess_kpis
from xltools.workbook.reader import read_book
from xltools.workbook.writer import write_book


@pytest.fixture
def dashboard_xlsx(plan, tmp_path):
    """The master with flags and KPIs applied, written with the Dashboard."""
    book = read_book(write_book(master_book(plan), tmp_path / "master.xlsx"))
    apply_flags(book, flag_book(book, as_of=AS_OF))
    apply_kpis(book, assess_kpis(book))
    return write_book(book, tmp_path / "dashboard.xlsx",
                      extra_sheets=[dashboard_sheet(as_of=AS_OF)])


def _part(path, name: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name).decode("utf-8")


def test_dashboard_sheet_sits_after_guidance_and_master_data_survives(dashboard_xlsx):
    assert sheet_names(dashboard_xlsx)[:3] == ["Guidance", "Dashboard", "Actions"]
    book = read_book(dashboard_xlsx)
    assert len(book.actions) == 12 and len(book.kpis) == 4


def test_charts_are_native_stacked_bar_and_doughnut_in_rag_colours(dashboard_xlsx):
    bar = _part(dashboard_xlsx, "xl/charts/chart1.xml")
    # openpyxl writes '<x />' with the standard library's XML and '<x/>' with lxml
    assert "<barChart>" in bar and re.search(r'<grouping val="stacked"\s*/>', bar)
    colours = re.findall(r'<ser>.*?<a:srgbClr val="([0-9A-F]{6})"', bar)
    assert colours == ["5B9BD5", "70AD47", "FFC000", "FF0000", "BFBFBF", "E7E6E6"]
    doughnut = _part(dashboard_xlsx, "xl/charts/chart2.xml")
    assert "<doughnutChart>" in doughnut
    assert doughnut.count("<dPt>") == 6


def test_section_table_is_countifs_over_actions(dashboard_xlsx):
    ws = load_workbook(dashboard_xlsx)["Dashboard"]
    header = next(r for r in range(1, 20) if ws.cell(r, 1).value == "Section")
    assert [ws.cell(header, c).value for c in range(1, 10)] == [
        "Section", "Complete", "Green", "Amber", "Red", "Not started", "No status given", "Total",
        "% complete"]
    assert ws.cell(header + 1, 1).value == S1
    assert ws.cell(header + 1, 3).value == (
        f'=COUNTIFS(Actions!$C$2:$C$5000,$A{header + 1},Actions!$M$2:$M$5000,"Green")'
        )
    assert ws.cell(header + 4, 1).value == "All actions"


def test_text_from_returns_is_never_a_formula_on_the_dashboard(plan, tmp_path):
    """An officer's action text or name that starts with '=' stays text (DESIGN.md §7)."""
    book = master_book(plan)
    book.action("A-0006")["action"] = '=HYPERLINK("http://evil.example","Click")'
    path = write_book(book, tmp_path / "m.xlsx", extra_sheets=[dashboard_sheet(as_of=AS_OF)])
    ws = load_workbook(path)["Dashboard"]
    cells = [c for row in ws.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
    assert len(cells) == 1 and cells[0].data_type == "s"  # listed under Red actions, as text


def test_prints_one_landscape_a4_page_wide_in_pages_of_whole_tables(dashboard_xlsx):
    sheet = _part(dashboard_xlsx, "xl/worksheets/sheet2.xml")
    assert 'orientation="landscape"' in sheet and 'paperSize="9"' in sheet
    # one page wide, as many tall as it needs (one page tall shrank it to 5 pt)
    assert 'fitToHeight="0"' in sheet and 'fitToWidth="1"' in sheet
    assert sheet.count('man="1"') == 2  # figures | chasing and KPIs | the actions listed
    assert re.search(r'_xlnm.Print_Area" localSheetId="1">\'?Dashboard\'?!\$A\$1:',
                     _part(dashboard_xlsx, "xl/workbook.xml"))


def test_only_sheet_visible_hides_the_rest():
    xml = ('<sheets><sheet name="Guidance" sheetId="1" state="visible" r:id="rId1"/>'
           '<sheet name="Dashboard" sheetId="2" r:id="rId2"/>'
           '<sheet name="Settings" sheetId="3" state="hidden" r:id="rId3"/></sheets>'
           '<workbookView activeTab="0" firstSheet="0"/>')
    out = only_sheet_visible(xml)
    assert re.findall(r'state="(\w+)" name="(\w+)"', out) == [
        ("hidden", "Guidance"), ("visible", "Dashboard"), ("hidden", "Settings")]
    assert 'activeTab="1"' in out and 'firstSheet="1"' in out


def _text(pdf) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                         capture_output=True, text=True).stdout
    return [" ".join(line.split()) for line in out.splitlines()]


def _pages(pdf) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True,
                          text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def _colour_pixels(pdf, tmp_path) -> dict[str, int]:
    """Pixels within a small distance of each RAG colour on the rendered page."""
    subprocess.run(["pdftoppm", "-r", "50", "-singlefile", str(pdf), str(tmp_path / "page")],
                   check=True)
    data = (tmp_path / "page.ppm").read_bytes()
    magic, width, height, maxval, pixels = data.split(maxsplit=4)
    assert magic == b"P6" and maxval == b"255"
    targets = {"Green": (0x70, 0xAD, 0x47), "Amber": (0xFF, 0xC0, 0x00),
               "Red": (0xFF, 0x00, 0x00), "Complete": (0x5B, 0x9B, 0xD5)}
    counts = dict.fromkeys(targets, 0)
    for i in range(0, len(pixels) - 2, 3):
        px = pixels[i], pixels[i + 1], pixels[i + 2]
        for name, rgb in targets.items():
            if sum(abs(a - b) for a, b in zip(px, rgb, strict=True)) < 30:
                counts[name] += 1
    return counts


def test_highlight_report_pdf_shows_figures_and_charts(soffice, dashboard_xlsx, tmp_path):
    pdf = render_pdf(dashboard_xlsx, tmp_path / "highlight.pdf")
    assert 2 <= _pages(pdf) <= 4
    lines = _text(pdf)
    # section rows: Complete Green Amber Red Not-started No-status Total %complete
    assert f"{S1} 0 2 2 0 0 0 4 0%" in lines
    assert f"{S2} 1 0 1 1 0 1 4 25%" in lines
    assert any(line.startswith("All actions 1 4 3 2 1 1 12 8%") for line in lines)
    text = "\n".join(lines)
    assert S3 in text and "RAG status by section" in text
    assert "Red actions (2)" in text
    assert "Amber actions (3)" in text
    assert re.search(r"No progress update 2\b", text)   # live COUNTIF of the Flags column
    assert re.search(r"Timeframe gives no due date 3\b", text)
    assert f"Page 1 of {_pages(pdf)}" in text and "OFFICIAL" in text  # footer, marking
    assert "formula" not in text and "RAG movement" not in text  # committee words only
    colours = _colour_pixels(pdf, tmp_path)
    assert all(n > 50 for n in colours.values()), colours  # charts and tiles are coloured


def test_figures_are_live_when_a_rag_is_changed_in_the_workbook(soffice, dashboard_xlsx,
                                                                tmp_path):
    """Edit A-0001 from Green to Red the way a PMO would in Excel (openpyxl load/save)
    and re-render: section 1 now shows one Green and one Red."""
    wb = load_workbook(dashboard_xlsx)
    assert wb["Actions"]["A2"].value == "A-0001"
    wb["Actions"]["M2"].value = "Red"
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    lines = _text(render_pdf(edited, tmp_path / "edited.pdf"))
    assert f"{S1} 0 1 2 1 0 0 4 0%" in lines


def test_first_quarter_says_no_previous_quarter_not_nought_over_nought(plan, tmp_path):
    book = master_book(plan)
    for row in book.actions:
        row["previous_rag"] = None
    out = write_book(book, tmp_path / "first.xlsx", extra_sheets=[dashboard_sheet()])
    ws = load_workbook(out)["Dashboard"]
    values = [c.value for row in ws.iter_rows(min_row=4, max_row=5) for c in row]
    assert "No previous quarter" in values and "0 / 0" not in values
