"""Issue 27's acceptance, end to end on seed 003 (Nottingham City Council's 2024
Improvement Plan), as the PMO and the Responsible Delivery Leads would run it:

import → issue (one return per RDL) → the RDLs fill them (openpyxl saves, and one
return rewritten by xlsxwriter, an independent writer: demo/fill_programme_returns.py)
→ consolidate → flags → rollup → paper → next quarter.

As of 15 October 2024 (Q2 2024/25 ended 30 September), worked out by hand from the
seed's printed Start and End and what each RDL typed (the demo script's docstring):

OVERDUE, End passed and not Complete:
  1.1 (Aug 2024, Amber), 5.5 (June 2024), 10.1 ("July 2024 (and ongoing)"),
  11.2 (Sept 2024, Amber), 11.3 (Sept 2024, Green);
  8.3 (Aug 2024): its RDL sent no return;
  2.2 (Aug 2024), 2.3 (Sept 2024), 4.2 ("Sept 2024 (and ongoing)"), 6.10 (Jun 2024):
  programmes 2, 4 and 6 print no RDL, so nobody reports on them.
  Never: 2.4, 5.x "Ongoing" (never overdue); 9.2 "TBC", 5.8 "As soon as possible" (no
  due date); the Complete ones (1.2, 10.2, 10.3, 10.5, 10.9, 10.11, 10.12, 11.1).
SLIPPED, Revised end later than End:
  1.1 Dec 2024 vs Aug 2024 (4 months), 5.4 30/06/2026 vs March 2026 (91 days),
  9.7 Mar 2026 vs Dec 2025 (3 months), 11.2 Nov 2024 vs Sept 2024 (2 months, from the
  xlsxwriter return); not 11.5 (revised to Jan 2025, before its End March 2025).
NOT_STARTED, Start month over with no progress and RAG blank or Not started:
  9.6 (July 2024, "Not started"); 8.3 (June 2024) and 8.4 (July 2024): no return;
  2.1–2.6, 4.1–4.3, 6.10, 6.11: nobody reports on them.
  Not: 7.3 (Start June 2025), 9.5 (Start Oct 2024, not over), 7.6 (Start "Started"),
  8.5 (Start "Ongoing"), 8.1/8.2 and 6.1–6.9 (dates not matched at import: REVIEW).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
from datetime import date
from email import message_from_bytes
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS
from docx import Document
from openpyxl import load_workbook

from xltools.cli import main
from xltools.cycle.chase import who_to_chase
from xltools.findings import codes_in
from xltools.reporting.flags import PREVIOUS_REVISED_END
from xltools.workbook.reader import read_book

SEED = next(SEEDS.glob("003_*.txt"))
AS_OF = "2024-10-15"
EXPECTED = {
    "OVERDUE": {"1.1", "5.5", "10.1", "11.2", "11.3", "8.3", "2.2", "2.3", "4.2", "6.10"},
    "SLIPPED": {"1.1", "5.4", "9.7", "11.2"},
    "NOT_STARTED": {"9.6", "8.3", "8.4", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "4.1",
                    "4.2", "4.3", "6.10", "6.11"},
}
COMPLETE = {"1.2", "10.2", "10.3", "10.5", "10.9", "10.11", "10.12", "11.1"}
OTHER_WRITER = "Q2_2024-25_Director_of_Customer_Services.xlsx"


def _demo(name: str):
    """A demo/ script, as the docs' worked example runs it: the RDLs
    (fill_programme_returns) and the PMO picking risk owners (pick_risk_owners)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "demo" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rdls():
    return _demo("fill_programme_returns")


RISK_OWNERS = _demo("pick_risk_owners").RISK_OWNERS


def pick_risk_owners(master: Path) -> None:
    _demo("pick_risk_owners").pick_risk_owners(master)


def _run(*argv: object) -> dict:
    """One xltools command with --json; exit 0 required; its JSON answer."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([str(a) for a in argv] + ["--json"])
    assert code == 0, out.getvalue()[-2000:]
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def cycle(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("programme")
    steps: dict = {"root": root}
    steps["import"] = _run("import", SEED, "--period", "Q2 2024/25", "-o", root / "master.xlsx")
    pick_risk_owners(root / "master.xlsx")
    steps["issue"] = _run("issue", root / "master.xlsx", "-o", root / "returns")
    steps["sent"] = _rdls().fill_programme_returns(root / "returns", root / "inbox")
    steps["consolidate"] = _run("consolidate", root / "master.xlsx", root / "inbox",
                                "--as-of", AS_OF, "-o", root / "consolidated.xlsx")
    steps["flags"] = _run("flags", root / "consolidated.xlsx", "--as-of", AS_OF,
                          "-o", root / "flagged.xlsx")
    steps["rollup"] = _run("rollup", root / "flagged.xlsx", "--as-of", AS_OF,
                           "-o", root / "dashboard.xlsx")
    steps["paper"] = _run("paper", root / "dashboard.xlsx", "--as-of", AS_OF,
                          "-o", root / "paper.docx")
    steps["next"] = _run("next-quarter", root / "dashboard.xlsx", "-o", root / "master_Q3.xlsx")
    return steps


def _refs(flags: list[dict], code: str) -> set[str]:
    return {f["ref"] for f in flags if f["code"] == code}


def test_one_return_per_rdl_and_one_written_by_xlsxwriter(cycle):
    root = cycle["root"]
    issued = sorted(p.name for p in (root / "returns").glob("*.xlsx"))
    assert len(issued) == 8 and OTHER_WRITER in issued
    assert len(cycle["sent"]) == 7   # the Director of Legal & Governance sent nothing
    theirs = load_workbook(root / "inbox" / OTHER_WRITER)
    issued_book = load_workbook(root / "returns" / OTHER_WRITER)
    assert issued_book["Actions"].data_validations.dataValidation   # dropdowns as issued
    assert not theirs["Actions"].data_validations.dataValidation    # not the issued file
    assert theirs["Settings"].sheet_state == "hidden"


def test_consolidation_takes_both_writers_returns(cycle):
    report = cycle["consolidate"]
    assert (report["counts"]["returns_read"], report["counts"]["returns_merged"]) == (7, 7)
    assert report["finding_counts"].get("MISSING_RETURN") == 5   # 8.1–8.5
    assert not {"INVALID", "CONFLICT", "UNKNOWN_ID", "NOT_OWNER"} & set(report["finding_counts"])
    book = read_book(cycle["root"] / "consolidated.xlsx")
    by_ref = {r["ref"]: r for r in book.actions}
    assert by_ref["11.2"]["rag"] == "Amber"          # from the xlsxwriter return
    assert by_ref["11.2"]["progress_update"].startswith("Contact centre telephony")
    assert by_ref["1.1"]["rag"] == "Amber" and by_ref["9.6"]["rag"] == "Not started"
    assert {ref for ref, r in by_ref.items() if r["rag"] == "Complete"} == COMPLETE


def test_revised_ends_reach_the_master(cycle):
    by_ref = {r["ref"]: r for r in read_book(cycle["root"] / "consolidated.xlsx").actions}
    assert (by_ref["1.1"]["revised_end"], by_ref["9.7"]["revised_end"],
            by_ref["11.2"]["revised_end"], by_ref["11.5"]["revised_end"]) == \
        ("Dec 2024", "Mar 2026", "Nov 2024", "Jan 2025")
    assert by_ref["5.4"]["revised_end"] == date(2026, 6, 30)
    assert (by_ref["1.1"]["start"], by_ref["1.1"]["timeframe"]) == ("July 2024", "August 2024")


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_each_flag_lands_on_its_activities_and_nothing_else(cycle, code):
    assert _refs(cycle["flags"]["flags"], code) == EXPECTED[code]
    written = read_book(cycle["root"] / "flagged.xlsx")
    assert {r["ref"] for r in written.actions if code in codes_in(r.get("flags"))} == \
        EXPECTED[code]


def test_slipped_says_by_how_much(cycle):
    said = {f["ref"]: f["message"] for f in cycle["flags"]["flags"] if f["code"] == "SLIPPED"}
    assert "Revised end Dec 2024 is 4 months later than End August 2024" in said["1.1"]
    assert "Revised end 30 June 2026 is 91 days later than End March 2026" in said["5.4"]
    assert "is 3 months later than End Dec 2025" in said["9.7"]
    assert "Revised end Nov 2024 is 2 months later than End Sept 2024" in said["11.2"]


def test_overdue_on_and_ongoing_end(cycle):
    said = {f["ref"]: f["message"] for f in cycle["flags"]["flags"] if f["code"] == "OVERDUE"}
    assert "due by 31 July 2024 ('July 2024')" in said["10.1"]
    assert "please confirm its revised end, Nov 2024, or" in said["11.2"]
    no_date = _refs(cycle["flags"]["flags"], "NO_DUE_DATE")
    assert {"5.8", "9.2"} <= no_date and not no_date & EXPECTED["OVERDUE"]


def test_rollup_and_paper_show_the_quarter(cycle):
    overall = cycle["rollup"]["overall"]
    assert (overall["Complete"], overall["Amber"], overall["Not started"]) == (8, 2, 1)
    assert "Dashboard" in load_workbook(cycle["root"] / "dashboard.xlsx",
                                        read_only=True).sheetnames
    paper = Document(cycle["root"] / "paper.docx")
    refs = {cell.text.split()[0] for t in paper.tables for row in t.rows for cell in row.cells
            if cell.text.split()}  # each activity's Ref cell (its markers after it)
    assert EXPECTED["OVERDUE"] | EXPECTED["SLIPPED"] | EXPECTED["NOT_STARTED"] <= refs


def test_next_quarter_keeps_start_end_revised_end_and_risks(cycle):
    before = read_book(cycle["root"] / "flagged.xlsx")
    after = read_book(cycle["root"] / "master_Q3.xlsx")
    assert cycle["next"]["period"] == after.plan.period == "Q3 2024/25"
    assert {r["ref"] for r in after.archive} >= COMPLETE
    rolled = {r["id"]: r for r in after.actions}
    assert len(rolled) == len(before.actions) - len(COMPLETE)
    for row in before.actions:
        if row["ref"] in COMPLETE:
            continue
        new = rolled[row["id"]]
        assert (new["start"], new["timeframe"], new["revised_end"]) == \
            (row["start"], row["timeframe"], row["revised_end"]), row["ref"]
        assert new["progress_update"] is None and new["flags"] is None
    ids = {r["ref"]: r["id"] for r in before.actions}
    assert after.extra_settings[PREVIOUS_REVISED_END][ids["5.4"]] == "2026-06-30"
    assert after.extra_settings[PREVIOUS_REVISED_END][ids["11.2"]] == "Nov 2024"
    assert [r["id"] for r in after.risks] == ["R1", "R2", "R3", "R4", "R5"]
    assert "Risks" in load_workbook(cycle["root"] / "master_Q3.xlsx", read_only=True).sheetnames


def test_chase_asks_the_rdl_about_slipped_and_not_started(cycle):
    chases = who_to_chase(read_book(cycle["root"] / "flagged.xlsx"), as_of=date(2024, 10, 15))
    customer = {row["ref"]: [f.code for f in found]
                for row, found in chases["Director of Customer Services"].items}
    assert customer == {"11.2": ["OVERDUE", "SLIPPED"], "11.3": ["OVERDUE"]}
    hr = {row["ref"]: [f.code for f in found]
          for row, found in chases["Strategic Director of HR & EDI"].items}
    assert "NOT_STARTED" in hr["9.6"] and hr["9.7"] == ["SLIPPED"]
    root = cycle["root"]
    _run("chase", root / "flagged.xlsx", "--as-of", AS_OF, "--returns", root / "returns",
         "-o", root / "outbox")
    mail = message_from_bytes((root / "outbox" / OTHER_WRITER.replace(".xlsx", ".eml"))
                              .read_bytes())
    text = next(p.get_payload(decode=True).decode() for p in mail.walk()
                if p.get_content_type() == "text/plain")
    assert "Action 11.2: Revised end Nov 2024 is 2 months later than End Sept 2024; please " \
        "say what is holding it up" in " ".join(text.split())
    assert "please confirm its revised end, Nov 2024, or that it is complete" in \
        " ".join(text.split())


def test_risks_go_to_their_owners_and_come_back_scored(cycle):
    root = cycle["root"]
    carried = {p.name: [r["id"] for r in read_book(p).risks]
               for p in sorted((root / "inbox").glob("*.xlsx"))}
    assert carried[OTHER_WRITER] == ["R3"]   # through xlsxwriter too
    assert carried["Q2_2024-25_Assistant_Chief_Executive.xlsx"] == ["R1"]
    risks = read_book(root / "consolidated.xlsx").risks
    assert [(r["id"], r["owner"], r["score"], r["rag"]) for r in risks] == [
        ("R1", RISK_OWNERS["R1"], 16, "Red"), ("R2", RISK_OWNERS["R2"], 12, "Amber"),
        ("R3", RISK_OWNERS["R3"], 6, "Green"), ("R4", None, None, None),
        ("R5", None, None, None)]


def test_next_quarter_rolls_the_risk_scores(cycle):
    risks = read_book(cycle["root"] / "master_Q3.xlsx").risks
    assert [(r["id"], r["score"], r["previous_score"], r["direction"]) for r in risks] == [
        ("R1", 16, 16, "Same"), ("R2", 12, 12, "Same"), ("R3", 6, 6, "Same"),
        ("R4", None, None, None), ("R5", None, None, None)]


@pytest.fixture(scope="module")
def q3(cycle) -> dict:
    """Next quarter, one return back: the Director of Customer Services moves 11.2's
    forecast again, from Nov 2024 to Jan 2025 (openpyxl, as Excel saves it)."""
    root = cycle["root"]
    _run("issue", root / "master_Q3.xlsx", "-o", root / "returns_Q3")
    issued = root / "returns_Q3" / OTHER_WRITER.replace("Q2_", "Q3_")
    wb = load_workbook(issued)
    ws = wb["Actions"]
    col = {c.value: c.column for c in ws[1] if c.value}
    rows = {ws.cell(r, col["Ref"]).value: r for r in range(2, ws.max_row + 1)}
    prefilled = ws.cell(rows["11.2"], col["Revised end"]).value
    for ref, column, value in (("11.2", "Revised end", "Jan 2025"),
                               ("11.2", "Progress update", "Second tender evaluated; award "
                                "delayed to January by the bidders' clarifications."),
                               ("11.2", "RAG status", "Amber"),
                               ("11.2", "Last updated", date(2025, 1, 6))):
        ws.cell(rows[ref], col[column]).value = value
    (root / "inbox_Q3").mkdir()
    wb.save(root / "inbox_Q3" / issued.name)
    _run("consolidate", root / "master_Q3.xlsx", root / "inbox_Q3", "--as-of", "2025-01-14",
         "-o", root / "consolidated_Q3.xlsx")
    flags = _run("flags", root / "consolidated_Q3.xlsx", "--as-of", "2025-01-14")
    return {"prefilled": prefilled, "flags": flags["flags"], "issued": issued}


def test_a_return_carries_no_other_rdls_forecasts(q3, cycle):
    """Last quarter's revised ends are the master's bookkeeping (for SLIPPED): an RDL's
    return, hidden Settings included, holds none of them — not even another RDL's."""
    master = read_book(cycle["root"] / "master_Q3.xlsx")
    assert len(master.extra_settings[PREVIOUS_REVISED_END]) >= 4
    assert PREVIOUS_REVISED_END not in read_book(q3["issued"]).extra_settings


def test_next_quarters_return_carries_the_forecast_and_a_new_slip_is_measured_twice(q3):
    assert q3["prefilled"] == "Nov 2024"
    said = {f["ref"]: f["message"] for f in q3["flags"] if f["code"] == "SLIPPED"}
    assert "Revised end Jan 2025 is 4 months later than End Sept 2024 and 2 months later " \
        "than last quarter's revised end Nov 2024" in said["11.2"]
    assert "last quarter's" not in said["1.1"]   # its forecast did not move
