"""Flags on a programme plan's activities: NOT_STARTED, SLIPPED and OVERDUE read
from Start, End (the Timeframe) and Revised end, every flag worked out by hand.

The activities of tests/programme_master.py, Q2 2024/25 (1 July – 30 September
2024), as of 15 October 2024:
  3.1 Start June 2024, no update, RAG blank              → NO_UPDATE, NOT_STARTED
  3.2 Start Oct 2024 (not over until 31 Oct), no update  → NO_UPDATE
  3.3 Started; End Sept 2024, Amber, revised Dec 2024    → OVERDUE, SLIPPED (3 months)
  4.1 End Ongoing, revised Mar 2025                      → nothing (never overdue, no slip)
  4.2 End TBC                                            → NO_DUE_DATE (info, not overdue)
  5.1 Start July, End Aug 2024, "Not started", no update → NO_UPDATE, NOT_STARTED, OVERDUE
  5.2 Complete, End Aug 2024, revised Sept               → nothing
  5.3 End Dec 2024, revised 15/01/2025 (a date)          → SLIPPED (15 days)
  5.4 Start 1/10/2024 (a date), progress "-"             → NO_UPDATE, NOT_STARTED
  5.5 End Nov 2024, revised Nov 2024, last quarter Oct   → SLIPPED (1 month, on last quarter)
  5.6 Start Ongoing, no update                           → NO_UPDATE (work was under way)
  5.7 Start July 2024, no update but RAG Green           → NO_UPDATE (its RAG says it is going)
"""

from __future__ import annotations

import copy
from datetime import date

import pytest
from programme_master import AS_OF, RDL, UPDATED, programme_book

from xltools.findings import codes_in
from xltools.reporting.flags import (
    PREVIOUS_REVISED_END,
    apply_flags,
    flag_book,
    previous_revised_ends,
)
from xltools.timeframes import months_between, stated_end
from xltools.workbook.reader import read_book
from xltools.workbook.writer import write_book

EXPECTED = [
    ("3.1", "NO_UPDATE"), ("3.1", "NOT_STARTED"),
    ("3.2", "NO_UPDATE"),
    ("3.3", "OVERDUE"), ("3.3", "SLIPPED"),
    ("4.2", "NO_DUE_DATE"),
    ("5.1", "NO_UPDATE"), ("5.1", "NOT_STARTED"), ("5.1", "OVERDUE"),
    ("5.3", "SLIPPED"),
    ("5.4", "NO_UPDATE"), ("5.4", "NOT_STARTED"),
    ("5.5", "SLIPPED"),
    ("5.6", "NO_UPDATE"),
    ("5.7", "NO_UPDATE"),
]


def _by_ref(report):
    return [(f.extra["ref"], f.code) for f in report.findings]


def _message(report, ref, code):
    return next(f.message for f in report.findings if f.extra["ref"] == ref and f.code == code)


def test_every_programme_flag(plan):
    report = flag_book(programme_book(plan), as_of=AS_OF)
    assert _by_ref(report) == EXPECTED


def test_slipped_says_by_how_much_in_months_or_days(plan):
    report = flag_book(programme_book(plan), as_of=AS_OF)
    assert "Revised end Dec 2024 is 3 months later than End Sept 2024" in \
        _message(report, "3.3", "SLIPPED")
    assert "Revised end 15 January 2025 is 15 days later than End Dec 2024" in \
        _message(report, "5.3", "SLIPPED")
    five = _message(report, "5.5", "SLIPPED")
    assert "1 month later than last quarter's revised end Oct 2024" in five
    assert "than End" not in five  # Nov 2024 is still its End
    slipped = next(f for f in report.findings if f.code == "SLIPPED")
    assert (slipped.column, slipped.expected, slipped.got) == \
        ("Revised end", "by 2024-09-30", "Dec 2024")


def test_not_started_names_the_start_and_who_to_ask(plan):
    report = flag_book(programme_book(plan), as_of=AS_OF)
    assert _message(report, "3.1", "NOT_STARTED").startswith(
        "Action 3.1: Start June 2024 has passed with no update")
    assert RDL in _message(report, "3.1", "NOT_STARTED")
    assert "shown as Not started" in _message(report, "5.1", "NOT_STARTED")
    assert "Start 1 October 2024 has passed" in _message(report, "5.4", "NOT_STARTED")
    found = next(f for f in report.findings if f.code == "NOT_STARTED")
    assert (found.column, found.action_id) == ("Start", "P-3.1")


def test_a_start_month_is_not_passed_until_it_ends(plan):
    book = programme_book(plan)
    on_time = flag_book(book, as_of=date(2024, 10, 31)).counts["NOT_STARTED"]
    late = flag_book(book, as_of=date(2024, 11, 1)).counts["NOT_STARTED"]
    assert (on_time, late) == (3, 4)  # 3.2 (Start Oct 2024) joins on 1 November


def test_overdue_reads_programme_end_wording(plan):
    """"Oct 2024 (and ongoing)" is due by 31 October 2024; Ongoing and TBC never are."""
    book = programme_book(plan)
    overdue = {f.extra["ref"] for f in flag_book(book, as_of=date(2024, 11, 1)).findings
               if f.code == "OVERDUE"}
    assert overdue == {"3.1", "3.3", "5.1"}
    later = {f.extra["ref"]: f.code for f in flag_book(book, as_of=date(2027, 1, 1)).findings
             if f.code in ("OVERDUE", "NO_DUE_DATE")}
    assert later["4.2"] == "NO_DUE_DATE" and "4.1" not in later and "5.6" not in later
    assert "5.2" not in later  # Complete


def test_overdue_with_a_revised_end_asks_to_confirm_it(plan):
    report = flag_book(programme_book(plan), as_of=AS_OF)
    assert "please confirm its revised end, Dec 2024, or" in _message(report, "3.3", "OVERDUE")
    assert "please give a revised date" in _message(report, "5.1", "OVERDUE")


@pytest.mark.parametrize(("rag", "progress", "flagged"), [
    (None, None, True), ("Not started", "", True), ("Not started", "n/a", True),
    ("Amber", None, False),          # a RAG says how it is going
    ("On track", None, False),       # off the scheme: INVALID, not this
    (None, "Scoping started.", False), ("Not started", "Waiting for the budget.", False),
])
def test_not_started_needs_no_progress_and_a_blank_or_not_started_rag(plan, rag, progress,
                                                                       flagged):
    book = programme_book(plan)
    row = book.action("P-3.1")
    row.update(rag=rag, progress_update=progress, last_updated=UPDATED)
    codes = codes_in(flag_book(book, as_of=AS_OF).cells[0])
    assert ("NOT_STARTED" in codes) is flagged


@pytest.mark.parametrize("start", ["Started", "Ongoing", "already started", "In progress",
                                   "Started in June 2024", "Ongoing since April 2024",
                                   "TBC", None, "", "Nov 2024", "Q3 2024/25"])
def test_starts_that_are_not_passed_or_say_work_has_begun(plan, start):
    book = programme_book(plan)
    book.action("P-3.1")["start"] = start
    assert "NOT_STARTED" not in codes_in(flag_book(book, as_of=AS_OF).cells[0])


def test_last_quarters_workbook_gives_the_previous_revised_end(plan):
    book = programme_book(plan)
    book.extra_settings.pop(PREVIOUS_REVISED_END)
    previous = copy.deepcopy(book)
    previous.action("P-5.3")["revised_end"] = "Nov 2024"   # before End: no slip then
    assert previous_revised_ends(book, previous)["P-5.3"] == "Nov 2024"
    message = _message(flag_book(book, as_of=AS_OF, previous=previous), "5.3", "SLIPPED")
    assert "15 days later than End Dec 2024 and 46 days later than last quarter's " \
        "revised end Nov 2024" in message
    assert "P-5.5" not in previous_revised_ends(book, None)  # no record: no second slip


def test_revised_end_not_later_or_unreadable_is_not_slipped(plan):
    book = programme_book(plan)
    row = book.action("P-5.3")
    for value in ("Dec 2024", "Oct 2024", date(2024, 12, 31), "Ongoing", "soon", ""):
        row["revised_end"] = value
        codes = [c for c, ref in ((f.code, f.extra["ref"])
                                  for f in flag_book(book, as_of=AS_OF).findings) if ref == "5.3"]
        assert "SLIPPED" not in codes, value


def test_flags_cell_rewritten_on_a_rerun(plan):
    book = programme_book(plan)
    report = flag_book(book, as_of=AS_OF)
    apply_flags(book, report)
    assert codes_in(book.action("P-3.3")["flags"]) == ["OVERDUE", "SLIPPED"]
    assert codes_in(book.action("P-3.1")["flags"]) == ["NO_UPDATE", "NOT_STARTED"]
    # run again on the flagged book: the same lines, not a second copy of each
    assert flag_book(book, as_of=AS_OF).cells == report.cells
    book.action("P-3.3")["revised_end"] = "Sept 2024"   # back on its End
    book.action("P-3.3")["rag"] = "Complete"
    again = flag_book(book, as_of=AS_OF)
    assert codes_in(again.cells[2]) == []   # the old OVERDUE and SLIPPED lines are gone


def test_a_tracker_row_never_gets_programme_flags(plan):
    """No Start or Revised end key (a tracker): only the tracker's flags, as before."""
    book = programme_book(plan)
    for row in book.actions:
        del row["start"], row["revised_end"]
    codes = set(flag_book(book, as_of=AS_OF).counts)
    assert codes.isdisjoint({"NOT_STARTED", "SLIPPED"})


def test_stated_end_by_month_or_by_day():
    assert stated_end("Oct 2024 (and ongoing)") == stated_end("Oct 2024")
    assert stated_end("Oct 2024").day == date(2024, 10, 31) and stated_end("Oct 2024").by_month
    day = stated_end("03/04/2025")
    assert (day.day, day.by_month, day.text) == (date(2025, 4, 3), False, "3 April 2025")
    assert stated_end("June 2024 to Sept 2024", first=True).day == date(2024, 6, 30)
    assert [stated_end(v) for v in ("Ongoing", "TBC", "Started", None)] == [None] * 4
    assert months_between(date(2024, 10, 31), date(2025, 1, 31)) == 3


def test_flags_name_the_start_and_revised_end_cells_of_a_written_master(plan, tmp_path):
    """Written and read back: Actions columns H Timeframe, R Start, S Revised end (after
    Flags, so a tracker's letters never move); activity 3.3 is on row 4."""
    master = read_book(write_book(programme_book(plan), tmp_path / "programme.xlsx"))
    assert master.action("P-3.3")["revised_end"] == "Dec 2024"
    assert master.action("P-5.3")["revised_end"] == date(2025, 1, 15)
    cells = {(f.extra["ref"], f.code): f.cell for f in flag_book(master, as_of=AS_OF).findings}
    assert (cells["3.1", "NOT_STARTED"], cells["3.3", "OVERDUE"], cells["3.3", "SLIPPED"]) == \
        ("R2", "H4", "S4")
    assert _by_ref(flag_book(master, as_of=AS_OF)) == EXPECTED
