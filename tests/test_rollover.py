"""Next quarter: a consolidated master → next quarter's master (issue 5).

Masters are real files written by our writer, and edited the way a PMO's Excel
would save them (openpyxl) where the case needs it; outputs are read back with
our reader, with openpyxl (validations, names, protection) and by LibreOffice.
"""

from __future__ import annotations

import csv
import json
import subprocess
from datetime import date

import pytest
from conftest import convert
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from xltools.cli import main
from xltools.cycle.check import check_workbook
from xltools.cycle.rollover import RolloverError, default_deadline, move_timeframes, next_quarter
from xltools.errors import UsageError
from xltools.findings import flatten
from xltools.periods import Quarter
from xltools.workbook.book import Book
from xltools.workbook.reader import read_book
from xltools.workbook.writer import change_formula, write_book

S1, S2 = ("1. Addressing the in-year financial challenges",
          "2. Effective delivery of change programmes")


def _actions() -> list[dict]:
    base = {"section": S1, "accountable_officer": "Colin Pettigrew", "timeframe": "Quarterly"}
    rows = [
        ("A-0001", "1.1", S1, "Review non-essential spend", "Colin Pettigrew",
         "Reviews held in July and September.", "Green"),
        ("A-0002", "1.2", S1, "Close the agency overspend", "Andy Dawson",
         "All agency contracts ended.", "Complete"),
        ("A-0003", "2.1", S2, "Launch the new front door", "Anthony May",
         "Pilot started in two districts.", "Amber"),
        ("A-0004", "2.2", S2, "Recruit permanent social workers", "Anthony May", None, None),
        ("A-0005", "2.3", S2, "Introduce case audits", "Chris Ward",
         "Audit tool delayed by IT.", "Red"),
    ]
    out = []
    for aid, ref, section, action, lead, update, rag in rows:
        out.append(dict(base, id=aid, ref=ref, section=section, action=action,
                        lead_officer=lead, progress_update=update, rag=rag,
                        previous_progress=f"Q1 text for {aid}", previous_rag="Green",
                        last_updated=date(2019, 9, 30) if update else None,
                        updated_by=lead if update else None,
                        flags="UNCHANGED: text as last quarter" if aid == "A-0003" else None))
    return out


ARCHIVED = {"id": "A-0012", "ref": "3.9", "section": S1, "action": "Old finished action",
            "progress_update": "Done in Q4.", "rag": "Complete"}

SAVINGS = [
    # approved write-off: Revised becomes Expected
    {"project_ref": "S-01", "project": "Residential placements", "year": "2019/20",
     "expected": 500, "revised": 300, "change_type": "Write-off", "approved_by": "Nigel Stevenson",
     "approved_on": date(2019, 10, 1), "comment": "Market prices rose."},
    # unapproved re-profile: kept as it was, NOT_CARRIED
    {"project_ref": "S-02", "project": "Transport", "year": "2019/20", "expected": 200,
     "revised": 100, "change_type": "Re-profile", "comment": "Awaiting CLT."},
    # approved by, but no date: not an approval
    {"project_ref": "S-02", "project": "Transport", "year": "2020/21", "expected": 0,
     "revised": 100, "change_type": "Re-profile", "approved_by": "Nigel Stevenson"},
    # on target: revised cleared, nothing else changes
    {"project_ref": "S-03", "project": "Fostering", "year": "2019/20", "expected": 150,
     "revised": 150, "comment": "On track."},
]

KPIS = [{"measure": "Re-referrals within 12 months (%)", "latest": 21.5, "latest_period": "Q2",
         "target": 22, "good_is": "Low", "previous": 23.0, "rag": "Green", "trend": "Improved"},
        {"measure": "Children in care per 10,000", "target": 50, "good_is": "Low",
         "previous": 48.0}]

LOG = [{"when": "2019-10-15 09:00:00", "file": "return_Andy_Dawson.xlsx", "sha256": "ab" * 32,
        "officer": "Andy Dawson", "period": "Q2 2019/20", "accepted": 1, "rejected": 0}]


def write_master(path, plan, **changes):
    book = Book(plan=plan.with_changes(**changes), actions=_actions(), savings=list(SAVINGS),
                kpis=list(KPIS), archive=[dict(ARCHIVED)], log=list(LOG))
    return write_book(book, path)


@pytest.fixture
def master(tmp_path, plan):
    return write_master(tmp_path / "master_Q2.xlsx", plan)


def roll(master, tmp_path, **kwargs):
    kwargs.setdefault("unconsolidated", True)  # a master written here, not consolidated
    report = next_quarter(master, tmp_path / "next.xlsx", **kwargs)
    return report, read_book(tmp_path / "next.xlsx")


def _by_id(rows):
    return {r["id"]: r for r in rows}


# -- period, deadline, Guidance ----------------------------------------------------


def test_year_boundary_q4_to_q1(tmp_path, plan):
    path = write_master(tmp_path / "m.xlsx", plan, period="Q4 2019/20", deadline="2020-04-14")
    report, book = roll(path, tmp_path)
    assert (report.previous_period, report.period) == ("Q4 2019/20", "Q1 2020/21")
    assert book.plan.period == "Q1 2020/21"
    # 14 days after 31 Mar as last quarter → 14 days after 30 Jun 2020, a Tuesday
    assert book.plan.deadline == "2020-07-14"
    guidance = dict(list(load_workbook(tmp_path / "next.xlsx")["Guidance"].values)[2:6])
    assert guidance["Reporting period"] == "Q1 2020/21 (01 April 2020 to 30 June 2020)"
    assert guidance["Return deadline"] == "Tuesday 14 July 2020"
    # the dropdown now runs from the new quarter to the end of 2021/22
    quarters = [t for t in book.plan.timeframes if t.startswith("Q") and t[1].isdigit()]
    assert quarters == ["Q1 2020/21", "Q2 2020/21", "Q3 2020/21", "Q4 2020/21",
                        "Q1 2021/22", "Q2 2021/22", "Q3 2021/22", "Q4 2021/22"]
    assert report.timeframes_dropped == ["Q4 2019/20"]


@pytest.mark.parametrize("start, period, new, ends, due", [
    (1, "Q4 2020", "Q1 2021", date(2021, 3, 31), date(2021, 4, 14)),
    (7, "Q4 2019/20", "Q1 2020/21", date(2020, 9, 30), date(2020, 10, 14)),
    (4, "Q3 2019/20", "Q4 2019/20", date(2020, 3, 31), date(2020, 4, 14)),
])
def test_financial_year_start_months(tmp_path, plan, start, period, new, ends, due):
    path = write_master(tmp_path / "m.xlsx", plan, fy_start_month=start, period=period,
                        deadline="", timeframes=(), savings_years=())
    report, book = roll(path, tmp_path)
    assert book.plan.period == new and book.plan.fy_start_month == start
    assert book.plan.quarter.end == ends
    assert book.plan.deadline == due.isoformat()
    assert report.deadline_rule == "14 days after the quarter ends"
    listed = [Quarter.parse(t, start) for t in book.plan.timeframes if t[1].isdigit()]
    assert listed[0] == Quarter.parse(new, start)
    assert listed[-1] == Quarter(listed[0].year + 1, 4, start)
    assert check_workbook(tmp_path / "next.xlsx").structural == []


def test_default_deadline_keeps_the_gap_and_avoids_weekends(plan):
    # Q4 2019/20 ends Tue 31 Mar 2020; a 4-day gap lands on Sat 4 Apr → Mon 6 Apr
    p = plan.with_changes(period="Q3 2019/20", deadline="2020-01-04")
    due, rule = default_deadline(p, p.quarter.next())
    assert due == date(2020, 4, 6) and "moved off the weekend" in rule
    # a gap of five months is not a habit: 14 days
    p = plan.with_changes(period="Q3 2019/20", deadline="2020-06-01")
    assert default_deadline(p, p.quarter.next())[0] == date(2020, 4, 14)


def test_explicit_deadline_and_a_deadline_before_the_period(master, tmp_path):
    report, book = roll(master, tmp_path, deadline=date(2020, 1, 10))
    assert book.plan.deadline == "2020-01-10" and report.deadline_rule == "given with --deadline"
    with pytest.raises(UsageError, match="before Q3 2019/20 starts"):
        next_quarter(master, tmp_path / "x.xlsx", deadline=date(2019, 9, 1), unconsolidated=True)


# -- actions ----------------------------------------------------------------------


def test_updates_move_to_previous_and_are_cleared(master, tmp_path):
    report, book = roll(master, tmp_path)
    rows = _by_id(book.actions)
    assert list(rows) == ["A-0001", "A-0003", "A-0004", "A-0005"]
    a1 = rows["A-0001"]
    assert (a1["previous_progress"], a1["previous_rag"]) == ("Reviews held in July and "
                                                             "September.", "Green")
    for row in rows.values():
        for key in ("progress_update", "rag", "last_updated", "updated_by", "flags"):
            assert row.get(key) is None, (row["id"], key)
    assert rows["A-0005"]["previous_rag"] == "Red"
    # no update this quarter: last quarter's text and status stay, and the report says so
    assert (rows["A-0004"]["previous_progress"], rows["A-0004"]["previous_rag"]) == (
        "Q1 text for A-0004", "Green")
    assert ("master_Q2.xlsx", "L5", "NO_UPDATE") in flatten(report.findings)
    # ref, section, officers, timeframe untouched
    assert (a1["ref"], a1["lead_officer"], a1["timeframe"]) == ("1.1", "Colin Pettigrew",
                                                                 "Quarterly")


def test_complete_action_is_archived_not_deleted(master, tmp_path):
    report, book = roll(master, tmp_path)
    assert report.archived == ["A-0002"]
    assert [r["id"] for r in book.archive] == ["A-0012", "A-0002"]
    done = book.archive[1]
    assert (done["progress_update"], done["rag"]) == ("All agency contracts ended.", "Complete")
    assert ("master_Q2.xlsx", "M3", "ARCHIVED") in flatten(report.findings)
    archive = load_workbook(tmp_path / "next.xlsx")["Archive"]
    assert archive.protection.sheet and archive["A3"].value == "A-0002"


def test_keep_complete_leaves_it_on_actions(master, tmp_path):
    report, book = roll(master, tmp_path, keep_complete=True)
    assert report.archived == [] and [r["id"] for r in book.archive] == ["A-0012"]
    a2 = _by_id(book.actions)["A-0002"]
    assert (a2["previous_rag"], a2["rag"], a2["previous_progress"]) == (
        "Complete", None, "All agency contracts ended.")


@pytest.mark.parametrize("prefill, expected", [(True, "Amber"), (False, None)])
def test_prefill_rag(tmp_path, plan, prefill, expected):
    path = write_master(tmp_path / "m.xlsx", plan, prefill_rag=prefill)
    _report, book = roll(path, tmp_path)
    rows = _by_id(book.actions)
    assert rows["A-0003"]["rag"] == expected
    assert rows["A-0003"]["previous_rag"] == "Amber"
    assert rows["A-0004"]["rag"] == ("Green" if prefill else None)  # last known status


def _edit_actions(path, edit):
    """Change the master as a PMO would in Excel (openpyxl saves it like Excel)."""
    wb = load_workbook(path)
    edit(wb["Actions"])
    wb.save(path)


def test_new_actions_get_ids_after_archived_ones(master, tmp_path):
    def add(ws):
        ws["B7"], ws["C7"], ws["D7"] = "2.4", S2, "Set up a practice academy"
        ws["A8"], ws["B8"], ws["C8"], ws["D8"] = "New action", "2.5", S2, "Peer review"
    _edit_actions(master, add)
    report, book = roll(master, tmp_path)
    # highest ID anywhere is the archived A-0012, so new ones start at A-0013
    assert report.new_ids == ["A-0013", "A-0014"]
    rows = _by_id(book.actions)
    assert rows["A-0013"]["action"] == "Set up a practice academy"
    assert rows["A-0014"]["ref"] == "2.5"
    assert [f for f in flatten(report.findings) if f[2] == "NEW_ACTION"] == [
        ("master_Q2.xlsx", "A7", "NEW_ACTION"), ("master_Q2.xlsx", "A8", "NEW_ACTION")]
    assert check_workbook(tmp_path / "next.xlsx").ok


def test_renumbered_section_keeps_history_by_id(master, tmp_path):
    """The PMO inserts a new 2.1 and renumbers section 2 in a new order."""
    def renumber(ws):
        rows = {r[0].value: [c.value for c in r] for r in ws.iter_rows(min_row=4, max_row=6)}
        new = [None, "2.1", S2, "New multi-agency hub"] + [None] * (ws.max_column - 4)
        order = [rows["A-0005"], new, rows["A-0003"], rows["A-0004"]]
        for offset, values in enumerate(order):
            for col, value in enumerate(values, start=1):
                ws.cell(row=4 + offset, column=col).value = value
        for row, ref in zip((4, 6, 7), ("2.2", "2.3", "2.4"), strict=True):
            ws.cell(row=row, column=2, value=ref)
    _edit_actions(master, renumber)
    report, book = roll(master, tmp_path)
    rows = _by_id(book.actions)
    assert [(r["id"], r["ref"]) for r in book.actions] == [
        ("A-0001", "1.1"), ("A-0005", "2.2"), ("A-0013", "2.1"), ("A-0003", "2.3"),
        ("A-0004", "2.4")]
    assert rows["A-0005"]["previous_progress"] == "Audit tool delayed by IT."
    assert rows["A-0003"]["previous_progress"] == "Pilot started in two districts."
    assert rows["A-0004"]["previous_progress"] == "Q1 text for A-0004"
    assert rows["A-0013"]["previous_progress"] is None


def test_duplicate_ids_and_returns_are_refused(master, tmp_path, plan):
    _edit_actions(master, lambda ws: ws.__setitem__("A3", "A-0001"))
    with pytest.raises(RolloverError, match=r"A-0001 is used more than once.*Actions!A2"):
        next_quarter(master, tmp_path / "x.xlsx")
    ret = write_book(Book(plan=plan, kind="return", officer="Andy Dawson",
                          actions=_actions()[1:2]), tmp_path / "ret.xlsx")
    with pytest.raises(RolloverError, match="Andy Dawson's return"):
        next_quarter(ret, tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()


def test_missing_column_is_refused(master, tmp_path):
    _edit_actions(master, lambda ws: ws.delete_cols(12))  # Progress update
    with pytest.raises(RolloverError, match="no 'Progress update' column"):
        next_quarter(master, tmp_path / "x.xlsx")


def test_bad_deadline_text_is_a_usage_error(master, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["next-quarter", "--unconsolidated", str(master), "-o", str(tmp_path / "x.xlsx"),
              "--deadline", "31/02/2020"])  # 14/01/2020 is accepted now, as printed
    assert exc.value.code == 2 and "'31/02/2020' is not a date" in capsys.readouterr().err


def test_never_overwrites_the_master(master, tmp_path):
    before = master.read_bytes()
    with pytest.raises(UsageError, match="not over the master"):
        next_quarter(master, master)
    next_quarter(master, tmp_path / "next.xlsx", unconsolidated=True)
    assert master.read_bytes() == before


# -- timeframes -------------------------------------------------------------------


def test_move_timeframes_keeps_free_text_and_recurring():
    values = ["Q1 2019/20", "Q2 2019/20", "November 2019", "Q3 2019/20", "Q4 2020/21",
              "Ongoing", "Quarterly"]
    moved, dropped, added = move_timeframes(values, Quarter(2019, 3))
    assert dropped == ["Q1 2019/20", "Q2 2019/20"]
    assert added == ["Q4 2019/20", "Q1 2020/21", "Q2 2020/21", "Q3 2020/21"]
    assert moved == ["November 2019", "Q3 2019/20", "Q4 2020/21", "Q4 2019/20", "Q1 2020/21",
                     "Q2 2020/21", "Q3 2020/21", "Ongoing", "Quarterly"]
    # a list made without quarters stays as it is
    assert move_timeframes(["Ongoing", "March 2020"], Quarter(2019, 3)) == (
        ["Ongoing", "March 2020"], [], [])


@settings(max_examples=60, deadline=None)
@given(start=st.integers(1, 12), year=st.integers(2015, 2030), number=st.integers(1, 4),
       offsets=st.lists(st.integers(-6, 10), max_size=8), extra=st.lists(
           st.sampled_from(["Ongoing", "November 2019", "Quarterly", "End of June"]),
           max_size=3, unique=True))
def test_move_timeframes_properties(start, year, number, offsets, extra):
    current = Quarter(year, number, start)
    values = list(dict.fromkeys([str(current.shift(o)) for o in offsets] + extra))
    moved, dropped, added = move_timeframes(values, current.next())
    quarters = [Quarter.parse(v, start) for v in moved if v not in extra]
    assert [v for v in moved if v in extra] == [v for v in values if v in extra]
    assert all(q >= current.next() for q in quarters)
    assert all(Quarter.parse(v, start) < current.next() for v in dropped)
    assert set(dropped) | set(moved) == set(values) | set(added)
    new = current.next()
    wanted = {new.shift(i) for i in range(8) if new.shift(i).year <= new.year + 1}
    assert wanted <= set(quarters) if offsets else quarters == []


def test_empty_timeframes_follow_the_period(plan):
    from xltools.cycle.rollover import next_plan
    new, report = next_plan(plan.with_changes(timeframes=()), None, "m.xlsx")
    assert new.timeframes == ()
    assert new.timeframe_list()[0] == "Q3 2019/20"
    assert "Q2 2019/20" not in new.timeframe_list()


def test_validations_names_and_protection_intact(master, tmp_path):
    roll(master, tmp_path)
    wb = load_workbook(tmp_path / "next.xlsx")
    assert wb.sheetnames == ["Guidance", "Actions", "Savings", "KPIs", "Archive", "Log", "Lists",
                             "Settings"]
    actions = wb["Actions"]
    rules = {str(dv.sqref): dv.formula1 for dv in actions.data_validations.dataValidation}
    assert rules["M2:M15"] == "=RAGList"  # 4 actions + 10 spare rows
    assert rules["H2:H15"] == "=TimeframeList" and rules["F2:F15"] == "=OfficerList"
    savings = {str(dv.sqref): dv.formula1 for dv in wb["Savings"].data_validations.dataValidation}
    assert savings["I2:I15"] == "=ChangeTypeList"
    for name in ("Actions", "Savings", "KPIs", "Lists", "Archive", "Log"):
        assert wb[name].protection.sheet, name
    assert actions["L2"].protection.locked is False  # Progress update is an input cell
    assert actions["J2"].protection.locked is True  # Previous progress is read-only
    assert actions.tables["ActionsTable"].ref == "A1:Q15"
    sheet, ref = wb.defined_names["TimeframeList"].attr_text.split("!")
    cells = wb[sheet][ref.replace("$", "")]
    listed = [row[0].value for row in cells]
    assert listed[0] == "Q3 2019/20" and "Q2 2019/20" not in listed
    assert listed[-4:] == ["Ongoing", "Quarterly", "Monthly", "Annually"]
    assert wb.defined_names["RAGList"].attr_text == "Lists!$B$2:$B$6"


# -- savings and KPIs -------------------------------------------------------------


def test_savings_approved_vs_unapproved(master, tmp_path):
    report, book = roll(master, tmp_path)
    s1, s2, s2_next, s3 = book.savings
    assert (s1["expected"], s1["revised"], s1["change_type"], s1["approved_by"],
            s1["approved_on"]) == (300, None, None, None, None)
    assert s1["comment"] == ("Q2 2019/20: Expected changed from 500 to 300 (Write-off approved "
                             "by Nigel Stevenson on 01/10/2019).\nMarket prices rose.")
    # not approved: exactly as it was, flagged in the Comment and the report
    assert (s2["expected"], s2["revised"], s2["change_type"]) == (200, 100, "Re-profile")
    assert s2["comment"].startswith("NOT_CARRIED: change of -100 to 2019/20 has no approval")
    assert s2["comment"].endswith("\nAwaiting CLT.")
    assert (s2_next["expected"], s2_next["revised"], s2_next["approved_by"]) == (
        0, 100, "Nigel Stevenson")
    assert (s3["expected"], s3["revised"], s3["comment"]) == (150, None, "On track.")
    assert [f for f in flatten(report.findings) if f[2] == "NOT_CARRIED"] == [
        ("master_Q2.xlsx", "G3", "NOT_CARRIED"), ("master_Q2.xlsx", "G4", "NOT_CARRIED")]
    assert report.savings == {"rows": 4, "approved": 1, "unchanged": 1, "not_carried": 2}
    change = load_workbook(tmp_path / "next.xlsx")["Savings"]["H3"].value
    assert change == change_formula(3)  # the writer's live formula, on the row's own cells


def test_not_carried_flag_is_not_repeated_next_quarter(master, tmp_path):
    next_quarter(master, tmp_path / "q3.xlsx", unconsolidated=True)
    next_quarter(tmp_path / "q3.xlsx", tmp_path / "q4.xlsx", unconsolidated=True)
    comment = read_book(tmp_path / "q4.xlsx").savings[1]["comment"]
    assert comment.count("NOT_CARRIED") == 1 and "from Q3 2019/20" in comment


def test_kpis_latest_moves_to_previous(master, tmp_path):
    report, book = roll(master, tmp_path)
    k1, k2 = book.kpis
    assert (k1["previous"], k1["latest"], k1["latest_period"], k1["rag"], k1["trend"]) == (
        21.5, None, None, None, None)
    assert (k1["target"], k1["good_is"]) == (22, "Low")
    assert k2["previous"] == 48.0  # no Latest this quarter: Previous kept
    assert ("master_Q2.xlsx", "C3", "NO_UPDATE") in flatten(report.findings)
    assert report.kpis_moved == 1


def test_log_kept_and_rollover_recorded(master, tmp_path):
    _report, book = roll(master, tmp_path)
    assert [r["file"] for r in book.log] == ["return_Andy_Dawson.xlsx", "master_Q2.xlsx"]
    assert book.log[1]["period"] == "Q2 2019/20" and len(book.log[1]["sha256"]) == 64
    assert book.extra_settings["rolled_from"]["period"] == "Q2 2019/20"


# -- the command, check and LibreOffice -----------------------------------------


def test_cli_json_and_check(master, tmp_path, capsys):
    out = tmp_path / "next.xlsx"
    assert main(["next-quarter", "--unconsolidated", str(master), "-o", str(out),
                 "--deadline", "2020-01-13",
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["period"], data["deadline"], data["archived"]) == (
        "Q3 2019/20", "2020-01-13", ["A-0002"])
    assert data["structural"] == [] and data["counts"]["NOT_CARRIED"] == 2
    assert main(["check", str(out), "--json"]) == 0
    checked = json.loads(capsys.readouterr().out)
    assert checked["ok"] and checked["period"] == "Q3 2019/20"
    assert main(["next-quarter", str(master), "-o", str(master)]) == 2
    assert "not over the master" in capsys.readouterr().err


def _csv(soffice, path, sheet: int, name: str, outdir):
    """One sheet as CSV (LibreOffice ≥ 7.2 filter option 12 picks it; file NAME-SHEET.csv)."""
    fmt = f"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,{sheet}"
    cmd = [soffice, f"-env:UserInstallation=file://{outdir / 'lo-profile'}", "--headless",
           "--convert-to", fmt, "--outdir", str(outdir), str(path)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    with (outdir / f"{path.stem}-{name}.csv").open(encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_output_opens_in_libreoffice(master, tmp_path, soffice):
    roll(master, tmp_path)
    out = tmp_path / "next.xlsx"
    assert convert(soffice, out, "pdf", tmp_path / "pdf").stat().st_size > 1000
    actions = _csv(soffice, out, 2, "Actions", tmp_path / "actions")
    assert actions[0][:3] == ["ID", "Ref", "Section"]
    assert [r[0] for r in actions[1:5]] == ["A-0001", "A-0003", "A-0004", "A-0005"]
    assert actions[1][9] == "Reviews held in July and September."
    savings = _csv(soffice, out, 3, "Savings", tmp_path / "savings")
    # Change recalculated by LibreOffice for the row left as it was: 100 − 200
    assert savings[2][:8] == ["S-02", "Transport", "", "", "2019/20", "200", "100", "-100"]
    assert savings[1][5] == "300"  # the approved figure is the new baseline


# -- round trip: next-quarter → issue → fill → consolidate ------------------------


def _fill_return(path, day: date) -> list[str]:
    """Fill every action of a return as an officer's Excel would save it."""
    wb = load_workbook(path)
    ws = wb["Actions"]
    col = {cell.value: cell.column for cell in ws[1]}
    filled = []
    for row in range(2, ws.max_row + 1):
        action_id = ws.cell(row, col["ID"]).value
        if not action_id:
            continue
        ws.cell(row, col["Progress update"]).value = f"Q3 update for {action_id}"
        ws.cell(row, col["RAG status"]).value = "Green"
        ws.cell(row, col["Last updated"]).value = day
        ws.cell(row, col["Updated by"]).value = ws.cell(row, col["Lead officer"]).value
        filled.append(action_id)
    wb.save(path)
    return filled


def test_round_trip_issue_fill_consolidate(master, tmp_path, capsys):
    nxt, returns, out = tmp_path / "next.xlsx", tmp_path / "returns", tmp_path / "q3.xlsx"
    next_quarter(master, nxt, unconsolidated=True)
    assert main(["issue", str(nxt), "-o", str(returns), "--json"]) == 0
    files = sorted(returns.glob("*.xlsx"))
    assert len(files) == 3  # Colin Pettigrew, Anthony May, Chris Ward: A-0002 is archived
    for path in files:
        back = read_book(path)
        assert back.plan.period == "Q3 2019/20" and back.plan.deadline == "2020-01-14"
        assert all(r["previous_progress"] for r in back.actions)
    filled = sorted(a for path in files for a in _fill_return(path, date(2020, 1, 10)))
    assert filled == ["A-0001", "A-0003", "A-0004", "A-0005"]
    assert main(["consolidate", str(nxt), str(returns), "-o", str(out), "--json"]) == 0
    capsys.readouterr()
    book = read_book(out)
    rows = _by_id(book.actions)
    assert sorted(rows) == filled
    for action_id, row in rows.items():
        assert (row["progress_update"], row["rag"], row["last_updated"]) == (
            f"Q3 update for {action_id}", "Green", date(2020, 1, 10))
    assert rows["A-0001"]["previous_progress"] == "Reviews held in July and September."
    assert rows["A-0004"]["previous_progress"] == "Q1 text for A-0004"
    assert [r["id"] for r in book.archive] == ["A-0012", "A-0002"]
    assert book.plan.period == "Q3 2019/20"
    assert check_workbook(out).structural == []


def test_last_quarters_consolidation_state_is_not_carried(plan, tmp_path):
    from xltools.cycle.returns import STATE_KEY
    from xltools.workbook.book import Book
    from xltools.workbook.writer import write_book

    book = Book(plan=plan, actions=[{"id": "A-0001", "action": "x", "rag": "Green",
                                     "progress_update": "Done some."}],
                extra_settings={STATE_KEY: {"period": plan.period, "ids": ["A-0001"]}})
    master = write_book(book, tmp_path / "m.xlsx")
    out = tmp_path / "next.xlsx"
    next_quarter(master, out, unconsolidated=True)
    assert STATE_KEY not in read_book(out).extra_settings


# -- pins (issue 28): each failed with its bug planted (bench/mutants.py) ----------------


def test_to_the_masters_own_quarter_is_refused(master, tmp_path):
    """--to names the quarter to roll *to*: the master's own period would move this
    quarter's updates into Previous progress and leave the period where it was."""
    period = read_book(master).plan.period
    with pytest.raises(UsageError, match="not after"):
        roll(master, tmp_path, to=period)
    assert not (tmp_path / "next.xlsx").exists()


def test_next_quarter_waits_for_a_run_writing_the_same_output(master, tmp_path):
    """Two runs writing one file would leave whichever finished last: while another
    xltools run holds the output, next quarter refuses and writes nothing."""
    from xltools.errors import BusyError
    from xltools.workbook.files import output_lock

    out = tmp_path / "next.xlsx"
    with output_lock(out, "consolidate"):
        with pytest.raises(BusyError, match="being written by another xltools run"):
            roll(master, tmp_path)
        assert not out.exists()
    roll(master, tmp_path)  # and once it has finished, goes ahead
    assert out.exists()
