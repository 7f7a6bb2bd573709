"""The canonical template: structure, validation, formatting — read back by
openpyxl and by a real client (LibreOffice headless)."""

import csv
import os
import subprocess

import pytest
from conftest import ROOT, convert
from openpyxl import load_workbook
from workbook_parts import parts

from xltools.workbook.layout import ACTIONS_LAYOUT, KPIS_LAYOUT, SAVINGS_LAYOUT, TRACKER
from xltools.workbook.reader import read_book
from xltools.workbook.template import write_template

GOLDEN = ROOT / "workbook_templates" / "xltools_template.xlsx"
CONTRACT_SHEETS = ["Guidance", "Actions", "Savings", "KPIs", "Lists"]


@pytest.fixture
def template(tmp_path, plan):
    return write_template(plan, tmp_path / "template.xlsx")


def _validations(ws):
    """column letter -> (type, formula1, errorStyle) for every validation on the sheet."""
    found = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            found[rng.coord.split(":")[0].rstrip("0123456789")] = (dv.type, dv.formula1,
                                                                    dv.errorStyle, str(rng))
    return found


def test_sheets_and_tables(template):
    wb = load_workbook(template)
    assert [s for s in wb.sheetnames if s in CONTRACT_SHEETS] == CONTRACT_SHEETS
    assert wb["Settings"].sheet_state == "hidden"
    # a tracker's template: no programme-only column (Start, Revised end)
    for layout in (ACTIONS_LAYOUT.for_shape(TRACKER), SAVINGS_LAYOUT, KPIS_LAYOUT):
        ws = wb[layout.name]
        assert [c.value for c in ws[1]] == layout.headers
        assert layout.table in ws.tables
        table = ws.tables[layout.table]
        assert [c.name for c in table.tableColumns] == layout.headers


def test_dropdowns_point_at_named_ranges_with_the_plans_values(template, plan):
    wb = load_workbook(template)
    actions = _validations(wb["Actions"])
    expected = {"C": "=SectionList", "E": "=OfficerList", "F": "=OfficerList",
                "H": "=TimeframeList", "M": "=RAGList"}
    for letter, formula in expected.items():
        assert actions[letter][:2] == ("list", formula), letter
    assert actions["M"][2] == "stop" and actions["H"][2] == "warning"
    assert actions["N"][0] == "date"
    assert "A" not in actions and "J" not in actions  # ID and previous progress: locked
    savings = _validations(wb["Savings"])
    assert savings["I"][:2] == ("list", "=ChangeTypeList")
    assert savings["E"][:2] == ("list", "=YearList")
    assert savings["F"][0] == savings["G"][0] == "decimal"
    kpis = _validations(wb["KPIs"])
    assert kpis["F"][:2] == ("list", "=GoodIsList")
    assert {kpis[c][0] for c in "CEGH"} == {"decimal"}

    lists = wb["Lists"]
    for name, values in (("OfficerList", list(plan.officers)), ("RAGList", plan.rag_names),
                         ("SectionList", list(plan.sections))):
        ref = wb.defined_names[name].attr_text
        sheet, cells = ref.split("!")
        assert sheet == "Lists"
        got = [c.value for row in lists[cells.replace("$", "")] for c in row]
        assert got == values, name
    assert "Colin Pettigrew / Nigel Stevenson" in plan.officers


def test_validation_messages_are_plain_english(template):
    ws = load_workbook(template)["Actions"]
    rag = next(dv for dv in ws.data_validations.dataValidation if dv.formula1 == "=RAGList")
    assert rag.showErrorMessage and rag.error == "RAG status must be picked from the list."
    assert rag.showInputMessage and "Complete, Green, Amber, Red" in rag.prompt


def test_rag_colours_protection_freeze_print(template, plan):
    wb = load_workbook(template)
    ws = wb["Actions"]
    rules = [r for cf in ws.conditional_formatting for r in cf.rules]
    colours = {r.dxf.fill.fgColor.rgb[-6:] for r in rules}
    assert {s.colour.lstrip("#").upper() for s in plan.rag_scheme} <= colours
    assert ws.protection.sheet is True
    assert ws["L2"].protection.locked is False  # Progress update: input
    assert ws["A2"].protection.locked is True  # ID: locked
    assert ws.freeze_panes == "D2"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1"
    assert wb["Lists"].protection.sheet is True


def test_change_is_a_formula(template):
    ws = load_workbook(template)["Savings"]
    assert ws["H1"].value == "Change"
    assert ws["H2"].value == '=IF(G2="","",IF(ISNUMBER(G2),G2-N(F2),"not a number"))'


def test_plan_settings_read_back_from_the_workbook_alone(template, plan):
    book = read_book(template)
    assert book.kind == "template"
    assert book.plan.plan_id.startswith("P-")  # minted: the plan file had none
    assert book.plan == plan.with_changes(
        timeframes=tuple(plan.timeframe_list()),
        savings_years=tuple(plan.savings_year_list()), plan_id=book.plan.plan_id,
    )


def test_libreoffice_converts_template_to_pdf_and_csv(template, soffice, tmp_path):
    pdf = convert(soffice, template, "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000
    if os.path.exists("/usr/bin/pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "How to fill in this return" in text and "Improvement action" in text
    # every sheet to CSV (filter option -1 = all sheets, one file each)
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
                    "--convert-to", csv_filter, "--outdir", str(tmp_path), str(template)],
                   check=True, capture_output=True, timeout=180)
    with open(tmp_path / "template-Actions.csv", newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header == ACTIONS_LAYOUT.for_shape(TRACKER).headers
    with open(tmp_path / "template-Lists.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][0] == "Adrian Smith" and rows[1][1] == "Complete"


def test_committed_template_matches_the_sample_plan(template):
    """workbook_templates/xltools_template.xlsx is the golden template.

    Regenerate after an intended change with XLTOOLS_REGEN_GOLDEN=1.
    """
    if os.environ.get("XLTOOLS_REGEN_GOLDEN"):
        GOLDEN.write_bytes(template.read_bytes())
    assert parts(GOLDEN) == parts(template)
