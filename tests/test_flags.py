"""Stale-update flags on a real master, every flag worked out by hand.

As of 14 October 2019 (Q2 2019/20: 1 July – 30 September 2019, 90-day limit):
  A-0002 progress same as previous ignoring case/spaces   → UNCHANGED
  A-0003 Amber, no progress                               → NO_UPDATE, NO_NARRATIVE
  A-0004 updated 28 June (before the period), due July    → OUT_OF_DATE, OVERDUE
  A-0006 timeframe "Details"                              → NO_DUE_DATE
  A-0008 progress "-", timeframe "To be determined."      → NO_UPDATE, NO_DUE_DATE
  A-0009 updated 1 July: 105 days before 14 October       → OUT_OF_DATE
  A-0010 consolidation's INVALID kept, its stale OVERDUE line dropped (due 14/10/2019,
         not yet past)
  A-0011 "Implementation from September 2019" (a start)   → NO_DUE_DATE
  A-0001/A-0002 recurring ("Quarterly", "every quarter"), A-0005 Complete though its
  date passed, A-0007/A-0012 dated in the future: not overdue.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from pmo_master import AS_OF, master_book

from xltools.cli import main
from xltools.findings import codes_in, flatten
from xltools.reporting.flags import apply_flags, default_as_of, flag_book
from xltools.workbook.reader import read_book
from xltools.workbook.writer import write_book

# Actions columns: H Timeframe, L Progress update, N Last updated, Q Flags; row = index + 2
EXPECTED = [
    ("A-0002", "L3", "UNCHANGED"),
    ("A-0003", "L4", "NO_UPDATE"),
    ("A-0003", "L4", "NO_NARRATIVE"),
    ("A-0004", "N5", "OUT_OF_DATE"),
    ("A-0004", "H5", "OVERDUE"),
    ("A-0006", "H7", "NO_DUE_DATE"),
    ("A-0008", "L9", "NO_UPDATE"),
    ("A-0008", "H9", "NO_DUE_DATE"),
    ("A-0009", "N10", "OUT_OF_DATE"),
    ("A-0010", "Q11", "INVALID"),
    ("A-0011", "H12", "NO_DUE_DATE"),
]


def _master(plan, tmp_path):
    return read_book(write_book(master_book(plan), tmp_path / "master.xlsx"))


def test_every_flag(plan, tmp_path):
    report = flag_book(_master(plan, tmp_path), as_of=AS_OF)
    assert flatten(report.findings, ("action_id", "cell", "code")) == EXPECTED
    assert {f.file for f in report.findings} == {"master.xlsx"}
    assert report.counts == {"INVALID": 1, "NO_DUE_DATE": 3, "NO_NARRATIVE": 1,
                             "NO_UPDATE": 2, "OUT_OF_DATE": 2, "OVERDUE": 1, "UNCHANGED": 1}


def test_each_flag_names_ref_officer_and_is_a_sentence(plan, tmp_path):
    report = flag_book(_master(plan, tmp_path), as_of=AS_OF)
    overdue = next(f for f in report.findings if f.code == "OVERDUE")
    assert overdue.extra == {"ref": "1.5", "officer": "Steve Edwards"}
    assert "31 July 2019" in overdue.message and "Steve Edwards" in overdue.message
    joint = next(f for f in report.findings if f.code == "UNCHANGED")
    assert joint.extra["officer"] == "Laurence Jones / Sue Summerscales"
    for f in report.findings:
        assert f.message[0].isupper() and f.message.rstrip().endswith((".", "dropdown"))


def test_flags_column_written_and_read_back(plan, tmp_path):
    book = _master(plan, tmp_path)
    apply_flags(book, flag_book(book, as_of=AS_OF))
    again = read_book(write_book(book, tmp_path / "flagged.xlsx"))
    cells = {r["id"]: codes_in(r.get("flags")) for r in again.actions}
    assert cells["A-0003"] == ["NO_UPDATE", "NO_NARRATIVE"]
    assert cells["A-0010"] == ["INVALID"]          # stale OVERDUE line replaced
    assert cells["A-0001"] == [] and again.action("A-0001")["flags"] is None
    # running again on the flagged file gives the same flags (idempotent)
    assert flatten(flag_book(again, as_of=AS_OF).findings,
                   ("action_id", "cell", "code")) == EXPECTED


def test_as_of_decides_overdue_and_stale(plan, tmp_path):
    book = _master(plan, tmp_path)
    early = flag_book(book, as_of=date(2019, 9, 29))
    codes = flatten(early.findings, ("action_id", "code"))
    assert ("A-0009", "OUT_OF_DATE") not in codes     # 90 days after 1 July: not over 90
    on_day_91 = flatten(flag_book(book, as_of=date(2019, 9, 30)).findings, ("action_id", "code"))
    assert ("A-0009", "OUT_OF_DATE") in on_day_91
    assert ("A-0004", "OVERDUE") in codes
    late = flag_book(book, as_of=date(2020, 7, 1))
    late_codes = flatten(late.findings, ("action_id", "code"))
    assert ("A-0007", "OVERDUE") in late_codes       # Q3 2019/20 ended 31 Dec 2019
    assert ("A-0012", "OVERDUE") in late_codes       # June 2020 has passed
    assert ("A-0001", "OVERDUE") not in late_codes   # recurring: never overdue
    assert ("A-0005", "OVERDUE") not in late_codes   # Complete


def test_default_as_of_is_today_clipped_to_deadline(plan):
    assert default_as_of(plan, today=date(2026, 1, 1)) == date(2019, 10, 14)  # deadline
    assert default_as_of(plan, today=date(2019, 8, 1)) == date(2019, 8, 1)
    no_deadline = plan.with_changes(deadline="")
    assert default_as_of(no_deadline, today=date(2026, 1, 1)) == date(2019, 9, 30)


def test_previous_workbook_progress_for_unchanged(plan, tmp_path):
    """With --previous, last quarter's Progress update (matched by ID) is compared."""
    now = _master(plan, tmp_path)
    before = master_book(plan)
    for row in before.actions:
        row["progress_update"] = f"Last quarter's text for {row['id']}."
    before.action("A-0009")["progress_update"] = "SCHWARTZ rounds running monthly. "
    prev = read_book(write_book(before, tmp_path / "prev.xlsx"))
    found = flag_book(now, as_of=AS_OF, previous=prev).findings
    unchanged = [f.action_id for f in found if f.code == "UNCHANGED"]
    assert unchanged == ["A-0009"]  # A-0002's Previous progress column is not used


def test_cli_flags_json_and_output(plan, tmp_path, capsys):
    master = write_book(master_book(plan), tmp_path / "master.xlsx")
    out = tmp_path / "flagged.xlsx"
    assert main(["flags", str(master), "--as-of", "2019-10-14", "-o", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["as_of"] == "2019-10-14"
    assert [(f["action_id"], f["cell"], f["code"]) for f in data["flags"]] == EXPECTED
    assert data["flags"][0]["ref"] == "1.2" and data["flags"][0]["officer"]
    assert codes_in(read_book(out).action("A-0004")["flags"]) == ["OUT_OF_DATE", "OVERDUE"]


def test_cli_bad_as_of(plan, tmp_path, capsys):
    master = write_book(master_book(plan), tmp_path / "master.xlsx")
    with pytest.raises(SystemExit) as exc:  # argparse reports a bad option value itself
        main(["flags", str(master), "--as-of", "32/10/2019"])  # 14/10/2019 is fine now
    assert exc.value.code == 2
    assert "21/10/2019 or 2019-10-21" in capsys.readouterr().err
