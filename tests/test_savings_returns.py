"""Finance issues savings returns: one per project lead officer, from real workbooks."""

from __future__ import annotations

import json
from datetime import date

import pytest
import savings_programme as sp
from conftest import SAMPLE_PLAN
from returns_data import master_book

from xltools.cli import main
from xltools.cycle.returns import issue_returns
from xltools.plan import Plan
from xltools.savings.reconcile import reconcile_files
from xltools.workbook.book import Book
from xltools.workbook.layout import MASTER
from xltools.workbook.reader import read_book
from xltools.workbook.writer import write_book

LEADS = {"Laurence Jones": ["CF-01", "CF-02", "CF-03"],
         "Steve Edwards": ["CF-04", "CF-05", "CF-06", "CF-07"],
         "Marion Clay": ["CF-08"]}


@pytest.fixture
def baseline(tmp_path):
    """Finance's savings-only baseline: three project leads, no actions at all."""
    return sp.write_baseline(Plan.load(SAMPLE_PLAN), tmp_path)


def test_issue_savings_writes_one_return_per_project_lead(baseline, tmp_path, capsys):
    out = tmp_path / "savings returns"
    assert main(["issue", str(baseline), "--savings", "-o", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert sorted(r["officer"] for r in report["returns"]) == sorted(LEADS)
    assert report["findings"] == []
    for issued in report["returns"]:
        book = read_book(issued["path"])
        assert (book.kind, book.officer, book.actions) == ("return", issued["officer"], [])
        assert issued["file"].startswith("Q2_2019-20_savings_")
        refs = list(dict.fromkeys(r["project_ref"] for r in book.savings))
        assert refs == LEADS[issued["officer"]]
        wanted = [(ref, year, exp) for ref, year, exp in sp.BASELINE if ref in refs]
        assert [(r["project_ref"], r["year"], r["expected"]) for r in book.savings] == wanted
        for row in book.savings:
            assert [row.get(k) for k in ("revised", "change_type", "approved_by",
                                         "approved_on")] == [None] * 4


def test_revisions_typed_into_issued_returns_reconcile(baseline, tmp_path):
    """The whole finance round: issue, the officer types Revised, reconcile."""
    report = issue_returns(baseline, tmp_path / "r", savings_only=True)
    issued = next(r.path for r in report.returns if r.officer == "Marion Clay")
    book = read_book(issued)
    book.savings[0].update(revised=10, change_type="Write-off", approved_by="Colin Pettigrew",
                           approved_on=date(2019, 9, 20))
    write_book(book, issued, backup=False)
    rec = reconcile_files(baseline, [r.path for r in report.returns])
    assert [f.code for f in rec.findings] == ["YEAR_OUT_OF_RANGE"] and rec.complete  # 2018/19
    cf08 = next(p for p in rec.projects if p.ref == "CF-08")
    assert (cf08.classification, cf08.total("change")) == ("Write-off", -30)
    assert rec.summary["grand_total"]["total"] == -30


def test_a_savings_lead_with_no_actions_gets_a_return_from_the_master(plan, tmp_path):
    """The PMO's master: Marion Clay leads a project but no action; the project's lead is
    typed on its first row only, and another project has no lead at all."""
    master = master_book(plan)
    master.savings += [sp.row("CF-08", "2019/20", 40), sp.row("CF-08", "2020/21", 40),
                       sp.row("CF-10", "2019/20", 25)]
    master.savings[-2]["lead_officer"] = None
    master.savings[-1]["lead_officer"] = None
    path = write_book(master, tmp_path / "master.xlsx")
    report = issue_returns(path, tmp_path / "r")
    clay = next(r for r in report.returns if r.officer == "Marion Clay")
    assert (clay.actions, clay.savings) == ([], 2)
    assert [(r["year"], r["expected"]) for r in read_book(clay.path).savings] == [
        ("2019/20", 40), ("2020/21", 40)]
    assert [(f.code, f.action_id, f.sheet) for f in report.findings] == [
        ("NO_OFFICER", "CF-10", "Savings")]


def test_issue_savings_from_a_workbook_without_savings_stops(plan, tmp_path, capsys):
    path = write_book(Book(plan=plan, kind=MASTER), tmp_path / "empty.xlsx")
    assert main(["issue", str(path), "--savings", "-o", str(tmp_path / "r")]) == 2
    assert "no Savings rows" in capsys.readouterr().err


def test_issue_savings_says_what_it_wrote(baseline, tmp_path, capsys):
    assert main(["issue", str(baseline), "--savings", "-o", str(tmp_path / "r")]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "3 savings returns for Q2 2019/20 (by project lead officer)" in text
    assert "Q2_2019-20_savings_Marion_Clay.xlsx: 2 savings rows" in text


def test_plain_issue_on_a_finance_baseline_sends_savings_too(baseline, tmp_path):
    """`issue` without --savings used to write 0 returns from a savings baseline."""
    report = issue_returns(baseline, tmp_path / "r")
    assert sorted(r.officer for r in report.returns) == sorted(LEADS)
    assert all(r.savings and not r.actions for r in report.returns)


# -- pins (issue 28): each failed with its bug planted (bench/mutants.py) ----------------


def test_a_project_with_two_leads_goes_to_both(tmp_path):
    """A project led jointly ("Jon Hawketts / Lucy Peel") is in each lead's savings
    return: finance hears from either, and nobody's project is left unasked."""
    book = master_book(Plan.load(SAMPLE_PLAN))
    for row in book.savings:
        if row["project_ref"] == "CF-02":
            row["lead_officer"] = "Jon Hawketts / Lucy Peel"
    master = write_book(book, tmp_path / "master.xlsx")
    report = issue_returns(master, tmp_path / "out", savings_only=True)
    refs = {r.officer: [s["project_ref"] for s in read_book(r.path).savings]
            for r in report.returns}
    assert refs == {"Steve Edwards": ["CF-01", "CF-01"], "Jon Hawketts": ["CF-02"],
                    "Lucy Peel": ["CF-02"]}
