"""The Office.js add-in's backend, end to end: the real ``xltools serve`` (xlwings
Server + uvicorn) on localhost, driven with the JSON Office.js sends.

Each script is POSTed the calling workbook as xlwings' task-pane client sends it
(``officejs_payload.book_payload``: book, sheets with values, defined names);
the answer is the list of actions the client would apply in Excel — values
written, sheets added, alerts. Custom functions are POSTed as the custom
functions runtime calls them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
from excel_books import write_master, write_returns
from live_server import running_server
from officejs_payload import book_payload, function_payload

from xltools.addin.buttons import BUTTONS
from xltools.addin.manifest_check import check_manifest
from xltools.workbook.layout import ACTIONS_LAYOUT, KPIS_LAYOUT
from xltools.workbook.reader import read_book

NS = {"o": "http://schemas.microsoft.com/office/appforoffice/1.1",
      "v": "http://schemas.microsoft.com/office/taskpaneappversionoverrides",
      "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
      "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    from conftest import SAMPLE_PLAN

    from xltools.plan import Plan

    root = tmp_path_factory.mktemp("server")
    master = write_master(root / "Master.xlsx", Plan.load(SAMPLE_PLAN))
    returns = write_returns(master, root / "returns")
    return {"root": root, "master": master, "returns": root / "returns",
            "out": root / "out", "lucy": returns["Lucy Peel"]}


@pytest.fixture(scope="module")
def server(folders):
    with running_server(folders["root"], XLTOOLS_RETURNS_DIR=str(folders["returns"]),
                        XLTOOLS_OUTPUT_DIR=str(folders["out"])) as base:
        yield base


def run_script(server: str, script: str, path: Path, args: list | None = None) -> list[dict]:
    response = httpx.post(f"{server}/xlwings/custom-scripts-call/{script}",
                          json=book_payload(path, args=args), timeout=120)
    assert response.status_code == 200, response.text
    return response.json()["actions"]


def alerts(actions: list[dict]) -> list[str]:
    return [a["args"][0] for a in actions if a["func"] == "alert"]


def writes(actions: list[dict], sheet: int, column: int) -> list:
    """Values written into one column (0-based sheet position and column index)."""
    return [a["values"] for a in actions if a["func"] == "setValues"
            and a["sheet_position"] == sheet and a["start_column"] == column]


def col(layout, key) -> int:
    return layout.keys.index(key)


# -- manifest, task pane, ribbon ------------------------------------------------


def test_manifest_has_a_ribbon_button_per_script(server):
    text = httpx.get(server + "/manifest.xml").text
    root = ET.fromstring(text.encode())
    controls = root.findall(".//v:CustomTab//v:Control", NS)
    functions = [c.find("v:Action/v:FunctionName", NS).text for c in controls
                 if c.find("v:Action", NS).get(XSI_TYPE) == "ExecuteFunction"]
    assert functions == [b.function_name for b in BUTTONS if b.group == "Officer"] + \
        [b.function_name for b in BUTTONS if b.group == "PMO"] + \
        [b.function_name for b in BUTTONS if b.group == "Finance"]
    assert sorted(functions) == sorted(b.function_name for b in BUTTONS)
    panes = [c for c in controls if c.find("v:Action", NS).get(XSI_TYPE) == "ShowTaskpane"]
    assert len(panes) == 1
    labels = {s.get("id"): s.get("DefaultValue")
              for s in root.findall(".//bt:ShortStrings/bt:String", NS)}
    assert labels["Functions.Namespace"] == "XLT"
    assert [labels[c.find("v:Label", NS).get("resid")] for c in controls
            if c.get("id") == "xlt_check_return"] == ["Check return"]
    assert root.find("o:Id", NS).text == "85e69f4e-efb7-40ac-81d5-4b6bc32ca7a2"


def test_manifest_passes_structural_validation(server):
    problems = check_manifest(httpx.get(server + "/manifest.xml").text)
    assert problems == []


def test_ribbon_js_and_task_pane_cover_every_script(server):
    js = httpx.get(server + "/static/js/ribbon.js").text
    listed = re.findall(r'^\s+"(\w+)",$', js, re.M)
    assert listed == [b.script for b in BUTTONS]
    pane = httpx.get(server + "/taskpane.html").text
    assert re.findall(r'xw-click="(\w+)"', pane) == \
        [b.script for g in ("Officer", "PMO", "Finance") for b in BUTTONS if b.group == g]
    meta = httpx.get(server + "/xlwings/custom-scripts-meta.json").json()
    assert sorted(m["function_name"] for m in meta) == sorted(b.script for b in BUTTONS)


# -- scripts -----------------------------------------------------------------------


def test_check_return_lists_problems_on_a_check_sheet(server, folders, tmp_path):
    from openpyxl import load_workbook

    bad = tmp_path / "bad return.xlsx"
    wb = load_workbook(folders["lucy"])
    ws = wb["Actions"]
    ws["M2"] = "Purple"  # typed over the RAG dropdown
    ws["N3"] = "last week"  # a text date
    wb.save(bad)
    actions = run_script(server, "check_return", bad)
    added = [a["args"] for a in actions if a["func"] == "addSheet"]
    assert added == [[2, "Check"]]  # after Actions
    grid = next(a["values"] for a in actions if a["func"] == "setValues")
    assert grid[0] == ["Where", "Action", "Code", "Severity", "Message"]
    assert sorted((r[0], r[2]) for r in grid[1:]) == [("Actions!L3", "NO_UPDATE"),
                                                       ("Actions!M2", "INVALID"),
                                                       ("Actions!N3", "INVALID")]
    assert alerts(actions)[0].startswith("2 problem(s) to fix before sending")


def test_check_return_that_is_valid_but_unfinished(server, folders):
    actions = run_script(server, "check_return", folders["lucy"])  # 1 of 2 actions filled
    assert alerts(actions)[0].startswith("No errors, but 1 action(s) still need a progress "
                                         "update or RAG status")


def test_check_return_on_a_clean_return(server, folders, tmp_path):
    from openpyxl import load_workbook

    done = tmp_path / "finished return.xlsx"
    wb = load_workbook(folders["lucy"])
    ws = wb["Actions"]
    ws["L3"], ws["M3"] = "Rolled out to all district teams.", "Green"
    wb.save(done)
    actions = run_script(server, "check_return", done)
    assert alerts(actions) == ["Ready to send: no problems found in 2 actions."]


def test_flag_stale_writes_the_flags_column(server, folders):
    actions = run_script(server, "flag_stale", folders["master"])
    (flags,) = writes(actions, sheet=1, column=col(ACTIONS_LAYOUT, "flags"))
    codes = [[line.split(":")[0] for line in cell[0].splitlines()] for cell in flags]
    # A-0001 current; A-0002 Red with no update; A-0003 dated before Q2 and
    # unchanged ("recruiting " = "Recruiting"); A-0004 Complete.
    assert codes == [[], ["NO_UPDATE", "NO_NARRATIVE"], ["OUT_OF_DATE", "UNCHANGED"], []]
    assert alerts(actions)[0].startswith("2 of 4 actions flagged as at 14 October 2019")
    # the Flags column is locked on a protected sheet: protection is lifted around the write
    assert [(a["func"], a["args"]) for a in actions if a["func"] != "alert"] == [
        ("runMacro", ["xltoolsUnprotect", "Actions"]), ("setValues", [None]),
        ("runMacro", ["xltoolsProtect", "Actions"])]


def test_chase_officers_writes_draft_emails_to_the_output_folder(server, folders):
    from email import policy
    from email.parser import BytesParser

    actions = run_script(server, "chase_officers", folders["master"])
    (message,) = alerts(actions)
    assert message.startswith("1 draft e-mail(s) for Q2 2019/20")
    (eml,) = list(folders["out"].glob("chase Q2 2019-20 */*.eml"))
    mail = BytesParser(policy=policy.default).parse(eml.open("rb"))
    assert "Q2 2019/20" in mail["Subject"] and mail["X-Unsent"] == "1"
    assert [a["func"] for a in actions] == ["alert"]  # the workbook itself is untouched


def test_protection_callbacks_are_served_to_the_task_pane(server):
    js = httpx.get(server + "/static/js/main.js").text
    assert "xlwings.registerCallback(xltoolsUnprotect);" in js
    assert "xlwings.registerCallback(xltoolsProtect);" in js
    assert "/js/main.js" in httpx.get(server + "/taskpane.html").text


def test_refresh_dashboard_rates_kpis_and_writes_the_rollup(server, folders):
    actions = run_script(server, "refresh_dashboard", folders["master"])
    kpi_sheet = 3  # Guidance, Actions, Savings, KPIs
    # 80 vs 85 (High): short by 5 > 5% of 85 → Red; 40 vs 42 (Low) → Green
    assert writes(actions, kpi_sheet, col(KPIS_LAYOUT, "rag")) == [[["Red"], ["Green"]]]
    assert writes(actions, kpi_sheet, col(KPIS_LAYOUT, "trend")) == [[["Improved"],
                                                                      ["Improved"]]]
    # no Dashboard yet: the live one `xltools rollup` writes (test_addin_dashboard.py)
    assert [a["args"] for a in actions if a["func"] == "addSheet"] == [[1, "Dashboard"]]
    (grid,) = [a["values"] for a in actions if a["func"] == "setFormula"]
    assert grid[4][0] == '=COUNTIFS(Actions!$A$2:$A$5000,"<>")'  # the Actions tile
    assert grid[4][1].startswith("=IF(")  # % complete
    assert [a["args"][0] for a in actions if a["func"] == "addChart"] == ["RAG by section",
                                                                         "Overall RAG"]
    assert "4 actions, 25% complete; 2 KPIs rated" in alerts(actions)[0]


def test_next_quarter_writes_a_file_and_says_where(server, folders):
    # no returns were consolidated into it: the card's "No returns this quarter" ticked
    actions = run_script(server, "next_quarter", folders["master"], [False, True])
    out = folders["out"] / "Master Q3 2019-20.xlsx"
    assert out.name in alerts(actions)[0] and str(folders["root"]) not in alerts(actions)[0]
    book = read_book(out)
    assert book.plan.period == "Q3 2019/20"
    assert [r["id"] for r in book.actions] == ["A-0001", "A-0002", "A-0003"]
    assert [r["id"] for r in book.archive] == ["A-0004"]  # Complete: archived, kept


def test_issue_returns_writes_one_per_lead_officer(server, folders):
    actions = run_script(server, "issue_returns", folders["master"])
    folder = folders["out"] / "returns Q2 2019-20"
    assert sorted(p.name for p in folder.iterdir()) == ["Q2_2019-20_Lucy_Peel.xlsx",
                                                         "Q2_2019-20_Nigel_Stevenson.xlsx"]
    assert folder.name in alerts(actions)[0] and str(folders["root"]) not in alerts(actions)[0]
    assert [r["id"] for r in read_book(folder / "Q2_2019-20_Lucy_Peel.xlsx").actions] == \
        ["A-0002", "A-0003"]


def test_consolidate_merges_returns_into_the_open_master(server, folders):
    actions = run_script(server, "consolidate", folders["master"])
    rag = writes(actions, 1, col(ACTIONS_LAYOUT, "rag"))
    progress = writes(actions, 1, col(ACTIONS_LAYOUT, "progress_update"))
    assert rag == [[["Green"], ["Amber"], ["Amber"], ["Complete"]]]  # A-0002 Red → Amber
    assert progress[0][1] == ["Agency spend down 12% since July"]
    assert writes(actions, 1, col(ACTIONS_LAYOUT, "last_updated"))[0][1] == ["2019-10-07"]
    log = [a["values"] for a in actions if a["func"] == "setValues" and a["sheet_position"] == 4]
    assert sorted(r[1] for r in log[0]) == ["Q2_2019-20_Lucy_Peel.xlsx",
                                           "Q2_2019-20_Nigel_Stevenson.xlsx"]
    lifted = [a["args"][1] for a in actions if a["func"] == "runMacro"
              and a["args"][0] == "xltoolsUnprotect"]
    assert lifted == ["Actions", "Savings", "Log", "Settings"]
    backups = list(folders["out"].glob("Master before consolidation *.xlsx"))
    assert len(backups) == 1 and backups[0].name in alerts(actions)[0]
    assert str(folders["root"]) not in alerts(actions)[0]
    assert read_book(backups[0]).action("A-0002")["rag"] == "Red"  # the master as it was


def test_reconcile_savings_writes_the_committee_table(server, folders):
    actions = run_script(server, "reconcile_savings", folders["master"])
    assert [a["args"] for a in actions if a["func"] == "addSheet"] == [[1, "Reconciliation"]]
    grid = next(a["values"] for a in actions if a["func"] == "setValues")
    years = grid[0][1:]
    rows = {r[0]: dict(zip(years, r[1:], strict=False)) for r in grid[1:] if r and r[0]}
    # 500 → 400 in 2019/20 and 300 → 400 in 2020/21: a net-zero re-profile
    assert rows["Re profiles"]["2019/20"] == -100.0 and rows["Re profiles"]["2020/21"] == 100.0
    assert rows["Expected"]["2019/20"] == 500.0 and rows["Revised"]["2020/21"] == 400.0
    assert list(folders["out"].glob("Master reconciliation *.xlsx"))


def test_a_refusal_is_an_alert_not_an_error(server, tmp_path):
    from openpyxl import Workbook

    plain = tmp_path / "notes.xlsx"
    wb = Workbook()
    wb.active.title = "Actions"
    wb.active["A1"] = "hello"
    wb.save(plain)
    response = httpx.post(f"{server}/xlwings/custom-scripts-call/check_return",
                          json=book_payload(plain), timeout=60)
    assert response.status_code == 200
    (alert,) = [a for a in response.json()["actions"] if a["func"] == "alert"]
    assert alert["args"][1] == "The return was not checked"
    assert "not made by xltools" in alert["args"][0]


# -- custom functions ----------------------------------------------------------------


@pytest.mark.parametrize("name, args, expected", [
    ("rag_count", [[["Red"], ["green"], [""], ["Red "]], [["red"]]], [[2]]),
    ("kpi_rag", [[[80]], [[85]], [["High"]], [[None]]], [["Red"]]),
    ("kpi_rag", [[[81.5]], [[85]], [["High"]], [[None]]], [["Amber"]]),
    ("kpi_rag", [[[40]], [[42]], [["Low"]], [[0.1]]], [["Green"]]),
    ("next_period", [[["Q4 2019/20"]], [[None]]], [["Q1 2020/21"]]),
    ("next_period", [[["Quarter 4 2019"]], [[1]]], [["Q1 2020"]]),
    ("period_start", [[["Q3 2019/20"]], [[None]]], [[43739]]),  # 1 Oct 2019
    ("period_end", [[["Q3 2019/20"]], [[None]]], [[43830]]),  # 31 Dec 2019
    ("days_since", [[[43753]], [[43760]]], [[7]]),  # 15 Oct → 22 Oct 2019
])
def test_custom_functions(server, name, args, expected):
    response = httpx.post(server + "/xlwings/custom-functions-call",
                          json=function_payload(name, args), timeout=30)
    assert response.status_code == 200, response.text
    assert response.json() == {"result": expected}


@pytest.mark.parametrize("name, args, message", [
    ("kpi_rag", [[[80]], [[85]], [["Up"]], [[None]]],
     "#VALUE! XLT.KPI_RAG: good_is must be 'High' or 'Low', got 'Up'"),
    ("next_period", [[["Q5 2019/20"]], [[None]]], "#VALUE! XLT.NEXT_PERIOD: 'Q5 2019/20'"),
    ("rag_count", [[["Red"]], [[""]]], "#VALUE! XLT.RAG_COUNT: status is empty"),
    ("days_since", [[["soon"]], [[None]]], "#VALUE! XLT.DAYS_SINCE: date 'soon' is not a date"),
])
def test_custom_function_errors_are_value_errors_with_a_reason(server, name, args, message):
    response = httpx.post(server + "/xlwings/custom-functions-call",
                          json=function_payload(name, args), timeout=30)
    assert response.status_code == 400
    assert response.text.startswith(message)


def test_functions_metadata_lists_every_function(server):
    meta = httpx.get(server + "/xlwings/custom-functions-meta.json").json()
    assert sorted(f["name"] for f in meta["functions"]) == [
        "DAYS_SINCE", "KPI_RAG", "NEXT_PERIOD", "PERIOD_END", "PERIOD_START", "RAG_COUNT"]


def test_serve_refuses_to_start_without_a_licence_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "XLWINGS_LICENSE_KEY"}
    done = subprocess.run([sys.executable, "-m", "xltools", "serve", "--port", "1"], env=env,
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 2
    assert "XLWINGS_LICENSE_KEY" in done.stderr and "noncommercial" in done.stderr


@pytest.mark.skipif(not os.environ.get("XLTOOLS_ONLINE_MANIFEST_CHECK"),
                    reason="Microsoft's validator (npx office-addin-manifest validate) posts the "
                    "manifest to an online Microsoft service; set XLTOOLS_ONLINE_MANIFEST_CHECK=1 "
                    "where that is reachable")
def test_manifest_passes_microsofts_online_validator(server, tmp_path):
    manifest = tmp_path / "manifest.xml"
    manifest.write_text(httpx.get(server + "/manifest.xml").text, encoding="utf-8")
    done = subprocess.run(["npx", "--yes", "office-addin-manifest@3", "validate", str(manifest)],
                          capture_output=True, text=True, timeout=300)
    assert "The manifest is valid." in done.stdout, done.stdout + done.stderr
