"""Each script is sent only the sheets it reads (``@script(include=...)``).

Through the real server: the scripts' metadata (what the task pane and the
ribbon read) carries each script's sheet list; a script given only those
sheets, as Office.js sends them, answers exactly as when given every sheet;
and the sheets it does not read — an Archive of earlier years, the Log, the
Guidance — are not in its request. Sizes for 100/300/1,000 officers:
bench/request_sizes.py, quoted in docs/it-guide.md.
"""

from __future__ import annotations

import json
import re

import httpx
import pytest
from excel_books import ACTIONS, KPIS, SAVINGS, write_master, write_returns
from live_server import call_script, running_server
from officejs_payload import book_payload, function_payload, narrowed

from xltools.excel.sheets_needed import SHEETS
from xltools.workbook.book import Book
from xltools.workbook.layout import ARCHIVE_LAYOUT, LOG_LAYOUT
from xltools.workbook.writer import write_book


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    from conftest import SAMPLE_PLAN

    from xltools.plan import Plan

    root = tmp_path_factory.mktemp("requests")
    plan = Plan.load(SAMPLE_PLAN)
    master = write_master(root / "Master.xlsx", plan)
    write_returns(master, root / "returns")
    archived = [dict(ACTIONS[0], id=f"A-9{n:03d}", rag="Complete",
                     progress_update="Finished last year. " * 10) for n in range(400)]
    big = write_book(Book(plan=plan, actions=[dict(r) for r in ACTIONS], archive=archived,
                          savings=[dict(r) for r in SAVINGS], kpis=[dict(r) for r in KPIS]),
                     root / "With archive.xlsx")
    return {"root": root, "master": master, "big": big}


@pytest.fixture(scope="module")
def server(folders):
    with running_server(folders["root"], XLTOOLS_RETURNS_DIR=str(folders["root"] / "returns"),
                        XLTOOLS_OUTPUT_DIR=str(folders["root"] / "out")) as base:
        yield base


@pytest.fixture(scope="module")
def includes(server) -> dict[str, str]:
    meta = httpx.get(server + "/xlwings/custom-scripts-meta.json").json()
    return {m["function_name"]: m.get("include", "") for m in meta}


def test_every_script_declares_the_sheets_it_reads(includes):
    assert includes == {name: ",".join(sheets) for name, sheets in SHEETS.items()}
    for sheets in SHEETS.values():
        assert {"Settings", "Lists", "Actions"} <= set(sheets)  # the plan, and the reader's
        assert not {"Guidance", "Check", "Reconciliation"} & set(sheets)


def test_the_ribbon_sends_the_same_sheets_as_the_task_pane(server):
    js = httpx.get(server + "/static/js/ribbon.js").text
    assert 'new URL("xlwings/custom-scripts-meta.json", document.baseURI)' in js
    assert "include: sheets.include," in js and "exclude: sheets.exclude," in js


def without_alerts(actions: list[dict]) -> list[dict]:
    return [a for a in actions if a["func"] != "alert"]


def first_output_names(actions: list[dict]) -> list[dict]:
    """The second call's output is "name (2)": outputs never overwrite the first. Each
    call's download links are new (single-use tokens), so they are left out."""
    return json.loads(re.sub(r"/xltools/download/[\w-]+", "/xltools/download/…",
                             json.dumps(actions).replace(" (2)", "")))


@pytest.mark.parametrize("script", ["check_return", "flag_stale", "refresh_dashboard",
                                    "reconcile_savings", "issue_returns", "next_quarter"])
def test_a_script_given_only_its_sheets_answers_as_with_every_sheet(server, includes,
                                                                    folders, script):
    # Next quarter on a master never consolidated: "No returns this quarter" ticked
    full = book_payload(folders["big"], args=[False, True] if script == "next_quarter" else None)
    everything = call_script(server, script, full)
    only = call_script(server, script, narrowed(full, includes[script]))
    if script == "reconcile_savings":  # the committee workbook's name carries the time
        everything, only = without_alerts(everything), without_alerts(only)
    assert first_output_names(only) == first_output_names(everything)
    if script == "next_quarter":  # its sheets include the Archive: nothing left behind
        from xltools.workbook.reader import read_book

        new = read_book(folders["root"] / "out" / "With archive Q3 2019-20.xlsx")
        assert len(new.archive) == 400 + 1  # last year's 400 and A-0004, Complete now


def test_consolidate_given_only_its_sheets_merges_the_returns(server, includes, folders):
    actions = call_script(server, "consolidate",
                          book_payload(folders["master"], include=includes["consolidate"]))
    (alert,) = [a["args"][0] for a in actions if a["func"] == "alert"]
    assert alert.startswith("All 2 files in the returns folder merged")
    backup = next((folders["root"] / "out").glob("Master before consolidation *.xlsx"))
    from xltools.workbook.reader import read_book

    assert read_book(backup).action("A-0002")["rag"] == "Red"  # the master as it was


def test_sheets_a_script_does_not_read_are_not_sent(includes, folders):
    full = book_payload(folders["big"])
    flag = narrowed(full, includes["flag_stale"])
    sent = {s["name"]: s["values"] for s in flag["sheets"]}
    assert sent[ARCHIVE_LAYOUT.name] == [[]] and sent["Guidance"] == [[]]
    assert sent[LOG_LAYOUT.name] == [[]]
    assert len(sent["Actions"]) == len(ACTIONS) + 1  # header and every action
    size = len(json.dumps(flag))
    assert size < len(json.dumps(full)) / 2  # the 400 archived actions stayed in Excel
    assert "Finished last year." not in json.dumps(flag)


def test_rag_count_takes_the_cells_as_excel_sent_them(server, monkeypatch):
    """xlwings' per-cell cleaning of a range cost ~0.2 ms a cell (2.5 s for a 12,000-row
    column; minutes for a whole column): RAG_COUNT reads the range raw, and the answer
    from what Office.js posts — text, "" and null for blanks, numbers — is the same."""
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")  # as `xltools serve` runs
    from xltools.excel import functions

    assert functions.rag_count.__xlfunc__["args"][0]["options"] == {"convert": "raw"}
    column = [["RAG status"]] + [["Red"], ["green"], [""], [None], [" red "], [3]] * 2000
    response = httpx.post(server + "/xlwings/custom-functions-call",
                          json=function_payload("rag_count", [column, [["Red"]]]), timeout=60)
    assert response.json() == {"result": [[4000]]}
