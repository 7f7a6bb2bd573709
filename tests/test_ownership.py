"""Nothing accepted from the wrong hands: a return may update only its own officer's
actions (NOT_OWNER otherwise, unless the PMO lets a deputy answer: DELEGATED), and a
return from another plan is refused whole (WRONG_PLAN). Real files: masters written
by our writer, returns issued from them and edited with openpyxl as Excel saves them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook
from returns_data import AS_OF, JON, LUCY, STEVE, fill_return, master_book, write_master

from xltools.cycle.consolidate import consolidate
from xltools.cycle.returns import issue_returns
from xltools.findings import flatten
from xltools.workbook.reader import read_book
from xltools.workbook.writer import write_book

XLTOOLS = [sys.executable, "-m", "xltools"]
JONS_UPDATE = "Contracts signed with both providers."


def copy_row(src: Path, action_id: str, dst: Path, **typed) -> int:
    """Copy ``action_id``'s whole row from return ``src`` below the rows of return ``dst``
    (as an officer pasting a colleague's row would), typing ``typed`` over it by header."""
    ws_src = load_workbook(src)["Actions"]
    row = next(r for r in ws_src.iter_rows(min_row=2, values_only=True) if r[0] == action_id)
    header = [c.value for c in ws_src[1]]
    wb = load_workbook(dst)
    ws = wb["Actions"]
    target = next(r for r in range(2, ws.max_row + 2) if ws.cell(r, 1).value is None)
    values = dict(zip(header, row, strict=False)) | typed
    for col, name in enumerate(header, start=1):
        ws.cell(target, col).value = values.get(name)
    wb.save(dst)
    return target


def inbox(tmp_path: Path, *files: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    for f in files:
        shutil.copy(f, folder / f.name)
    return folder


def steves_return_with_jons_row(cycle) -> int:
    fill_return(cycle[1] / STEVE, {"A-0001": {"Progress update": "Panel met.",
                                              "RAG status": "Green"}})
    return copy_row(cycle[1] / JON, "A-0007", cycle[1] / STEVE,
                    **{"Progress update": JONS_UPDATE, "RAG status": "Green",
                       "Updated by": "Jon Hawketts"})


def test_a_row_for_someone_elses_action_is_not_merged(cycle, tmp_path):
    row = steves_return_with_jons_row(cycle)
    report = consolidate(cycle[0], inbox(tmp_path, cycle[1] / STEVE), tmp_path / "out.xlsx",
                         as_of=AS_OF)
    assert (STEVE, f"A{row}", "NOT_OWNER") in flatten(report.findings)
    finding = next(f for f in report.findings if f.code == "NOT_OWNER")
    assert "Jon Hawketts" in finding.message and "Steve Edwards" in finding.message
    out = read_book(tmp_path / "out.xlsx")
    assert out.action("A-0007")["progress_update"] != JONS_UPDATE  # "Updated by" is no pass
    assert "NOT_OWNER" in out.action("A-0007")["flags"]
    assert out.action("A-0001")["progress_update"] == "Panel met."  # his own row merged
    assert "Jon Hawketts" in report.missing
    assert report.counts()["not_owner"] == 1
    log = {r["file"]: r for r in out.log}
    assert log[STEVE]["rejected"] == 1 and "NOT_OWNER" in log[STEVE]["notes"]


def test_joint_lead_may_answer(cycle, tmp_path):
    fill_return(cycle[1] / LUCY, {"A-0012": {"Progress update": "CPD relaunched.",
                                             "RAG status": "Green"}})
    report = consolidate(cycle[0], inbox(tmp_path, cycle[1] / LUCY), tmp_path / "out.xlsx",
                         as_of=AS_OF)
    assert report.merge.updated == ["A-0012"]
    assert "NOT_OWNER" not in {f.code for f in report.findings}


def test_return_without_settings_and_no_single_officer_merges_nothing(cycle, tmp_path):
    steves_return_with_jons_row(cycle)
    wb = load_workbook(cycle[1] / STEVE)
    wb.remove(wb["Settings"])
    wb.save(cycle[1] / STEVE)
    report = consolidate(cycle[0], inbox(tmp_path, cycle[1] / STEVE), tmp_path / "out.xlsx",
                         as_of=AS_OF)
    assert report.merge.updated == []
    # his savings lines are issued with Revised empty: nothing typed, nothing to refuse
    assert {f.action_id for f in report.findings if f.code == "NOT_OWNER"} == {
        "A-0001", "A-0007"}


def test_pmo_lets_a_deputy_return_for_a_colleague(cycle, tmp_path):
    row = steves_return_with_jons_row(cycle)
    report = consolidate(cycle[0], inbox(tmp_path, cycle[1] / STEVE), tmp_path / "out.xlsx",
                         as_of=AS_OF, delegates={"Steve Edwards": ["Jon Hawketts"]})
    assert (STEVE, f"A{row}", "DELEGATED") in flatten(report.findings)
    assert "--delegate" in next(f.message for f in report.findings if f.code == "DELEGATED")
    out = read_book(tmp_path / "out.xlsx")
    assert out.action("A-0007")["progress_update"] == JONS_UPDATE
    assert report.missing["Jon Hawketts"] == ["A-0008"]  # the row he was not covered for


def test_plan_setting_lists_delegates(plan, tmp_path):
    master = tmp_path / "master.xlsx"
    book = master_book(plan.with_changes(delegates={"Steve Edwards": ("Jon Hawketts",)}))
    write_book(book, master)
    issue_returns(master, tmp_path / "returns")
    row = steves_return_with_jons_row((master, tmp_path / "returns"))
    report = consolidate(master, inbox(tmp_path, tmp_path / "returns" / STEVE),
                         tmp_path / "out.xlsx", as_of=AS_OF)
    delegated = next(f for f in report.findings if f.code == "DELEGATED")
    assert (delegated.cell, "delegates setting" in delegated.message) == (f"A{row}", True)
    assert read_book(tmp_path / "out.xlsx").action("A-0007")["progress_update"] == JONS_UPDATE


def test_cli_delegate_option(cycle, tmp_path):
    steves_return_with_jons_row(cycle)
    run = subprocess.run(XLTOOLS + ["consolidate", str(cycle[0]), str(inbox(
        tmp_path, cycle[1] / STEVE)), "-o", str(tmp_path / "out.xlsx"), "--as-of",
        "2019-10-21", "--delegate", "Steve Edwards=Jon Hawketts", "--json"],
        capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["counts"]["delegated"] == 1
    bad = subprocess.run(XLTOOLS + ["consolidate", str(cycle[0]), str(tmp_path / "in"), "-o",
                                    str(tmp_path / "o2.xlsx"), "--delegate", "Steve"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


# -- plan identity ---------------------------------------------------------------------


def set_setting(path: Path, key: str, value) -> None:
    wb = load_workbook(path)
    ws = wb["Settings"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == key:
            row[1].value = json.dumps(value) if value is not None else None
            if value is None:
                row[0].value = None
            break
    else:
        ws.append([key, json.dumps(value)])
    wb.save(path)


def test_a_return_from_another_councils_plan_is_refused_whole(cycle, tmp_path):
    fill_return(cycle[1] / LUCY, {"A-0012": {"Progress update": "Derbyshire's words.",
                                             "RAG status": "Red"}})
    set_setting(cycle[1] / LUCY, "organisation", "Derbyshire County Council")
    report = consolidate(cycle[0], inbox(tmp_path, cycle[1] / LUCY), tmp_path / "out.xlsx",
                         as_of=AS_OF)
    assert (LUCY, None, "WRONG_PLAN") in flatten(report.findings)
    assert report.merge.updated == [] and report.counts()["wrong_plan"] == 1
    assert "Lucy Peel" in report.missing  # another plan's return is no return
    log = {r["file"]: r for r in read_book(tmp_path / "out.xlsx").log}
    assert log[LUCY]["notes"].startswith("WRONG_PLAN") and log[LUCY]["rejected"] >= 1


def test_plan_id_tells_two_plans_with_the_same_names_apart(plan, tmp_path):
    ours = write_master(plan.with_plan_id(), tmp_path / "ours.xlsx")
    theirs = write_master(plan.with_plan_id(), tmp_path / "theirs.xlsx")  # same names
    issue_returns(theirs, tmp_path / "their_returns")
    fill_return(tmp_path / "their_returns" / LUCY, {"A-0012": {"Progress update": "Theirs.",
                                                               "RAG status": "Red"}})
    report = consolidate(ours, inbox(tmp_path, tmp_path / "their_returns" / LUCY),
                         tmp_path / "out.xlsx", as_of=AS_OF)
    wrong = next(f for f in report.findings if f.code == "WRONG_PLAN")
    assert read_book(theirs).plan.plan_id in wrong.message
    assert report.merge.updated == []


def test_issued_returns_carry_the_plan_id_and_merge(plan, tmp_path):
    master = write_master(plan.with_plan_id(), tmp_path / "master.xlsx")
    issue_returns(master, tmp_path / "returns")
    plan_id = read_book(master).plan.plan_id
    assert read_book(tmp_path / "returns" / LUCY).plan.plan_id == plan_id
    fill_return(tmp_path / "returns" / LUCY, {"A-0012": {"Progress update": "Ours.",
                                                         "RAG status": "Red"}})
    report = consolidate(master, inbox(tmp_path, tmp_path / "returns" / LUCY),
                         tmp_path / "out.xlsx", as_of=AS_OF)
    assert report.merge.updated == ["A-0012"]
    assert read_book(tmp_path / "out.xlsx").plan.plan_id == plan_id


def test_an_old_return_without_a_plan_id_still_merges(plan, tmp_path):
    master = write_master(plan.with_plan_id(), tmp_path / "master.xlsx")
    issue_returns(master, tmp_path / "returns")
    set_setting(tmp_path / "returns" / LUCY, "plan_id", None)  # issued before plan IDs
    assert read_book(tmp_path / "returns" / LUCY).plan.plan_id == ""
    fill_return(tmp_path / "returns" / LUCY, {"A-0012": {"Progress update": "Ours.",
                                                         "RAG status": "Red"}})
    report = consolidate(master, inbox(tmp_path, tmp_path / "returns" / LUCY),
                         tmp_path / "out.xlsx", as_of=AS_OF)
    assert report.merge.updated == ["A-0012"]


def test_a_master_without_a_plan_id_gets_one_and_keeps_working(cycle, tmp_path):
    assert read_book(cycle[0]).plan.plan_id == ""  # made before plan IDs
    fill_return(cycle[1] / LUCY, {"A-0012": {"Progress update": "Ours.", "RAG status": "Red"}})
    report = consolidate(cycle[0], inbox(tmp_path, cycle[1] / LUCY), tmp_path / "out.xlsx",
                         as_of=AS_OF)
    assert report.merge.updated == ["A-0012"]
    assert read_book(tmp_path / "out.xlsx").plan.plan_id.startswith("P-")


def test_a_savings_line_led_by_someone_else_is_not_merged(cycle, tmp_path):
    """Jon's return with Steve's CF-01 2020/21 line typed in (a row added to his Savings)."""
    from openpyxl import load_workbook as load

    ws_src = load(cycle[1] / STEVE)["Savings"]
    header = [c.value for c in ws_src[1]]
    steves = [list(r) for r in ws_src.iter_rows(min_row=2, values_only=True) if r[0]]
    wb = load(cycle[1] / JON)
    ws = wb["Savings"]
    target = next(r for r in range(2, ws.max_row + 2) if ws.cell(r, 1).value is None)
    values = dict(zip(header, steves[1], strict=False)) | {"Revised": 1.0,
                                                           "Change type": "Write-off"}
    for col, name in enumerate(header, start=1):
        ws.cell(target, col).value = values.get(name)
    wb.save(cycle[1] / JON)
    report = consolidate(cycle[0], inbox(tmp_path, cycle[1] / JON), tmp_path / "out.xlsx",
                         as_of=AS_OF)
    assert (JON, f"A{target}", "NOT_OWNER") in flatten(report.findings)
    assert report.savings_updated == []
    assert read_book(tmp_path / "out.xlsx").savings[1]["revised"] == 150.0


# -- pins (issue 28): each failed with its bug planted (bench/mutants.py) ----------------


def test_an_old_return_from_another_department_is_refused_whole(cycle, tmp_path):
    """Returns made before plan IDs are told apart by organisation, department and
    title: the same council's other department's plan is not this plan."""
    fill_return(cycle[1] / LUCY, {"A-0012": {"Progress update": "Adults' words.",
                                             "RAG status": "Red"}})
    set_setting(cycle[1] / LUCY, "department", "Adult Social Care and Health")
    report = consolidate(cycle[0], inbox(tmp_path, cycle[1] / LUCY), tmp_path / "out.xlsx",
                         as_of=AS_OF)
    assert (LUCY, None, "WRONG_PLAN") in flatten(report.findings)
    assert report.merge.updated == []


def test_returns_issued_to_accountable_officers_are_theirs_to_answer(plan, tmp_path):
    """Issued with --by accountable, the return's Settings say so: the accountable
    officer's answers merge even though someone else leads the action."""
    master = write_master(plan, tmp_path / "master.xlsx")
    issue_returns(master, tmp_path / "returns", by="accountable")
    colin = tmp_path / "returns" / "Q2_2019-20_Colin_Pettigrew.xlsx"
    fill_return(colin, {"A-0001": {"Progress update": "Panel met in September.",
                                   "RAG status": "Green"}})
    report = consolidate(master, inbox(tmp_path, colin), tmp_path / "out.xlsx", as_of=AS_OF)
    assert "A-0001" in report.merge.updated
    assert "NOT_OWNER" not in {f.code for f in report.findings}
    assert read_book(tmp_path / "out.xlsx").action("A-0001")["progress_update"] == \
        "Panel met in September."
