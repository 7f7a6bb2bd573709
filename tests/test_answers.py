"""What the buttons say, in words: a real consolidation of real returns, told as the
task pane tells it (``xltools.excel.answers``)."""

from __future__ import annotations

from datetime import date

import pytest
from excel_books import write_master, write_returns

from xltools.cycle.consolidate import consolidate
from xltools.errors import UsageError
from xltools.excel.answers import consolidation_words, parse_as_of, refused_title, summary
from xltools.findings import Finding


@pytest.fixture()
def folder(tmp_path, plan):
    master = write_master(tmp_path / "Master.xlsx", plan)
    issued = write_returns(master, tmp_path / "issued")
    returns = tmp_path / "returns"
    returns.mkdir()
    lucy = issued["Lucy Peel"]
    (returns / lucy.name).write_bytes(lucy.read_bytes())
    (returns / "notes.xlsx").write_bytes(b"not a workbook")
    return master, returns


def test_consolidation_is_told_in_sentences_with_only_the_counts_that_happened(folder,
                                                                              tmp_path):
    master, returns = folder
    report = consolidate(master, returns, tmp_path / "out.xlsx", workers=1,
                         as_of=date(2019, 10, 14))
    words = consolidation_words(report, "the returns folder")
    lines = words.splitlines()
    assert lines[0].startswith("1 of 2 files in the returns folder merged: 1 action updated")
    assert "Not merged (1 file):" in lines
    assert any(line.startswith("• notes.xlsx: ") and len(line) > 25 for line in lines)
    assert "Judged as at 14 October 2019 (the As of date)." in lines
    assert lines[-1] == "No return from Nigel Stevenson (2 actions)."
    assert " 0 " not in words and "conflict" not in words  # nothing said of what did not happen


def test_an_empty_folder_says_nothing_was_merged(tmp_path, plan):
    master = write_master(tmp_path / "Master.xlsx", plan)
    (tmp_path / "returns").mkdir()
    report = consolidate(master, tmp_path / "returns", tmp_path / "out.xlsx", workers=1)
    assert consolidation_words(report, "the returns folder").startswith(
        "Nothing was merged: there are no returns in the returns folder.")


def test_findings_are_counted_by_title_not_code():
    said = summary([Finding("NO_OFFICER", "a"), Finding("NO_OFFICER", "b"),
                    Finding("UNKNOWN_ID", "c")])
    assert said == "action has no officer to send it to (2); ID not in the master (1)"
    assert summary([]) == "nothing to note"


def test_a_refusal_is_titled_by_what_did_not_happen_and_a_bad_date_is_refused():
    assert refused_title("next_quarter") == "Next quarter was not built"
    assert refused_title("something_new") == "Something new did not run"
    assert parse_as_of("") is None and parse_as_of("2019-10-14") == date(2019, 10, 14)
    with pytest.raises(UsageError, match="As of box"):
        parse_as_of("14/10/2019")


def test_next_quarter_on_the_desktop_names_the_command_for_a_quarter_with_no_returns(
        folder, tmp_path):
    """The desktop ribbon has no task pane (no 'No returns this quarter' box): its refusal
    names the command's --unconsolidated; the server's names the box."""
    from xltools.cycle.rollover import RolloverError
    from xltools.excel.book_jobs import Where, next_quarter
    from xltools.workbook.reader import read_book

    master, _ = folder
    book = read_book(master)
    with pytest.raises(RolloverError) as desktop:
        next_quarter(book, Where("Master.xlsx", folder=tmp_path, remote=False))
    assert "no returns have been consolidated into this master" in str(desktop.value)
    assert "--unconsolidated" in str(desktop.value)
    with pytest.raises(RolloverError) as server:
        next_quarter(book, Where("Master.xlsx"))
    assert "tick 'No returns this quarter'" in str(server.value)
    assert not (tmp_path / "xltools-output").exists()  # refused before anything is made


def test_a_refused_files_way_out_is_said_as_the_task_pane_or_the_desktop_offers_it(plan):
    """The task pane has boxes beside its buttons; the desktop ribbon has none, so it
    keeps the command's words."""
    from pathlib import Path

    from xltools.cycle.intake import ReturnFile
    from xltools.excel.answers import why_not_merged
    from xltools.workbook.book import Book

    rf = ReturnFile(Path("Q2_Lucy_Peel.xlsx"), book=Book(plan=plan), wrong_plan=True,
                    findings=[Finding("WRONG_PLAN", "nothing in it is merged: … or, if you "
                                      "rebuilt this master on purpose, run again with "
                                      "--adopt-returns (it takes …)")])
    assert "tick 'Adopt returns from a rebuilt master' beside Consolidate" in \
        why_not_merged(rf)
    assert "--adopt-returns" not in why_not_merged(rf)
    assert "run again with --adopt-returns" in why_not_merged(rf, pane=False)
