"""Roll-up counts from real workbooks, every number worked out by hand.

The master (tests/pmo_master.py) has 12 actions:
  section 1: A1 Green, A2 Green, A3 Amber, A4 Amber
  section 2: A5 Complete, A6 Red, A7 (blank), A12 Amber
  section 3: A8 Not started, A9 Green, A10 Red, A11 Green
"""

from __future__ import annotations

import json

from conftest import SAMPLE_PLAN
from openpyxl import Workbook, load_workbook
from pmo_master import S1, S2, S3, master_book

from xltools.cli import main
from xltools.reporting.rollup import rollup
from xltools.workbook.layout import ACTIONS_LAYOUT
from xltools.workbook.reader import read_book
from xltools.workbook.writer import write_book

STATUSES = ["Complete", "Green", "Amber", "Red", "Not started", "No status"]


def counts(*values: int) -> dict[str, int]:
    return dict(zip(STATUSES, values, strict=True))


def test_overall_and_by_section(plan, tmp_path):
    book = read_book(write_book(master_book(plan), tmp_path / "master.xlsx"))
    summary = rollup(book)
    assert summary.statuses == STATUSES
    assert summary.overall == counts(1, 4, 3, 2, 1, 1)
    assert summary.by_section == {
        S1: counts(0, 2, 2, 0, 0, 0),
        S2: counts(1, 0, 1, 1, 0, 1),
        S3: counts(0, 2, 0, 1, 1, 0),
    }
    assert summary.pct_complete == 8.3  # 1 of 12
    assert summary.pct_complete_by_section == {S1: 0.0, S2: 25.0, S3: 0.0}
    shares = summary.to_dict()["shares"]
    assert shares["overall"]["Green"] == 0.3333
    assert shares["by_section"][S2]["Complete"] == 0.25


def test_joint_officers_count_for_each(plan, tmp_path):
    """A2 is led by 'Laurence Jones / Sue Summerscales', A6 by 'Luke Barrett / Catherine
    Kelly', A10 by 'Lucy Peel / Helen Richardson': each name gets the action."""
    summary = rollup(read_book(write_book(master_book(plan), tmp_path / "m.xlsx")))
    lead = summary.by_lead_officer
    assert lead["Laurence Jones"] == lead["Sue Summerscales"] == counts(0, 1, 0, 0, 0, 0)
    assert lead["Luke Barrett"] == lead["Catherine Kelly"] == counts(0, 0, 0, 1, 0, 0)
    assert lead["Lucy Peel"] == counts(0, 1, 0, 1, 0, 0)          # A9 Green, A10 Red
    assert lead["Steve Edwards"] == counts(0, 1, 1, 0, 0, 0)      # A1, A4
    assert lead["Jon Hawketts"] == counts(1, 0, 0, 0, 0, 1)       # A5, A7
    assert sum(sum(c.values()) for c in lead.values()) == 15      # 12 actions + 3 joint
    acc = summary.by_accountable_officer
    assert acc["Colin Pettigrew"] == counts(1, 3, 2, 1, 0, 1)     # A1-5, A7, A9, A10
    assert acc["Nigel Stevenson"] == counts(0, 2, 2, 0, 0, 0)     # A2, A3, A11, A12
    assert acc["Marje Toward"] == counts(0, 0, 0, 2, 0, 0)        # A6, A10
    assert acc["Adrian Smith"] == counts(0, 0, 0, 0, 1, 0)        # A8
    assert list(acc) == sorted(acc)


def test_movement_from_previous_rag_column(plan, tmp_path):
    summary = rollup(read_book(write_book(master_book(plan), tmp_path / "m.xlsx")))
    changes = {m.action_id: m.change for m in summary.movements}
    assert changes == {
        "A-0001": "improved", "A-0002": "unchanged", "A-0003": "worsened",
        "A-0004": "unchanged", "A-0005": "improved", "A-0006": "new",
        "A-0007": "not_reported", "A-0008": "unchanged", "A-0009": "improved",
        "A-0010": "worsened", "A-0011": "unchanged", "A-0012": "new",
    }
    assert summary.movement_totals == {"improved": 3, "worsened": 2, "unchanged": 4,
                                       "new": 2, "not_reported": 1}


def test_movement_from_a_previous_workbook_matched_by_id(plan, tmp_path):
    """--previous wins over the column: last quarter A-0001 was Red, A-0006 Amber, and
    A-0012 was not in the plan."""
    now = read_book(write_book(master_book(plan), tmp_path / "now.xlsx"))
    before = master_book(plan)
    for row in before.actions:
        row["rag"] = {"A-0001": "Red", "A-0006": "Amber"}.get(row["id"], row["rag"])
    before.actions = [r for r in before.actions if r["id"] != "A-0012"]
    prev = read_book(write_book(before, tmp_path / "prev.xlsx"))
    summary = rollup(now, prev)
    changes = {m.action_id: m.change for m in summary.movements}
    assert changes["A-0001"] == "improved"     # Red → Green
    assert changes["A-0006"] == "worsened"     # Amber → Red
    assert changes["A-0003"] == "unchanged"    # Amber → Amber (the column said Green)
    assert changes["A-0012"] == "new"
    assert summary.movement_source == "previous workbook prev.xlsx"


def test_workbook_saved_by_another_writer(plan, tmp_path):
    """An Actions sheet written by openpyxl the way Excel saves one (no Settings sheet,
    columns in another order, a RAG typed in lower case, one outside the scheme)."""
    wb = Workbook()
    ws = wb.active
    ws.title = ACTIONS_LAYOUT.name
    ws.append(["RAG status", "ID", "Section", "Improvement action", "Lead officer",
               "Accountable officer"])
    ws.append(["green", "A-0001", S1, "One", "Steve Edwards", "Colin Pettigrew"])
    ws.append(["Amber/Green", "A-0002", S1, "Two", "Lucy Peel / Helen Richardson",
               "Colin Pettigrew"])
    ws.append([None, "A-0003", None, "Three", None, "Colin Pettigrew"])
    wb.save(tmp_path / "excel.xlsx")
    summary = rollup(read_book(tmp_path / "excel.xlsx", plan=plan))
    assert summary.statuses == STATUSES + ["Not in scheme"]
    assert summary.overall["Green"] == 1 and summary.overall["Not in scheme"] == 1
    assert summary.overall["No status"] == 1
    assert summary.by_section["(No section)"]["No status"] == 1
    assert summary.by_lead_officer["(No officer)"]["No status"] == 1
    assert summary.by_lead_officer["Helen Richardson"]["Not in scheme"] == 1


def test_cli_on_a_workbook_without_settings_uses_the_plan_file(plan, tmp_path, capsys):
    wb = Workbook()
    ws = wb.active
    ws.title = ACTIONS_LAYOUT.name
    ws.append(["ID", "Section", "Improvement action", "RAG status", "Lead officer"])
    ws.append(["A-0001", S1, "One", "Red", "Steve Edwards"])
    ws.append(["A-0002", S2, "Two", "Complete", "Jon Hawketts"])
    wb.save(tmp_path / "excel.xlsx")
    out = tmp_path / "out.xlsx"
    assert main(["rollup", str(tmp_path / "excel.xlsx"), "--plan", str(SAMPLE_PLAN),
                 "-o", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["overall"] == counts(1, 0, 0, 1, 0, 0) and data["pct_complete"] == 50.0
    assert "Dashboard" in load_workbook(out).sheetnames


def test_cli_json_and_dashboard_output(plan, tmp_path, capsys):
    master = write_book(master_book(plan), tmp_path / "master.xlsx")
    out = tmp_path / "out.xlsx"
    assert main(["rollup", str(master), "-o", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["overall"] == counts(1, 4, 3, 2, 1, 1)
    assert set(data) >= {"overall", "by_section", "by_accountable_officer",
                         "by_lead_officer", "pct_complete", "movement"}
    assert data["movement"]["totals"]["improved"] == 3
    assert out.exists() and data["output"] == str(out)
    assert len(read_book(out).actions) == 12  # the master's data came through


def test_cli_refuses_to_overwrite_the_input(plan, tmp_path, capsys):
    master = write_book(master_book(plan), tmp_path / "master.xlsx")
    before = master.read_bytes()
    assert main(["rollup", str(master), "-o", str(master)]) == 2
    assert "input workbook" in capsys.readouterr().err
    assert master.read_bytes() == before
