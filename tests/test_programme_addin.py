"""The add-in on a programme plan's master (issue 27): Consolidate over real HTTP merges
the RDL's Revised end and the owner's risk score into the open workbook, and Issue
returns gives each RDL the risks they own — as the command line does."""

from __future__ import annotations

import httpx
import pytest
from live_server import running_server
from officejs_payload import book_payload
from openpyxl import load_workbook
from programme_books import LUCY, STEVE, programme_master

from xltools.cycle.returns import issue_returns
from xltools.workbook.layout import ACTIONS_LAYOUT, PROGRAMME, RISKS_LAYOUT
from xltools.workbook.reader import read_book
from xltools.workbook.writer import write_book


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    from conftest import SAMPLE_PLAN

    from xltools.plan import Plan

    root = tmp_path_factory.mktemp("programme-addin")
    master = write_book(programme_master(Plan.load(SAMPLE_PLAN)), root / "Programme.xlsx")
    issued = {r.officer: r.path for r in issue_returns(master, root / "returns").returns}
    wb = load_workbook(issued[STEVE])
    actions = wb["Actions"]
    col = {c.value: c.column_letter for c in actions[1]}
    actions[f"{col['Progress update']}2"] = "Savings agreed by Cabinet."
    actions[f"{col['RAG status']}2"] = "Amber"
    actions[f"{col['Revised end']}2"] = "Jan 2025"
    wb["Risks"]["G2"] = 5  # R1: likelihood 3 -> 5
    wb.save(issued[STEVE])
    return {"root": root, "master": master, "returns": root / "returns", "out": root / "out"}


@pytest.fixture(scope="module")
def server(folders):
    with running_server(folders["root"], XLTOOLS_RETURNS_DIR=str(folders["returns"]),
                        XLTOOLS_OUTPUT_DIR=str(folders["out"])) as base:
        yield base


def _run(server: str, script: str, path) -> list[dict]:
    response = httpx.post(f"{server}/xlwings/custom-scripts-call/{script}",
                          json=book_payload(path), timeout=120)
    assert response.status_code == 200, response.text
    return response.json()["actions"]


def _column(actions: list[dict], sheet: int, column: int) -> list:
    return [a["values"] for a in actions if a["func"] == "setValues"
            and a["sheet_position"] == sheet and a["start_column"] == column]


def test_consolidate_writes_revised_end_and_the_rescored_risk_back(server, folders):
    sheets = load_workbook(folders["master"]).sheetnames
    actions_at, risks_at = sheets.index("Actions"), sheets.index("Risks")
    actions = _run(server, "consolidate", folders["master"])
    layout = ACTIONS_LAYOUT.for_shape(PROGRAMME)
    assert _column(actions, actions_at, layout.keys.index("revised_end")) == [
        [["Jan 2025"], ["Dec 2024"], [""]]]  # (Office.js: blank is "")
    risk = {key: _column(actions, risks_at, RISKS_LAYOUT.keys.index(key))
            for key in ("likelihood", "impact", "score", "rag")}
    assert risk == {"likelihood": [[[5], [2], [4]]], "impact": [[[4], [2], [4]]],
                    "score": [[[20], [4], [16]]], "rag": [[["Red"], ["Green"], ["Red"]]]}
    lifted = [a["args"][1] for a in actions if a["func"] == "runMacro"
              and a["args"][0] == "xltoolsUnprotect"]
    assert "Risks" in lifted


def test_issue_returns_gives_each_rdl_their_risks(server, folders):
    _run(server, "issue_returns", folders["master"])
    (folder,) = [p for p in folders["out"].iterdir() if p.is_dir() and "returns" in p.name]
    risks = {read_book(p).officer: [r["id"] for r in read_book(p).risks]
             for p in folder.glob("*.xlsx")}
    assert risks == {STEVE: ["R1"], LUCY: ["R2"]}
