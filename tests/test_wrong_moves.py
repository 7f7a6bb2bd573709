"""Wrong moves a PMO makes, stopped where they happen (issue 23), through the real
command on real files: consolidating returns into a master rebuilt by a re-import
(WRONG_PLAN that says what to do, ``--adopt-returns``), consolidating the blank returns
just issued, rolling on a quarter never consolidated, and issuing twice into one folder."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from returns_data import JON, LUCY, STEVE, fill_return, master_book, write_master

from xltools.workbook.reader import read_book
from xltools.workbook.writer import write_book

XLTOOLS = [sys.executable, "-m", "xltools"]
ISSUED_ON = date.today().strftime("%d/%m/%Y")


def xltools(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(XLTOOLS + [str(a) for a in args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def said(run: subprocess.CompletedProcess) -> str:
    """What the command printed, its table wrapping undone."""
    text = run.stdout + run.stderr
    return " ".join(t.strip(" │┃") for t in text.split())


@pytest.fixture
def rebuilt(tmp_path, plan):
    """The PMO issued returns from master_a.xlsx, then rebuilt the master (a re-import:
    same organisation, department, title and IDs, a new plan ID) as master_b.xlsx; Lucy's
    and Steve's filled returns came back into in/."""
    first = write_master(plan.with_plan_id(), tmp_path / "master_a.xlsx")
    again = write_master(plan.with_plan_id(), tmp_path / "master_b.xlsx")
    assert xltools("issue", first, "-o", tmp_path / "in").returncode == 0
    fill_return(tmp_path / "in" / LUCY, {"A-0012": {"Progress update": "CPD offer launched.",
                                                    "RAG status": "Green"}})
    fill_return(tmp_path / "in" / STEVE, {"A-0001": {"Progress update": "Panel met.",
                                                     "RAG status": "Amber"}})
    for path in (tmp_path / "in").iterdir():
        if path.name not in (LUCY, STEVE):
            path.unlink()
    return first, again, tmp_path / "in"


def test_wrong_plan_names_the_master_that_issued_the_returns_and_the_way_out(rebuilt,
                                                                            tmp_path):
    first, again, inbox = rebuilt
    run = xltools("consolidate", again, inbox, "-o", tmp_path / "out.xlsx", "--json")
    assert run.returncode == 0
    report = json.loads(run.stdout)
    wrong = [f for f in report["findings"] if f["code"] == "WRONG_PLAN"]
    assert {f["file"] for f in wrong} == {LUCY, STEVE} and report["updated"] == []
    message = wrong[0]["message"]
    assert f"issued from master_a.xlsx on {ISSUED_ON}" in message
    assert read_book(first).plan.plan_id in message and read_book(again).plan.plan_id in message
    assert "Importing the tracker again" in message and "makes a new plan" in message
    assert "into the master that issued them (master_a.xlsx)" in message
    assert "--adopt-returns" in message
    text = said(xltools("consolidate", again, inbox, "-o", tmp_path / "out2.xlsx"))
    assert "2 returns were issued from master_a.xlsx" in text


def test_adopt_returns_merges_matching_returns_and_logs_each(rebuilt, tmp_path):
    _first, again, inbox = rebuilt
    out = tmp_path / "out.xlsx"
    run = xltools("consolidate", again, inbox, "-o", out, "--adopt-returns", "--json")
    assert run.returncode == 0
    report = json.loads(run.stdout)
    assert report["updated"] == ["A-0001", "A-0012"]
    assert report["counts"]["adopted"] == 2 and report["counts"]["wrong_plan"] == 0
    adopted = [f for f in report["findings"] if f["code"] == "ADOPTED"]
    assert {f["file"] for f in adopted} == {LUCY, STEVE}
    assert "issued from master_a.xlsx" in adopted[0]["message"]
    book = read_book(out)
    assert book.action("A-0012")["progress_update"] == "CPD offer launched."
    notes = {r["file"]: r["notes"] for r in book.log}
    assert notes[LUCY].startswith("ADOPTED: adopted with --adopt-returns: issued from "
                                  "master_a.xlsx")
    assert book.plan.plan_id == read_book(again).plan.plan_id  # the master stays itself


def test_adopt_returns_refuses_a_return_with_an_action_the_master_lacks(rebuilt, tmp_path,
                                                                       plan):
    _first, _again, inbox = rebuilt
    book = master_book(plan.with_plan_id())
    book.actions = [r for r in book.actions if r["id"] != "A-0012"]  # Lucy's action
    smaller = write_book(book, tmp_path / "smaller.xlsx")
    run = xltools("consolidate", smaller, inbox, "-o", tmp_path / "out.xlsx",
                  "--adopt-returns", "--json")
    report = json.loads(run.stdout)
    lucy = next(f for f in report["findings"] if f["file"] == LUCY)
    assert lucy["code"] == "WRONG_PLAN"
    assert lucy["message"].endswith("Not adopted: A-0012 is not in this master")
    assert report["updated"] == ["A-0001"]  # Steve's matches: adopted


def test_adopt_returns_never_takes_another_councils_return(rebuilt, tmp_path, plan):
    _first, _again, inbox = rebuilt
    theirs = write_master(plan.with_changes(organisation="Derbyshire County Council")
                          .with_plan_id(), tmp_path / "theirs.xlsx")
    run = xltools("consolidate", theirs, inbox, "-o", tmp_path / "out.xlsx",
                  "--adopt-returns", "--json")
    report = json.loads(run.stdout)
    assert report["updated"] == [] and report["counts"]["wrong_plan"] == 2
    assert all("another organisation's" in f["message"] for f in report["findings"]
               if f["code"] == "WRONG_PLAN")


def test_consolidating_the_blank_issued_returns_warns_and_counts_nobody(cycle, tmp_path):
    """The acceptance case: the folder `xltools issue` wrote, consolidated by mistake,
    then the real returns consolidated into that output: the officers who still sent
    nothing are still missing."""
    master, issued = cycle
    blank_out = tmp_path / "blank.xlsx"
    run = xltools("consolidate", master, issued, "-o", blank_out, "--as-of", "2019-10-21")
    assert run.returncode == 0
    text = said(run)
    assert f"none of the 9 returns in {issued}/ holds an update: these look like the blank " \
        "returns you issued" in text
    assert "blank 9 (no update: not counted as returned)" in text
    report = json.loads(xltools("consolidate", master, issued, "-o", tmp_path / "b2.xlsx",
                                "--as-of", "2019-10-21", "--json").stdout)
    everyone = {"Steve Edwards", "Laurence Jones", "Sue Summerscales", "Simon Lacey",
                "Jon Hawketts", "Rob Disney", "Nigel Harlow", "Lucy Peel", "Helen Richardson"}
    assert set(report["missing"]) == everyone and report["counts"]["returns_merged"] == 0
    blank_log = {r["file"]: r for r in read_book(blank_out).log}
    assert blank_log[STEVE]["notes"].startswith("BLANK_RETURN: holds no update")
    assert blank_log[STEVE]["accepted"] == 0 and blank_log[STEVE]["rejected"] == 0

    real = tmp_path / "sent_back"
    real.mkdir()
    for name in (STEVE, JON):
        (real / name).write_bytes((issued / name).read_bytes())
    fill_return(real / STEVE, {"A-0001": {"Progress update": "Panel met.",
                                          "RAG status": "Green"}})
    fill_return(real / JON, {"A-0007": {"Progress update": "Third home open.",
                                        "RAG status": "Green"}})
    later = json.loads(xltools("consolidate", blank_out, real, "-o", tmp_path / "real.xlsx",
                               "--as-of", "2019-10-21", "--json").stdout)
    assert set(later["missing"]) == everyone - {"Steve Edwards", "Jon Hawketts"}
    assert "A-0001" in later["updated"] and "A-0007" in later["updated"]


def test_one_blank_return_among_answers_is_named_and_its_officer_missing(cycle, tmp_path):
    master, issued = cycle
    inbox = tmp_path / "in"
    inbox.mkdir()
    for name in (STEVE, LUCY):
        (inbox / name).write_bytes((issued / name).read_bytes())
    fill_return(inbox / STEVE, {"A-0001": {"Progress update": "Panel met."}})
    report = json.loads(xltools("consolidate", master, inbox, "-o", tmp_path / "o.xlsx",
                                "--as-of", "2019-10-21", "--json").stdout)
    blanks = [(f["file"], f["code"]) for f in report["findings"] if f["code"] == "BLANK_RETURN"]
    assert blanks == [(LUCY, "BLANK_RETURN")]  # no folder warning: not all are blank
    assert "Lucy Peel" in report["missing"] and "Steve Edwards" not in report["missing"]


def test_next_quarter_stops_on_a_master_never_consolidated(cycle, tmp_path):
    master, issued = cycle
    run = xltools("next-quarter", master, "-o", tmp_path / "q3.xlsx")
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1
    assert "no returns have been consolidated into this master for Q2 2019/20" in run.stderr
    assert "--unconsolidated" in run.stderr and not (tmp_path / "q3.xlsx").exists()
    run = xltools("next-quarter", master, "-o", tmp_path / "q3.xlsx", "--unconsolidated")
    assert run.returncode == 0
    assert "No returns were consolidated into this master for Q2 2019/20" in said(run)
    fill_return(issued / STEVE, {"A-0001": {"Progress update": "Panel met."}})
    consolidated = tmp_path / "consolidated.xlsx"
    assert xltools("consolidate", master, issued, "-o", consolidated,
                   "--as-of", "2019-10-21").returncode == 0
    assert xltools("next-quarter", consolidated, "-o", tmp_path / "q3b.xlsx").returncode == 0


def test_issuing_again_into_a_folder_of_returns_refuses_then_replace_moves_them(cycle,
                                                                                tmp_path):
    master, issued = cycle
    before = {p.name: p.read_bytes() for p in issued.iterdir()}
    run = xltools("issue", master, "-o", issued)
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1
    assert "already holds 9 workbooks" in run.stderr and "--replace" in run.stderr
    assert {p.name: p.read_bytes() for p in issued.iterdir()} == before  # nothing touched
    run = xltools("issue", master, "-o", issued, "--replace")
    assert run.returncode == 0
    moved = [p for p in issued.iterdir() if p.is_dir()]
    assert len(moved) == 1 and moved[0].name.startswith("replaced-")
    assert {p.name: p.read_bytes() for p in moved[0].iterdir()} == before
    assert sorted(p.name for p in issued.glob("*.xlsx")) == sorted(before)
    assert not [p for p in issued.iterdir() if ".bak" in p.name]
    assert f"moved into {moved[0]}" in said(run)
    # the old ones, in their sub-folder, are not read by a consolidation of the folder
    report = json.loads(xltools("consolidate", master, issued, "-o", tmp_path / "o.xlsx",
                                "--as-of", "2019-10-21", "--json").stdout)
    assert report["counts"]["files"] == 9


def test_a_savings_comment_issued_from_the_master_is_not_an_answer(plan, tmp_path):
    """Issued returns carry the master's savings Comment: sent back as it came, the return
    is still blank; a comment the officer changed is an answer."""
    book = master_book(plan)
    steve_line = next(r for r in book.savings if r["lead_officer"] == "Steve Edwards")
    steve_line["comment"] = "Q1 2019/20: Expected changed from 300 to 250."
    master = write_book(book, tmp_path / "master.xlsx")
    assert xltools("issue", master, "-o", tmp_path / "issued").returncode == 0
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / STEVE).write_bytes((tmp_path / "issued" / STEVE).read_bytes())
    report = json.loads(xltools("consolidate", master, inbox, "-o", tmp_path / "o.xlsx",
                                "--as-of", "2019-10-21", "--json").stdout)
    assert report["counts"]["blank"] == 1 and "Steve Edwards" in report["missing"]
    row = next(i for i, r in enumerate(read_book(inbox / STEVE).savings, 2)
               if r.get("comment"))
    fill_return(inbox / STEVE, {row: {"Comment": "On track for 2019/20."}}, sheet="Savings")
    report = json.loads(xltools("consolidate", master, inbox, "-o", tmp_path / "o2.xlsx",
                                "--as-of", "2019-10-21", "--json").stdout)
    assert report["counts"]["blank"] == 0 and "Steve Edwards" not in report["missing"]


# -- pins (issue 28): each failed with its bug planted (bench/mutants.py) ----------------


def test_adopt_returns_never_takes_last_quarters_return(rebuilt, tmp_path, plan):
    """The rebuilt master has moved on to Q3: Q2's returns, however well their IDs
    match, are last quarter's answers and must not become Q3's."""
    _first, _again, inbox = rebuilt
    q3 = write_master(plan.with_changes(period="Q3 2019/20").with_plan_id(),
                      tmp_path / "master_q3.xlsx")
    run = xltools("consolidate", q3, inbox, "-o", tmp_path / "out.xlsx", "--adopt-returns",
                  "--json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["updated"] == [] and report["counts"].get("adopted", 0) == 0
    assert "ADOPTED" not in {f["code"] for f in report["findings"]}


def test_a_savings_return_in_the_actions_folder_is_refused_and_says_where_it_belongs(cycle,
                                                                                     tmp_path):
    """Finance's savings return copied by hand among the officers' returns: not merged
    (its Revised does not reach the master's Savings), named with where it belongs, and
    its officer still missing for their actions; the other returns merge as usual."""
    from xltools.cycle.returns import issue_returns

    master, issued = cycle
    finance = issue_returns(master, tmp_path / "savings issued", savings_only=True)
    jon = next(r.path for r in finance.returns if r.officer == "Jon Hawketts")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / STEVE).write_bytes((issued / STEVE).read_bytes())
    fill_return(folder / STEVE, {"A-0001": {"Progress update": "Panel met.",
                                            "RAG status": "Green"}})
    (folder / jon.name).write_bytes(jon.read_bytes())
    fill_return(folder / jon.name, {"CF-02": {"Revised": 280, "Change type": "Re-profile"}},
                sheet="Savings", key_header="Project ref")
    out = tmp_path / "out.xlsx"
    run = xltools("consolidate", master, folder, "-o", out, "--as-of", "2019-10-21", "--json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    counts = report["counts"]
    assert counts["savings_returns"] == 1 and counts["returns_merged"] == 1
    assert "A-0001" in report["updated"] and report["savings_updated"] == []
    (refused,) = [f for f in report["findings"] if f["code"] == "SAVINGS_RETURN"]
    assert refused["file"] == jon.name and "Jon Hawketts's savings return" in refused["message"]
    assert "belongs with finance" in refused["message"]
    assert "xltools savings BASELINE.xlsx FOLDER" in refused["message"]
    assert "Jon Hawketts" in report["missing"] and "Steve Edwards" not in report["missing"]
    merged = read_book(out)
    assert [r["revised"] for r in merged.savings if r["project_ref"] == "CF-02"] == [300.0]
    log = {r["file"]: r for r in merged.log}
    assert log[jon.name]["notes"].startswith("SAVINGS_RETURN: nothing in it is merged")
    shown = said(xltools("consolidate", master, folder, "-o", tmp_path / "again.xlsx",
                         "--as-of", "2019-10-21"))
    assert "savings returns 1 (finance's: not merged, see SAVINGS_RETURN)" in shown
