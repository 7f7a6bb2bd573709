"""The cycle on a programme plan (issue 27): returns per RDL with their activities and
the risks they own; `check` rules for Revised end and the Risks sheet; consolidation
of Revised end and the owners' risk scores (rescored), NOT_OWNER for anyone else's.
Returns are real .xlsx files, filled in with openpyxl and re-typed by xlsxwriter."""

from __future__ import annotations

import json

import pytest
import xlsxwriter
from openpyxl import load_workbook
from programme_books import LUCY, STEVE, programme_master

from xltools.cli import main
from xltools.cycle.consolidate import consolidate
from xltools.cycle.returns import issue_returns
from xltools.workbook.layout import RISKS_LAYOUT
from xltools.workbook.reader import read_book
from xltools.workbook.writer import write_book

MARION = "Marion Clay"  # owns a risk, leads no activity


@pytest.fixture
def issued(plan, tmp_path):
    master = programme_master(plan)
    fourth = dict(master.risks[0], id="R4", title="Suppliers", owner=MARION)
    master.risks.append(fourth)
    path = write_book(master, tmp_path / "master.xlsx")
    report = issue_returns(path, tmp_path / "returns")
    return path, report, {r.officer: r for r in report.returns}


def _sheet(path, name):
    ws = load_workbook(path)[name]
    head = [c.value for c in ws[1]]
    return ws, {h: chr(65 + i) for i, h in enumerate(head)}


def test_each_rdl_gets_their_activities_and_the_risks_they_own(issued):
    _master, report, by_officer = issued
    assert {o: (r.actions, r.risks) for o, r in by_officer.items()} == {
        STEVE: (["A-0001", "A-0002"], ["R1"]), LUCY: (["A-0003"], ["R2"]),
        MARION: ([], ["R4"])}
    (unowned,) = [f for f in report.findings if f.code == "NO_OFFICER"]
    assert (unowned.sheet, unowned.cell, unowned.action_id) == ("Risks", "F4", "R3")
    assert "Perception" in unowned.message and "no return includes it" in unowned.message
    ws, col = _sheet(by_officer[STEVE].path, "Risks")
    assert ws.max_row == 2 and ws[f"{col['ID']}2"].value == "R1"
    assert (ws[f"{col['Likelihood']}2"].value, ws[f"{col['Impact']}2"].value,
            ws[f"{col['Score']}2"].value, ws[f"{col['RAG']}2"].value) == (3, 4, 12, "Amber")
    editable = {h for h, letter in col.items() if not ws[f"{letter}2"].protection.locked}
    assert editable == {"Likelihood", "Impact"}  # "risk score now"; the rest locked
    assert [c.value for c in ws[1]] == RISKS_LAYOUT.headers
    assert "'Revised end'" in _guidance(by_officer[STEVE].path)
    assert "risks you own" in _guidance(by_officer[MARION].path)


def _guidance(path) -> str:
    return " ".join(str(c.value) for row in load_workbook(path)["Guidance"].iter_rows()
                    for c in row if c.value)


def _fill_steve(path):
    """Steve's update with openpyxl: a progress update, a Revised end, R1 more likely."""
    wb = load_workbook(path)
    ws = wb["Actions"]
    col = {c.value: c.column_letter for c in ws[1]}
    ws[f"{col['Progress update']}2"] = "Savings agreed by Cabinet."
    ws[f"{col['RAG status']}2"] = "Amber"
    ws[f"{col['Revised end']}2"] = "Jan 2025"
    ws[f"{col['Start']}3"] = "Aug 2024"  # typed over the locked Start (sheet unprotected)
    risks = wb["Risks"]
    rcol = {c.value: c.column_letter for c in risks[1]}
    risks[f"{rcol['Likelihood']}2"] = 5
    wb.save(path)


def _retype_lucy(path, risk_rows):
    """Lucy's return as another program saves it (xlsxwriter): her activity updated, her
    risk R2's impact raised, and ``risk_rows`` (ID, likelihood, impact) on Risks."""
    made = load_workbook(path)
    sheets = {name: [[c.value for c in r] for r in made[name].iter_rows()]
              for name in ("Actions", "Risks", "Settings")}
    wb = xlsxwriter.Workbook(path)
    actions = sheets["Actions"]
    head = actions[0]
    actions[1][head.index("Progress update")] = "Constitution review started."
    actions[1][head.index("RAG status")] = "Green"
    risk_head = sheets["Risks"][0]
    base = sheets["Risks"][1]
    sheets["Risks"] = [risk_head]
    for rid, likelihood, impact in risk_rows:
        row = list(base)
        row[risk_head.index("ID")] = rid
        row[risk_head.index("Likelihood")] = likelihood
        row[risk_head.index("Impact")] = impact
        sheets["Risks"].append(row)
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, cells in enumerate(rows):
            for c, value in enumerate(cells):
                if value is not None:
                    ws.write(r, c, value)
    wb.close()


def test_consolidation_merges_revised_end_and_owners_risk_scores(issued, tmp_path):
    master, _report, by_officer = issued
    _fill_steve(by_officer[STEVE].path)
    # Lucy raises R2's impact, and also "rescores" Steve's R1: not hers
    _retype_lucy(by_officer[LUCY].path, [("R2", 2, 5), ("R1", 1, 1)])
    out = tmp_path / "consolidated.xlsx"
    report = consolidate(master, tmp_path / "returns", out)
    book = read_book(out)
    rows = {r["id"]: r for r in book.actions}
    assert (rows["A-0001"]["revised_end"], rows["A-0001"]["progress_update"],
            rows["A-0001"]["rag"], rows["A-0001"]["start"]) == (
        "Jan 2025", "Savings agreed by Cabinet.", "Amber", "July 2024")
    assert rows["A-0002"]["revised_end"] == "Dec 2024"  # as issued: unchanged
    assert rows["A-0002"]["start"] == "Started"  # the plan's, not the typed-over Start
    (locked,) = [f for f in report.findings if f.code == "LOCKED_CHANGED"]
    assert (locked.cell, locked.column, locked.expected, locked.got) == (
        "R3", "Start", "Started", "Aug 2024")
    assert rows["A-0003"]["progress_update"] == "Constitution review started."
    risks = {r["id"]: r for r in book.risks}
    assert (risks["R1"]["likelihood"], risks["R1"]["impact"], risks["R1"]["score"],
            risks["R1"]["rag"]) == (5, 4, 20, "Red")  # Steve's, rescored; not Lucy's 1 x 1
    assert (risks["R2"]["likelihood"], risks["R2"]["impact"], risks["R2"]["score"],
            risks["R2"]["rag"]) == (2, 5, 10, "Amber")
    assert (risks["R3"]["score"], risks["R4"]["score"]) == (16, 12)  # nobody's: as they were
    assert report.risks_updated == ["R1", "R2"] and report.counts()["risks_updated"] == 2
    (foreign,) = [f for f in report.findings if f.code == "NOT_OWNER"]
    assert (foreign.file, foreign.sheet, foreign.cell, foreign.action_id, foreign.expected,
            foreign.got) == (by_officer[LUCY].path.name, "Risks", "A3", "R1", STEVE, LUCY)
    blank = [f.file for f in report.findings if f.code == "BLANK_RETURN"]
    assert blank == [by_officer[MARION].path.name]  # R4 as issued: no answer


def test_a_risk_score_alone_is_an_answer_and_two_owners_disagreeing_conflict(
        plan, tmp_path):
    master = programme_master(plan)
    master.risks[0]["owner"] = f"{STEVE} / {LUCY}"  # joint owners of R1
    path = write_book(master, tmp_path / "master.xlsx")
    issued = {r.officer: r for r in issue_returns(path, tmp_path / "returns").returns}
    _retype_lucy(issued[LUCY].path, [("R1", 4, 4)])  # Lucy: R1 at 4 x 4
    wb = load_workbook(issued[STEVE].path)
    wb["Risks"]["G2"] = 2  # Steve: R1 at 2 x 4
    wb.save(issued[STEVE].path)
    report = consolidate(path, tmp_path / "returns", tmp_path / "out.xlsx")
    conflicts = [f for f in report.findings if f.code == "CONFLICT" and f.sheet == "Risks"]
    assert sorted(f.file for f in conflicts) == sorted(
        [issued[STEVE].path.name, issued[LUCY].path.name])
    r1 = read_book(tmp_path / "out.xlsx").risks[0]
    assert (r1["likelihood"], r1["impact"], r1["score"]) == (3, 4, 12)  # the master keeps
    assert report.risks_updated == []


def test_check_names_revised_end_and_risk_cells_by_rule(issued, capsys):
    _master, _report, by_officer = issued
    path = by_officer[STEVE].path
    wb = load_workbook(path)
    ws = wb["Actions"]
    col = {c.value: c.column_letter for c in ws[1]}
    ws[f"{col['Revised end']}2"] = "TBC"
    ws[f"{col['Revised end']}3"] = "May 2024"  # 1.2 started: any month will do
    wb["Risks"]["G2"] = 9
    wb.save(path)
    main(["check", str(path), "--json"])
    checked = json.loads(capsys.readouterr().out)
    assert checked["ok"] is False
    found = checked["findings"]
    rules = {(f["sheet"], f["cell"], f["code"], f["column"]) for f in found
             if f["column"] in ("Revised end", "Likelihood")}
    assert rules == {("Actions", "S2", "INVALID", "Revised end"),
                     ("Risks", "G2", "INVALID", "Likelihood")}


def test_a_tracker_issue_has_no_risks_and_reports_as_before(plan, tmp_path):
    master = programme_master(plan)
    master.extra_settings.pop("plan_shape")
    path = write_book(master, tmp_path / "tracker.xlsx")
    report = issue_returns(path, tmp_path / "returns")
    assert all(r.risks == [] and "risks" not in r.to_dict() for r in report.returns)
    assert not [f for f in report.findings if f.sheet == "Risks"]
    for issued in report.returns:
        assert "Risks" not in load_workbook(issued.path).sheetnames
        assert "Revised end" not in _guidance(issued.path)
    out = consolidate(path, tmp_path / "returns", tmp_path / "out.xlsx")
    assert out.risks_updated is None and "risks_updated" not in out.counts()


def test_check_against_the_master_says_a_risk_is_not_the_officers(issued, capsys):
    master, _report, by_officer = issued
    _retype_lucy(by_officer[LUCY].path, [("R2", 2, 2), ("R1", 1, 1), ("R9", 3, 3)])
    main(["check", str(by_officer[LUCY].path), "--master", str(master), "--json"])
    found = json.loads(capsys.readouterr().out)["findings"]
    assert {(f["code"], f["sheet"], f["cell"], f["action_id"]) for f in found
            if f["sheet"] == "Risks"} == {("NOT_OWNER", "Risks", "A3", "R1"),
                                          ("UNKNOWN_ID", "Risks", "A4", "R9")}
