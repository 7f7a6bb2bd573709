"""The quarterly cycle the way councils really run it: returns re-saved by LibreOffice,
locked cells typed over, sheets renamed, text pasted past Excel's cell limit, late
returns consolidated into an already consolidated master. Real files throughout:
a master written by our writer, returns issued from it and filled with openpyxl (as
Excel saves them) or converted by LibreOffice headless (as an officer using it sends
them back)."""

from __future__ import annotations

import shutil
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import convert
from returns_data import (
    AS_OF,
    HELEN,
    JON,
    LUCY,
    ROB,
    STEVE,
    fill_return,
    master_book,
    send_back_unchanged,
    write_master,
)

from xltools.cycle.consolidate import consolidate
from xltools.cycle.returns import STATE_KEY, issue_returns
from xltools.findings import codes_in, flatten
from xltools.workbook.book import Book
from xltools.workbook.layout import EXCEL_MAX_TEXT, RETURN
from xltools.workbook.reader import read_book
from xltools.workbook.writer import write_book


def inbox(tmp_path: Path, name: str, *files: Path) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for f in files:
        shutil.copy(f, folder / f.name)
    return folder


def steve_update(**extra) -> dict:
    return {"A-0001": {"Progress update": "Agency Challenge Panel met; 3 posts released.",
                       "RAG status": "Green", "Last updated": date(2019, 10, 1),
                       "Updated by": "Steve Edwards", **extra}}


# -- returns re-saved by LibreOffice ----------------------------------------------


def test_return_resaved_by_libreoffice_merges_like_one_saved_by_excel(cycle, tmp_path,
                                                                      soffice):
    fill_return(cycle[1] / STEVE, steve_update())
    fill_return(cycle[1] / STEVE, {3: {"Revised": 120, "Change type": "Re-profile",
                                       "Approved by": "Colin Pettigrew"}}, sheet="Savings")
    lo = convert(soffice, cycle[1] / STEVE, "xlsx", tmp_path / "lo")
    report = consolidate(cycle[0], inbox(tmp_path, "in", lo), tmp_path / "out.xlsx",
                         as_of=AS_OF)
    out = read_book(tmp_path / "out.xlsx")
    row = out.action("A-0001")
    assert (row["progress_update"], row["rag"], row["last_updated"], row["updated_by"]) == (
        "Agency Challenge Panel met; 3 posts released.", "Green", date(2019, 10, 1),
        "Steve Edwards")
    # LibreOffice recalculated Change and stored its value: the savings line still merges
    assert report.savings_updated == ["CF-01 2020/21"] and out.savings[1]["revised"] == 120
    # nothing but the rows Steve left without an update (NO_UPDATE), and not A-0001
    steve = [f for f in report.findings if f.file == STEVE]
    assert [f.code for f in steve if f.code != "NO_UPDATE"] == []
    assert "A-0001" not in {f.action_id for f in steve}


def test_return_saved_as_xlsm_by_libreoffice_is_read(cycle, tmp_path, soffice):
    fill_return(cycle[1] / STEVE, steve_update())
    xlsm = convert(soffice, cycle[1] / STEVE, "xlsm:Calc MS Excel 2007 VBA XML",
                   tmp_path / "lo")
    report = consolidate(cycle[0], inbox(tmp_path, "in", xlsm), tmp_path / "out.xlsx",
                         as_of=AS_OF)
    assert report.merge.updated == ["A-0001"]
    assert report.files[0].name == "Q2_2019-20_Steve_Edwards.xlsm"


# -- late returns into an already consolidated master ----------------------------


def test_late_returns_do_not_make_earlier_senders_missing(cycle, tmp_path):
    """Consolidating late returns into the consolidated master must not flag every
    officer who answered the first time as MISSING_RETURN, nor drop the flags the
    first consolidation wrote."""
    master, returns = cycle
    fill_return(returns / ROB, {"A-0009": {"RAG status": "On track"}})
    send_back_unchanged(returns)  # everyone else answered, Jon late
    first = inbox(tmp_path, "first", *[p for p in returns.iterdir() if p.name != JON])
    late = inbox(tmp_path, "late", returns / JON)
    one = consolidate(master, first, tmp_path / "c1.xlsx", as_of=AS_OF)
    assert one.missing == {"Jon Hawketts": ["A-0007", "A-0008"]}
    two = consolidate(tmp_path / "c1.xlsx", late, tmp_path / "c2.xlsx", as_of=AS_OF)
    out = read_book(tmp_path / "c2.xlsx")
    assert two.missing == {}
    assert [f for f in two.findings if f.code == "MISSING_RETURN"] == []
    assert codes_in(out.action("A-0009")["flags"]) == ["INVALID"]  # first pass's flag kept
    assert out.action("A-0007")["flags"] is None  # Jon's return arrived: no longer missing
    assert len(out.log) == len(read_book(tmp_path / "c1.xlsx").log) + 1


def test_second_consolidation_does_not_move_previous_progress_again(cycle, tmp_path):
    master, returns = cycle
    fill_return(returns / STEVE, steve_update())
    consolidate(master, inbox(tmp_path, "a", returns / STEVE), tmp_path / "c1.xlsx",
                as_of=AS_OF)
    fill_return(returns / STEVE, steve_update(**{"Progress update": "Corrected: 4 posts."}))
    two = consolidate(tmp_path / "c1.xlsx", inbox(tmp_path, "b", returns / STEVE),
                      tmp_path / "c2.xlsx", as_of=AS_OF)
    row = read_book(tmp_path / "c2.xlsx").action("A-0001")
    assert two.merge.updated == ["A-0001"]  # the same officer correcting their own update
    assert row["progress_update"] == "Corrected: 4 posts."
    assert row["previous_progress"].startswith("Quarterly reviews in place.")


def test_late_joint_return_that_disagrees_with_the_merged_one_is_a_conflict(cycle, tmp_path):
    """Helen's answer for joint action 3.6 was merged first; Lucy's late, different answer
    must not silently overwrite it."""
    master, returns = cycle
    fill_return(returns / HELEN, {"A-0012": {"Progress update": "CPD offer delayed to Q3.",
                                              "RAG status": "Amber"}})
    fill_return(returns / LUCY, {"A-0012": {"Progress update": "CPD offer launched.",
                                             "RAG status": "Green"}})
    consolidate(master, inbox(tmp_path, "a", returns / HELEN), tmp_path / "c1.xlsx",
                as_of=AS_OF)
    two = consolidate(tmp_path / "c1.xlsx", inbox(tmp_path, "b", returns / LUCY),
                      tmp_path / "c2.xlsx", as_of=AS_OF)
    row = read_book(tmp_path / "c2.xlsx").action("A-0012")
    assert (row["progress_update"], row["rag"]) == ("CPD offer delayed to Q3.", "Amber")
    assert two.merge.conflicts == ["A-0012"] and two.merge.updated == []
    assert flatten(f for f in two.findings if f.code == "CONFLICT") == [(LUCY, "L2", "CONFLICT")]
    assert codes_in(row["flags"]) == ["CONFLICT"]
    assert "Helen Richardson" in row["flags"] and LUCY in row["flags"]


def test_late_joint_return_that_agrees_is_unchanged(cycle, tmp_path):
    master, returns = cycle
    answer = {"A-0012": {"Progress update": "CPD offer launched.", "RAG status": "Green"}}
    fill_return(returns / HELEN, answer)
    fill_return(returns / LUCY, answer)
    consolidate(master, inbox(tmp_path, "a", returns / HELEN), tmp_path / "c1.xlsx",
                as_of=AS_OF)
    two = consolidate(tmp_path / "c1.xlsx", inbox(tmp_path, "b", returns / LUCY),
                      tmp_path / "c2.xlsx", as_of=AS_OF)
    assert two.merge.conflicts == [] and two.merge.unchanged == ["A-0012"]


def test_consolidation_state_of_a_big_master_survives_the_settings_cell_limit(plan, tmp_path):
    """12,000 updated action IDs are ~120,000 characters of JSON: more than one Excel
    cell holds. The Settings sheet must carry them whole, or the next consolidation
    of that master cannot read its own state."""
    ids = [f"A-{n:05d}" for n in range(12000)]
    book = master_book(plan)
    book.extra_settings[STATE_KEY] = {"period": plan.period, "ids": ids}
    write_book(book, tmp_path / "big.xlsx")
    back = read_book(tmp_path / "big.xlsx")
    assert back.extra_settings[STATE_KEY] == {"period": plan.period, "ids": ids}
    with zipfile.ZipFile(tmp_path / "big.xlsx") as zf:  # no cell over Excel's limit
        assert max(len(t) for t in _cell_texts(zf)) <= EXCEL_MAX_TEXT


def _cell_texts(zf: zipfile.ZipFile) -> list[str]:
    import re

    texts = []
    for name in zf.namelist():
        if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml":
            xml = zf.read(name).decode()
            texts += re.findall(r"<t[^>]*>([^<]*)</t>", xml)
    return texts


# -- officers editing what they should not ---------------------------------------


def test_locked_cells_typed_over_are_not_merged_and_are_reported(cycle, tmp_path):
    master, returns = cycle
    fill_return(returns / STEVE, {"A-0001": {
        "Ref": "9.9", "Section": "Made up section", "Improvement action": "Rewritten.",
        "Lead officer": "Steve Edwards / Jane O'Brien", "Previous progress": "Rewritten too.",
        "Progress update": "Panel met.", "RAG status": "Green"}})
    report = consolidate(master, returns, tmp_path / "out.xlsx", as_of=AS_OF)
    before = read_book(master).action("A-0001")
    row = read_book(tmp_path / "out.xlsx").action("A-0001")
    for key in ("ref", "section", "action", "lead_officer"):
        assert row[key] == before[key]
    assert row["previous_progress"] == before["progress_update"]  # what the return showed
    assert row["progress_update"] == "Panel met."  # the officer's own fields still merge
    assert sorted(flatten(f for f in report.findings if f.code == "LOCKED_CHANGED")) == [
        (STEVE, "B2", "LOCKED_CHANGED"), (STEVE, "C2", "LOCKED_CHANGED"),
        (STEVE, "D2", "LOCKED_CHANGED"), (STEVE, "F2", "LOCKED_CHANGED"),
        (STEVE, "J2", "LOCKED_CHANGED")]
    # the officer's copy broke rules on cells that were not merged: reported for the file,
    # but the master's action is not flagged INVALID for values it does not hold
    assert (STEVE, "C2", "INVALID") in flatten(report.findings)
    assert row["flags"] is None
    assert report.counts()["rows_invalid"] == 0
    log = {r["file"]: r for r in read_book(tmp_path / "out.xlsx").log}
    assert "LOCKED_CHANGED 5" in log[STEVE]["notes"]


def test_renamed_actions_sheet_says_what_the_workbook_has(cycle, tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(cycle[1] / STEVE)
    wb["Actions"].title = "My actions"
    wb.save(cycle[1] / STEVE)
    report = consolidate(cycle[0], cycle[1], tmp_path / "out.xlsx", as_of=AS_OF)
    steve = next(f for f in report.files if f.name == STEVE)
    assert steve.reason == "MISSING_SHEET"
    assert "'My actions'" in steve.error and "rename it back to 'Actions'" in steve.error
    assert "Steve Edwards" in report.missing


def test_return_without_settings_is_read_against_the_master(cycle, tmp_path):
    from openpyxl import load_workbook

    fill_return(cycle[1] / STEVE, steve_update())
    wb = load_workbook(cycle[1] / STEVE)
    wb.remove(wb["Settings"])
    wb.save(cycle[1] / STEVE)
    report = consolidate(cycle[0], cycle[1], tmp_path / "out.xlsx", as_of=AS_OF)
    steve = next(f for f in report.files if f.name == STEVE)
    assert (steve.officer, steve.period) == ("Steve Edwards", "Q2 2019/20")
    assert report.merge.updated == ["A-0001"] and "Steve Edwards" not in report.missing


def test_rows_deleted_reordered_and_added_without_id(cycle, tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(cycle[1] / JON)  # A-0007 (row 2), A-0008 (row 3)
    ws = wb["Actions"]
    for col in range(1, ws.max_column + 1):  # swap the two rows
        ws.cell(2, col).value, ws.cell(3, col).value = ws.cell(3, col).value, ws.cell(2, col).value
    ws["L2"], ws["L3"] = "Framework live.", "Contracts signed."
    ws["D4"], ws["L4"] = "A new action of my own", "Started."
    wb.save(cycle[1] / JON)
    wb = load_workbook(cycle[1] / STEVE)  # A-0001, A-0005: delete A-0005's row
    wb["Actions"].delete_rows(3)
    wb.save(cycle[1] / STEVE)
    report = consolidate(cycle[0], cycle[1], tmp_path / "out.xlsx", as_of=AS_OF)
    out = read_book(tmp_path / "out.xlsx")
    assert out.action("A-0008")["progress_update"] == "Framework live."
    assert out.action("A-0007")["progress_update"] == "Contracts signed."
    assert out.action("A-0005")["progress_update"].startswith("Audit undertaken")
    assert len(out.actions) == 12  # the ID-less row is not added to the master
    # one finding for the row without an ID, not two for the same cell
    assert flatten(f for f in report.findings if f.file == JON and f.code == "INVALID") == [
        (JON, "A4", "INVALID")]


# -- what officers type ----------------------------------------------------------


def _lengthen(path: Path, marker: str, text: str) -> None:
    """Put ``text`` where ``marker`` is, in the XML, as a writer without Excel's cell
    limit (LibreOffice, a script) would — openpyxl itself cuts at 32,767."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, data.replace(marker.encode(), text.encode()))
    tmp.replace(path)


def test_text_over_excel_cell_limit_is_flagged_and_the_master_still_opens(cycle, tmp_path,
                                                                          soffice):
    fill_return(cycle[1] / STEVE, steve_update(**{"Progress update": "LONGTEXT"}))
    pasted = "Minutes of the panel. " * 1820 + "End."  # 40,044 characters
    _lengthen(cycle[1] / STEVE, "LONGTEXT", pasted)
    assert len(read_book(cycle[1] / STEVE).action("A-0001")["progress_update"]) == 40044
    report = consolidate(cycle[0], cycle[1], tmp_path / "out.xlsx", as_of=AS_OF)
    assert (STEVE, "L2", "INVALID") in flatten(report.findings)
    row = read_book(tmp_path / "out.xlsx").action("A-0001")
    text = row["progress_update"]
    assert len(text) <= EXCEL_MAX_TEXT
    assert text.startswith(pasted[:30000]) and "40,044 characters" in text
    assert codes_in(row["flags"]) == ["INVALID"] and STEVE in row["flags"]
    with zipfile.ZipFile(tmp_path / "out.xlsx") as zf:
        assert max(len(t) for t in _cell_texts(zf)) <= EXCEL_MAX_TEXT
    # LibreOffice opens the master and keeps the text as written
    again = convert(soffice, tmp_path / "out.xlsx", "xlsx", tmp_path / "lo")
    assert read_book(again).action("A-0001")["progress_update"] == text


def test_awkward_values_are_merged_as_typed(cycle, tmp_path):
    fill_return(cycle[1] / STEVE, {
        "A-0001": {"Progress update": "Progrès 👍 — 进展顺利; O'Brien's team = done",
                   "RAG status": "Green", "Last updated": datetime(2019, 9, 30, 14, 35),
                   "Updated by": "Siobhán O'Brien 🙂"},
        "A-0005": {"Progress update": 42, "RAG status": "Amber"}})
    report = consolidate(cycle[0], cycle[1], tmp_path / "out.xlsx", as_of=AS_OF)
    out = read_book(tmp_path / "out.xlsx")
    one, five = out.action("A-0001"), out.action("A-0005")
    assert one["progress_update"] == "Progrès 👍 — 进展顺利; O'Brien's team = done"
    assert one["updated_by"] == "Siobhán O'Brien 🙂"
    assert one["last_updated"] == datetime(2019, 9, 30, 14, 35)
    assert five["progress_update"] == 42
    assert report.merge.updated == ["A-0001", "A-0005"]
    assert [f for f in report.findings if f.code == "INVALID"] == []


def test_zero_actions_master_and_return(plan, tmp_path):
    empty = Book(plan=plan, kind="master")
    write_book(empty, tmp_path / "empty.xlsx")
    (tmp_path / "in").mkdir()
    report = consolidate(tmp_path / "empty.xlsx", tmp_path / "in", tmp_path / "out.xlsx",
                         as_of=AS_OF)
    assert report.counts()["files"] == 0 and read_book(tmp_path / "out.xlsx").actions == []
    issued = issue_returns(tmp_path / "empty.xlsx", tmp_path / "no returns")
    assert issued.returns == [] and (tmp_path / "no returns").is_dir()  # as reported
    # a return emptied of all its rows: read, logged, nothing merged
    master = write_master(plan, tmp_path / "master.xlsx")
    none = Book(plan=plan, kind=RETURN, officer="Steve Edwards")
    write_book(none, tmp_path / "in" / STEVE)
    report = consolidate(master, tmp_path / "in", tmp_path / "out2.xlsx", as_of=AS_OF)
    log = read_book(tmp_path / "out2.xlsx").log
    assert [(r["file"], r["officer"], r["accepted"], r["rejected"]) for r in log] == [
        (STEVE, "Steve Edwards", 0, 0)]
    assert report.merge.updated == []


def test_an_officer_typed_in_lower_case_in_the_master_gets_one_return(plan, tmp_path):
    """Excel's dropdown accepts 'steve edwards' for 'Steve Edwards': issuing must not send
    Steve two returns. A name not on the officer list still gets its return (someone has
    to answer), but the PMO is told, at the master's cell."""
    book = master_book(plan)
    book.action("A-0005")["lead_officer"] = "steve  edwards"
    book.action("A-0006")["lead_officer"] = "Zed Unknown"
    write_book(book, tmp_path / "master.xlsx")
    report = issue_returns(tmp_path / "master.xlsx", tmp_path / "returns")
    by_officer = {r.officer: (r.path.name, r.actions) for r in report.returns}
    assert by_officer["Steve Edwards"] == (STEVE, ["A-0001", "A-0005"])
    assert "steve edwards" not in by_officer
    assert by_officer["Zed Unknown"] == ("Q2_2019-20_Zed_Unknown.xlsx", ["A-0006"])
    assert flatten(report.findings) == [("master.xlsx", "F7", "INVALID")]


def test_master_officer_not_on_the_list_is_still_flagged_at_consolidation(plan, tmp_path):
    """The bad value is the master's own (not typed over in the return): flag the action."""
    book = master_book(plan)
    book.action("A-0009")["lead_officer"] = "Zed Unknown"
    write_book(book, tmp_path / "master.xlsx")
    issue_returns(tmp_path / "master.xlsx", tmp_path / "returns")
    zed = tmp_path / "returns" / "Q2_2019-20_Zed_Unknown.xlsx"
    fill_return(zed, {"A-0009": {"Progress update": "Analyst started.", "RAG status": "Green"}})
    report = consolidate(tmp_path / "master.xlsx", tmp_path / "returns", tmp_path / "out.xlsx",
                         as_of=AS_OF)
    row = read_book(tmp_path / "out.xlsx").action("A-0009")
    assert row["progress_update"] == "Analyst started."
    assert codes_in(row["flags"]) == ["INVALID"] and "Zed Unknown" in row["flags"]
    assert ("Q2_2019-20_Zed_Unknown.xlsx", "F2", "INVALID") in flatten(report.findings)
    assert [f for f in report.findings if f.code == "LOCKED_CHANGED"] == []


def test_a_number_in_a_date_column_is_called_a_number(cycle, tmp_path):
    """A date serial pasted into a General-format cell arrives as a number, not text."""
    from openpyxl import load_workbook

    fill_return(cycle[1] / STEVE, steve_update(**{"Last updated": 43738}))
    wb = load_workbook(cycle[1] / STEVE)
    wb["Actions"]["N2"].number_format = "General"  # pasted with its source's format
    wb.save(cycle[1] / STEVE)
    report = consolidate(cycle[0], cycle[1], tmp_path / "out.xlsx", as_of=AS_OF)
    bad = [f for f in report.findings if f.code == "INVALID" and f.file == STEVE]
    assert flatten(bad) == [(STEVE, "N2", "INVALID")]
    assert "is a number, not a date" in bad[0].message


def test_a_row_deleted_from_a_return_is_flagged_not_silently_unanswered(cycle, tmp_path):
    """Steve's return came back without A-0005's row: he is not missing, but that action
    got no answer, and the PMO is told so at the action."""
    from openpyxl import load_workbook

    fill_return(cycle[1] / STEVE, steve_update())
    wb = load_workbook(cycle[1] / STEVE)
    wb["Actions"].delete_rows(3)  # A-0005
    wb.save(cycle[1] / STEVE)
    send_back_unchanged(cycle[1])
    report = consolidate(cycle[0], cycle[1], tmp_path / "out.xlsx", as_of=AS_OF)
    out = read_book(tmp_path / "out.xlsx")
    assert report.missing == {}
    assert flatten(f for f in report.findings if f.code == "MISSING_RETURN") == [
        ("out.xlsx", "Q6", "MISSING_RETURN")]
    assert codes_in(out.action("A-0005")["flags"]) == ["MISSING_RETURN"]
    assert "no row for this action" in out.action("A-0005")["flags"]
    assert out.action("A-0001")["flags"] is None


def test_checking_a_return_whose_settings_were_deleted_says_what_to_do(cycle):
    from openpyxl import load_workbook

    from xltools.errors import WorkbookError

    wb = load_workbook(cycle[1] / STEVE)
    wb.remove(wb["Settings"])
    wb.save(cycle[1] / STEVE)
    with pytest.raises(WorkbookError) as err:
        read_book(cycle[1] / STEVE)
    assert err.value.reason == "NOT_XLTOOLS"
    assert "Settings sheet was deleted" in str(err.value)
    assert "copy the PMO sent" in str(err.value)
