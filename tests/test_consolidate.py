"""Consolidation rules, one case at a time, on real files: a master written by our writer,
returns issued from it and filled with openpyxl as an officer's Excel would."""

import hashlib
import json
from datetime import date

import pytest
from returns_data import (
    AS_OF,
    HELEN,
    JON,
    LUCY,
    STEVE,
    fill_return,
    master_book,
    send_back_unchanged,
    write_master,
)

from xltools.cli import main
from xltools.cycle.consolidate import consolidate
from xltools.cycle.returns import issue_returns
from xltools.errors import UsageError
from xltools.findings import codes_in, flatten
from xltools.workbook.reader import read_book
from xltools.workbook.writer import write_book


def run(cycle, tmp_path, **kw):
    master, folder = cycle
    report = consolidate(master, folder, tmp_path / "out.xlsx", as_of=AS_OF, **kw)
    return report, read_book(tmp_path / "out.xlsx")


def test_update_merged_and_previous_progress_carried(cycle, tmp_path):
    fill_return(cycle[1] / STEVE, {"A-0001": {
        "Progress update": "Agency Challenge Panel met 24/09/2019; 3 posts released.",
        "RAG status": "green", "Last updated": date(2019, 10, 1), "Updated by": "Steve Edwards"}})
    report, out = run(cycle, tmp_path)
    row = out.action("A-0001")
    assert row["progress_update"] == "Agency Challenge Panel met 24/09/2019; 3 posts released."
    assert (row["rag"], row["last_updated"], row["updated_by"]) == (
        "Green", date(2019, 10, 1), "Steve Edwards")
    assert row["previous_progress"].startswith("Quarterly reviews in place. Ongoing need")
    assert row["previous_rag"] == "Green"
    assert report.merge.updated == ["A-0001"]
    assert report.counts()["rows_updated"] == 1


def test_values_equal_to_the_master_are_unchanged_not_updated(cycle, tmp_path):
    fill_return(cycle[1] / STEVE, {"A-0001": {
        "Progress update": "Quarterly reviews in place.  Ongoing need for current levels of "
        "agency staff due to need for manageable caseloads.", "RAG status": "Green"}})
    report, out = run(cycle, tmp_path)
    assert report.merge.updated == [] and report.merge.unchanged == ["A-0001"]
    assert out.action("A-0001")["previous_progress"] == "Q4 2018/19 text"  # not carried


def test_blank_cells_never_erase_the_master(cycle, tmp_path):
    fill_return(cycle[1] / STEVE, {"A-0005": {"RAG status": "Complete"}})
    report, out = run(cycle, tmp_path)
    row = out.action("A-0005")
    assert row["rag"] == "Complete"
    assert row["progress_update"].startswith("Audit undertaken")  # kept, officer left it blank
    assert row["previous_rag"] == "Amber"


def test_conflicting_joint_returns_keep_the_master_value(cycle, tmp_path):
    fill_return(cycle[1] / LUCY, {"A-0012": {"Progress update": "CPD offer launched.",
                                              "RAG status": "Green"}})
    fill_return(cycle[1] / HELEN, {"A-0012": {"Progress update": "CPD offer delayed to Q3.",
                                               "RAG status": "Amber"}})
    report, out = run(cycle, tmp_path)
    row = out.action("A-0012")
    assert (row["progress_update"], row["rag"]) == ("CPD offer being refreshed.", "Green")
    assert codes_in(row["flags"]) == ["CONFLICT"]
    assert "'CPD offer launched.'" in row["flags"] and "'CPD offer delayed to Q3.'" in row["flags"]
    assert sorted(flatten(f for f in report.findings if f.code == "CONFLICT")) == [
        (HELEN, "L2", "CONFLICT"), (LUCY, "L2", "CONFLICT")]
    assert report.merge.conflicts == ["A-0012"]


def test_joint_returns_that_agree_are_merged_once(cycle, tmp_path):
    fill_return(cycle[1] / LUCY, {"A-0012": {"Progress update": "CPD offer launched.",
                                              "Updated by": "Lucy Peel",
                                              "Last updated": date(2019, 10, 2)}})
    fill_return(cycle[1] / HELEN, {"A-0012": {"Progress update": "CPD offer  launched.",
                                               "Updated by": "Helen Richardson",
                                               "Last updated": date(2019, 10, 4)}})
    report, out = run(cycle, tmp_path)
    row = out.action("A-0012")
    assert row["progress_update"] == "CPD offer  launched."  # files are read in name order
    assert (row["last_updated"], row["updated_by"]) == (date(2019, 10, 4),
                                                        "Helen Richardson / Lucy Peel")
    assert report.merge.conflicts == [] and report.merge.updated == ["A-0012"]


def test_invalid_values_are_kept_and_flagged(cycle, tmp_path):
    fill_return(cycle[1] / JON, {"A-0007": {"RAG status": "Greenish",
                                             "Last updated": "14th October",
                                             "Progress update": "Contracts signed."}})
    report, out = run(cycle, tmp_path)
    row = out.action("A-0007")
    assert (row["rag"], row["last_updated"], row["progress_update"]) == (
        "Greenish", "14th October", "Contracts signed.")
    assert codes_in(row["flags"]) == ["INVALID"]
    assert row["flags"].count("INVALID:") == 2
    assert sorted(flatten(f for f in report.findings if f.code == "INVALID")) == [
        (JON, "M2", "INVALID"), (JON, "N2", "INVALID")]
    assert report.counts()["rows_invalid"] == 1


def test_future_date_is_invalid(cycle, tmp_path):
    fill_return(cycle[1] / STEVE, {"A-0005": {"Last updated": date(2091, 10, 14)}})
    report, _ = run(cycle, tmp_path)
    assert (STEVE, "N3", "INVALID") in flatten(report.findings)


def test_unknown_id_and_missing_id_are_reported_not_merged(cycle, tmp_path):
    fill_return(cycle[1] / STEVE, {"A-0005": {"ID": "A-0999", "Progress update": "x"}})
    report, out = run(cycle, tmp_path)
    assert (STEVE, "A3", "UNKNOWN_ID") in flatten(report.findings)
    assert out.action("A-0999") is None
    assert report.counts()["unknown_ids"] == 1


def test_missing_return_flags_each_of_the_officers_actions(cycle, tmp_path):
    (cycle[1] / JON).unlink()
    send_back_unchanged(cycle[1])  # everyone else answered
    report, out = run(cycle, tmp_path)
    assert report.missing == {"Jon Hawketts": ["A-0007", "A-0008"]}
    for action_id in ("A-0007", "A-0008"):
        assert codes_in(out.action(action_id)["flags"]) == ["MISSING_RETURN"]
    assert out.action("A-0009")["flags"] is None
    assert sorted(flatten(f for f in report.findings if f.code == "MISSING_RETURN")) == [
        ("out.xlsx", "Q8", "MISSING_RETURN"), ("out.xlsx", "Q9", "MISSING_RETURN")]


def test_wrong_period_return_is_not_merged(cycle, tmp_path, plan):
    old = master_book(plan.with_changes(period="Q1 2019/20"))
    old.kind, old.officer, old.actions = "return", "Rob Disney", [old.action("A-0009")]
    old.actions[0]["progress_update"] = "Q1 words"
    (cycle[1] / "Q2_2019-20_Rob_Disney.xlsx").unlink()
    write_book(old, cycle[1] / "Q1_2019-20_Rob_Disney.xlsx")
    send_back_unchanged(cycle[1], *(p.name for p in cycle[1].glob("Q2_*.xlsx")))
    report, out = run(cycle, tmp_path)
    assert ("Q1_2019-20_Rob_Disney.xlsx", None, "WRONG_PERIOD") in flatten(report.findings)
    assert out.action("A-0009")["progress_update"] == "Additional analyst post approved."
    assert report.missing == {"Rob Disney": ["A-0009"]}


def test_other_tools_flags_are_kept(plan, tmp_path):
    book = master_book(plan)
    book.action("A-0009")["flags"] = "OVERDUE: due Q1 2019/20\nMISSING_RETURN: old"
    write_book(book, tmp_path / "m.xlsx")
    issue_returns(tmp_path / "m.xlsx", tmp_path / "r")
    send_back_unchanged(tmp_path / "r")
    consolidate(tmp_path / "m.xlsx", tmp_path / "r", tmp_path / "out.xlsx", as_of=AS_OF)
    assert read_book(tmp_path / "out.xlsx").action("A-0009")["flags"] == "OVERDUE: due Q1 2019/20"


def test_savings_revised_merged_by_project_and_year(cycle, tmp_path):
    fill_return(cycle[1] / STEVE, {3: {"Revised": 120, "Change type": "Re-profile",
                                       "Approved by": "Colin Pettigrew"}}, sheet="Savings")
    report, out = run(cycle, tmp_path)
    row = out.savings[1]
    assert (row["project_ref"], row["year"], row["revised"], row["change_type"]) == (
        "CF-01", "2020/21", 120, "Re-profile")
    assert report.savings_updated == ["CF-01 2020/21"]
    assert out.savings[0]["revised"] == 250


def test_log_row_per_file_with_sha256(cycle, tmp_path):
    (cycle[1] / "notes.txt").write_text("not a workbook")
    send_back_unchanged(cycle[1])
    report, out = run(cycle, tmp_path)
    assert len(out.log) == 10
    by_file = {r["file"]: r for r in out.log}
    steve = cycle[1] / STEVE  # 2 actions and 2 savings lines, all accepted
    assert by_file[STEVE]["sha256"] == hashlib.sha256(steve.read_bytes()).hexdigest()
    assert by_file[STEVE]["officer"] == "Steve Edwards" and by_file[STEVE]["accepted"] == 4
    assert by_file["notes.txt"]["notes"].startswith("UNREADABLE (NOT_XLSX)")
    assert ("notes.txt", None, "UNREADABLE") in flatten(report.findings)


def test_a_return_over_the_return_size_limit_is_logged_not_read(cycle, tmp_path):
    with (cycle[1] / "huge.xlsx").open("wb") as fh:  # sparse: nothing written
        fh.write(b"PK\x03\x04")
        fh.truncate(60 * 1024 * 1024)
    report, out = run(cycle, tmp_path)
    by_file = {r["file"]: r for r in out.log}
    assert by_file["huge.xlsx"]["notes"].startswith("UNREADABLE (TOO_LARGE)")
    assert "limit for a return" in by_file["huge.xlsx"]["notes"]


def test_reconsolidating_is_idempotent_and_appends_to_the_log(cycle, tmp_path):
    fill_return(cycle[1] / STEVE, {"A-0001": {"Progress update": "New words."}})
    run(cycle, tmp_path)
    again = consolidate(tmp_path / "out.xlsx", cycle[1], tmp_path / "out2.xlsx", as_of=AS_OF)
    out2 = read_book(tmp_path / "out2.xlsx")
    assert again.merge.updated == [] and again.merge.unchanged == ["A-0001"]
    assert out2.action("A-0001")["previous_progress"].startswith("Quarterly reviews in place.")
    assert len(out2.log) == 18


def test_never_overwrites_the_input_master(cycle, tmp_path):
    master, folder = cycle
    before = master.read_bytes()
    with pytest.raises(UsageError, match="input master"):
        consolidate(master, folder, master)
    assert main(["consolidate", str(master), str(folder), "-o", str(master)]) == 2
    assert master.read_bytes() == before


def test_in_place_keeps_a_timestamped_backup(cycle, tmp_path):
    master, folder = cycle
    before = master.read_bytes()
    report = consolidate(master, folder, master, in_place=True, as_of=AS_OF)
    backups = list(tmp_path.glob("master.*.bak.xlsx"))
    assert [str(b) for b in backups] == [report.backup]
    assert backups[0].read_bytes() == before
    assert len(read_book(master).log) == 9


def test_cli_json_report(cycle, tmp_path, capsys):
    fill_return(cycle[1] / STEVE, {"A-0001": {"Progress update": "New words."}})
    master, folder = cycle
    code = main(["consolidate", str(master), str(folder), "-o", str(tmp_path / "o.xlsx"),
                 "--as-of", "2019-10-21", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["counts"]["rows_updated"] == 1 and data["counts"]["returns_read"] == 9
    assert data["updated"] == ["A-0001"] and data["as_of"] == "2019-10-21"
    main(["consolidate", str(master), str(folder), "-o", str(tmp_path / "o2.xlsx")])
    text = capsys.readouterr().out
    assert "actions updated 1" in text and "returns read 9" in text


def test_missing_returns_follow_how_the_returns_were_issued(tmp_path, plan):
    master = write_master(plan, tmp_path / "master.xlsx")
    issue_returns(master, tmp_path / "r", by="accountable")
    (tmp_path / "r" / "Q2_2019-20_Marje_Toward.xlsx").unlink()
    send_back_unchanged(tmp_path / "r")
    report = consolidate(master, tmp_path / "r", tmp_path / "out.xlsx", as_of=AS_OF)
    assert report.missing == {"Marje Toward": ["A-0012"]}  # not every lead officer


def test_reading_in_two_processes_gives_the_same_result(cycle, tmp_path, monkeypatch):
    from xltools.cycle import intake

    fill_return(cycle[1] / JON, {"A-0007": {"RAG status": "Greenish", "Progress update": "x"}})
    fill_return(cycle[1] / STEVE, {"A-0001": {"Progress update": "New words."}})
    send_back_unchanged(cycle[1])
    serial = consolidate(cycle[0], cycle[1], tmp_path / "serial.xlsx", as_of=AS_OF, workers=1)
    monkeypatch.setattr(intake, "POOL_THRESHOLD", 2)
    ticks = []
    pooled = consolidate(cycle[0], cycle[1], tmp_path / "pool.xlsx", as_of=AS_OF, workers=2,
                         progress=ticks.append)
    assert sorted(ticks) == sorted(p.name for p in cycle[1].iterdir())
    assert flatten(pooled.findings) == flatten(serial.findings)
    assert pooled.counts() == serial.counts()
    assert [r["flags"] for r in read_book(tmp_path / "pool.xlsx").actions] == \
        [r["flags"] for r in read_book(tmp_path / "serial.xlsx").actions]


def test_a_return_is_not_a_master(cycle, tmp_path):
    with pytest.raises(UsageError, match="is a return"):
        consolidate(cycle[1] / STEVE, cycle[1], tmp_path / "out.xlsx")
    with pytest.raises(UsageError, match="is a return"):
        issue_returns(cycle[1] / STEVE, tmp_path / "again")


def test_a_master_or_template_among_the_returns_is_refused_whole(cycle, tmp_path, plan):
    """A copy of the master (or the blank template) saved in the returns folder is not
    an officer's return: one NOT_A_RETURN each, none of its rows reported or merged."""
    from xltools.workbook.template import write_template

    fill_return(cycle[1] / STEVE, {"A-0001": {"Progress update": "New words."}})
    (cycle[1] / "master copy.xlsx").write_bytes(cycle[0].read_bytes())
    write_template(plan, cycle[1] / "template.xlsx")
    report, out = run(cycle, tmp_path)
    from_them = [f for f in report.findings if f.file in ("master copy.xlsx", "template.xlsx")]
    assert [(f.file, f.code) for f in from_them] == [("master copy.xlsx", "NOT_A_RETURN"),
                                                      ("template.xlsx", "NOT_A_RETURN")]
    assert report.counts()["not_a_return"] == 2
    assert out.action("A-0001")["progress_update"] == "New words."
    notes = {r["file"]: r["notes"] for r in out.log}
    assert notes["master copy.xlsx"].startswith("NOT_A_RETURN: this is a master")


def test_backup_copies_in_the_folder_are_logged_but_not_read(cycle, tmp_path):
    fill_return(cycle[1] / STEVE, {"A-0001": {"Progress update": "New words."}})
    backup = cycle[1] / STEVE.replace(".xlsx", ".bak.xlsx")
    backup.write_bytes((cycle[1] / LUCY).read_bytes())
    report, out = run(cycle, tmp_path)
    assert report.counts()["skipped"] == 1 and report.merge.conflicts == []
    row = next(r for r in out.log if r["file"] == backup.name)
    assert row["notes"].startswith("skipped: a backup copy")
    assert row["sha256"] == hashlib.sha256(backup.read_bytes()).hexdigest()


def test_a_row_pasted_twice_with_different_text_is_a_conflict(cycle, tmp_path):
    fill_return(cycle[1] / STEVE, {"A-0001": {"Progress update": "First version."},
                                   "A-0005": {"ID": "a-0001", "Progress update": "Second."}})
    send_back_unchanged(cycle[1])
    report, out = run(cycle, tmp_path)
    assert sorted(flatten(f for f in report.findings if f.code in ("CONFLICT", "DUPLICATE_ID"))
                  ) == [(STEVE, "L2", "CONFLICT"), (STEVE, "L3", "CONFLICT")]
    assert out.action("A-0001")["progress_update"].startswith("Quarterly reviews in place.")
    assert report.missing == {}


def test_rows_returned_with_no_update_are_reported_no_update(cycle, tmp_path):
    """The officer guide's promise: a row sent back empty is reported NO_UPDATE by the
    consolidation itself, at the return's cell; a return nobody filled in at all is
    not listed row by row."""
    fill_return(cycle[1] / STEVE, {"A-0001": {"Progress update": "Panel met; 3 posts released.",
                                              "RAG status": "Green"},
                                   "A-0005": {"RAG status": "Complete"}})
    steve_ids = {a["id"] for a in read_book(cycle[1] / STEVE).actions}
    report, _ = run(cycle, tmp_path)
    no_update = [f for f in report.findings if f.code == "NO_UPDATE"]
    assert {f.file for f in no_update} == {STEVE}
    assert {f.action_id for f in no_update} == steve_ids - {"A-0001"}
    assert "A-0005" in {f.action_id for f in no_update}  # a RAG alone is no update
    assert all(f.cell.startswith("L") and f.column == "Progress update" for f in no_update)
