"""What prints: the workbooks rendered by LibreOffice as a committee clerk or an
officer would print them, and the PDF read back (pages, text, font sizes).

The master is the legacy tracker imported as the demo does (real, long text), so
page counts and wrapping are those of a real plan.
"""

from __future__ import annotations

from datetime import date

import pdfplumber
import pytest
import savings_programme as sp
from conftest import ROOT, SAMPLE_PLAN, convert
from openpyxl import load_workbook

from xltools.cycle.returns import issue_returns
from xltools.legacy.importer import import_legacy, write_import
from xltools.plan import Plan
from xltools.reporting.dashboard import dashboard_sheet
from xltools.savings.reconcile import reconcile_files
from xltools.savings.reconciliation_sheet import RECONCILIATION, write_reconciliation_workbook
from xltools.workbook.book import Book
from xltools.workbook.reader import read_book
from xltools.workbook.writer import write_book

LEGACY = ROOT / "workbook_templates" / "legacy_plan_2019.tsv"
STEVE = "Q2_2019-20_Steve_Edwards.xlsx"


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The imported master and Steve Edwards' return (one action dated and signed),
    each with its PDF as LibreOffice prints the whole workbook."""
    import shutil

    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        pytest.skip("LibreOffice not installed")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    folder = tmp_path_factory.mktemp("print")
    plan = Plan.load(SAMPLE_PLAN)
    master = write_import(import_legacy(LEGACY, plan=plan, period="Q2 2019/20"),
                          folder / "master.xlsx")
    issue_returns(master, folder / "returns")
    ret = folder / "returns" / STEVE
    wb = load_workbook(ret)
    ws = wb["Actions"]
    head = [c.value for c in ws[1]]
    ws.cell(2, head.index("Last updated") + 1).value = date(2019, 10, 10)
    ws.cell(2, head.index("Updated by") + 1).value = "Steve Edwards"
    ws.cell(2, head.index("Progress update") + 1).value = "Caseloads within limits."
    wb.save(ret)
    return {name: (path, convert(soffice, path, "pdf", folder / name))
            for name, path in (("master", master), ("return", ret))}


def _pages(pdf_path) -> list[dict]:
    """Per page: its text, its words and the sizes of its characters."""
    with pdfplumber.open(pdf_path) as pdf:
        return [{"text": page.extract_text() or "",
                 "words": [w["text"] for w in page.extract_words()],
                 "sizes": [round(c["size"], 1) for c in page.chars]} for page in pdf.pages]


def test_master_prints_actions_readably_with_header_rows_and_page_numbers(printed):
    pages = _pages(printed["master"][1])
    text = "\n".join(p["text"] for p in pages)
    assert "How to fill in this return" not in text  # the officers' Guidance is not the PMO's
    actions = pages
    assert len(actions) >= 2  # a real plan runs over several pages…
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page["text"]  # …each numbered
        assert page["text"].splitlines()[0].strip() == "OFFICIAL"  # marking at the top
        assert "Children and Families Department Improvement Plan · Q2 2019/20" in page["text"]
    for page in actions:
        assert "Improvement action" in page["text"] and "Progress update" in page["text"]
        assert min(page["sizes"]) >= 8.0  # header row, body and footer: none below 8 pt
        assert "A-0001" not in page["text"]  # IDs and internal columns are not printed
        assert "Section" in page["words"]  # the section of each action prints beside it
        assert "Flags" not in page["words"] and "Updated by" not in page["text"]
    assert "Addressing" in pages[0]["text"]
    assert "#5B9BD5" not in text and "Officers" not in text  # Lists never prints
    assert "xltools/1" not in text and "Setting" not in text  # nor Settings
    assert "Project ref" not in text  # nor the empty Savings sheet


def test_return_prints_its_guidance_and_actions_only(printed):
    pages = _pages(printed["return"][1])
    assert len(pages) == 2
    assert "This return is for" in pages[0]["text"] and "Steve Edwards" in pages[0]["text"]
    actions = pages[1]
    for header in ("Improvement action", "Previous progress", "Progress update", "Last"):
        assert header in actions["text"]
    assert min(actions["sizes"]) >= 8.0
    assert "10/10/2019" in actions["words"]  # the date fits its column: not run into
    assert "Measure" not in actions["text"] and "Project ref" not in actions["text"]


def test_hidden_columns_are_only_hidden(printed):
    """Readers find columns by header: a hidden column reads back like any other."""
    master = read_book(printed["master"][0])
    assert master.actions[0]["id"] == "A-0001" and master.actions[0]["section"]
    ws = load_workbook(printed["master"][0])["Actions"]
    assert ws.column_dimensions["A"].hidden and not ws.column_dimensions["D"].hidden


def test_master_shows_the_pmo_what_it_works_with_and_prints_the_committee_columns(printed):
    """Screen first: Last updated, Updated by and Flags (what messages name) are shown;
    the print area ends at RAG status (the committee's columns, >= 8 pt) and at the last
    action, so the spare rows below it never print."""
    wb = load_workbook(printed["master"][0])
    ws = wb["Actions"]
    head = [c.value for c in ws[1]]
    letter = {name: chr(65 + i) for i, name in enumerate(head)}
    for name in ("Ref", "Section", "Progress update", "RAG status", "Last updated",
                 "Updated by", "Flags"):
        assert not ws.column_dimensions[letter[name]].hidden, name
    rows = len(read_book(printed["master"][0]).actions)
    assert ws.max_row > rows + 1  # spare rows to type into…
    assert ws.print_area == f"'Actions'!$A$1:${letter['RAG status']}${rows + 1}"  # …not printed
    assert wb["Guidance"].print_area == "'Guidance'!$Z$1"  # prints nothing
    # the PMO deletes a resolved flag line on the protected sheet
    assert ws.protection.sheet and not ws[f"{letter['Flags']}2"].protection.locked


def test_each_workbook_opens_on_the_sheet_its_reader_needs(printed, plan, tmp_path):
    assert load_workbook(printed["return"][0]).active.title == "Guidance"
    assert load_workbook(printed["master"][0]).active.title == "Actions"
    book = read_book(printed["master"][0])
    with_dashboard = write_book(book, tmp_path / "dash.xlsx", extra_sheets=[dashboard_sheet()])
    assert load_workbook(with_dashboard).active.title == "Dashboard"
    baseline, returns = sp.write_programme(plan, tmp_path / "savings")
    rec = write_reconciliation_workbook(reconcile_files(baseline, returns),
                                        tmp_path / "rec.xlsx")
    assert load_workbook(rec).active.title == RECONCILIATION


@pytest.mark.parametrize(("marking", "header"), [("OFFICIAL-SENSITIVE", "&BOFFICIAL-SENSITIVE"),
                                                 ("", None)])
def test_protective_marking_comes_from_the_plan_and_survives_the_round_trip(
        plan, tmp_path, marking, header):
    marked = plan.with_changes(protective_marking=marking, title="Plan & more")
    path = write_book(Book(plan=marked, actions=[{"id": "A-0001", "action": "a"}]),
                      tmp_path / "m.xlsx")
    ws = load_workbook(path)["Actions"]
    assert ws.oddHeader.center.text == header
    assert ws.oddFooter.left.text == "Plan && more · Q2 2019/20"  # '&' is not a code
    assert read_book(path).plan.protective_marking == marking
