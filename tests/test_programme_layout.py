"""The format grows, it does not fork (issue 27): a programme plan's Actions sheet has
Start and Revised end after every tracker column; a tracker's workbook is exactly as it
was. Real .xlsx files written by xltools and by xlsxwriter, read back cell by cell."""

from __future__ import annotations

from datetime import date

import pytest
import xlsxwriter
from openpyxl import load_workbook
from programme_books import STEVE, programme_master

from xltools.cycle.returns import return_book
from xltools.workbook import return_layout
from xltools.workbook.book import Book
from xltools.workbook.issued import LOCKED_KEYS, PROGRAMME_LOCKED_KEYS, changed_keys, fingerprint
from xltools.workbook.layout import ACTIONS_LAYOUT, PROGRAMME, RETURN, TRACKER
from xltools.workbook.reader import read_book
from xltools.workbook.validate import validate_book
from xltools.workbook.writer import write_book

TRACKER_KEYS = ["id", "ref", "section", "action", "accountable_officer", "lead_officer", "aim",
                "timeframe", "success_measure", "previous_progress", "previous_rag",
                "progress_update", "rag", "last_updated", "updated_by", "links", "flags"]


def _headers(path, sheet="Actions"):
    ws = load_workbook(path)[sheet]
    return ws, [c.value for c in ws[1]]


def test_programme_columns_come_after_flags_so_no_letter_moves(plan):
    tracker, programme = ACTIONS_LAYOUT.for_shape(TRACKER), ACTIONS_LAYOUT.for_shape(PROGRAMME)
    assert tracker.keys == TRACKER_KEYS
    assert programme.keys == [*TRACKER_KEYS, "start", "revised_end"]
    assert programme.headers[-2:] == ["Start", "Revised end"]
    assert all(tracker.letter(k) == programme.letter(k) for k in TRACKER_KEYS)
    assert (programme.letter("start"), programme.letter("revised_end")) == ("R", "S")
    assert ACTIONS_LAYOUT.for_book(programme_master(plan)) is programme
    assert ACTIONS_LAYOUT.for_book(Book(plan=plan)) is tracker
    with pytest.raises(ValueError):
        ACTIONS_LAYOUT.for_shape("roadmap")


def test_programme_master_writes_and_reads_start_and_revised_end(plan, tmp_path):
    path = write_book(programme_master(plan), tmp_path / "programme.xlsx")
    ws, headers = _headers(path)
    assert headers == ACTIONS_LAYOUT.for_shape(PROGRAMME).headers
    assert (ws["R2"].value, ws["H2"].value, ws["S3"].value) == (
        "July 2024", "Oct 2024 (and ongoing)", "Dec 2024")
    # on the master's screen, outside its print area (which ends at RAG status)
    assert not ws.column_dimensions["R"].hidden and not ws.column_dimensions["S"].hidden
    assert ws.print_area == "'Actions'!$A$1:$M$4"
    assert not ws["R2"].protection.locked and not ws["S2"].protection.locked  # the PMO's
    book = read_book(path)
    assert book.is_programme
    assert [(r["start"], r["timeframe"], r["revised_end"]) for r in book.actions] == [
        ("July 2024", "Oct 2024 (and ongoing)", None), ("Started", "Ongoing", "Dec 2024"),
        ("June 2024", "Dec 2024", None)]
    assert [f for f in book.findings if f.code in ("MISSING_COLUMN", "EXTRA_COLUMN")] == []
    assert validate_book(book) == []


def test_a_tracker_workbook_is_as_it_was(plan, tmp_path):
    master = programme_master(plan)
    master.extra_settings.pop("plan_shape")
    master.risks = []
    path = write_book(master, tmp_path / "tracker.xlsx")
    ws, headers = _headers(path)
    assert headers == ACTIONS_LAYOUT.for_shape(TRACKER).headers and ws.max_column == 17
    book = read_book(path)
    assert not book.is_programme
    assert "start" not in book.actions[0] and "revised_end" not in book.actions[0]
    assert [f for f in book.findings if f.code in ("MISSING_COLUMN", "EXTRA_COLUMN")] == []
    # an old tracker return's fingerprint: the same cells, so no LOCKED_CHANGED
    assert LOCKED_KEYS == ("ref", "action", "accountable_officer", "lead_officer", "timeframe",
                           "success_measure", "previous_progress", "previous_rag")
    assert PROGRAMME_LOCKED_KEYS == (*LOCKED_KEYS, "start")


def test_programme_return_shows_start_locked_and_revised_end_to_fill(plan, tmp_path):
    master = programme_master(plan)
    ret = return_book(master, STEVE, master.actions[:2])
    path = write_book(ret, tmp_path / "steve.xlsx")
    ws, headers = _headers(path)
    start, revised = (chr(65 + headers.index(h)) for h in ("Start", "Revised end"))
    assert (start, revised) == ("R", "S")
    for letter in (start, revised):
        assert not ws.column_dimensions[letter].hidden
    assert ws[f"{start}2"].protection.locked and ws[f"{start}2"].value == "July 2024"
    assert not ws[f"{revised}3"].protection.locked and ws[f"{revised}3"].value == "Dec 2024"
    assert not ws.print_area  # all it shows prints, the two new columns too
    widths = return_layout.widths(ACTIONS_LAYOUT.for_shape(PROGRAMME), RETURN)
    shown = [k for k in ACTIONS_LAYOUT.for_shape(PROGRAMME).keys
             if return_layout.shown(ACTIONS_LAYOUT.for_shape(PROGRAMME), RETURN, k)]
    assert sum(widths[k] for k in shown) <= 141  # A4 landscape at >= 8 pt
    book = read_book(path)
    issued = book.extra_settings["issued_cells"]
    assert len(issued["A-0001"]) == 6 * len(PROGRAMME_LOCKED_KEYS)
    row = dict(book.actions[0], start="Aug 2024")  # the RDL types over Start
    assert changed_keys(row, issued["A-0001"], PROGRAMME_LOCKED_KEYS) == ["start"]


def test_a_tracker_returns_fingerprint_is_unchanged(plan):
    row = programme_master(plan).actions[0]
    assert len(fingerprint(row)) == 6 * 8
    assert fingerprint(row) == fingerprint({k: v for k, v in row.items()
                                            if k not in ("start", "revised_end")})


def _xlsxwriter_return(plan, tmp_path, revised_ends: list) -> str:
    """Steve's return as another program would save it: xltools' Settings sheet copied,
    Actions re-typed by xlsxwriter (Revised end a real date, or text)."""
    master = programme_master(plan)
    made = write_book(return_book(master, STEVE, master.actions[:2]), tmp_path / "made.xlsx")
    settings = [[c.value for c in r] for r in load_workbook(made)["Settings"].iter_rows()]
    path = tmp_path / "xlsxwriter.xlsx"
    wb = xlsxwriter.Workbook(path)
    day = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws = wb.add_worksheet("Actions")
    layout = ACTIONS_LAYOUT.for_shape(PROGRAMME)
    ws.write_row(0, 0, layout.headers)
    for n, (row, revised) in enumerate(zip(master.actions[:2], revised_ends, strict=True), 1):
        for c, key in enumerate(layout.keys):
            value = revised if key == "revised_end" else row.get(key)
            if isinstance(value, date):
                ws.write_datetime(n, c, value, day)
            elif value is not None:
                ws.write(n, c, value)
    sheet = wb.add_worksheet("Settings")
    for r, cells in enumerate(settings):
        sheet.write_row(r, 0, cells)
    wb.close()
    return path


def test_revised_end_a_date_or_a_month_and_not_before_start(plan, tmp_path):
    path = _xlsxwriter_return(plan, tmp_path, [date(2025, 1, 31), "Feb 2025"])
    book = read_book(path)
    assert [r["revised_end"] for r in book.actions] == [date(2025, 1, 31), "Feb 2025"]
    assert [f for f in validate_book(book) if f.column == "Revised end"] == []
    path = _xlsxwriter_return(plan, tmp_path, ["TBC", date(2024, 5, 31)])
    found = [f for f in validate_book(read_book(path)) if f.column == "Revised end"]
    assert [(f.code, f.sheet, f.cell, f.action_id) for f in found] == [
        ("INVALID", "Actions", "S2", "A-0001")]  # Started: any end is after it
    assert "'TBC' is not a date or a month" in found[0].message
    path = _xlsxwriter_return(plan, tmp_path, ["June 2024", None])  # Start July 2024
    (found,) = [f for f in validate_book(read_book(path)) if f.column == "Revised end"]
    assert (found.cell, found.expected, found.got) == ("S2", "not before Start", "June 2024")
    assert "before the activity's Start 'July 2024'" in found.message


def test_risks_sheet_rules_name_sheet_cell_and_rule(plan, tmp_path):
    master = programme_master(plan)
    master.risks[1]["id"] = "R1"  # two R1s
    master.risks[1]["likelihood"] = 7
    master.risks[2]["owner"] = "Nobody Known"
    found = [f for f in validate_book(read_book(write_book(master, tmp_path / "m.xlsx")))
             if f.sheet == "Risks"]
    assert sorted((f.code, f.cell, f.column) for f in found) == [
        ("DUPLICATE_ID", "A2", "ID"), ("DUPLICATE_ID", "A3", "ID"),
        ("INVALID", "F4", "Owner"), ("INVALID", "G3", "Likelihood")]
    assert all(f.file == "m.xlsx" for f in found)


def test_programme_return_prints_on_a4_landscape_at_8pt_or_more(plan, soffice, tmp_path):
    """Rendered by LibreOffice: the Actions page holds every shown column, Start and
    Revised end included, one page wide, no text below 8 pt."""
    import pdfplumber
    from conftest import convert

    master = programme_master(plan)
    master.actions[0]["previous_progress"] = "Savings agreed in principle. " * 6
    ret = return_book(master, STEVE, master.actions[:2])
    pdf = convert(soffice, write_book(ret, tmp_path / "steve.xlsx"), "pdf", tmp_path)
    with pdfplumber.open(pdf) as doc:
        pages = [(p.extract_text() or "", [c["size"] for c in p.chars], p.width > p.height)
                 for p in doc.pages]
    actions = [p for p in pages if "Improvement action" in p[0]]
    assert len(actions) == 1  # one page: not split across pages by width
    text, sizes, landscape = actions[0]
    assert landscape and min(sizes) >= 8.0
    words = set(text.split())  # headers wrap over two lines: word by word
    assert {"Start", "Revised", "end", "Progress", "update", "RAG", "Updated", "by"} <= words
    assert "July 2024" in text and "Dec 2024" in text
