"""Issuing returns: one file per officer, only their actions, last quarter shown read-only."""

import json
from datetime import date

import pytest
from openpyxl import load_workbook
from returns_data import master_book, write_master

from xltools.cli import main
from xltools.cycle import returns
from xltools.cycle.returns import issue_returns, return_filename, safe_name
from xltools.findings import flatten
from xltools.workbook.reader import read_book
from xltools.workbook.writer import write_book

LEAD_RETURNS = {
    "Steve Edwards": ["A-0001", "A-0005"],
    "Laurence Jones": ["A-0002", "A-0004", "A-0006", "A-0010"],
    "Sue Summerscales": ["A-0002"],
    "Simon Lacey": ["A-0003"],
    "Jon Hawketts": ["A-0007", "A-0008"],
    "Rob Disney": ["A-0009"],
    "Nigel Harlow": ["A-0011"],
    "Lucy Peel": ["A-0012"],
    "Helen Richardson": ["A-0012"],
}


@pytest.fixture
def master(tmp_path, plan):
    return write_master(plan, tmp_path / "master.xlsx")


def test_one_return_per_individual_lead_officer(master, tmp_path):
    report = issue_returns(master, tmp_path / "returns", issued_on=date(2019, 9, 30))
    assert {r.officer: r.actions for r in report.returns} == LEAD_RETURNS
    names = sorted(p.name for p in (tmp_path / "returns").iterdir())
    assert names == sorted(return_filename("Q2 2019/20", o) for o in LEAD_RETURNS)
    assert "Q2_2019-20_Steve_Edwards.xlsx" in names
    assert report.findings == []


def test_return_holds_previous_progress_and_empty_update_fields(master, tmp_path):
    issue_returns(master, tmp_path / "r")
    book = read_book(tmp_path / "r" / "Q2_2019-20_Steve_Edwards.xlsx")
    assert (book.kind, book.officer, book.plan.period) == ("return", "Steve Edwards",
                                                           "Q2 2019/20")
    first, second = book.actions
    assert first["id"] == "A-0001"
    assert first["previous_progress"].startswith("Quarterly reviews in place. Ongoing need")
    assert (first["previous_rag"], second["previous_rag"]) == ("Green", "Amber")
    for row in book.actions:
        assert [row.get(k) for k in returns.CLEARED_FIELDS] == [None] * 5
        assert row["lead_officer"] == "Steve Edwards"
    assert [(s["project_ref"], s["year"], s["expected"], s["revised"])
            for s in book.savings] == [("CF-01", "2019/20", 250, None),
                                       ("CF-01", "2020/21", 150, None)]  # Revised to answer
    assert book.extra_settings["issued_by"] == "lead"


def test_previous_progress_falls_back_when_the_update_is_empty(plan, tmp_path):
    book = master_book(plan)
    row = book.action("A-0004")
    row.update(previous_progress="Benchmarking group set up in Q4.", previous_rag="Amber")
    write_book(book, tmp_path / "m.xlsx")
    issue_returns(tmp_path / "m.xlsx", tmp_path / "r")
    back = read_book(tmp_path / "r" / "Q2_2019-20_Laurence_Jones.xlsx").action("A-0004")
    assert (back["previous_progress"], back["previous_rag"]) == (
        "Benchmarking group set up in Q4.", "Amber")


def test_officer_name_on_guidance_and_update_cells_unlocked(master, tmp_path):
    issue_returns(master, tmp_path / "r")
    wb = load_workbook(tmp_path / "r" / "Q2_2019-20_Lucy_Peel.xlsx")
    guidance = {r[0]: r[1] for r in wb["Guidance"].iter_rows(values_only=True) if r and r[0]}
    assert guidance["This return is for"] == "Lucy Peel"
    ws = wb["Actions"]
    assert ws["A2"].value == "A-0012" and ws["F2"].value == "Lucy Peel / Helen Richardson"
    assert ws["L2"].protection.locked is False and ws["M2"].protection.locked is False
    assert ws["J2"].protection.locked is True and ws["A2"].protection.locked is True
    assert ws.protection.sheet is True


def test_by_accountable_officer(master, tmp_path):
    report = issue_returns(master, tmp_path / "r", by="accountable")
    got = {r.officer: r.actions for r in report.returns}
    assert got["Nigel Stevenson"] == ["A-0002", "A-0003", "A-0004", "A-0009", "A-0011"]
    assert got["Marje Toward"] == ["A-0012"]
    assert len(got["Colin Pettigrew"]) == 10
    assert read_book(tmp_path / "r" / "Q2_2019-20_Marje_Toward.xlsx").extra_settings[
        "issued_by"] == "accountable"


def test_action_with_no_officer_is_reported_not_dropped(plan, tmp_path):
    book = master_book(plan)
    book.action("A-0009")["lead_officer"] = None
    write_book(book, tmp_path / "m.xlsx")
    report = issue_returns(tmp_path / "m.xlsx", tmp_path / "r")
    assert flatten(report.findings) == [("m.xlsx", "F10", "NO_OFFICER")]
    assert "Rob Disney" not in {r.officer for r in report.returns}
    # named as the PMO sees it on the master (Ref and title), never by its hidden ID
    row = book.action("A-0009")
    (found,) = report.findings
    assert found.message.startswith(f"{row['ref']} '") and "A-0009" not in found.message
    assert found.action.startswith(f"{row['ref']} '")


def test_safe_file_names():
    assert safe_name("Siân O'Neill") == "Sian_ONeill"
    assert return_filename("Q2 2019/20", "Steve Edwards") == "Q2_2019-20_Steve_Edwards.xlsx"
    assert return_filename("Q4 2019/20", "A. N. Other (Interim)") == \
        "Q4_2019-20_A_N_Other_Interim.xlsx"


def test_process_pool_writes_the_same_returns(master, tmp_path, monkeypatch):
    monkeypatch.setattr(returns, "POOL_THRESHOLD", 2)
    report = issue_returns(master, tmp_path / "pool", workers=2)
    serial = issue_returns(master, tmp_path / "serial", workers=1)
    for a, b in zip(report.returns, serial.returns, strict=True):
        assert a.path.name == b.path.name
        assert [clean(r) for r in read_book(a.path).actions] == \
            [clean(r) for r in read_book(b.path).actions]


def test_workers_start_early_or_late_but_always_for_many_returns(master, tmp_path,
                                                                 monkeypatch):
    """The workers start before the master is read when its plan lists enough
    officers; when it lists few yet names many (no officer list), they start once the
    returns are counted — a big issue is never written by one process."""
    started = []
    enter = returns.WriterPool.__enter__

    def spy(self):
        out = enter(self)
        started.append(self.pool is not None)
        return out

    monkeypatch.setattr(returns.WriterPool, "__enter__", spy)
    monkeypatch.setattr(returns, "POOL_THRESHOLD", 2)
    issue_returns(master, tmp_path / "early", workers=2)
    assert started == [True]  # the sample plan lists its officers: started early
    started.clear()
    real_open_plan = returns.open_plan

    def no_officer_list(path):
        plan, workbook = real_open_plan(path)
        return plan.with_changes(officers=()), workbook

    monkeypatch.setattr(returns, "open_plan", no_officer_list)
    report = issue_returns(master, tmp_path / "late", workers=2)
    assert started == [False, True] and len(report.returns) > 2
    assert all(r.path.exists() for r in report.returns)


def clean(row):
    return {k: v for k, v in row.items() if k != "_row"}


def test_cli_json(master, tmp_path, capsys):
    assert main(["issue", str(master), "-o", str(tmp_path / "r"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["by"] == "lead" and data["period"] == "Q2 2019/20"
    assert {r["officer"]: r["actions"] for r in data["returns"]} == LEAD_RETURNS


def test_master_bookkeeping_stays_out_of_returns(plan, tmp_path):
    book = master_book(plan)
    book.extra_settings["updated_this_period"] = {"period": "Q2 2019/20", "ids": ["A-0001"]}
    write_book(book, tmp_path / "m.xlsx")
    issue_returns(tmp_path / "m.xlsx", tmp_path / "r")
    back = read_book(tmp_path / "r" / "Q2_2019-20_Rob_Disney.xlsx")
    assert "updated_this_period" not in back.extra_settings


def test_a_write_failing_midway_leaves_whole_returns_and_no_temporary(master, tmp_path,
                                                                       monkeypatch):
    """The returns share one private folder for their temporaries (one folder made and
    removed per run, not per return): a write that fails part-way leaves the returns
    already written, each whole, and neither the folder nor the half-written file."""
    from xltools.workbook import stamp

    real = stamp.Stamp._part

    def disk_full(self, name, data, book):
        if book.officer == "Simon Lacey" and name.startswith("xl/worksheets/"):
            raise OSError("No space left on device")
        return real(self, name, data, book)

    monkeypatch.setattr(stamp.Stamp, "_part", disk_full)
    out = tmp_path / "returns"
    with pytest.raises(OSError, match="No space"):
        issue_returns(master, out)
    left = sorted(p.name for p in out.iterdir())
    assert left and all(not name.startswith(".") for name in left)
    assert "Q2_2019-20_Simon_Lacey.xlsx" not in left
    assert all(read_book(out / name).officer for name in left)
