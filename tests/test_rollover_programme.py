"""Next quarter on a programme plan's master: Start and End stay as printed, the
RDL's Revised end is carried and remembered (so a forecast that moves again is
SLIPPED), risks roll (this quarter's score becomes the previous one) and the
Risks sheet is never dropped."""

from __future__ import annotations

import copy
from datetime import date

from openpyxl import load_workbook
from programme_master import programme_book

from xltools.cycle.rollover import next_quarter, roll_forward
from xltools.reporting.flags import PREVIOUS_REVISED_END, flag_book
from xltools.workbook.book import Book
from xltools.workbook.reader import read_book
from xltools.workbook.risks import roll_risks, score_risk
from xltools.workbook.writer import write_book

LIMITS = {"Red": 15, "Amber": 8}


def test_start_end_and_revised_end_are_carried(plan):
    book = programme_book(plan)
    new, report = roll_forward(book)
    assert new.plan.period == "Q3 2024/25"
    rolled = {r["id"]: r for r in new.actions}
    assert "P-5.2" not in rolled and report.archived == ["P-5.2"]  # Complete
    for before in book.actions:
        if before["id"] == "P-5.2":
            continue
        after = rolled[before["id"]]
        assert (after["start"], after["timeframe"], after["revised_end"]) == \
            (before["start"], before["timeframe"], before["revised_end"])
        assert after["progress_update"] is None and after["flags"] is None
    assert rolled["P-3.3"]["previous_progress"] == "Recruitment under way."


def test_revised_ends_are_remembered_as_last_quarters(plan):
    new, _ = roll_forward(programme_book(plan))
    assert new.extra_settings[PREVIOUS_REVISED_END] == {
        "P-3.3": "Dec 2024", "P-4.1": "Mar 2025", "P-5.3": "2025-01-15", "P-5.5": "Nov 2024"}
    assert new.extra_settings["plan_shape"] == "programme"


def test_a_forecast_moved_again_next_quarter_is_slipped_by_both_measures(plan):
    new, _ = roll_forward(programme_book(plan))
    row = new.action("P-3.3")
    row.update(revised_end="Feb 2025", progress_update="Second round of interviews.",
               rag="Amber", last_updated=date(2025, 1, 5))
    new.action("P-5.5").update(progress_update="Signed off.", rag="Green",
                               last_updated=date(2025, 1, 5))  # Nov 2024 as before
    report = flag_book(new, as_of=date(2025, 1, 14))
    slipped = {f.action_id: f.message for f in report.findings if f.code == "SLIPPED"}
    assert "5 months later than End Sept 2024 and 2 months later than last quarter's " \
        "revised end Dec 2024" in slipped["P-3.3"]
    assert "P-5.5" not in slipped  # unchanged forecast, still on its End


def test_a_tracker_keeps_its_settings(plan, tmp_path):
    book = programme_book(plan)
    for row in book.actions:
        del row["start"], row["revised_end"]
    book.extra_settings = {PREVIOUS_REVISED_END: {"P-3.3": "Dec 2024"}}  # stale: dropped
    new, _ = roll_forward(book)
    assert PREVIOUS_REVISED_END not in new.extra_settings
    assert all("revised_end" not in r for r in new.actions)


def _risks() -> list[dict]:
    rows = [("R1", "Capacity and Pace", "Assistant Chief Executive", 4, 4),
            ("R2", "Resources", "Director of Finance", 3, 2),
            ("R3", "Delivery", "Assistant Chief Executive", None, None)]
    return [score_risk({"id": rid, "title": title, "description": f"{title}: the risk",
                        "mitigation": "Mitigated.", "programme": None, "owner": owner,
                        "likelihood": lik, "impact": imp, "previous_score": None}, LIMITS)
            for rid, title, owner, lik, imp in rows]


def test_risks_roll_through_two_quarters_and_the_sheet_stays(plan, tmp_path):
    book = programme_book(plan)
    book.risks = _risks()
    book.risks[2]["previous_score"] = 6  # scored before, not this quarter
    q2 = write_book(book, tmp_path / "q2.xlsx")
    next_quarter(q2, tmp_path / "q3.xlsx", unconsolidated=True)
    q3 = read_book(tmp_path / "q3.xlsx")
    assert (q3.action("P-5.3")["start"], q3.action("P-5.3")["timeframe"],
            q3.action("P-5.3")["revised_end"]) == ("June 2024", "Dec 2024", date(2025, 1, 15))
    assert q3.extra_settings[PREVIOUS_REVISED_END]["P-5.3"] == "2025-01-15"
    assert [(r["id"], r["score"], r["previous_score"], r["direction"], r["rag"])
            for r in q3.risks] == [("R1", 16, 16, "Same", "Red"), ("R2", 6, 6, "Same", "Green"),
                                   ("R3", None, 6, None, None)]
    # the owner rescored R1 down during Q3; Q4 is rolled from that
    edited = copy.deepcopy(q3)
    edited.risks[0].update(likelihood=3, impact=4)
    score_risk(edited.risks[0], LIMITS)
    assert (edited.risks[0]["score"], edited.risks[0]["direction"]) == (12, "Falling")
    write_book(edited, tmp_path / "q3_edited.xlsx")
    next_quarter(tmp_path / "q3_edited.xlsx", tmp_path / "q4.xlsx", unconsolidated=True)
    q4 = read_book(tmp_path / "q4.xlsx")
    assert q4.plan.period == "Q4 2024/25"
    assert [(r["id"], r["title"], r["score"], r["previous_score"]) for r in q4.risks] == \
        [("R1", "Capacity and Pace", 12, 12), ("R2", "Resources", 6, 6), ("R3", "Delivery",
                                                                            None, 6)]
    assert [r["owner"] for r in q4.risks] == [r["owner"] for r in book.risks]


def test_roll_risks_keeps_every_risk_even_unscored():
    rows = [{"id": f"R{n}", "title": f"Risk {n}"} for n in range(1, 6)]
    assert [r["id"] for r in roll_risks(rows, LIMITS)] == ["R1", "R2", "R3", "R4", "R5"]


def test_a_tracker_master_rolls_with_no_risks_sheet(plan, tmp_path):
    book = Book(plan=plan, actions=copy.deepcopy(programme_book(plan).actions[:2]))
    for row in book.actions:
        del row["start"], row["revised_end"]
    path = write_book(book, tmp_path / "tracker.xlsx")
    next_quarter(path, tmp_path / "next.xlsx", unconsolidated=True)
    assert "Risks" not in load_workbook(tmp_path / "next.xlsx", read_only=True).sheetnames
    assert PREVIOUS_REVISED_END not in read_book(tmp_path / "next.xlsx").extra_settings
