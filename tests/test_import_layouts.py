"""Trackers as councils write them (issue 25): headers read as a person reads a table.

Each tracker is built here — an Excel workbook (xlsxwriter, with merged cells and
mmm-yy dates), Word documents (python-docx) and their LibreOffice PDFs — with
the traits real ones have: a Status column with no header, "Recommendation"
and "Action" columns both claiming the action, a section merged down beside
its actions, target dates shown as months. Imports are checked field by field.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest
import xlsxwriter
from conftest import convert, soffice_path
from tracker_docs import write_docx

from xltools.cli import main
from xltools.errors import UsageError
from xltools.legacy.columns import resolve_mapping
from xltools.legacy.importer import import_legacy
from xltools.timeframes import read_timeframe

RECS = [("Strengthen governance and oversight",
         [("Set up an improvement board chaired by the leader", "Green", "Dec-20"),
          ("Publish the board's terms of reference", "Amber", "Q3 2020/21"),
          ("Train members on scrutiny of children's services", "Red", "March 2021")]),
        ("Improve the quality of performance data",
         [("Build a monthly performance dashboard", "Complete", "End of Mar 21"),
          ("Clean the case records of duplicates", "Green", "Dec-20")])]


def _council_xlsx(path, *, status_header: str = "", budget: bool = True):
    """Another council's tracker: title, header on row 3 (blank over the status),
    Recommendation merged down beside its actions, dates formatted mmm-yy."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Tracker")
    month = wb.add_format({"num_format": "mmm-yy"})
    ws.write(0, 0, "Improvement tracker — Children's Services")
    headers = ["No", "Recommendation", "Action", "Lead officer", "Target date", status_header,
               "Progress update"] + (["Budget £000"] if budget else [])
    ws.write_row(2, 0, headers)
    row, number = 3, 1
    for rec, actions in RECS:
        ws.merge_range(row, 1, row + len(actions) - 1, 1, rec)
        for action, rag, when in actions:
            ws.write(row, 0, str(number))
            ws.write(row, 2, action)
            ws.write(row, 3, "Ann Lee")
            if when == "Dec-20":
                ws.write_datetime(row, 4, datetime(2020, 12, 1), month)
            else:
                ws.write(row, 4, when)
            ws.write(row, 5, rag)
            ws.write(row, 6, f"Progress on action {number}")
            if budget:
                ws.write(row, 7, 10 * number)
            row, number = row + 1, number + 1
    wb.close()
    return path


def _expected():
    out, number = {}, 1
    for rec, actions in RECS:
        for action, rag, when in actions:
            out[str(number)] = (rec, action, rag, "December 2020" if when == "Dec-20" else when)
            number += 1
    return out


def _messages(report, code):
    return [f.message for f in report.findings if f.code == code]


def test_excel_tracker_with_competing_headers_blank_status_and_merges(tmp_path):
    report = import_legacy(_council_xlsx(tmp_path / "council.xlsx"), period="Q2 2020/21")
    got = {a["ref"]: (a["section"], a["action"], a["rag"], a["timeframe"])
           for a in report.book.actions}
    assert got == _expected()  # every field of every row
    words = _messages(report, "COLUMN_READ")
    assert ("'Action' and 'Recommendation' could both be Improvement action; 'Action' is "
            "the closer name, so it was read as Improvement action") in words
    assert ("'Recommendation' could also be Improvement action, which 'Action' fits better, "
            "so it was read as Section") in words
    assert ("column 6 has no header; its values are statuses (5 of 5), so it was read as "
            "RAG status") in words
    assert any("merged down" in w and "B4:B6" in w for w in words)
    # the column the plan does not hold is reported by name, not silently dropped
    assert any("'Budget £000'" in m for m in _messages(report, "EXTRA_COLUMN"))
    # months stay months: due at the end of the month or quarter they name
    due = {a["ref"]: read_timeframe(a["timeframe"]).due.isoformat()
           for a in report.book.actions}
    assert due == {"1": "2020-12-31", "2": "2020-12-31", "3": "2021-03-31",
                   "4": "2021-03-31", "5": "2020-12-31"}


def test_a_blank_headed_column_is_named_by_position_in_the_mapping(tmp_path):
    source = _council_xlsx(tmp_path / "council.xlsx")
    for name in ("#6", "F"):
        mapping = resolve_mapping({name: "Previous RAG"})
        report = import_legacy(source, period="Q2 2020/21", mapping=mapping)
        assert [a["previous_rag"] for a in report.book.actions] == [
            "Green", "Amber", "Red", "Complete", "Green"]
        assert all(a["rag"] is None for a in report.book.actions)


def test_unidentified_blank_column_is_reported_with_its_position(tmp_path):
    path = tmp_path / "plain.tsv"
    path.write_text("Ref\tImprovement action\tLead officer\t\tProgress\n"
                    "1.1\tOpen the home\tAnn Lee\tsee appendix B for the costs\tBought\n"
                    "1.2\tHire staff\tBob Ray\tlinked to the workforce plan\tAdvertised\n",
                    encoding="utf-8")
    report = import_legacy(path, period="Q2 2020/21")
    assert len(report.book.actions) == 2
    assert ["column 4 has no header and its values are not statuses or dates: not imported "
            "(name it in --mapping as \"#4\")"] == _messages(report, "EXTRA_COLUMN")
    assert not _messages(report, "UNPLACED_ROW")  # the cells are the column's, not strays
    mapped = import_legacy(path, period="Q2 2020/21",
                           mapping=resolve_mapping({"D": "Links to other plans"}))
    assert [a["links"] for a in mapped.book.actions] == ["see appendix B for the costs",
                                                          "linked to the workforce plan"]


STATUSES = ["Green", "Amber", "Complete", "Red", "On track", "Green"]


def _status_docx(path, header: str = ""):
    """A Word tracker whose Status column has no header text."""
    actions = [{"ref": f"1.{n}", "section": "1. Finance", "action": f"Action number {n} to "
                f"deliver the plan.", "lead_officer": "Ann Lee", "progress_update":
                f"Update {n}", "rag": rag, "timeframe": "March 2021"}
               for n, rag in enumerate(STATUSES, start=1)]
    keys = ["ref", "action", "lead_officer", "timeframe", "rag", "progress_update"]
    headers = ["Ref", "Improvement action", "Lead officer", "Timeframe", header, "Progress"]
    return write_docx(path, actions, headers=headers, keys=keys)


def test_word_tracker_with_no_header_over_its_status_column(tmp_path):
    report = import_legacy(_status_docx(tmp_path / "plan.docx"), period="Q3 2020/21")
    assert [a["rag"] for a in report.book.actions] == [
        "Green", "Amber", "Complete", "Red", "Green", "Green"]
    assert [a["progress_update"] for a in report.book.actions] == [
        f"Update {n}" for n in range(1, 7)]
    assert any(m.startswith("column 5 has no header; its values are statuses")
               for m in _messages(report, "COLUMN_READ"))
    assert not _messages(report, "UNPLACED_ROW")


def test_pdf_tracker_with_no_header_over_its_status_column(tmp_path):
    soffice = soffice_path()
    if soffice is None:
        pytest.skip("LibreOffice not installed")
    pdf = convert(soffice, _status_docx(tmp_path / "plan.docx"), "pdf", tmp_path / "pdf")
    report = import_legacy(pdf, period="Q3 2020/21")
    assert [(a["ref"], a["rag"]) for a in report.book.actions] == [
        (f"1.{n}", rag) for n, rag in enumerate(
            ["Green", "Amber", "Complete", "Red", "Green", "Green"], start=1)]


def test_import_cli_reports_the_decisions_in_words(tmp_path, capsys):
    source = _council_xlsx(tmp_path / "council.xlsx")
    assert main(["import", str(source), "-o", str(tmp_path / "m.xlsx"), "--period",
                 "Q2 2020/21", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["COLUMN_READ"] == 4
    assert data["refs"] == ["1", "2", "3", "4", "5"]


def test_mapping_by_position_refuses_an_unknown_column():
    with pytest.raises(UsageError, match="'#9' maps to 'Wibble'"):
        resolve_mapping({"#9": "Wibble"})


# -- a committee paper's PDF with narrow columns -------------------------------------
NARROW = [0.9, 3.6, 1.7, 1.9, 3.6, 2.0, 3.2, 4.2, 1.3, 1.3]  # cm: names wrap, words break
PDF_HEADERS = ["", "Improvement Action", "CLT Accountable Officer", "Lead Officer",
               "What we hope to achieve", "Timeframe", "Success Measure", "Progress",
               "Links to other plans and strategies", "Status"]
PDF_KEYS = ["ref", "action", "accountable_officer", "lead_officer", "aim", "timeframe",
            "success_measure", "progress_update", "links", "status_text"]
PDF_STATUSES = ["Complete", "On track", "Green", "Amber", "Delayed", "Red"]
PDF_RAG = {"Complete": "Complete", "On track": "Green", "Green": "Green", "Amber": "Amber",
           "Delayed": "Amber", "Red": "Red"}
PDF_BULLETS = ["Panel reviewed in August", "Next panel in September"]


@pytest.fixture(scope="module")
def narrow_pdf(tmp_path_factory):
    """Seed 002 as a Word tracker with narrow columns (officer names wrap, "Summerscales"
    and "Departmental" break mid-word), a Status column and bullets, printed to PDF."""
    soffice = soffice_path()
    if soffice is None:
        pytest.skip("LibreOffice not installed")
    from conftest import SAMPLE_PLAN, SEEDS

    from xltools.plan import Plan
    tsv = import_legacy(SEEDS / "002_aed1e1315f25b11a.txt", plan=Plan.load(SAMPLE_PLAN))
    actions = tsv.book.actions
    for i, action in enumerate(actions):
        action["status_text"] = PDF_STATUSES[i % len(PDF_STATUSES)]
    folder = tmp_path_factory.mktemp("narrow")
    docx = write_docx(folder / "plan.docx", actions, headers=PDF_HEADERS, keys=PDF_KEYS,
                      widths=NARROW, font=8, bullets={"1.1": PDF_BULLETS})
    return convert(soffice, docx, "pdf", folder), actions


def _flat(value) -> str:
    """Spacing as a reader compares it; "semi- independent" (as the seed has it) is
    "semi-independent": a PDF line ending in a hyphen cannot say which."""
    return " ".join(str(value or "").split()).replace("- ", "-")


def test_narrow_pdf_reads_every_field_with_no_officer_list(narrow_pdf):
    pdf, actions = narrow_pdf
    report = import_legacy(pdf, period="Q2 2019/20", mapping={"status": "rag"})
    got = {a["ref"]: a for a in report.book.actions}
    assert list(got) == [a["ref"] for a in actions]
    for want in actions:
        have = got[want["ref"]]
        for key in ("action", "aim", "timeframe", "success_measure", "links",
                    "accountable_officer", "lead_officer"):
            assert _flat(have[key]) == _flat(want[key]), (want["ref"], key)
        progress = _flat(want["progress_update"])
        if want["ref"] == "1.1":  # the bullets are paragraphs of their own
            assert have["progress_update"].endswith("\n• " + "\n• ".join(PDF_BULLETS))
            progress += " • " + " • ".join(PDF_BULLETS)
        assert _flat(have["progress_update"]) == progress, want["ref"]
        assert have["rag"] == PDF_RAG[want["status_text"]], want["ref"]
    officers = report.book.plan.officers
    assert "Colin Pettigrew / Nigel Stevenson" in officers
    assert not [o for o in officers if len(o.split()) == 1]  # no "Colin", no "Pettigrew"
    assert "Sue Summerscales" in officers


def test_narrow_pdf_reviews_doubts_not_certain_joins(narrow_pdf):
    pdf, _ = narrow_pdf
    report = import_legacy(pdf, period="Q2 2019/20", mapping={"status": "rag"})
    reviews = [f for f in report.findings if f.code == "REVIEW"]
    assert all(f.extra.get("page") for f in reviews)
    words = " ".join(f.message for f in reviews)
    for certain in ("Depar", "Pettigre", "Comple", "Account"):  # word lists or header say so
        assert certain not in words
    # a broken name no word list has is a doubt, named with its cell
    assert any("'Summersc' + 'ales'" in f.message and f.cell
               for f in reviews)


def _council_docx(path):
    """The same council's tracker as a Word table: Recommendation merged down beside its
    actions, Action next to it, and a Status column with no header."""
    import docx
    document = docx.Document()
    rows = [(rec, action, rag, when) for rec, actions in RECS for action, rag, when in actions]
    table = document.add_table(rows=1 + len(rows), cols=6)
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, ["No", "Recommendation", "Action",
                                                 "Lead officer", "Target date", ""],
                          strict=True):
        cell.text = name
    for n, (_, action, rag, when) in enumerate(rows, start=1):
        cells = table.rows[n].cells
        for i, value in ((0, str(n)), (2, action), (3, "Ann Lee"), (4, when), (5, rag)):
            cells[i].text = value
    start = 1
    for rec, actions in RECS:
        end = start + len(actions) - 1
        table.cell(start, 1).merge(table.cell(end, 1)).text = rec
        start = end + 1
    document.save(str(path))
    return path


def test_word_tracker_with_recommendation_and_action_columns(tmp_path):
    report = import_legacy(_council_docx(tmp_path / "council.docx"), period="Q2 2020/21")
    got = {a["ref"]: (a["section"], a["action"], a["rag"], a["timeframe"])
           for a in report.book.actions}
    want = {ref: (rec, action, rag, "Dec-20" if when == "December 2020" else when)
            for ref, (rec, action, rag, when) in _expected().items()}
    assert got == want
    assert report.book.plan.sections == tuple(rec for rec, _ in RECS)


def test_pdf_of_that_tracker_carries_the_merged_recommendation_down(tmp_path):
    soffice = soffice_path()
    if soffice is None:
        pytest.skip("LibreOffice not installed")
    pdf = convert(soffice, _council_docx(tmp_path / "council.docx"), "pdf", tmp_path / "pdf")
    report = import_legacy(pdf, period="Q2 2020/21")
    assert [(a["ref"], a["section"], a["action"], a["rag"]) for a in report.book.actions] == [
        (ref, rec, action, rag) for ref, (rec, action, rag, _) in _expected().items()]


def test_a_status_column_beyond_a_short_header_row_is_read(tmp_path):
    """Text pasted from Word: the header row stops before the unheaded Status column."""
    path = tmp_path / "short.tsv"
    path.write_text("Ref\tImprovement action\tLead officer\tProgress\n"
                    "1.1\tOpen the home\tAnn Lee\tBought\tGreen\n"
                    "1.2\tHire staff\tBob Ray\tAdvertised\tAmber\n"
                    "1.3\tTrain staff\tBob Ray\tBooked\tWithdrawn\n", encoding="utf-8")
    report = import_legacy(path, period="Q2 2020/21")
    assert [a["rag"] for a in report.book.actions] == ["Green", "Amber", None]
    assert report.status_text == {"A-0001": "Green", "A-0002": "Amber", "A-0003": "Withdrawn"}
    assert _messages(report, "COLUMN_READ") == [
        "column 5 has no header; its values are statuses (3 of 3), so it was read as RAG status"]
    assert not _messages(report, "UNPLACED_ROW")
